"""Quality measurements of an upright RGB image, mostly on a small copy (Pillow's C ops only)."""

from __future__ import annotations

import math
from collections import deque

import numpy as np
from PIL import Image, ImageChops, ImageStat

ANALYSIS_LONG_SIDE = 1024
GLARE_GRID = 64  # cells on the long side when looking for blown-out patches
BLOWN = 250  # luma at which detail is lost
SHARPNESS_SCALE = 0.71  # gradient ratio − 1 that scores 100 (calibrated: see ImageRules)
EDGE_SHARE = 0.005  # sharpness is judged on the strongest 0.5 % of (blurred) gradients
MIN_EDGE = 2  # gradients weaker than this are no edges, however few the others
REQUIRED_FINER = 1.25  # measure detail at the required scale only when it is this much finer
SPARE_PIXELS = 1.25  # … and the image has at least this many times the required pixels per side
CENTRE = 0.6  # share of width and height measured at the required scale (the document)
MARGIN_BORDER = 0.9  # blown share of the border cells that makes the blown area a white margin
MARGIN_CONTENT = 0.03  # … if at least this share of the frame's cells is (nearly) not blown
SCALE_TEST_SIDE = 768  # the native-resolution scale test looks at most this much of the centre
FOOTPRINT_SIDE = 1024  # the resampling-footprint test looks at most this much of the centre
# Frequencies (cycles per pixel) where an enlargement by 1.2–6.5× leaves its footprint: 1/F
# folded into [0, ½] (1 − 1/F below 2×). JPEG's 8-px blocks are left out (k/8, see below).
FOOTPRINT_BAND = (0.15, 0.49)
# Bins either side of a JPEG block frequency left out. A strong block grid (a smooth sky at 80 %
# quality) leaks into the bins next to it through the window's side lobes (tuning half: a
# Telegram copy of a real photo scored 4.8 at ¼ + 2.6 bins), and so does the footprint of a 4×
# enlargement, which sits at ¼ itself (a cat enlarged 4×: 21 at ¼ + 3 bins). The strong test
# keeps the narrow guard; the weak one (``clear_peak``) the wide one.
JPEG_GUARD_BINS = 2.5
CLEAR_GUARD_BINS = 4.5
TELEGRAM_LONG_SIDE = 1280  # a photo sent as a Telegram photo arrives at most this long
CONTENT_PEAK = 3.0  # a brightness spectrum this many times its median is a pattern, not noise
BLOWN_TABLE = [255 if value >= BLOWN else 0 for value in range(256)]
HALO_TABLE = [255 if value >= BLOWN - 5 else 0 for value in range(256)]


def analysis_copy(image: Image.Image) -> Image.Image:
    """``image`` scaled to 900–1150 px on its long side (never enlarged).

    A whole-factor ``reduce`` (a cheap box filter) does most of the work; a bilinear resize only
    corrects what is left, on an image at most twice the analysis size.
    """
    low, high = ANALYSIS_LONG_SIDE * 0.88, ANALYSIS_LONG_SIDE * 1.12
    long_side = max(image.size)
    factor = max(1, round(long_side / ANALYSIS_LONG_SIDE))
    if factor > 1 and long_side / factor < low:
        factor -= 1
    small = image.reduce(factor) if factor > 1 else image
    if max(small.size) <= high:
        return small
    scale = ANALYSIS_LONG_SIDE / max(small.size)
    size = (max(1, round(small.width * scale)), max(1, round(small.height * scale)))
    return small.resize(size, Image.Resampling.BILINEAR)


