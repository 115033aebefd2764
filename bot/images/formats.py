"""Recognising uploads by their content, and opening them without Pillow's global limits.

``Image.open`` applies the process-wide ``Image.MAX_IMAGE_PIXELS`` (a warning above 89 MP, an
error above 179 MP), which would refuse the 200 MP photos the rules must accept, and changing it
or the warning filters would affect every thread of the process. So the format is identified
from its magic bytes here, its header is parsed by that format's plugin class directly, and the
caller applies ``ImageRules.max_pixels`` before a single pixel is decoded.
"""

from __future__ import annotations

import io

import pillow_heif
from PIL import ExifTags, Image, ImageFile, JpegImagePlugin, PngImagePlugin, WebPImagePlugin
from pillow_heif.as_plugin import HeifImageFile

pillow_heif.register_heif_opener()

OPENERS: dict[str, type[ImageFile.ImageFile]] = {
    "JPEG": JpegImagePlugin.JpegImageFile,
    "PNG": PngImagePlugin.PngImageFile,
    "WEBP": WebPImagePlugin.WebPImageFile,
    "HEIF": HeifImageFile,
}
"""The accepted formats; anything else recognised as an image is unsupported."""

HEAD_BYTES = 512
HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1"}
SEQUENCE_BRANDS = {b"msf1", b"hevs", b"hevm", b"avis"}
BMP_HEADER_SIZES = {12, 40, 52, 56, 64, 108, 124}
OTHER_IMAGES = (
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"II+\x00", "TIFF"),
    (b"MM\x00+", "TIFF"),
    (b"8BPS", "PSD"),
    (b"\x00\x00\x01\x00", "ICO"),
    (b"\x00\x00\x00\x0cjP  \r\n\x87\n", "JPEG2000"),
    (b"\xff\x4f\xff\x51", "JPEG2000"),
    (b"\x00\x00\x00\x0cJXL \r\n\x87\n", "JPEG-XL"),
    (b"\xff\x0a", "JPEG-XL"),
    (b"qoif", "QOI"),
    (b"\x76\x2f\x31\x01", "OPENEXR"),
)


def identify(head: bytes) -> str | None:
    """The image format of a file starting with ``head``, or None when it is not an image."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[4:8] == b"ftyp":
        return _identify_iso_media(head)
    for magic, name in OTHER_IMAGES:
        if head.startswith(magic):
            return name
    if head[:2] == b"BM" and int.from_bytes(head[14:18], "little") in BMP_HEADER_SIZES:
        return "BMP"
    text = head.lstrip()[:HEAD_BYTES].lower()
    if text.startswith((b"<?xml", b"<svg")) and b"<svg" in text:
        return "SVG"
    return None


def _identify_iso_media(head: bytes) -> str | None:
    """HEIF, an unsupported HEIF relative (AVIF, image sequences), or None (e.g. a video)."""
    box_size = int.from_bytes(head[:4], "big")
    major = head[8:12]
    brands = {major} | {head[i : i + 4] for i in range(16, min(box_size, len(head)) - 3, 4)}
    if major in SEQUENCE_BRANDS:
        return "HEIF-SEQUENCE"
    if major == b"avif" or (b"avif" in brands and not brands & (HEIF_BRANDS - {b"mif1"})):
        return "AVIF"
    if brands & HEIF_BRANDS:
        return "HEIF"
    return None


def open_header(data: bytes, fmt: str) -> ImageFile.ImageFile:
    """Parse the header of ``data`` as ``fmt`` (one of ``OPENERS``); pixels stay undecoded.

    Raises ``SyntaxError``, ``OSError`` or ``ValueError`` for a damaged header.
    """
    return OPENERS[fmt](io.BytesIO(data))


def orientation(image: Image.Image, fmt: str) -> int:
    """The EXIF orientation (1–8) still to apply; libheif already applies HEIF's own."""
    if fmt == "HEIF":
        return 1
    try:
        value = image.getexif().get(ExifTags.Base.Orientation, 1)
    except (OSError, SyntaxError, ValueError, TypeError, KeyError, IndexError):
        return 1  # unreadable EXIF: keep the pixels as stored
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def editing_software(image: Image.Image) -> str:
    """The EXIF Software tag, which names the editor when a photo was retouched."""
    try:
        value = image.getexif().get(ExifTags.Base.Software, "")
    except (OSError, SyntaxError, ValueError, TypeError, KeyError, IndexError):
        return ""
    return value.strip("\x00 ") if isinstance(value, str) else ""
