"""Checking an uploaded image and turning it into a submission-ready JPEG.

``check_and_normalise`` is pure and synchronous; run it in a worker thread (see ``service``).
Order of work, cheapest refusal first: size → magic bytes → header (format, animation, pixel
count, short side) → decode at the output scale → measurements → encode into the byte band.
"""

from __future__ import annotations

import math
import struct
import zlib
from dataclasses import dataclass, field
from enum import StrEnum

from PIL import Image

from bot.images import formats, pdf
from bot.images.colour import to_rgb
from bot.images.encode import encode_in_band
from bot.images.measure import measure
from bot.images.rules import ImageRules

DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error, IndexError)
EDITORS = (
    "photoshop",
    "gimp",
    "lightroom",
    "snapseed",
    "picsart",
    "meitu",
    "美图",
    "醒图",
    "pixelmator",
    "affinity",
    "paint.net",
    "canva",
    "facetune",
    "polarr",
)
REDUCIBLE = {"RGB", "RGBA", "L", "LA", "CMYK"}
HALO = 1.25  # halo (luma ≥ 245) at least this many times the blown patches (≥ 250): a reflection
# A photo scoring under this share of min_sharpness is clearly blurred (calibration corpus:
# blurred photos with a specular highlight ≤ 0.55, reflections on photos just short of it ≥ 0.9).
CLEARLY_BLURRED = 0.6
# Where blur and enlargement overlap (bench/image_calibration.py --split tune): photos enlarged
# 3–4× without a footprint score 23–30 in sharpness, photos blurred by σ = 1.6 px 11–24.5 and
# a page blurred by 5 px under noise 29. Below SOFT_LOW × min_sharpness a photo is plainly
# blurred; a soft one up to SOFT_HIGH × min_sharpness that fails the scale test may be either.
# With the footprint of an enlargement that may be beyond 2×: a finest octave this empty confirms
# it (tuning half: a cat enlarged 4× 0.56; real photos at their own size mostly ≥ 0.58).
AMBIGUOUS_DETAIL_RATIO = 0.6
# With a weak footprint (ImageRules.max_resampling_peak_short), a finest octave this empty
# confirms it (tuning half: photos enlarged, then sent through Telegram 0.46–0.50; drawn test
# documents of that size ≥ 0.67).
WEAK_FOOTPRINT_DETAIL_RATIO = 0.55
# Below this octave energy (``measure.octave_energy``, asked only of pictures of a Telegram photo's
# size) the finest octave is (nearly) predictable from half the pixels: an enlargement by about
# 2× or more. Tuning half: good Telegram copies of real photos and scenes ≥ 0.26 (but the soft
# storm sky, 0.21); photos and scenes enlarged, then sent through Telegram 0.12–0.21 (one
# enlarged to exactly 2× net, crisp at 0.57 in the scale test: 0.15). It counts as missing
# detail, like the scale test, so blur still names blur.
MIN_OCTAVE_ENERGY = 0.2
SOFT_LOW = 0.8
SOFT_HIGH = 1.4
WASHED_OUT_SHADOWS = 80  # with a mean above max_brightness: the darkest text is grey too
TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class Rejection(StrEnum):
    """Why an image was refused; the bot words a message per reason."""

    EMPTY = "empty"
    TOO_BIG_TO_DOWNLOAD = "too_big_to_download"
    NOT_AN_IMAGE = "not_an_image"
    UNSUPPORTED_FORMAT = "unsupported_format"
    CORRUPT = "corrupt"
    TOO_MANY_PIXELS = "too_many_pixels"
    TOO_SMALL = "too_small"
    GREYSCALE = "greyscale"
    BLURRY = "blurry"
    TOO_DARK = "too_dark"
    OVEREXPOSED = "overexposed"
    LOW_DETAIL = "low_detail"
    # Soft, and the measurements cannot tell a mild blur from a soft photo enlarged: both
    # problems are named (both are fixed by a new, steady photo at the camera's full resolution).
    BLURRY_OR_ENLARGED = "blurry_or_enlarged"
    PDF_SEVERAL_PAGES = "pdf_several_pages"  # a step takes one picture: one page
    PDF_PROTECTED = "pdf_protected"  # opens only with a password


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one image; ``measurements`` are stored with the document version."""

    accepted: bool
    reason: Rejection | None
    source_format: str | None
    width: int  # after EXIF orientation, before any scaling
    height: int
    measurements: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class NormalisedImage:
    """The submission-ready file: an upright RGB JPEG without metadata, within the byte band."""

    data: bytes
    width: int
    height: int
    quality: int


def precheck_size(file_size: int | None, rules: ImageRules) -> Rejection | None:
    """Refuse from Telegram's metadata, before downloading (an unknown size is let through)."""
    if file_size is None:
        return None
    if file_size <= 0:
        return Rejection.EMPTY
    if file_size > rules.max_download_bytes:
        return Rejection.TOO_BIG_TO_DOWNLOAD
    return None


