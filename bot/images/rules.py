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
    # Edge crispness, 0–100: the 99.7th percentile of |Laplacian| relative to the image's contrast.
    # Sharp photos and scans score 60–100; a Gaussian blur of σ ≈ 1 px at the analysis scale
    # gives ≈ 30, σ ≈ 1.3 px ≈ 20 (text strokes of ID cards start to merge there).
    min_sharpness: float = 25.0
    # Mean luma, 0–255. Below 40 text drowns in noise. Above max_brightness the image counts as
    # washed out only if its darkest pixels are light grey too (a white page or white scan margin
    # around a small card is bright on average but still has black text).
    min_brightness: float = 40.0
    max_brightness: float = 235.0
    # Glare: share of the frame in blown-out (luma ≥ 250) patches not touching the frame's edge.
    # White margins, a scanner lid or a page cropped to the edge touch it and do not count; a
    # white page photographed so bright that it clips does count.
    max_highlight_share: float = 0.04

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
