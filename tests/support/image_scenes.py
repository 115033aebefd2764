"""Realistic document scenes for the image checks: a card or licence with text, lying on a table,
photographed at a slight angle with a soft shadow, uneven light, lens softness and sensor noise.

Used by the tests (on a drawn table) and by ``bench/image_corpus.py`` (on real photographs).
Pillow only; fonts: DejaVu Sans when installed, else Pillow's own.
"""

from __future__ import annotations

import random
from pathlib import Path
from statistics import NormalDist

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont, ImageOps

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),)


def gaussian_noise(image: Image.Image, sigma: float, seed: int) -> Image.Image:
    """Add Gaussian sensor noise of ``sigma`` grey levels per channel (reproducible)."""
    rng = random.Random(seed)
    raw = Image.frombytes("RGB", image.size, rng.randbytes(image.width * image.height * 3))
    normal = NormalDist(128, sigma)
    table = [max(0, min(255, round(normal.inv_cdf((v + 0.5) / 256)))) for v in range(256)]
    return ImageChops.add(image, raw.point(table * 3), 1.0, -128)


def enlarge(image: Image.Image, small_long: int, large_long: int) -> Image.Image:
    """A small photo (``small_long`` px) enlarged to ``large_long`` px, as editors do."""
    small = image.copy()
    small.thumbnail((small_long, small_long), Image.Resampling.LANCZOS)
    scale = large_long / max(small.size)
    size = (round(small.width * scale), round(small.height * scale))
    return small.resize(size, Image.Resampling.BICUBIC)


def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans when installed, else Pillow's own scalable font."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for directory in FONT_DIRS:
        if (directory / name).exists():
            return ImageFont.truetype(str(directory / name), size)
    return ImageFont.load_default(size=size)


WORDS = (
    "NAME",
    "SEX",
    "NATIONALITY",
    "BORN",
    "ADDRESS",
    "ROAD",
    "DISTRICT",
    "BEIJING",
    "SHANGHAI",
    "NUMBER",
    "ISSUED",
    "VALID",
    "AUTHORITY",
    "COMPANY",
    "LIMITED",
    "CAPITAL",
    "REGISTERED",
    "SCOPE",
    "SOFTWARE",
    "SERVICES",
    "TECHNOLOGY",
    "CONSULTING",
    "110105199003071234",
    "2021-03-15",
    "2041-03-15",
    "ROOM",
    "1203",
    "BUILDING",
    "7",
)


