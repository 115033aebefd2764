"""Thresholds an uploaded image must meet; one instance per document type."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImageRules:
    """What an image must satisfy, and the limits of the submission-ready output.

    Measurements are taken on a copy scaled to about 1024 px on its long side, so the
    thresholds do not depend on the camera's resolution.
    """

    # Shortest side in pixels after EXIF rotation; the agency guide asks 720 (ID card, 720×1280)
    # and 1100 (licence, 1500×1100). Checked on the original, before any downscaling.
    min_short_side: int
    # Byte band of the normalised JPEG: 100 KB – 2 MB satisfies every provider limit found
    # (Tencent legacy 2 MB, agency guide 100 KB – 2 MB; Alibaba domain certificate: set 200 KB).
    min_output_bytes: int = 100_000
    max_output_bytes: int = 2_000_000
    # Telegram's getFile limit: larger files cannot be downloaded by a bot at all.
    max_download_bytes: int = 20 * 1024 * 1024
    # Decompression-bomb limit, read from the header before any pixel is decoded. A 200 MP phone
    # JPEG passes (it is decoded at 1/8 scale); note that other formats are decoded at full size,
    # so an image near this limit costs 3–4 bytes per pixel of memory.
    max_pixels: int = 250_000_000
    # Long side of the normalised output. The default keeps a 300-dpi A4 scan (2480×3508) at its
    # native size; larger images are divided by the smallest whole factor that fits (JPEGs by the
    # decoder itself at 1/2, 1/4 or 1/8, which is what makes large photos cheap).
    max_long_side: int = 3600
    # Hasler–Süsstrunk colourfulness after grey-world white balance (0 = grey). Synthetic samples:
    # colour ID card photo ≈ 50, licence with red border and seal ≈ 35, ID card alone on a white
    # A4 scan ≈ 13, grey photocopy under warm light ≈ 3 (a cast varying across the page ≈ 8).
    # The whole frame counts: a grey copy lying on a coloured table is not caught.
    min_colourfulness: float = 8.0
    # Edge crispness, 0–100: how much a further 1-px blur weakens the strongest edges, measured
    # where the blurred gradient is strongest, so sensor noise does not count as detail (a σ = 5
    # px blur under heavy noise scores < 15). On real photographs (bench/image_calibration.py):
    # document scenes ≥ 60, soft natural photos (bokeh, clouds) ≥ 25; a Gaussian blur of
    # σ = 1.6 px at the analysis scale scores ≤ 26 on documents, σ = 2.5 px ≤ 15.
    min_sharpness: float = 25.0
    # Fine detail, 0–100, at the scale the document needs (short side = min_short_side), measured
    # when that is finer than the analysis copy and the image has pixels to spare: the same
    # gradient ratio for a blur of σ ≈ 0.7 px, which tells edges 0.5 px wide from 1 px wide.
    # Real photos at their true resolution ≥ 77, drawn documents ≥ 58; a 600×400 photo enlarged
    # to 2400 px ≈ 24, documents enlarged 1.6–2.4× ≤ 52 (bench/image_calibration.py).
    min_detail: float = 55.0
    # Fine detail at the image's own resolution over the same at half of it (the scale test, see
    # ``measure.scale_test``): a photo enlarged 2× or more has none left in its finest octave.
    # Any size, any document. Calibration corpus: real photos ≥ 0.47 but for the clouds of a
    # storm (0.37–0.45), documents ≥ 0.62; photos and documents enlarged 2.6–4× mostly ≤ 0.47.
    # A thin margin: enlargements below 2× (an enlarged photo that Telegram reduced again) and
    # a few soft photos enlarged 3–4× (0.48–0.56) are not caught here; the footprint below
    # catches most of them.
    min_detail_ratio: float = 0.47
    # The periodic footprint an enlargement leaves (``measure.resampling_footprint``): at any
    # factor from 1.2× but about 4/3, 1.6, 2, 8/3 and 4 (JPEG's block grid hides those), and
    # through Telegram's reduction; refused only when the real detail falls short (checks.py).
    # Tuning half of the calibration corpus
    # (bench/image_calibration.py --split tune): good photos and scenes ≤ 6.2 (the licence's
    # lines), blurred ≤ 6.3; documents enlarged 1.8–2.6× ≥ 20, photos 2.6–4× mostly ≥ 10.
    # Wallpapers of ukui-wallpapers and mate-backgrounds (never tuned on): ≤ 10.5, so 12.
    max_resampling_peak: float = 12.0
    # A weaker footprint counts too when even the factor most favourable to the photo leaves
    # its true short side below min_short_side and the finest octave is rather empty (detail
    # ratio < checks.WEAK_FOOTPRINT_DETAIL_RATIO), on a picture of a Telegram photo's size:
    # a photo enlarged 3× and then shrunk by Telegram (net ≈ 2.1×) keeps only a faint
    # footprint. Measured on the weaker of the two axes (the lines of a drawn document repeat
    # along one only) and clear of JPEG's block frequencies (whose leakage beside ¼ reaches 4.8
    # on a real photo); it then counts as missing detail, as the scale test would, so blur
    # still names blur. Tuning half, files so short: good real photos ≤ 2.97 (≤ 2.63 with an
    # emptyish finest octave), photos enlarged and sent through Telegram 3.41–11 (one at
    # exactly 2× has none); drawn test documents up to 4.5, but with a full finest octave.
    max_resampling_peak_short: float = 3.3
    # Mean luma, 0–255. Below 40 text drowns in noise; so it does when even the brightest 1 %
    # (the paper) stays below min_highlights. Above max_brightness the image counts as washed out
    # only if its darkest pixels are light grey too (a white page or white scan margin around a
    # small card is bright on average but still has black text).
    min_brightness: float = 40.0
    min_highlights: float = 100.0
    max_brightness: float = 235.0
    # Washed out: the darkest 1 % of the frame at or above this luma (lifted blacks, low
    # contrast, fog): no black text is left, whatever the mean.
    max_shadows: float = 100.0
    # Glare and overexposure: share of the frame in blown-out (luma ≥ 250) patches, touching the
    # frame's edge or not. A white margin (a scanner lid, a white page around the card: nearly
    # the whole border blown, while ≥ 5 % of the frame is not) does not count.
    max_highlight_share: float = 0.04
    # … and a smaller share whose patches fade into a near-white halo: a reflection (a crisp
    # specular highlight of 1.4 % in a real photo has none; a reflection of 1.2 % does).
    max_glare_share: float = 0.01

    def __post_init__(self) -> None:
        """Refuse contradictory rules early (they come from a data file)."""
        if self.min_short_side < 1 or self.max_long_side < self.min_short_side:
            raise ValueError("need 1 <= min_short_side <= max_long_side")
        if not 0 < self.min_output_bytes < self.max_output_bytes:
            raise ValueError("need 0 < min_output_bytes < max_output_bytes")
        if self.max_download_bytes < 1 or self.max_pixels < 1:
            raise ValueError("max_download_bytes and max_pixels must be positive")
        if not self.min_brightness <= self.max_brightness:
            raise ValueError("need min_brightness <= max_brightness")
        if self.min_highlights > 255 or self.max_shadows < 0:
            raise ValueError("need min_highlights <= 255 and max_shadows >= 0")
