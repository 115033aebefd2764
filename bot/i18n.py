"""Languages: gettext catalogs read with Babel, per-update translators and language choice.

The ``.po`` files under ``locales/`` are read at start and compiled in memory, so no compiled
files are committed. Translation is always per update (``Translator``), never installed globally.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations as GettextCatalog

from bot.chinese import LATIN_WORD, count_cjk, is_traditional

log = logging.getLogger(__name__)

ENGLISH = "en"
SIMPLIFIED = "zh_Hans"
TRADITIONAL = "zh_Hant"
SUPPORTED_LANGUAGES = (ENGLISH, SIMPLIFIED, TRADITIONAL)
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"

_TRADITIONAL_TAGS = ("hant", "tw", "hk", "mo")


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark for extraction"
    """Mark a string for translation without translating it now."""
    return message


def normalise_language(value: str | None) -> str | None:
    """Map a language name such as ``zh-hans`` or ``EN`` to a supported code, or None."""
    if not value:
        return None
    lowered = value.strip().lower().replace("-", "_")
    for code in SUPPORTED_LANGUAGES:
        if lowered == code.lower():
            return code
    if lowered in ("zh", "zh_cn", "zh_sg"):
        return SIMPLIFIED
    if lowered in ("zh_tw", "zh_hk", "zh_mo"):
        return TRADITIONAL
    return None


def language_for_telegram_code(code: str | None, default: str) -> str:
    """The reply language for Telegram's ``language_code`` (absent → the configured default)."""
    if not code:
        return default
    tags = code.strip().lower().replace("_", "-").split("-")
    if tags[0] != "zh":
        return ENGLISH
    if any(tag in _TRADITIONAL_TAGS for tag in tags[1:]):
        return TRADITIONAL
    return SIMPLIFIED


SHORT_LATIN_WORDS = 2  # Latin words too few to say the client switched to English
# Japanese kana and Korean hangul: a client who writes them reads no Chinese (a Japanese
# question has Chinese characters, 備案, but is best answered in English).
_NOT_CHINESE = re.compile(r"[\u3040-\u30ff\u1100-\u11ff\uac00-\ud7af]")


def detect_text_language(text: str, fallback: str) -> str:
    """The language a free-text message is written in.

    Mostly-Chinese text is Chinese (Traditional when it uses Traditional-only characters, else
    the client's Chinese variant or Simplified); mostly-Latin text is English; text with neither
    (digits, emoji), and a word or two of Latin letters from a Chinese reader (a domain, "ok",
    "ICP"), keeps the fallback. Japanese and Korean are answered in English.
    """
    if len(_NOT_CHINESE.findall(text)) >= 2:
        return ENGLISH
    chinese_chars = count_cjk(text)
    latin_words = len(LATIN_WORD.findall(text))
    if chinese_chars == 0 and latin_words == 0:
        return fallback
    if chinese_chars == 0 and fallback != ENGLISH and len(text.split()) <= SHORT_LATIN_WORDS:
        return fallback
    # A Chinese word averages about two characters.
    if chinese_chars / 2 >= latin_words:
        if is_traditional(text):
            return TRADITIONAL
        return fallback if fallback in (SIMPLIFIED, TRADITIONAL) else SIMPLIFIED
    return ENGLISH


@dataclass(frozen=True)
class Translator:
    """Translations and formatting for one language."""

    language: str
    locale: Locale
    translations: GettextCatalog = field(repr=False)

    def gettext(self, message: str) -> str:
        """The translation of ``message``."""
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        """The translation of a message with a count."""
        return self.translations.ngettext(singular, plural, count)

    def labelled(self, label: str, value: str) -> str:
        """“label: value” with this language's colon (full-width “：” in Chinese)."""
        # Translators: a label and its value, e.g. "Domain: example.com"; keep both names.
        return self.gettext("{label}: {value}").format(label=label, value=value)

    def format_date(self, value: date | datetime) -> str:
        """A date written the way this language writes dates."""
        return format_date(value, format="long", locale=self.locale)

    def format_datetime(self, value: datetime, tz: str = "Asia/Shanghai") -> str:
        """A date and time (to the minute, with the weekday) in a time zone, for this language."""
        local = value.astimezone(ZoneInfo(tz))
        day = format_skeleton("yMMMEd", local, locale=self.locale)
        return f"{day} {format_skeleton('Hm', local, locale=self.locale)}"

    def format_day(self, value: date) -> str:
        """A short day with its weekday, e.g. “Mon, Nov 30” or “11月30日周一”."""
        return format_skeleton("MMMEd", value, locale=self.locale)

    def format_number(self, value: float) -> str:
        """A number with this language's separators."""
        return format_decimal(value, locale=self.locale)

    def format_list(self, items: list[str]) -> str:
        """Items joined the way this language lists them (“a, b and c”, “a、b和c”)."""
        return format_list(items, locale=self.locale)


class Translations:
    """All loaded translations, one ``Translator`` per supported language."""

    def __init__(self, translators: dict[str, Translator], default: str) -> None:
        self._translators = translators
        self.default = default

    @classmethod
    def load(cls, default: str = ENGLISH, directory: Path = LOCALES_DIR) -> Translations:
        """Read every language's ``.po`` file and compile it in memory."""
        translators = {code: _load_translator(directory, code) for code in SUPPORTED_LANGUAGES}
        return cls(translators, default)

    def get(self, language: str | None) -> Translator:
        """The translator for a language, or for the default language."""
        return self._translators.get(language or self.default) or self._translators[self.default]

    def all(self) -> Iterable[Translator]:
        """Every language's translator."""
        return self._translators.values()


def _load_translator(directory: Path, language: str) -> Translator:
    path = directory / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translator(language, Locale.parse(language), GettextCatalog(compiled, domain=DOMAIN))