def failed_only_because_compressed(result: CheckResult) -> bool:
    """Whether sending the original as a file (not as a Telegram photo) could fix the refusal."""
    return result.reason in (
        Rejection.TOO_SMALL,
        Rejection.BLURRY,
        Rejection.LOW_DETAIL,
        Rejection.BLURRY_OR_ENLARGED,
    )


def check_and_normalise(
    data: bytes, rules: ImageRules
) -> tuple[CheckResult, NormalisedImage | None]:
    """Check ``data`` against ``rules``; when accepted, also return the normalised JPEG."""
    early = precheck_size(len(data), rules)
    if early is not None:
        return _refused(early), None
    if pdf.is_pdf(data[: pdf.HEAD_BYTES]):
        return _check_pdf(data, rules)
    fmt = formats.identify(data[: formats.HEAD_BYTES])
    if fmt is None:
        return _refused(Rejection.NOT_AN_IMAGE), None
    if fmt not in formats.OPENERS:
        return _refused(Rejection.UNSUPPORTED_FORMAT, fmt), None
    try:
        image = formats.open_header(data, fmt)
    except Image.DecompressionBombError:
        return _refused(Rejection.TOO_MANY_PIXELS, fmt), None
    except DECODE_ERRORS:
        return _refused(Rejection.CORRUPT, fmt), None
    width, height = image.size

    def refused(reason: Rejection, measurements: dict[str, float] | None = None) -> CheckResult:
        return CheckResult(False, reason, fmt, width, height, measurements or {})

    if width * height > rules.max_pixels:
        return refused(Rejection.TOO_MANY_PIXELS), None
    if getattr(image, "is_animated", False):
        return refused(Rejection.UNSUPPORTED_FORMAT), None
    if min(width, height) < rules.min_short_side:
        return refused(Rejection.TOO_SMALL), None
    try:
        decoded = _decode(image, fmt, rules)
    except Image.DecompressionBombError:
        return refused(Rejection.TOO_MANY_PIXELS), None
    except DECODE_ERRORS:
        return refused(Rejection.CORRUPT), None
    # Read only now: a PNG may keep its EXIF after the pixel data.
    orientation = formats.orientation(image, fmt)
    software = formats.editing_software(image).lower()
    if orientation >= 5:
        width, height = height, width
    upright = decoded.transpose(TRANSPOSE[orientation]) if orientation in TRANSPOSE else decoded
    if upright is not image:
        image.close()  # free the decoded pixels before measuring and encoding
    del decoded
    measurements = measure(upright, rules.min_short_side)
    measurements["edited_hint"] = float(any(name in software for name in EDITORS))
    reason = _judge(measurements, rules)
    if reason is not None:
        return refused(reason, measurements), None
    encoded = encode_in_band(
        upright,
        rules.min_output_bytes,
        rules.max_output_bytes,
        rules.min_short_side,
        rules.max_long_side,
    )
    measurements["output_bytes"] = float(len(encoded.data))
    result = CheckResult(True, None, fmt, width, height, measurements)
    return result, NormalisedImage(encoded.data, encoded.width, encoded.height, encoded.quality)


