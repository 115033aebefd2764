"""One upload that holds the pictures of several steps: a PDF of several pages, or a page that
shows an ID card's two sides (``bot.images.sides``). ``split_upload`` finds them; each part is
then checked like any upload, for its own step.

Pure and synchronous, like the checks: run it in a worker thread (``ImageService``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from enum import StrEnum

from PIL import Image

from bot.images import formats, pdf, sides
from bot.images.checks import DECODE_ERRORS, TRANSPOSE

MAX_PROBED_PIXELS = 60_000_000  # a larger picture is not looked into (the checks judge it)
# Only a JPEG can be decoded small; another format is decoded whole to be looked into, so only
# up to the size of a scanner app's A3 page at 300 dpi (17.4 MP).
MAX_PROBED_PIXELS_DECODED_WHOLE = 20_000_000
PROBE_LONG_SIDE = 500  # a JPEG is decoded at least this large to look for the two sides


class PartKind(StrEnum):
    """What the parts of an upload are."""

    PAGES = "pages"  # the pages of a PDF
    SIDES = "sides"  # the two sides of a card, cut out of one page


@dataclass(frozen=True)
class Parts:
    """An upload's parts, in order, each a file the checks take (a one-page PDF or a PNG)."""

    kind: PartKind
    files: list[bytes]


def split_upload(data: bytes, most: int) -> Parts | None:
    """The parts of an upload for up to ``most`` steps: a PDF's 2 to ``most`` pages, or, when
    two steps are open, the two sides of a card shown on one page; None when it is one picture
    (or cannot be read: the checks then say why)."""
    if most < 2:
        return None
    picture = data
    if pdf.is_pdf(data[: pdf.HEAD_BYTES]):
        pages = pdf.split(data, most)
        if pages:
            return Parts(PartKind.PAGES, pages)
        scan = pdf.scanned_picture(data)  # a scanner app's page: one photograph
        if scan is None:
            return None
        picture = scan
    probe = _upright(picture, reduced=True)
    boxes = sides.card_boxes(probe) if probe is not None else None
    if probe is None or boxes is None:
        return None
    image = _upright(picture, reduced=False)  # cut at full size
    if image is None:
        return None
    scale = image.size[0] / probe.size[0], image.size[1] / probe.size[1]
    return Parts(
        PartKind.SIDES,
        [_png(image.crop(_scaled(box, scale, image.size))) for box in boxes],
    )


def _upright(data: bytes, *, reduced: bool) -> Image.Image | None:
    """The picture decoded (``reduced``: a JPEG at 1/2, 1/4 or 1/8 of its size, enough to find
    the cards), turned as its EXIF says; None for anything that is not a picture of a sensible
    size."""
    fmt = formats.identify(data[: formats.HEAD_BYTES])
    if fmt not in formats.OPENERS:
        return None
    try:
        image = formats.open_header(data, fmt)
        width, height = image.size
        most = MAX_PROBED_PIXELS if fmt == "JPEG" else MAX_PROBED_PIXELS_DECODED_WHOLE
        if width * height > most or getattr(image, "is_animated", False):
            return None
        orientation = formats.orientation(image, fmt)
        ratio = min(1.0, PROBE_LONG_SIDE / max(width, height))
        if reduced and fmt == "JPEG":
            image.draft("RGB", (max(1, round(width * ratio)), max(1, round(height * ratio))))
        decoded = image.convert("RGB")
    except (Image.DecompressionBombError, *DECODE_ERRORS):
        return None
    return decoded.transpose(TRANSPOSE[orientation]) if orientation in TRANSPOSE else decoded


def _scaled(box: sides.Box, scale: tuple[float, float], size: tuple[int, int]) -> sides.Box:
    left, top, right, bottom = box
    return (
        max(0, int(left * scale[0])),
        max(0, int(top * scale[1])),
        min(size[0], round(right * scale[0])),
        min(size[1], round(bottom * scale[1])),
    )


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)  # lossless, and fast: it is decoded again at once
    return out.getvalue()
