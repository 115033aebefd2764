"""Simplified/Traditional Chinese conversion (OpenCC) and script detection."""

from __future__ import annotations

import re
from functools import cache

import opencc

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


@cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def _convert(config: str, text: str) -> str:
    converted: str
    try:
        converted = _converter(config).convert(text)
    except UnicodeEncodeError:  # a lone surrogate (Telegram can send one): OpenCC reads UTF-8
        converted = _converter(config).convert(text.encode("utf-8", "replace").decode("utf-8"))
    return converted


def to_simplified(text: str) -> str:
    """Traditional → Simplified Chinese; other text passes through unchanged (a lone surrogate
    becomes "?", one character for one)."""
    return _convert("t2s", text)


def to_traditional(text: str) -> str:
    """Simplified → Traditional Chinese (Taiwan standard)."""
    return _convert("s2t", text)


def count_cjk(text: str) -> int:
    """How many Chinese characters the text holds."""
    return len(CJK.findall(text))


def is_traditional(text: str) -> bool:
    """Whether the Chinese in the text is written with Traditional-only characters."""
    chinese = "".join(CJK.findall(text))
    if not chinese:
        return False
    simplified = to_simplified(chinese)
    changed = sum(a != b for a, b in zip(chinese, simplified, strict=True))
    return changed > 0 and to_traditional(simplified) != simplified