def _check_pdf(data: bytes, rules: ImageRules) -> tuple[CheckResult, NormalisedImage | None]:
    """A one-page PDF is checked as the picture on its page; the result names the PDF."""
    try:
        picture = pdf.page_picture(data)
    except pdf.SeveralPagesError:
        return _refused(Rejection.PDF_SEVERAL_PAGES, "PDF"), None
    except pdf.ProtectedPdfError:
        return _refused(Rejection.PDF_PROTECTED, "PDF"), None
    except pdf.TooManyPixelsError:
        return _refused(Rejection.TOO_MANY_PIXELS, "PDF"), None
    except pdf.PdfError:
        return _refused(Rejection.CORRUPT, "PDF"), None
    if pdf.is_pdf(picture[: pdf.HEAD_BYTES]):  # never recurse: a picture is not a PDF
        return _refused(Rejection.CORRUPT, "PDF"), None
    result, normalised = check_and_normalise(picture, rules)
    measurements = {**result.measurements, "from_pdf": 1.0}
    checked = CheckResult(
        result.accepted, result.reason, "PDF", result.width, result.height, measurements
    )
    return checked, normalised


def _refused(reason: Rejection, fmt: str | None = None) -> CheckResult:
    return CheckResult(False, reason, fmt, 0, 0, {})