def measure(image: Image.Image, required_short_side: int = 0) -> dict[str, float]:
    """Colour, exposure, sharpness and detail measurements of an upright RGB image.

    Everything is measured on the analysis copy, except detail: when ``required_short_side`` is
    finer than the analysis copy and the image has pixels to spare, fine detail is measured at
    that scale too (an enlarged small photo has the pixels, not their detail).
    """
    small = analysis_copy(image)
    grey = small.convert("L")
    histogram = grey.histogram()
    total = small.width * small.height
    brightness = sum(value * count for value, count in enumerate(histogram)) / total
    # The darkest 1 % of what is not blown out: a white margin or page does not lift it.
    shadows = _percentile(histogram[:BLOWN], 0.01) if sum(histogram[:BLOWN]) else BLOWN
    highlights = _percentile(histogram, 0.99)
    low, high = _percentile(histogram, 0.003), _percentile(histogram, 0.997)
    blown_share, halo_share = glare_share(grey)
    measurements = {
        "colourfulness": round(colourfulness(small), 2),
        "sharpness": round(sharpness(grey), 2),
        "brightness": round(brightness, 2),
        "contrast": float(high - low),
        "shadows": float(shadows),
        "highlights": float(highlights),
        "highlight_share": round(blown_share, 4),
        "halo_share": round(halo_share, 4),
        "clipped_share": round(sum(histogram[BLOWN:]) / total, 4),
        "analysis_long_side": float(max(small.size)),
    }
    scale = required_short_side / min(image.size)
    if min(small.size) * REQUIRED_FINER < required_short_side and scale * SPARE_PIXELS <= 1:
        measurements.update(required_scale_measures(image, scale))
    measurements.update(scale_test(image))
    if max(image.size) <= TELEGRAM_LONG_SIDE:
        measurements["octave_energy"] = round(octave_energy(image), 3)
    (peak, frequency), (clear_peak, clear_frequency) = resampling_footprint(image)
    # An enlargement by F and by F / (F − 1) leave the same footprint (1/F folded into [0, ½]):
    # the smaller factor, 1 / (1 − f), is the one that gives the photo the benefit of the doubt.
    enlargement = 1 / (1 - frequency) if frequency else 1.0
    measurements["resampling_peak"] = round(peak, 2)
    measurements["enlargement"] = round(enlargement, 3)
    measurements["true_short_side"] = round(min(image.size) / enlargement, 1)
    # The same on both axes and away from JPEG's block frequencies, for the weak test (see
    # ImageRules), asked only of a picture of a Telegram photo's size: a camera's photo reaches
    # that size by a reduction, which leaves no footprint, while Telegram's reduction of an
    # enlarged picture weakens its footprint; a larger file keeps its footprint whole.
    if max(image.size) > TELEGRAM_LONG_SIDE:
        clear_peak, clear_frequency = 1.0, 0.0
    clear_enlargement = 1 / (1 - clear_frequency) if clear_frequency else 1.0
    measurements["clear_peak"] = round(clear_peak, 2)
    measurements["clear_true_short_side"] = round(min(image.size) / clear_enlargement, 1)
    return measurements


