"""The data files' Traditional Chinese comes from ``bot/knowledge/traditional.json`` (written by
``make locales``), so the bot starts without loading OpenCC's Taiwan converter (about 27 MB)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

import bot.chinese
from bot.app import build_application
from bot.catalog_tools import data_file_traditional, traditional_json
from bot.config import DEFAULT_FAQ_PATH, Settings
from bot.faq.knowledge import load_knowledge
from bot.filing.catalogue import load_catalogue
from bot.i18n import ENGLISH, SIMPLIFIED, TRADITIONAL, detect_text_language
from bot.localized import GENERATED_TRADITIONAL_PATH, TraditionalTexts, generated_traditional
from tests.support.fake_bot_api import FakeBotApi

STALE = f"{GENERATED_TRADITIONAL_PATH.name} is out of date: run `make locales` and commit it"


def _no_converter() -> None:
    raise AssertionError("the Taiwan converter was loaded")


def test_every_generated_text_of_the_shipped_data_files_is_in_the_file() -> None:
    texts = TraditionalTexts(generated_traditional())
    load_knowledge(DEFAULT_FAQ_PATH, texts)
    load_catalogue(traditional=texts)
    assert len(texts.wanted) > 20
    assert texts.misses == [], STALE


def test_the_file_is_what_make_locales_writes() -> None:
    written = GENERATED_TRADITIONAL_PATH.read_text(encoding="utf-8")
    assert written == traditional_json(data_file_traditional()), STALE


def test_the_output_is_sorted_and_stable() -> None:
    texts = {"乙": "乙", "甲": "甲", "b": "b", "a": "a"}
    assert traditional_json(texts) == traditional_json(dict(reversed(texts.items())))
    assert traditional_json(texts).splitlines()[1:3] == ['  "a": "a",', '  "b": "b",']


def test_starting_the_bot_does_not_load_the_taiwan_converter(
    monkeypatch: pytest.MonkeyPatch, make_settings: Callable[..., Settings]
) -> None:
    monkeypatch.setattr(bot.chinese, "_taiwan_converter", _no_converter)
    application = build_application(make_settings(), request=FakeBotApi())  # every data file
    assert application.bot_data
    assert load_knowledge(DEFAULT_FAQ_PATH).entries[0].answer.zh_Hant


def test_a_text_missing_from_the_file_is_still_converted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    faq = tmp_path / "faq.toml"
    faq.write_text(
        """
[[topic]]
id = "basics"
title = { en = "Testing", zh_Hans = "测试软件和视频信息" }

[[entry]]
id = "printing"
topic = "basics"
title = { en = "Printing", zh_Hans = "大陆服务器", zh_Hant = "手寫的標題" }
answer = { en = "Print and sign.", zh_Hans = "请打印后签字，不要翻拍屏幕。" }
questions = { en = ["printing"], zh_Hans = ["打印"] }
""",
        encoding="utf-8",
    )
    with caplog.at_level(logging.INFO, logger="bot.localized"):
        knowledge = load_knowledge(faq)
    assert knowledge.topics[0].title.zh_Hant == "測試軟體和影片資訊"
    assert knowledge.entries[0].title.zh_Hant == "手寫的標題"  # hand-written: kept
    assert knowledge.entries[0].answer.zh_Hant == "請列印後簽字，不要翻拍螢幕。"
    [record] = [r for r in caplog.records if r.name == "bot.localized"]
    assert record.levelno == logging.INFO
    assert str(faq) in record.getMessage()
    assert "2 Traditional Chinese text(s)" in record.getMessage()
    assert "make locales" in record.getMessage()


def test_no_line_is_logged_when_the_file_is_current(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="bot.localized"):
        load_knowledge(DEFAULT_FAQ_PATH)
        load_catalogue()
    assert [r for r in caplog.records if r.name == "bot.localized"] == []


def test_reading_a_traditional_question_does_not_load_the_taiwan_converter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bot.chinese, "_taiwan_converter", _no_converter)
    assert detect_text_language("備案需要多久？伺服器在香港可以嗎", ENGLISH) == TRADITIONAL
    assert detect_text_language("备案需要多久？服务器在香港可以吗", ENGLISH) == SIMPLIFIED
