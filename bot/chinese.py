"""Simplified/Traditional Chinese conversion (OpenCC) and script detection.

Traditional Chinese is written for readers in Taiwan, not spelled character by character from
mainland text: OpenCC's phrase-level Taiwan conversion (``s2twp``: 软件→軟體, 视频→影片,
服务器→伺服器, 信息→資訊, Taiwan character forms 為/裡/核) followed by ``TAIWAN_FIXES``, a short
list of terms that conversion still leaves in their mainland form. ``MAINLAND_TERMS`` lists
words a Taiwan reader should never see; the tests check every generated text against it.

Memory: OpenCC keeps its phrase dictionaries in memory (about 27 MB for ``s2t``). The stock
``s2twp`` configuration loads those phrases a second time for a separate segmentation step
(44 MB in all), so the converter is built from ``s2twp`` without that step: each dictionary
stage then matches the longest phrases itself, as ``s2t`` does, at the memory cost of ``s2t``.
One converter per direction is created, on first use.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any, Final

import opencc

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")

# Post-conversion fix-ups: OpenCC's output (left) → what Taiwan writes (right). Applied in one
# pass, longest match first, so a longer entry (郵箱地址) wins over a shorter one (郵箱), and an
# entry mapped to itself (手機號碼) protects a phrase from a shorter fix (手機號).
TAIWAN_FIXES: Final[Mapping[str, str]] = {
    # OpenCC's Taiwan phrases turn 审核 (review) into 稽核 (audit); a filing review is 審核.
    "稽核": "審核",
    # Taiwan phrases applied where they do not fit: 好消息 is good news, not a message; the
    # mainland bureau's name is 通信管理局; 音视频 (audio and video) is 影音, not 音影片.
    "好訊息": "好消息",
    "通訊管理局": "通信管理局",
    "音影片": "影音",
    "登出": "註銷",  # 注销 here is deregistering a filing, not logging out
    "審批檔案": "審批文件",  # 文件 is a file (檔案) in Taiwan, except official documents
    "人臉識別": "人臉辨識",
    "運營": "營運",
    "訪問者": "訪客",
    "反饋": "回饋",
    "當前": "目前",
    # Vocabulary s2twp leaves in its mainland form.
    "賬號": "帳號",
    "賬戶": "帳戶",
    "賬單": "帳單",
    "電子郵箱": "電子郵件",
    "郵箱地址": "電子郵件地址",
    "企業郵箱": "企業信箱",
    "網頁郵箱": "網頁信箱",
    "郵箱": "電子郵件",
    "網絡": "網路",  # s2twp converts 网络 alone, not inside every longer phrase (网络质量)
    "質量": "品質",
    "掃描件": "掃描檔",  # a scan is a file (檔) in Taiwan
    "二維碼": "QR碼",
    "掃碼": "掃描QR碼",
    "手機號碼": "手機號碼",
    "手機號": "手機號碼",
    # 信息 becomes 資訊 (information); a message that is sent or received is 訊息.
    "簡訊息": "簡訊",
    "發資訊": "發訊息",
    "傳送資訊": "傳送訊息",
    "回覆資訊": "回覆訊息",
    # Safety net for terms s2twp converts today: should its dictionaries change, these still
    # come out in their Taiwan form (each is a no-op on today's output).
    "服務器": "伺服器",
    "軟件": "軟體",
    "視頻": "影片",
    "短信": "簡訊",
    "打印": "列印",
    "屏幕": "螢幕",
    "默認": "預設",
    "信息": "資訊",
    "華爲": "華為",
    "覈": "核",  # s2t writes 覈 in 审核, 核验, 核实; Taiwan writes 核
    "爲": "為",
    "裏": "裡",
}

# Words (in Traditional characters) that mark text as mainland usage to a Taiwan reader.
MAINLAND_TERMS: Final[tuple[str, ...]] = (
    "服務器",
    "軟件",
    "硬件",
    "視頻",
    "音頻",
    "信息",  # information: 資訊; a message: 訊息
    "短信",
    "打印",
    "屏幕",
    "默認",
    "網絡",
    "質量",
    "賬號",
    "賬戶",
    "郵箱",
    "二維碼",
    "審覈",
    "覈驗",
    "覈",
    "爲",
    "裏",
    "華爲",
    "稽核",
    "鏈接",
    "登錄",
    "菜單",
    "鼠標",
    "互聯網",
    "博客",
)

# Before conversion: 内核 (kernel) is a Taiwan phrase (核心), so "1–2 个工作日内核对" would
# become 工作日核心對; a word joiner keeps 内 (within) apart from 核对, 核实, 核验 ... and is
# removed after.
_WITHIN = re.compile("内(?=核[对实验查准发])")
_JOINER = "\u2060"
# Taiwan quotes: “…” → 「…」 and ‘…’ → 『…』 (pairs on one line only).
_WEEKS = re.compile(r"(?<=[0-9])周")  # 1–4周: a week is 週 in Taiwan
_DOUBLE_QUOTES = re.compile("\u201c([^\u201c\u201d\n]*)\u201d")
_SINGLE_QUOTES = re.compile("\u2018([^\u2018\u2019\n]*)\u2019")

_BASE_CONFIG = "s2twp"  # the stock configuration the Taiwan converter is derived from


def _fix_pattern() -> re.Pattern[str]:
    alternatives = sorted(TAIWAN_FIXES, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, alternatives)))


_FIXES = _fix_pattern()


def _absolute_dictionaries(node: Any, directory: Path) -> Any:
    """The configuration with every dictionary ``file`` made an absolute path."""
    if isinstance(node, dict):
        return {
            key: str(directory / value)
            if key == "file" and isinstance(value, str)
            else _absolute_dictionaries(value, directory)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_absolute_dictionaries(value, directory) for value in node]
    return node


@cache
def _taiwan_converter() -> opencc.OpenCC:
    """``s2twp`` without its separate segmentation dictionary (see the module docstring)."""
    share = Path(opencc.__file__).resolve().parent / "clib" / "share" / "opencc"
    stock = share / f"{_BASE_CONFIG}.json"
    if not stock.is_file():  # an OpenCC build laid out differently: the stock configuration
        return opencc.OpenCC(_BASE_CONFIG)
    config = json.loads(stock.read_text(encoding="utf-8"))
    config.pop("segmentation", None)
    config["name"] = "Simplified Chinese to Traditional Chinese (Taiwan), one phrase lexicon"
    with tempfile.TemporaryDirectory(prefix="opencc-") as directory:
        path = Path(directory) / "s2twp-lean.json"
        path.write_text(json.dumps(_absolute_dictionaries(config, share)), encoding="utf-8")
        return opencc.OpenCC(str(path))


@cache
def _simplified_converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _utf8(text: str) -> str:
    """The text OpenCC can read (it reads UTF-8): a lone surrogate, which Telegram can send,
    becomes "?", one character for one."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