def draw_card(size: tuple[int, int], portrait: Image.Image | None, seed: int) -> Image.Image:
    """An ID card or licence face: tinted paper, guilloche lines, text, portrait, red seal."""
    width, height = size
    rng = random.Random(seed)
    licence = portrait is None
    paper = (238, 232, 214) if licence else (214, 226, 240)
    card = Image.new("RGB", size, paper)
    draw = ImageDraw.Draw(card)
    unit = max(2, min(size) // 60)
    for i in range(0, width, 3 * unit):  # light guilloche background pattern
        colour = (226, 214, 190) if licence else (196, 212, 232)
        draw.arc((i - width // 2, -height // 3, i + width // 2, height), 0, 180, colour, 1)
    if licence:
        draw.rectangle(
            (unit, unit, width - unit, height - unit), outline=(178, 48, 40), width=unit
        )
    title = "BUSINESS LICENCE" if licence else "RESIDENT IDENTITY CARD"
    draw.text((4 * unit, 3 * unit), title, fill=(30, 30, 40), font=font(4 * unit, bold=True))
    x0 = 4 * unit
    if portrait is not None:
        box_w, box_h = width // 3, int(height * 0.62)
        face = ImageOps.fit(portrait, (box_w, box_h), Image.Resampling.LANCZOS)
        card.paste(face, (width - box_w - 4 * unit, 10 * unit))
    text_font = font(round(2.6 * unit))
    y = 10 * unit
    right = width - (width // 3 + 8 * unit if portrait is not None else 4 * unit)
    while y < height - 6 * unit:
        x = float(x0)
        while True:
            word = rng.choice(WORDS)
            length = draw.textlength(word + " ", font=text_font)
            if x + length > right:
                break
            draw.text((x, y), word, fill=(24, 24, 34), font=text_font)
            x += length
        y += round(4.2 * unit)
    sx, sy, sr = round(width * 0.72), round(height * 0.72), 9 * unit
    if portrait is not None:
        sx = round(width * 0.45)
    draw.ellipse((sx - sr, sy - sr, sx + sr, sy + sr), outline=(210, 30, 36), width=unit)
    draw.regular_polygon((sx, sy, sr // 2), 5, fill=(210, 30, 36))
    return card


def perspective_coefficients(
    target: list[tuple[float, float]], source: list[tuple[float, float]]
) -> list[float]:
    """The 8 coefficients mapping output points ``target`` to input points ``source``."""
    rows: list[list[float]] = []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y, u])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y, v])
    n = 8
    for col in range(n):  # Gauss–Jordan elimination with partial pivoting
        pivot = max(range(col, n), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(n):
            if r != col:
                factor = rows[r][col] / rows[col][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[col], strict=True)]
    return [rows[i][n] / rows[i][i] for i in range(n)]


def scene(
    table: Image.Image, card: Image.Image, size: tuple[int, int], cover: float, seed: int
) -> Image.Image:
    """``card`` lying on ``table``, photographed at a slight angle, filling ``cover`` of width."""
    rng = random.Random(seed)
    width, height = size
    background = ImageOps.fit(table, size, Image.Resampling.LANCZOS)
    cw = cover * width
    ch = cw * card.height / card.width
    if ch > 0.9 * height:
        ch = 0.9 * height
        cw = ch * card.width / card.height
    cx, cy = width / 2, height / 2
    jitter = 0.04 * cw
    corners = [
        (cx - cw / 2 + rng.uniform(-jitter, jitter), cy - ch / 2 + rng.uniform(-jitter, jitter)),
        (cx + cw / 2 + rng.uniform(-jitter, jitter), cy - ch / 2 + rng.uniform(-jitter, jitter)),
        (cx + cw / 2 + rng.uniform(-jitter, jitter), cy + ch / 2 + rng.uniform(-jitter, jitter)),
        (cx - cw / 2 + rng.uniform(-jitter, jitter), cy + ch / 2 + rng.uniform(-jitter, jitter)),
    ]
    source = [(0.0, 0.0), (card.width, 0.0), (card.width, card.height), (0.0, card.height)]
    coefficients = perspective_coefficients(corners, source)
    warped = card.transform(
        size, Image.Transform.PERSPECTIVE, coefficients, Image.Resampling.BICUBIC
    )
    mask = Image.new("L", card.size, 255).transform(
        size, Image.Transform.PERSPECTIVE, coefficients, Image.Resampling.BILINEAR
    )
    shadow = mask.filter(ImageFilter.GaussianBlur(0.02 * width))
    shadow = ImageChops.offset(shadow, round(0.01 * width), round(0.012 * width))
    darker = ImageChops.multiply(background, Image.new("RGB", size, (150, 150, 150)))
    photo = Image.composite(darker, background, shadow.point(lambda v: v * 0.6))
    photo = Image.composite(warped, photo, mask)
    # Uneven light across the frame, lens softness and sensor noise.
    light = Image.radial_gradient("L").resize(size).point(lambda v: 255 - v // 5)
    photo = ImageChops.multiply(photo, Image.merge("RGB", (light, light, light)))
    photo = photo.filter(ImageFilter.GaussianBlur(0.5 * width / 2000))
    return gaussian_noise(photo, 3.0, seed)


def drawn_table(size: tuple[int, int], seed: int = 0) -> Image.Image:
    """A brown, grainy table top (for tests without real photographs); reproducible."""
    flat = Image.new("L", size, 128).convert("RGB")
    grain = gaussian_noise(flat, 30, seed).convert("L").filter(ImageFilter.GaussianBlur(3))
    tints = ((0.55, 60), (0.45, 40), (0.35, 25))
    return Image.merge("RGB", [grain.point(lambda v, a=a, b=b: v * a + b) for a, b in tints])


def drawn_portrait(size: tuple[int, int] = (300, 400)) -> Image.Image:
    """A soft face-like blob on a light background (for tests without real photographs)."""
    blob = Image.radial_gradient("L").resize(size)
    return Image.merge(
        "RGB", [blob.point(lambda v, top=top: top - v // 2) for top in (255, 215, 185)]
    )


def id_card_photo(size: tuple[int, int], seed: int = 1) -> Image.Image:
    """A phone photo of an ID card on a drawn table, filling about 70 % of the frame's width."""
    card = draw_card((1712, 1080), drawn_portrait(), seed=seed)
    return scene(drawn_table((1024, 768), seed), card, size, 0.72, seed=seed)


def id_card_sides_page(
    page: tuple[int, int] = (2480, 3508),
    *,
    side_by_side: bool = False,
    back: Image.Image | None = None,
    watermark: bool = True,
) -> Image.Image:
    """A scanner app's "ID card" page: the card's portrait side above its emblem side (or the
    two side by side) on white paper, with the free version's watermark line at the bottom."""
    width, height = page
    image = Image.new("RGB", page, (252, 252, 250))
    card_width = round(width * (0.42 if side_by_side else 0.56))
    size = (card_width, round(card_width / 1.585))
    front = draw_card(size, drawn_portrait(), seed=4)
    emblem = back.resize(size) if back is not None else draw_card(size, None, seed=5)
    if side_by_side:
        top = (height - size[1]) // 2
        image.paste(front, (round(width * 0.05), top))
        image.paste(emblem, (width - round(width * 0.05) - size[0], top))
    else:
        left = (width - size[0]) // 2
        image.paste(front, (left, round(height * 0.12)))
        image.paste(emblem, (left, round(height * 0.55)))
    if watermark:
        draw = ImageDraw.Draw(image)
        unit = max(2, min(page) // 120)
        draw.text(
            (width - 40 * unit, height - 6 * unit),
            "Scanned with a scanner app",
            fill=(150, 150, 150),
            font=font(2 * unit),
        )
    return image