def resampling_footprint(
    image: Image.Image,
) -> tuple[tuple[float, float], tuple[float, float]]:
    """How strongly the centre repeats the periodic footprint an enlargement leaves (≥ 1), and
    at which frequency (cycles per pixel; 0 when the picture is too small to tell): for the
    strong test, and for the weak one (both axes, clear of JPEG's block frequencies).

    Interpolating a photo onto a finer grid (an editor's enlargement, bicubic or bilinear) makes
    every output pixel a fixed blend of its neighbours that repeats with the grid's phase: the
    strength of the second derivative varies with period F px along rows and columns, for an
    enlargement by F (Popescu & Farid 2005; Gallagher 2005, "Detection of linear and cubic
    interpolation in JPEG compressed images"). Averaged down the columns (and across the rows)
    the picture's content cancels out and that period remains; a later reduction (Telegram's
    1280 px) and JPEG keep it, folded to another frequency. A photograph from a camera, or one
    reduced from a larger one, has no such period. Score: the strongest frequency of the
    footprint band, present along both axes, over the median of the spectrum (content ≈ 2–6).
    JPEG's 8-px block grid is skipped (¼ and ⅜ cycles per pixel) and so is the Nyquist frequency:
    a net enlargement of about 1.6×, 2×, 8/3× or 4× leaves its footprint there and is left to
    the scale test, which misses it below 2×, and to ``octave_energy`` (e.g. a 640-px photo
    enlarged, then shrunk by Telegram to 1280 px).
    """
    width, height = image.size
    side = min(FOOTPRINT_SIDE, width, height)
    if side < 64:
        return (1.0, 0.0), (1.0, 0.0)
    left, top = (width - side) // 2, (height - side) // 2
    grey = np.asarray(image.crop((left, top, left + side, top + side)).convert("L"), np.int16)
    window = np.hanning(side - 2).astype(np.float32)
    footprint = np.ones(side // 2, np.float32)
    content = np.ones(side // 2, np.float32)
    per_axis = []
    for axis in (1, 0):  # sums rather than means: the scores are ratios (integers are faster)
        curvature = np.abs(np.diff(grey, n=2, axis=axis)).sum(axis=1 - axis, dtype=np.int32)
        per_axis.append(_spectrum(curvature, window))
        footprint *= per_axis[-1]
        content *= _spectrum(grey.sum(axis=1 - axis, dtype=np.int32)[1:-1], window)
    frequency = np.fft.rfftfreq(side - 2)
    high = frequency >= 0.1
    footprint_level = np.sqrt(footprint)  # geometric mean of the two axes
    content_level = np.sqrt(content)
    footprint_level /= max(float(np.median(footprint_level[high])), 1e-6)
    content_level /= max(float(np.median(content_level[high])), 1e-6)
    # A pattern in the picture itself (a QR code's cells, drawn hatching) also repeats in the
    # brightness; an enlargement's footprint does not, so such a frequency counts for less.
    discount = np.maximum(1.0, content_level / CONTENT_PEAK)
    # The weak test asks the footprint of both axes (an enlargement is the same along both;
    # the lines of a drawn document or a form repeat along one only).
    weaker_axis = np.minimum(
        *(level / max(float(np.median(level[high])), 1e-6) for level in per_axis)
    )
    in_band = (frequency >= FOOTPRINT_BAND[0]) & (frequency < FOOTPRINT_BAND[1])
    found = []
    for score, guard in ((footprint_level, JPEG_GUARD_BINS), (weaker_axis, CLEAR_GUARD_BINS)):
        band = in_band.copy()
        for multiple in (2, 3):  # JPEG blocks: 1/4 and 3/8 cycles per pixel
            band &= np.abs(frequency - multiple / 8) > guard / side
        banded = np.where(band, score / discount, 0)
        strongest = int(np.argmax(banded))
        found.append((max(1.0, float(banded[strongest])), float(frequency[strongest])))
    return found[0], found[1]


def _spectrum(profile: np.ndarray, window: np.ndarray) -> np.ndarray:
    """The amplitude spectrum of a profile, without its mean."""
    centred = profile.astype(np.float32) - np.float32(profile.mean())
    return np.abs(np.fft.rfft(centred * window)).astype(np.float32)


def scale_test(image: Image.Image) -> dict[str, float]:
    """Fine detail of the centre at the image's own resolution against half that resolution.

    A photograph keeps much of its fine detail from one octave to the next (natural scenes are
    roughly scale-invariant, and a phone's own softness costs a fraction of it); a small photo
    enlarged by 2× or more has none left in its finest octave, however crisp it looks reduced.
    The ratio does not depend on contrast, exposure or the document's size (see
    ``ImageRules.min_detail_ratio`` for the calibration). Sensor noise raises it, so noise added
    after an enlargement can hide one; an enlargement below 2× leaves the finest octave partly
    filled and is not told from a soft phone photo.
    """
    centre = _centre_grey(image)
    native = detail(centre)
    half = detail(centre.reduce(2))
    return {
        "native_detail": round(native, 2),
        "half_detail": round(half, 2),
        "detail_ratio": round((native + 2) / (half + 2), 3),
    }


def octave_energy(image: Image.Image) -> float:
    """How much of the centre's fine structure sits in its finest octave, against the next one:
    the energy a 2× round trip (box reduction, bicubic enlargement back) removes at the image's
    own resolution, over what the same round trip removes at half of it.

    A picture enlarged by about 2× or more is (nearly) predictable from a grid of half its
    pixels, so the round trip takes almost nothing from it, whatever the enlargement's factor,
    phase or later reduction; a photograph that Telegram reduced from a larger original keeps
    its finest octave full. Unlike ``scale_test`` it weighs every pixel, not the strongest
    edges, so a crisp-looking enlargement that JPEG's ringing and a reduction's sharpening gave
    strong fine edges is not mistaken for detail. Sensor noise raises it, as it does the scale
    test. See ``checks.MIN_OCTAVE_ENERGY`` for the calibration.
    """
    centre = _centre_grey(image)
    native = _round_trip_energy(centre)
    half = _round_trip_energy(centre.reduce(2))
    return native / half if half > 0 else 1.0


def _centre_grey(image: Image.Image) -> Image.Image:
    """The central part of ``image`` (CENTRE of each side, at most SCALE_TEST_SIDE), in grey."""
    width, height = image.size
    crop_w = min(round(width * CENTRE), SCALE_TEST_SIDE)
    crop_h = min(round(height * CENTRE), SCALE_TEST_SIDE)
    left, top = (width - crop_w) // 2, (height - crop_h) // 2
    return image.crop((left, top, left + crop_w, top + crop_h)).convert("L")


def _round_trip_energy(grey: Image.Image) -> float:
    """Mean squared difference between ``grey`` and its 2× box reduction enlarged back
    (bicubic), without a 4-px frame where the filters run off the picture (0 when too small)."""
    if min(grey.size) < 24:
        return 0.0
    back = grey.reduce(2).resize(grey.size, Image.Resampling.BICUBIC)
    residual = ImageChops.difference(grey, back).crop((4, 4, grey.width - 4, grey.height - 4))
    stats = ImageStat.Stat(residual)
    return float(stats.sum2[0] / stats.count[0])


def required_scale_measures(image: Image.Image, scale: float) -> dict[str, float]:
    """Fine detail of the central part of ``image`` scaled by ``scale`` (< 1)."""
    width, height = image.size
    box = (
        round(width * (1 - CENTRE) / 2),
        round(height * (1 - CENTRE) / 2),
        round(width * (1 + CENTRE) / 2),
        round(height * (1 + CENTRE) / 2),
    )
    centre = image.crop(box).convert("L")
    size = (max(3, round(centre.width * scale)), max(3, round(centre.height * scale)))
    grey = centre.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    return {"required_detail": round(detail(grey), 2)}


def colourfulness(image: Image.Image) -> float:
    """Hasler–Süsstrunk colourfulness after grey-world white balance.

    Balancing first (each channel scaled to the same mean) removes a uniform colour cast, so a
    grey photocopy photographed under warm light scores like the grey page it is.
    """
    means = ImageStat.Stat(image).mean
    target = sum(means) / 3
    tables: list[int] = []
    for mean in means:
        gain = min(3.0, target / max(mean, 1.0))  # a nearly empty channel: no noise blow-up
        tables += [min(255, round(value * gain)) for value in range(256)]
    red, green, blue = image.point(tables).split()
    # (r - g) / 2 + 128 and ((r + g) / 2 - b) / 2 + 128 fit in 8 bits without clipping.
    rg = ImageChops.subtract(red, green, 2.0, 128)
    yb = ImageChops.subtract(ImageChops.add(red, green, 2.0), blue, 2.0, 128)
    stats = ImageStat.Stat(Image.merge("LA", (rg, yb)))
    (mean_rg, mean_yb), (sd_rg, sd_yb) = stats.mean, stats.stddev
    spread = 2 * math.hypot(sd_rg, sd_yb)
    mean = 2 * math.hypot(mean_rg - 128, mean_yb - 128)
    return spread + 0.3 * mean


def sharpness(grey: Image.Image) -> float:
    """Edge crispness, 0–100: how much a further blur of about 1 px weakens the strongest edges.

    The gradient at an edge of width w (a Gaussian σ, in pixels) falls to w / √(w² + 1) of its
    value when the image is blurred by σ ≈ 1, so the ratio of the gradients before and after is
    ≈ √(1 + 1/w²): 1.6 for a crisp edge, 1.2 at w ≈ 1.5 px, 1 for an edge blurred away. It is
    taken over the pixels with the strongest gradient *after* the blur, where sensor noise is
    already averaged out, so noise neither selects the pixels nor (much) changes the ratio; it
    is a ratio, so contrast and exposure do not change it either. Score: 100 × (ratio − 1) / SCALE.
    """
    ratio = _edge_ratio(grey, _blurred(grey))
    return max(0.0, min(100.0, 100 * (ratio - 1) / SHARPNESS_SCALE))


def detail(grey: Image.Image) -> float:
    """Fine detail, 0–100: the sharpness ratio for the finest blur there is ([1 2 1] / 4, σ ≈ 0.7).

    ``sharpness`` blurs by about 1 px and so cannot tell an edge 0.5 px wide from one 1 px wide;
    this does, which is what an enlarged photo looks like at the scale a document needs: its
    edges are smooth ramps a pixel or two wide, however crisp it looks when reduced. Score:
    100 × (ratio − 1) / 0.5. On real photographs at their true resolution ≥ 77, drawn documents
    ≥ 58; photos and documents enlarged by 1.6–4× ≤ 52.
    """
    ratio = _edge_ratio(grey, _smoothed(grey))
    return max(0.0, min(100.0, 100 * (ratio - 1) / 0.5))


def _edge_ratio(grey: Image.Image, blurred: Image.Image) -> float:
    """How much stronger the strongest edges are before the blur than after it (1 when the
    picture is too small to tell, or has no edges)."""
    if min(grey.size) < 8:
        return 1.0
    fine = _gradient(grey)
    coarse = _gradient(blurred)
    threshold = max(_percentile(coarse.histogram(), 1 - EDGE_SHARE), MIN_EDGE)
    mask = coarse.point([255 if value >= threshold else 0 for value in range(256)])
    coarse_sum = ImageStat.Stat(coarse, mask).sum[0]
    if coarse_sum <= 0:
        return 1.0
    return float(ImageStat.Stat(fine, mask).sum[0] / coarse_sum)


def _smoothed(grey: Image.Image) -> Image.Image:
    """The [1 2 1] / 4 binomial blur in both directions, by shifted averages (faster than a
    3 × 3 convolution in Pillow)."""
    across = ImageChops.add(
        ImageChops.add(ImageChops.offset(grey, 1, 0), ImageChops.offset(grey, -1, 0), 2.0),
        grey,
        2.0,
    )
    return ImageChops.add(
        ImageChops.add(ImageChops.offset(across, 0, 1), ImageChops.offset(across, 0, -1), 2.0),
        across,
        2.0,
    )


def _blurred(grey: Image.Image) -> Image.Image:
    """A blur of σ = 1 px: the binomial [1 2 1] / 4 twice (shift-invariant, unlike a 2 × 2 box
    reduction, which leaves an edge on its grid crisp)."""
    return _smoothed(_smoothed(grey))


def _gradient(grey: Image.Image) -> Image.Image:
    """|∂x| + |∂y| by central differences (over 2 px), without the frame that wraps around."""
    dx = ImageChops.difference(ImageChops.offset(grey, 1, 0), ImageChops.offset(grey, -1, 0))
    dy = ImageChops.difference(ImageChops.offset(grey, 0, 1), ImageChops.offset(grey, 0, -1))
    both = ImageChops.add(dx, dy, 2.0)
    return both.crop((2, 2, both.width - 2, both.height - 2))


def glare_share(grey: Image.Image) -> tuple[float, float]:
    """Shares of the frame in blown-out patches, and in those with their near-white halo.

    A patch is a cell at least three quarters blown (luma ≥ 250; for the halo ≥ 245). Blown
    areas count wherever they are, touching the frame's edge or not — except a white margin:
    when nearly the whole border is blown (a scanner lid, a white page around a card) and it
    surrounds compact content (cells at most a quarter blown), the blown area connected to the
    border is background (and the halo is not measured). A reflection or overexposure fades
    into a halo of near-white; a small crisp white object (a specular highlight) has none.
    """
    scale = GLARE_GRID / max(grey.size)
    columns = max(1, round(grey.width * scale))
    rows = max(1, round(grey.height * scale))
    cells = grey.point(BLOWN_TABLE).resize((columns, rows), Image.Resampling.BOX).tobytes()
    solid = [value >= 192 for value in cells]
    count = len(solid)
    blown_cells = sum(solid)
    border = sorted(
        {i for i in range(count) if i < columns or i >= count - columns}
        | set(range(0, count, columns))
        | set(range(columns - 1, count, columns))
    )
    # Content the margin surrounds: cells at most a quarter blown (a card, a photo), not the
    # scattered dark remains of a frame that is blown out nearly everywhere.
    content = sum(value <= 64 for value in cells) / count
    margin = sum(solid[i] for i in border) >= MARGIN_BORDER * len(border)
    if not margin or content < MARGIN_CONTENT:
        near = grey.point(HALO_TABLE).resize((columns, rows), Image.Resampling.BOX).tobytes()
        return blown_cells / count, sum(value >= 192 for value in near) / count
    # Flood-fill from the border through blown cells: that is the margin, the rest is glare.
    seen = [False] * count
    queue = deque(i for i in border if solid[i])
    for i in queue:
        seen[i] = True
    while queue:
        i = queue.popleft()
        column = i % columns
        neighbours = (
            i - columns,
            i + columns,
            i - 1 if column > 0 else -1,
            i + 1 if column < columns - 1 else -1,
        )
        for j in neighbours:
            if 0 <= j < count and solid[j] and not seen[j]:
                seen[j] = True
                queue.append(j)
    enclosed = sum(1 for i, is_solid in enumerate(solid) if is_solid and not seen[i]) / count
    return enclosed, enclosed


def _percentile(histogram: list[int], share: float) -> int:
    """The smallest value at or below which ``share`` of the histogram's pixels lie."""
    wanted = share * sum(histogram)
    running = 0
    for value, count in enumerate(histogram):
        running += count
        if running >= wanted:
            return value
    return len(histogram) - 1
