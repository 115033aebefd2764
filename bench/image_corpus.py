#!/usr/bin/env python
"""Build the image-check calibration corpus from real photographs that installed packages ship.

Usage:
    python bench/image_corpus.py [--cache DIR] [--skimage-data DIR]

Nothing third-party is committed: this script finds the photographs at run time, degrades each in
known ways and writes JPEGs plus ``manifest.json`` into the cache directory (default
``$XDG_CACHE_HOME/icp-image-corpus``). ``bench/image_calibration.py`` reads it. Pillow only.

Sources (each listed with its package and licence in ``SOURCES``):

* Debian ``mate-backgrounds`` (``apt-get install mate-backgrounds``): twelve camera photographs,
  1280–2560 px, in /usr/share/backgrounds/mate/nature (GPL-2+, authors in its copyright file).
* PyPI ``scikit-image`` (its wheel ships ``skimage/data``): small camera photographs,
  300–640 px — astronaut and rocket (public domain), chelsea and coffee (CC0). Found with
  ``importlib`` in the running interpreter, or in ``--skimage-data``.

From them: the photographs as uploaded (a file at native size, and as Telegram sends a photo:
1280 px on the long side, JPEG quality 82–87), and realistic document scenes — an ID card (with a
real portrait) and a business licence rendered with text, laid on a real photograph as a table
and "photographed" at an angle with a soft shadow and sensor noise. Then degradations, each with
the refusal that names the problem (``expected``): blur at several σ, blur with sensor noise,
grey, dark, washed out (lifted blacks), low contrast, overexposed (≈45 % and ≈97 % blown), glare
touching the frame's edge and inside it, a small photo enlarged, and many of those again after
Telegram's compression (1280 px, JPEG quality 78–82: ``TELEGRAM_QUALITIES``). Mild sensor noise
alone is a *good* variant: every phone adds it. Wood.jpg serves as a table only (``NOT_SUBJECTS``).
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import os
import random
import sys
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.support.image_scenes import draw_card, enlarge, gaussian_noise, scene

MATE = Path("/usr/share/backgrounds/mate/nature")


@dataclass(frozen=True)
class Source:
    """One real photograph: where it comes from and under which licence."""

    name: str
    package: str
    file: str  # relative to the package's data directory
    licence: str
    credit: str


SOURCES = (
    Source("aqua", "debian:mate-backgrounds", "Aqua.jpg", "GPL-2+", "MATE backgrounds authors"),
    Source(
        "blinds", "debian:mate-backgrounds", "Blinds.jpg", "GPL-2+", "L. Poettering, A. Cimitan"
    ),
    Source("dune", "debian:mate-backgrounds", "Dune.jpg", "GPL-2+", "Marco Cogoni, Hylke Bons"),
    Source("fresh_flower", "debian:mate-backgrounds", "FreshFlower.jpg", "GPL-2+", "Jens Ansorg"),
    Source(
        "garden", "debian:mate-backgrounds", "Garden.jpg", "GPL-2+", "MATE backgrounds authors"
    ),
    Source("meadow", "debian:mate-backgrounds", "GreenMeadow.jpg", "GPL-2+", "T. Schellhase"),
    Source("ladybird", "debian:mate-backgrounds", "LadyBird.jpg", "GPL-2+", "MATE backgrounds"),
    Source(
        "raindrops", "debian:mate-backgrounds", "RainDrops.jpg", "GPL-2+", "blackcombwhistler07"
    ),
    Source("storm", "debian:mate-backgrounds", "Storm.jpg", "GPL-2+", "Sergey Nazarov"),
    Source("two_wings", "debian:mate-backgrounds", "TwoWings.jpg", "GPL-2+", "Charles Barbin"),
    Source("wood", "debian:mate-backgrounds", "Wood.jpg", "GPL-2+", "Jean-François Fortin Tam"),
    Source("yellow_flower", "debian:mate-backgrounds", "YellowFlower.jpg", "GPL-2+", "MATE"),
    Source("astronaut", "pypi:scikit-image", "astronaut.png", "public domain", "NASA"),
    Source("chelsea", "pypi:scikit-image", "chelsea.png", "CC0", "Stéfan van der Walt"),
    Source("coffee", "pypi:scikit-image", "coffee.png", "CC0", "Rachel Michetti"),
    Source("rocket", "pypi:scikit-image", "rocket.jpg", "public domain", "SpaceX"),
)
TABLES = ("wood", "dune", "meadow", "storm", "blinds", "garden")  # backgrounds of the scenes
# Tables only, never photographed subjects: Wood.jpg is pale, grey-green painted wood whose
# tones span 173–229 with colourfulness 6.6 — by histogram and colour it *is* a washed-out, grey
# picture, so it cannot stand for a good upload, and its degraded copies cannot name one fault.
NOT_SUBJECTS = ("wood",)
PORTRAITS = ("astronaut", "chelsea", "coffee", "rocket")


@dataclass(frozen=True)
class Entry:
    """One corpus file and what the checks should say about it."""

    file: str
    source: str
    kind: str  # photo | small photo | id card scene | licence scene | 12 MP scene
    degradation: str  # "none" for a good file
    expected: str | None  # a Rejection value, or None: must be accepted
    rules: str  # id_card (720 px short side) | licence (1100 px)
    package: str
    licence: str


def skimage_data_dir(explicit: str | None) -> Path | None:
    """Where scikit-image's bundled photographs are, if anywhere."""
    if explicit:
        return Path(explicit)
    spec = importlib.util.find_spec("skimage")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "data"


