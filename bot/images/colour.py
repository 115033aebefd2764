"""Converting any decoded mode to sRGB-ish RGB: transparency on white, CMYK and ICC profiles."""

from __future__ import annotations

import functools
import io

from PIL import Image, ImageCms

WHITE = (255, 255, 255)
ALPHA_MODES = {"RGBA", "RGBa", "LA", "La", "PA"}
_SRGB = ImageCms.createProfile("sRGB")


def to_rgb(image: Image.Image) -> Image.Image:
    """``image`` as RGB; returns the same object when it already is RGB without a foreign ICC."""
    icc = image.info.get("icc_profile")
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    elif image.mode.startswith("I") or image.mode == "F":
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    elif image.mode in ("1", "L", "YCbCr"):
        image = image.convert("RGB")
    if image.mode in ALPHA_MODES:
        flat = Image.new("RGB", image.size, WHITE)
        rgba = image.convert("RGBA")
        flat.paste(rgba, (0, 0), rgba)
        image = flat
    if image.mode in ("RGB", "CMYK") and icc:
        converted = _to_srgb(image, icc)
        if converted is not None:
            return converted
    return image if image.mode == "RGB" else image.convert("RGB")


def _to_srgb(image: Image.Image, icc: bytes) -> Image.Image | None:
    """``image`` converted from its embedded profile to sRGB; None if the profile is sRGB/bad."""
    transform = _transform(icc, image.mode)
    if transform is None:
        return None
    return ImageCms.applyTransform(image, transform)


@functools.lru_cache(maxsize=16)
def _transform(icc: bytes, mode: str) -> ImageCms.ImageCmsTransform | None:
    """A cached transform from ``icc`` to sRGB, or None for sRGB itself or a broken profile."""
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if mode == "RGB" and "srgb" in ImageCms.getProfileDescription(profile).lower():
            return None
        return ImageCms.buildTransform(profile, _SRGB, mode, "RGB")
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return None
