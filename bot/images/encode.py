"""Encoding an upright RGB image as a JPEG whose size falls in a byte band, in few encodes.

JPEG size follows ``bytes ≈ C / (101 - quality) ** alpha`` closely for qualities 50–95
(alpha ≈ 0.9 for photos and scans; libjpeg's quantiser step is proportional to 100 - quality).
The first encode is at ``FIRST_QUALITY``; if it misses the band the model, refitted on the two
latest encodes, predicts the quality for a target inside the band, so two encodes usually do.

When quality alone cannot reach the band:
- too big even at ``MIN_QUALITY``: the image is scaled down (never below the rules' short side)
  to fit at ``SHRINK_QUALITY``; at the short-side minimum, quality may drop to ``FLOOR_QUALITY``;
- too small even at 95: quality 100 with full-resolution chroma (4:4:4), then up to two
  enlargements (Lanczos, at most to the rules' ``max_long_side``). The portals' byte minimum is a
  proxy for resolution; enlarging adds no detail but keeps the text crisp, whereas padding or
  filler bytes would only game the limit. An image still below the minimum after that (in
  practice a nearly blank page, which the sharpness check refuses anyway) is returned as it is
  rather than failing an otherwise good document; ``output_bytes`` in the measurements shows it.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from PIL import Image

FIRST_QUALITY = 90
MIN_QUALITY = 60
FLOOR_QUALITY = 40  # only when the image cannot shrink below the short-side minimum
SHRINK_QUALITY = 75
MAX_QUALITY = 95
ALPHA = 0.9
MAX_ENCODES = 7


@dataclass(frozen=True)
class Encoded:
    """One JPEG encode of an image."""

    data: bytes
    width: int
    height: int
    quality: int


def jpeg(image: Image.Image, quality: int) -> Encoded:
    """Encode ``image`` (RGB) as a baseline JPEG without metadata; 4:4:4 chroma at quality 100."""
    buffer = io.BytesIO()
    subsampling = 0 if quality >= 100 else 2
    image.save(buffer, "JPEG", quality=quality, subsampling=subsampling)
    return Encoded(buffer.getvalue(), image.width, image.height, quality)


def predict_quality(points: list[tuple[int, int]], target: float) -> float:
    """The quality whose size should be ``target``, from (quality, bytes) encodes of one image."""
    (q0, n0), alpha = points[-1], ALPHA
    if len(points) > 1:
        q1, n1 = points[-2]
        if q1 != q0 and n1 != n0 and max(q0, q1) < 100:
            alpha = math.log(n0 / n1) / math.log((101 - q1) / (101 - q0))
            alpha = min(max(alpha, 0.4), 2.0)
    return float(101 - (101 - q0) * (n0 / target) ** (1 / alpha))


def resized(image: Image.Image, factor: float, short_min: int, long_max: int) -> Image.Image:
    """``image`` scaled by ``factor``, kept within the short-side minimum and long-side cap."""
    factor = max(factor, short_min / min(image.size))
    factor = min(factor, long_max / max(image.size))
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    if size == image.size:
        return image
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def encode_in_band(
    image: Image.Image, low: int, high: int, short_min: int, long_max: int
) -> Encoded:
    """The JPEG of ``image`` whose size is in [low, high], as close as the image allows."""
    aim_high, aim_low = 0.85 * high, min(1.3 * low, 0.85 * high)
    points: list[tuple[int, int]] = []  # (quality, bytes) at the current image size
    encodes: list[Encoded] = []
    quality, enlargements = FIRST_QUALITY, 0
    while len(encodes) < MAX_ENCODES:
        encoded = jpeg(image, quality)
        encodes.append(encoded)
        size = len(encoded.data)
        if low <= size <= high:
            return encoded
        points.append((quality, size))
        if size > high:
            wanted = round(predict_quality(points, aim_high))
            if wanted >= MIN_QUALITY:
                quality = min(quality - 1, wanted)
            elif min(image.size) > short_min:
                at_shrink_quality = size * ((101 - quality) / (101 - SHRINK_QUALITY)) ** ALPHA
                factor = math.sqrt(aim_high / at_shrink_quality)
                image = resized(image, factor, short_min, long_max)
                quality, points = SHRINK_QUALITY, []
            elif quality > FLOOR_QUALITY:
                quality = max(FLOOR_QUALITY, min(quality - 1, wanted))
            else:
                break
        elif quality < MAX_QUALITY:
            quality = min(MAX_QUALITY, max(quality + 1, round(predict_quality(points, aim_low))))
        elif quality < 100:
            quality = 100
        elif enlargements < 2 and max(image.size) < long_max:
            # Bytes grow more slowly than pixels when enlarging: the second step is bolder.
            factor = math.sqrt(aim_low / size) if enlargements == 0 else aim_low / size
            image = resized(image, factor, short_min, long_max)
            enlargements, points = enlargements + 1, []
        else:
            break
    fitting = [e for e in encodes if len(e.data) <= high]
    if fitting:
        return max(fitting, key=lambda e: len(e.data))
    return min(encodes, key=lambda e: len(e.data))
