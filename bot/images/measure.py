"""Quality measurements on a small copy of an upright RGB image (no NumPy: Pillow's C ops)."""

from __future__ import annotations

import math
from collections import deque

from PIL import Image, ImageChops, ImageFilter, ImageStat

ANALYSIS_LONG_SIDE = 1024
GLARE_GRID = 64  # cells on the long side when looking for blown-out patches
BLOWN = 250  # luma at which detail is lost
LAPLACIAN = ImageFilter.Kernel((3, 3), (0, 1, 0, 1, -4, 1, 0, 1, 0), scale=4, offset=128)
BLOWN_TABLE = [255 if value >= BLOWN else 0 for value in range(256)]


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


def measure(image: Image.Image) -> dict[str, float]:
    """Colourfulness, sharpness, brightness, contrast and highlight shares of an RGB image."""
    small = analysis_copy(image)
    grey = small.convert("L")
    histogram = grey.histogram()
    total = small.width * small.height
    brightness = sum(value * count for value, count in enumerate(histogram)) / total
    low, high = _percentile(histogram, 0.003), _percentile(histogram, 0.997)
    contrast = float(high - low)
    return {
        "colourfulness": round(colourfulness(small), 2),
        "sharpness": round(sharpness(grey, contrast), 2),
        "brightness": round(brightness, 2),
        "contrast": contrast,
        "shadows": float(low),
        "highlight_share": round(glare_share(grey), 4),
        "clipped_share": round(sum(histogram[BLOWN:]) / total, 4),
        "analysis_long_side": float(max(small.size)),
    }


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


def sharpness(grey: Image.Image, contrast: float) -> float:
    """Strong-edge Laplacian response relative to contrast, 0–100 (a crisp step edge ≈ 100).

    Blur of σ px spreads an edge and lowers its peak Laplacian by about 0.24/σ², so the measure
    falls quickly once text edges are wider than a pixel or two at the analysis scale.
    """
    if min(grey.size) < 3:
        return 0.0
    laplacian = grey.filter(LAPLACIAN)
    # The filter copies the 1-px frame unfiltered: leave it out.
    inner = laplacian.crop((1, 1, laplacian.width - 1, laplacian.height - 1))
    histogram = inner.histogram()
    # The filter stores 128 + Laplacian / 4; fold the histogram into |Laplacian| / 4.
    folded = [histogram[128]] + [histogram[128 + v] + histogram[128 - v] for v in range(1, 128)]
    folded[-1] += histogram[0]
    peak = _percentile(folded, 0.997) * 4
    return min(100.0, 100 * peak / max(contrast, 32.0))


def glare_share(grey: Image.Image) -> float:
    """Share of the frame in blown-out patches that do not touch the frame's edge."""
    blown = grey.point(BLOWN_TABLE)
    scale = GLARE_GRID / max(grey.size)
    columns = max(1, round(grey.width * scale))
    rows = max(1, round(grey.height * scale))
    cells = blown.resize((columns, rows), Image.Resampling.BOX).tobytes()
    solid = [value >= 192 for value in cells]  # three quarters of the cell blown out
    # Flood-fill from the border through blown cells: margins and cropped pages are not glare.
    count = len(solid)
    border = {i for i in range(count) if i < columns or i >= count - columns}
    border |= {i for i in range(0, count, columns)} | {
        i for i in range(columns - 1, count, columns)
    }
    seen = [False] * count
    queue = deque(i for i in sorted(border) if solid[i])
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
    enclosed = sum(1 for i, is_solid in enumerate(solid) if is_solid and not seen[i])
    return enclosed / count


def _percentile(histogram: list[int], share: float) -> int:
    """The smallest value at or below which ``share`` of the histogram's pixels lie."""
    wanted = share * sum(histogram)
    running = 0
    for value, count in enumerate(histogram):
        running += count
        if running >= wanted:
            return value
    return len(histogram) - 1