def load_sources(skimage_dir: Path | None) -> dict[str, tuple[Source, Image.Image]]:
    """Every source photograph that is installed, as RGB."""
    found: dict[str, tuple[Source, Image.Image]] = {}
    for source in SOURCES:
        root = MATE if source.package.startswith("debian:") else skimage_dir
        if root is None or not (root / source.file).exists():
            continue
        with Image.open(root / source.file) as image:
            found[source.name] = (source, image.convert("RGB"))
    return found


# --- degradations -------------------------------------------------------------------------------


def blur(image: Image.Image, sigma_at_1024: float) -> Image.Image:
    """Gaussian blur whose σ is ``sigma_at_1024`` px on a 1024-px-long copy (scale-free)."""
    return image.filter(ImageFilter.GaussianBlur(sigma_at_1024 * max(image.size) / 1024))


def tone(image: Image.Image, table: Callable[[int], float]) -> Image.Image:
    """Apply a tone curve to every channel."""
    lut = [max(0, min(255, round(table(v)))) for v in range(256)]
    return image.point(lut * 3)


def overexpose(image: Image.Image, share: float) -> Image.Image:
    """Raise the exposure until about ``share`` of the frame's luma is blown out (≥ 250)."""
    total = image.width * image.height
    low, high = 1.0, 16.0
    for _ in range(12):  # bisect the gain: colourful pixels need more before their luma clips
        gain = (low + high) / 2
        brighter = image.point([min(255, round(v * gain)) for v in range(256)] * 3)
        blown = sum(brighter.convert("L").histogram()[250:]) / total
        low, high = (gain, high) if blown < share else (low, gain)
    return tone(image, lambda v: v * high)


def glare(image: Image.Image, centre: tuple[float, float], radius: float) -> Image.Image:
    """A specular reflection: a blown core fading out, at ``centre`` (shares of the frame)."""
    width, height = image.size
    r = radius * min(width, height)
    cx, cy = centre[0] * width, centre[1] * height
    mask = Image.new("L", image.size, 0)
    ImageDraw.Draw(mask).ellipse((cx - r, cy - r * 0.7, cx + r, cy + r * 0.7), fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(r / 4))
    white = Image.new("RGB", image.size, (255, 255, 255))
    return Image.composite(white, image, mask)


# Telegram's photo compression: 1280 px on the long side (a 6000×4000 photo arrives as
# 1280×853: https://www.ticktechtold.com/telegram-compress-image/), JPEG at about 80 % quality
# (https://www.picovert.com/en/blog/image-size-for-telegram).
TELEGRAM_QUALITIES = (78, 80, 82)
TELEGRAM_DEGRADED = (
    "blur σ1.6",
    "blur σ2.5",
    "grey",
    "dark",
    "washed out L170",
    "low contrast",
    "overexposed 45%",
    "glare inside",
)


def telegram(image: Image.Image) -> Image.Image:
    """Telegram's photo resize: 1280 px on the long side (never enlarged)."""
    small = image.copy()
    small.thumbnail((1280, 1280), Image.Resampling.LANCZOS)
    return small


def jpeg(image: Image.Image, quality: int) -> bytes:
    """Encode as a baseline JPEG with 4:2:0 chroma, like phones and Telegram."""
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, subsampling=2)
    return buffer.getvalue()


