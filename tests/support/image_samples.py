"""Synthetic document images for the tests and the benchmarks (test-only: not shipped).

Everything is drawn in memory: a coloured card or licence on a table, dark text-like strokes,
a red seal, a portrait box and sensor noise, so that JPEG sizes and the check measurements
behave like those of real phone photos and scans.
"""

from __future__ import annotations

import io
import random
import struct
import zlib

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

TABLE = (118, 92, 66)
PAPER = (236, 228, 212)
ID_CARD = (206, 222, 238)


def add_noise(image: Image.Image, amplitude: int, seed: int = 0) -> Image.Image:
    """Add uniform per-channel noise of ± ``amplitude`` (cheap: random bytes, no float maths)."""
    rng = random.Random(seed)
    channels = len(image.getbands())
    noise = Image.frombytes(
        image.mode, image.size, rng.randbytes(image.width * image.height * channels)
    )
    table = [128 - amplitude + value * (2 * amplitude + 1) // 256 for value in range(256)]
    noise = noise.point(table * channels)
    return ImageChops.add(image, noise, 1.0, -128)


def make_document(
    size: tuple[int, int] = (1600, 1000),
    *,
    paper: tuple[int, int, int] = ID_CARD,
    background: tuple[int, int, int] = TABLE,
    margin: float = 0.07,
    noise: int = 10,
    seed: int = 1,
    portrait: bool = True,
) -> Image.Image:
    """A photo of a coloured document on a table, as RGB (``portrait``: an ID card's photo)."""
    width, height = size
    rng = random.Random(seed)
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    left, top = int(width * margin), int(height * margin)
    right, bottom = width - left, height - top
    draw.rectangle((left, top, right, bottom), fill=paper)
    unit = max(1, min(width, height) // 100)
    draw.rectangle(
        (left + unit, top + unit, right - unit, bottom - unit), outline=(196, 80, 52), width=unit
    )
    # Portrait box with a soft two-tone face.
    box = (
        left + 4 * unit,
        top + 12 * unit,
        left + 4 * unit + (right - left) // 4,
        bottom - 8 * unit,
    )
    if portrait:
        draw.rectangle(box, fill=(120, 160, 200))
        cx, cy = (box[0] + box[2]) // 2, (box[1] + box[3]) // 2
        r = (box[2] - box[0]) // 3
        draw.ellipse((cx - r, cy - r, cx + r, cy + int(1.3 * r)), fill=(228, 186, 160))
    else:  # a QR code-like block instead of a portrait
        cell = max(1, (box[2] - box[0]) // 25)
        for i in range(21 * 21):
            if rng.random() < 0.5:
                x, y = box[0] + (i % 21) * cell, box[1] + (i // 21) * cell
                draw.rectangle((x, y, x + cell - 1, y + cell - 1), fill=(20, 20, 20))
    # Title and lines of text-like dark strokes.
    font = ImageFont.load_default(size=max(8, 5 * unit))
    draw.text(
        (left + 4 * unit, top + 3 * unit), "RESIDENT IDENTITY CARD", fill=(30, 30, 40), font=font
    )
    x0 = box[2] + 4 * unit
    y = top + 12 * unit
    while y < bottom - 10 * unit:
        x = x0
        line_end = rng.randint((x0 + right) // 2, right - 4 * unit)
        while x < line_end:
            word = rng.randint(2, 7)
            for _ in range(word):
                w = rng.randint(max(1, unit // 2), 2 * unit)
                if x + w > line_end:
                    break
                h = rng.randint(2 * unit, 3 * unit)
                draw.rectangle((x, y + 3 * unit - h, x + w, y + 3 * unit), fill=(25, 25, 35))
                x += w + max(1, unit // 2)
            x += 2 * unit
        y += 6 * unit
    # A red seal.
    sx, sy, sr = right - 18 * unit, bottom - 18 * unit, 12 * unit
    draw.ellipse((sx - sr, sy - sr, sx + sr, sy + sr), outline=(214, 30, 36), width=max(1, unit))
    draw.regular_polygon((sx, sy, sr // 2), 5, fill=(214, 30, 36))
    image = image.filter(ImageFilter.GaussianBlur(0.6))  # lens softness
    return add_noise(image, noise, seed) if noise else image


def encode(image: Image.Image, fmt: str = "JPEG", **params: object) -> bytes:
    """Encode ``image`` in memory."""
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def exif_with(orientation: int = 1, *, gps: bool = False, software: str = "") -> bytes:
    """EXIF bytes with an orientation, optionally a GPS position and a Software tag."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    if software:
        exif[0x0131] = software
    if gps:
        exif[0x8825] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 50.0)}
    return exif.tobytes()


def phone_photo(
    size: tuple[int, int], orientation: int = 6, quality: int = 92, *, fast: bool = False
) -> bytes:
    """A phone-style JPEG: landscape sensor data with an EXIF orientation tag and GPS.

    ``fast`` draws at a quarter of the size and enlarges (soft, but seconds cheaper at 48 MP).
    """
    if fast:
        small = make_document((size[0] // 4, size[1] // 4), noise=8)
        image = small.resize(size, Image.Resampling.NEAREST)
    else:
        image = make_document(size, noise=12)
    return encode(image, quality=quality, exif=exif_with(orientation, gps=True))


def a4_scan(dpi: int = 300, fmt: str = "PNG") -> bytes:
    """An A4 portrait colour scan of a licence at ``dpi``, as PNG or JPEG."""
    size = (round(8.27 * dpi), round(11.69 * dpi))
    image = make_document(size, paper=PAPER, background=(250, 250, 250), margin=0.03, noise=3)
    params: dict[str, object] = {"dpi": (dpi, dpi)}
    if fmt == "JPEG":
        params["quality"] = 90
    return encode(image, fmt, **params)


def screenshot(size: tuple[int, int] = (1170, 2532)) -> bytes:
    """A PNG phone screenshot of a document viewer: flat colours, crisp text, no noise."""
    return encode(make_document(size, background=(245, 245, 247), noise=0, seed=3), "PNG")


def png_bomb(side: int = 30_000) -> bytes:
    """A valid 1-bit ``side``×``side`` PNG of about 100 KB, built in milliseconds.

    One block of all-zero rows is deflated once with a sync flush (so it refers to nothing before
    it) and repeated; only the Adler-32 checksum runs over the whole 110 MB of raw rows.
    """
    rows_per_block = 1000
    block = b"\x00" * ((1 + (side + 7) // 8) * rows_per_block)
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = deflater.compress(block) + deflater.flush(zlib.Z_SYNC_FLUSH)
    blocks, rest = divmod(side, rows_per_block)
    tail = block[: len(block) // rows_per_block * rest]
    last = zlib.compressobj(9, zlib.DEFLATED, -15)
    ending = last.compress(tail) + last.flush()
    checksum = 1
    for _ in range(blocks):
        checksum = zlib.adler32(block, checksum)
    checksum = zlib.adler32(tail, checksum)
    stream = b"\x78\xda" + segment * blocks + ending + struct.pack(">I", checksum)
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", stream)
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