def _decode(image: Image.Image, fmt: str, rules: ImageRules) -> Image.Image:
    """Decode at the output scale and convert to RGB (orientation is applied by the caller)."""
    long_side, short_side = max(image.size), min(image.size)
    if fmt == "JPEG":
        # libjpeg scales by 1/2, 1/4 or 1/8 while decoding: much less memory and IDCT work.
        scale = next(
            (s for s in (1, 2, 4, 8) if math.ceil(long_side / s) <= rules.max_long_side), 8
        )
        while scale > 1 and short_side // scale < rules.min_short_side:
            scale //= 2
        if scale > 1:
            image.draft("RGB", (image.width // scale, image.height // scale))
    image.load()
    factor = math.ceil(max(image.size) / rules.max_long_side)
    while factor > 1 and min(image.size) // factor < rules.min_short_side:
        factor -= 1
    if factor > 1 and image.mode in REDUCIBLE:  # shrink first: less to convert
        return to_rgb(image.reduce(factor))
    rgb = to_rgb(image)
    return rgb.reduce(factor) if factor > 1 else rgb


def _enlarged_too_far(m: dict[str, float], rules: ImageRules) -> bool:
    """Whether the footprint of an enlargement shows the detail is short of the document's need.

    The footprint proves an enlargement, however sharp or soft the picture looks, and gives its
    factor up to one ambiguity: F or F / (F − 1) (1.6× or 2.67×). A picture whose detail is short
    even at the smaller factor is refused; one that is short only at the larger factor is refused
    when its finest octave is also rather empty, as an enlargement beyond 2× leaves it (a
    photo enlarged 1.2× from a large original, like a phone's digital zoom, is not).
    """
    if m.get("resampling_peak", 1.0) < rules.max_resampling_peak:
        return False
    enlargement = m.get("enlargement", 1.0)
    at_least = m.get("true_short_side", float("inf"))
    if at_least < rules.min_short_side:
        return True
    at_most = at_least * (enlargement - 1)  # short side / (F / (F − 1))
    return at_most < rules.min_short_side and m.get("detail_ratio", 1.0) < AMBIGUOUS_DETAIL_RATIO


def _weak_footprint_short(m: dict[str, float], rules: ImageRules) -> bool:
    """Whether a footprint too weak to prove an enlargement on its own puts even the larger of
    the two possible true sizes below the document's need, while the finest octave is rather
    empty too (an enlarged photo that Telegram shrank again).

    Neither sign is enough alone: drawn test documents at 1280 px reach a peak of 4.5 (their
    strokes repeat on a grid) with a detail ratio ≥ 0.67, and soft real photos sent through
    Telegram a ratio of 0.47 without a peak. Asked only of pictures of a Telegram photo's size
    (``measure.TELEGRAM_LONG_SIDE``). It leans on the scale test and is off with it
    (``min_detail_ratio = 0``).
    """
    return (
        rules.min_detail_ratio > 0
        and m.get("clear_peak", 1.0) >= rules.max_resampling_peak_short
        and m.get("clear_true_short_side", float("inf")) < rules.min_short_side
        and m.get("detail_ratio", 1.0) < WEAK_FOOTPRINT_DETAIL_RATIO
    )


def _empty_finest_octave(m: dict[str, float], rules: ImageRules) -> bool:
    """Whether a 2× round trip takes (nearly) nothing from the picture: it is an enlargement by
    about 2× or more, even one whose footprint and strongest edges look like a photograph's
    (enlarged exactly 2× net, the footprint sits at the Nyquist frequency). Off with the scale
    test (``min_detail_ratio = 0``)."""
    return rules.min_detail_ratio > 0 and m.get("octave_energy", 1.0) < MIN_OCTAVE_ENERGY


def _judge(m: dict[str, float], rules: ImageRules) -> Rejection | None:
    """The first failed check, in the order that names the real problem.

    Light first: a dark, washed-out or blown-out photo also loses its colour and its edges, and
    the client must be told to fix the light, not to find a colour original or hold still. Then
    colour, then the footprint of an enlargement, then focus at the analysis scale, then detail
    at the image's own scale and at the document's (somewhat soft at both: blurred or enlarged).
    A small reflection counts as light unless the photo is clearly blurred: a blur spreads any
    bright spot into a halo, so on a blurred photo the halo proves nothing.
    """
    if m["brightness"] < rules.min_brightness or m["highlights"] < rules.min_highlights:
        return Rejection.TOO_DARK
    if m["shadows"] >= rules.max_shadows:
        return Rejection.OVEREXPOSED  # washed out: even the darkest text is light grey
    # A bright mean alone may be a white page or margin; washed out means the text is grey too.
    if m["brightness"] > rules.max_brightness and m["shadows"] >= WASHED_OUT_SHADOWS:
        return Rejection.OVEREXPOSED
    if m["highlight_share"] > rules.max_highlight_share:
        return Rejection.OVEREXPOSED
    # A smaller blown patch fading into a near-white halo is a reflection over the document.
    if (
        m["highlight_share"] > rules.max_glare_share
        and m["halo_share"] > HALO * m["highlight_share"]
        and m["sharpness"] >= CLEARLY_BLURRED * rules.min_sharpness
    ):
        return Rejection.OVEREXPOSED
    if m["colourfulness"] < rules.min_colourfulness:
        return Rejection.GREYSCALE
    if _enlarged_too_far(m, rules):
        return Rejection.LOW_DETAIL
    # Sharp at the analysis scale but soft at the image's own or the document's scale: it has the
    # pixels but not their detail (enlarged from a smaller photo, or digital zoom). A photo that
    # is somewhat soft even at the analysis scale may be either blurred or enlarged.
    soft_native = (
        m.get("detail_ratio", 1.0) < rules.min_detail_ratio
        or m.get("required_detail", 100.0) < rules.min_detail
        or _weak_footprint_short(m, rules)
        or _empty_finest_octave(m, rules)
    )
    if m["sharpness"] < SOFT_LOW * rules.min_sharpness:
        return Rejection.BLURRY
    if m["sharpness"] < rules.min_sharpness or (
        soft_native and m["sharpness"] < SOFT_HIGH * rules.min_sharpness
    ):
        return Rejection.BLURRY_OR_ENLARGED
    if soft_native:
        return Rejection.LOW_DETAIL
    return None