# --- the corpus ---------------------------------------------------------------------------------

Degradation = tuple[str, Callable[[Image.Image], Image.Image], str | None]


def degradations(seed: int) -> list[Degradation]:
    """(name, transform, expected refusal) for the full-size photographs and scenes."""
    return [
        ("blur σ1.6", lambda im: blur(im, 1.6), "blurry"),
        ("blur σ2.5", lambda im: blur(im, 2.5), "blurry"),
        ("blur σ4", lambda im: blur(im, 4.0), "blurry"),
        ("blur σ2.5 + noise", lambda im: gaussian_noise(blur(im, 2.5), 6, seed), "blurry"),
        ("grey", lambda im: ImageOps.grayscale(im).convert("RGB"), "greyscale"),
        ("dark", lambda im: tone(im, lambda v: 255 * (v / 255) ** 1.6 * 0.25), "too_dark"),
        ("washed out L170", lambda im: tone(im, lambda v: 170 + v * 85 / 255), "overexposed"),
        ("washed out L150", lambda im: tone(im, lambda v: 150 + v * 105 / 255), "overexposed"),
        ("low contrast", lambda im: tone(im, lambda v: 110 + v * 0.42), "overexposed"),
        ("overexposed 45%", lambda im: overexpose(im, 0.45), "overexposed"),
        ("overexposed 97%", lambda im: overexpose(im, 0.97), "overexposed"),
        ("glare at the edge", lambda im: glare(im, (0.92, 0.3), 0.42), "overexposed"),
        ("glare in a corner", lambda im: glare(im, (0.0, 0.0), 0.6), "overexposed"),
        ("glare inside", lambda im: glare(im, (0.5, 0.45), 0.3), "overexposed"),
    ]