def to_simplified(text: str) -> str:
    """Traditional → Simplified Chinese; other text passes through unchanged."""
    simplified: str = _simplified_converter().convert(_utf8(text))
    return simplified


def taiwan_fixes(text: str) -> str:
    """Converted text with ``TAIWAN_FIXES`` applied, and weeks and quotes the Taiwan way."""
    text = _FIXES.sub(lambda match: TAIWAN_FIXES[match[0]], text)
    text = _WEEKS.sub("週", text)
    text = _DOUBLE_QUOTES.sub("\u300c\\1\u300d", text)
    return _SINGLE_QUOTES.sub("\u300e\\1\u300f", text)


def to_traditional(text: str) -> str:
    """Simplified → Traditional Chinese as written in Taiwan; other text passes through."""
    text = _utf8(text)
    joined = _WITHIN.sub("内" + _JOINER, text)
    converted: str = _taiwan_converter().convert(joined)
    if joined != text:
        converted = converted.replace(_JOINER, "")
    return taiwan_fixes(converted)


# Official names keep their own words: titles in 《…》 and the bodies below.
OFFICIAL_TITLE = re.compile(r"《[^》]*》|工業和信息化部|全國互聯網安全管理服務平台")


def mainland_terms(texts: str | Iterable[str]) -> list[str]:
    """Every occurrence of a ``MAINLAND_TERMS`` word in the text(s), in order of the list.

    A term inside a longer listed term (覈 in 覈驗) is counted once, as the longer one. Titles
    in 《…》 and official names such as 工業和信息化部 are quoted as they are.
    """
    joined = texts if isinstance(texts, str) else "\n".join(texts)
    joined = OFFICIAL_TITLE.sub("", joined)
    found: list[str] = []
    for term in sorted(MAINLAND_TERMS, key=len, reverse=True):
        count = joined.count(term)
        found.extend([term] * count)
        joined = joined.replace(term, "\0")
    return sorted(found, key=MAINLAND_TERMS.index)


def count_cjk(text: str) -> int:
    """How many Chinese characters the text holds."""
    return len(CJK.findall(text))


def is_traditional(text: str) -> bool:
    """Whether the Chinese in the text is written with Traditional-only characters."""
    chinese = "".join(CJK.findall(text))
    if not chinese:
        return False
    simplified = to_simplified(chinese)  # the small t2s converter: no Taiwan phrase table
    return any(a != b for a, b in zip(chinese, simplified, strict=True))
