"""Languages: choosing the reply language, detecting a question's language, full catalogs."""

from __future__ import annotations

import re
from datetime import date

import pytest
from babel.messages.pofile import read_po

from bot.catalog_tools import extract, po_path, texts_of
from bot.i18n import (
    ENGLISH,
    SIMPLIFIED,
    SUPPORTED_LANGUAGES,
    TRADITIONAL,
    Translations,
    detect_text_language,
    language_for_telegram_code,
)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("zh-hans", SIMPLIFIED),
        ("zh-cn", SIMPLIFIED),
        ("zh-sg", SIMPLIFIED),
        ("zh", SIMPLIFIED),
        ("zh-hant", TRADITIONAL),
        ("zh-TW", TRADITIONAL),
        ("zh-hk", TRADITIONAL),
        ("zh-mo", TRADITIONAL),
        ("zh-Hant-TW", TRADITIONAL),
        ("en", ENGLISH),
        ("de", ENGLISH),
        ("pt-br", ENGLISH),
    ],
)
def test_telegram_language_code(code: str, expected: str) -> None:
    assert language_for_telegram_code(code, default=SIMPLIFIED) == expected


def test_missing_language_code_uses_the_default() -> None:
    assert language_for_telegram_code(None, default=TRADITIONAL) == TRADITIONAL


@pytest.mark.parametrize(
    ("text", "fallback", "expected"),
    [
        ("外国人可以申请吗？", ENGLISH, SIMPLIFIED),
        ("外國人可以申請備案嗎？", ENGLISH, TRADITIONAL),
        ("how long does it take?", SIMPLIFIED, ENGLISH),
        ("how long does 备案 take", SIMPLIFIED, ENGLISH),
        ("ICP备案需要多长时间", ENGLISH, SIMPLIFIED),
        ("多久", TRADITIONAL, TRADITIONAL),  # no Traditional-only characters: keep the variant
        ("123 ???", SIMPLIFIED, SIMPLIFIED),
        ("example.com", SIMPLIFIED, SIMPLIFIED),  # a domain from a Chinese reader: not English
        ("ok thanks", TRADITIONAL, TRADITIONAL),
        ("ok thanks", ENGLISH, ENGLISH),
        ("can foreigners apply?", SIMPLIFIED, ENGLISH),  # a question in English is answered so
        ("ICP備案はどのくらいかかりますか？", TRADITIONAL, ENGLISH),  # Japanese, with 備案
        ("ICP 비안은 얼마나 걸리나요?", SIMPLIFIED, ENGLISH),
        ("我の店可以备案吗", SIMPLIFIED, SIMPLIFIED),  # one stylish の is still Chinese
    ],
)
def test_question_language_detection(text: str, fallback: str, expected: str) -> None:
    assert detect_text_language(text, fallback) == expected


def test_every_string_in_the_code_is_translated_in_every_catalog() -> None:
    template = extract()
    assert len(template) > 20
    placeholders = re.compile(r"\{[a-z_]+\}")
    for language in SUPPORTED_LANGUAGES:
        with po_path(language).open("rb") as handle:
            catalog = read_po(handle, locale=language)
        for message in template:
            if not message.id:
                continue
            translated = catalog.get(message.id)
            assert translated is not None, f"{language}: {message.id!r}"
            forms = texts_of(translated.string)  # one per plural form, for ngettext
            assert forms and all(forms), f"{language}: {message.id!r}"
            assert not translated.fuzzy, f"{language}: fuzzy {message.id!r}"
            source = message.id if isinstance(message.id, str) else message.id[-1]
            for form in forms:
                assert sorted(placeholders.findall(form)) == sorted(
                    placeholders.findall(source)
                ), f"{language}: placeholders differ in {message.id!r}"


def test_counts_use_plural_forms() -> None:
    translations = Translations.load()
    english = translations.get(ENGLISH)
    one, many = ("{count} recipient", "{count} recipients")
    assert english.ngettext(one, many, 1) == "{count} recipient"
    assert english.ngettext(one, many, 2) == "{count} recipients"
    assert translations.get(SIMPLIFIED).ngettext(one, many, 2) == "{count} 位收件人"


def test_translations_differ_per_update_not_globally() -> None:
    translations = Translations.load()
    english, simplified, traditional = (translations.get(code) for code in SUPPORTED_LANGUAGES)
    assert english.gettext("🏠 Main menu") == "🏠 Main menu"
    assert simplified.gettext("🏠 Main menu") == "🏠 主菜单"
    assert traditional.gettext("🏠 Main menu") == "🏠 主選單" or "主菜單" in traditional.gettext(
        "🏠 Main menu"
    )


def test_dates_and_numbers_follow_the_language() -> None:
    translations = Translations.load()
    day = date(2026, 3, 5)
    assert translations.get(ENGLISH).format_date(day) == "March 5, 2026"
    assert translations.get(SIMPLIFIED).format_date(day) == "2026年3月5日"
    assert translations.get(ENGLISH).format_number(12345.5) == "12,345.5"


def test_every_counted_noun_has_plural_forms() -> None:
    """A count next to a noun ("1 recipients") goes through ngettext, in every message."""
    counted = re.compile(r"\{(count|total)\} (?!of\b)[a-z]+|of \{total\} [a-z]+")
    singular_only = [
        message.id
        for message in extract()
        if isinstance(message.id, str) and counted.search(message.id)
    ]
    assert singular_only == []
