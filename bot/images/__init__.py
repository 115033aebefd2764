"""Checking uploaded document images and normalising them into submission-ready JPEGs."""

from bot.images.checks import (
    CheckResult,
    NormalisedImage,
    Rejection,
    check_and_normalise,
    failed_only_because_compressed,
    precheck_size,
)
from bot.images.rules import ImageRules

__all__ = [
    "CheckResult",
    "ImageRules",
    "NormalisedImage",
    "Rejection",
    "check_and_normalise",
    "failed_only_because_compressed",
    "precheck_size",
]