def build(sources: dict[str, tuple[Source, Image.Image]]) -> Iterator[tuple[Entry, bytes]]:
    """Every corpus file with its entry."""
    rng = random.Random(7)

    def entry(
        name: str, source: Source, kind: str, degradation: str, expected: str | None, rules: str
    ) -> Entry:
        return Entry(
            name, source.name, kind, degradation, expected, rules, source.package, source.licence
        )

    # The document scenes: an ID card with a real portrait on a real table, and a licence.
    scenes: list[tuple[str, Source, Image.Image, str, str]] = []
    tables = [sources[name] for name in TABLES if name in sources]
    portraits = [sources[name] for name in PORTRAITS if name in sources]
    for index, (table_source, table) in enumerate(tables):
        long_side = max(2048, max(table.size))  # a licence needs 1100 px on the short side
        size = (long_side, round(long_side * 3 / 4))
        if portraits:
            _, face = portraits[index % len(portraits)]
            card = draw_card((1712, 1080), face, seed=index)
            photo = scene(table, card, size, 0.72, seed=index)
            scenes.append(
                (f"idcard_on_{table_source.name}", table_source, photo, "id card scene", "id_card")
            )
        licence = draw_card((2100, 1500), None, seed=100 + index)
        photo = scene(table, licence, size, 0.86, seed=100 + index)
        scenes.append(
            (f"licence_on_{table_source.name}", table_source, photo, "licence scene", "licence")
        )
    if tables and portraits:
        table_source, table = tables[0]
        card = draw_card((3424, 2160), portraits[0][1], seed=99)
        photo = scene(table, card, (4000, 3000), 0.8, seed=99)
        scenes.append(("idcard_12mp", table_source, photo, "12 MP scene", "licence"))
    large = [
        (name, source, image, "photo", "id_card")
        for name, (source, image) in sources.items()
        if min(image.size) >= 720 and name not in NOT_SUBJECTS
    ]
    for name, source, image, kind, rules in [*large, *scenes]:
        seed = rng.randrange(1 << 30)
        yield entry(f"{name}.jpg", source, kind, "none", None, rules), jpeg(image, 92)
        yield (
            entry(f"{name}~telegram.jpg", source, kind, "telegram", None, "id_card"),
            jpeg(telegram(image), rng.choice(TELEGRAM_QUALITIES)),
        )
        noisy = gaussian_noise(image, 5, seed)
        yield entry(f"{name}~noise.jpg", source, kind, "noise σ5", None, rules), jpeg(noisy, 90)
        for degradation, transform, expected in degradations(seed):
            bad = transform(image)
            slug = degradation.replace(" ", "_").replace("%", "").replace("+", "")
            file = f"{name}~{slug}.jpg"
            yield entry(file, source, kind, degradation, expected, rules), jpeg(bad, 90)
            if degradation in TELEGRAM_DEGRADED:
                small = telegram(bad)
                yield (
                    entry(
                        f"{name}~{slug}~telegram.jpg",
                        source,
                        kind,
                        f"{degradation}, telegram",
                        expected,
                        "id_card",
                    ),
                    jpeg(small, rng.choice(TELEGRAM_QUALITIES)),
                )
        if kind in ("id card scene", "licence scene"):
            # A small photo of the document, enlarged in an editor to pass the pixel minimum.
            small_long, large_long = (700, 1800) if rules == "id_card" else (900, 2600)
            big = enlarge(image, small_long, large_long)
            yield (
                entry(
                    f"{name}~enlarged.jpg",
                    source,
                    kind,
                    f"reduced to {small_long} px, enlarged to {large_long}",
                    "low_detail",
                    rules,
                ),
                jpeg(big, 90),
            )
            if rules == "id_card":  # … and then sent as a Telegram photo
                yield (
                    entry(
                        f"{name}~enlarged~telegram.jpg",
                        source,
                        kind,
                        f"reduced to {small_long} px, enlarged to {large_long}, telegram",
                        "low_detail",
                        "id_card",
                    ),
                    jpeg(telegram(big), rng.choice(TELEGRAM_QUALITIES)),
                )
        if kind.endswith("scene") and max(image.size) >= 1600:
            # A page strongly blurred at σ = 5 px at native size, with mild sensor noise.
            page = gaussian_noise(image.filter(ImageFilter.GaussianBlur(5)), 4, seed)
            yield (
                entry(
                    f"{name}~blur5px_noise.jpg",
                    source,
                    kind,
                    "blur σ5 px + noise",
                    "blurry",
                    rules,
                ),
                jpeg(page, 90),
            )
    # Small camera photos: as they are (too small), and enlarged to pass the pixel minimum.
    for name, (source, image) in sources.items():
        if name in NOT_SUBJECTS:
            continue
        if min(image.size) >= 720:
            small = image.copy()
            small.thumbnail((600, 600), Image.Resampling.LANCZOS)
            label = f"{name} reduced to 600 px"
        else:
            small, label = image, f"{name} at {image.width}×{image.height}"
            yield (
                entry(
                    f"{name}~small.jpg",
                    source,
                    "small photo",
                    "none, small",
                    "too_small",
                    "id_card",
                ),
                jpeg(small, 92),
            )
        for long_side, rules in ((2400, "licence"), (1800, "id_card")):
            big = enlarge(small, max(small.size), long_side)
            if min(big.size) < (1100 if rules == "licence" else 720):
                continue
            yield (
                entry(
                    f"{name}~enlarged{long_side}.jpg",
                    source,
                    "small photo",
                    f"{label}, enlarged to {long_side}",
                    "low_detail",
                    rules,
                ),
                jpeg(big, 90),
            )
            if rules == "id_card":  # … and then sent as a Telegram photo
                yield (
                    entry(
                        f"{name}~enlarged{long_side}~telegram.jpg",
                        source,
                        "small photo",
                        f"{label}, enlarged to {long_side}, telegram",
                        "low_detail",
                        "id_card",
                    ),
                    jpeg(telegram(big), rng.choice(TELEGRAM_QUALITIES)),
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "icp-image-corpus"
    parser.add_argument("--cache", type=Path, default=default)
    parser.add_argument("--skimage-data", help="scikit-image's data directory, if not importable")
    args = parser.parse_args()
    sources = load_sources(skimage_data_dir(args.skimage_data))
    if not sources:
        sys.exit(
            "no source photographs installed: apt-get install mate-backgrounds, "
            "pip install scikit-image"
        )
    out: Path = args.cache
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.jpg"):
        old.unlink()
    entries = []
    for item, data in build(sources):
        (out / item.file).write_bytes(data)
        entries.append(asdict(item))
    manifest = {
        "sources": [asdict(source) for source, _ in sources.values()],
        "entries": entries,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    bad = sum(1 for e in entries if e["expected"])
    print(
        f"{len(entries)} files ({len(entries) - bad} good, {bad} degraded) from "
        f"{len(sources)} photographs in {out}"
    )


if __name__ == "__main__":
    main()
