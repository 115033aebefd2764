"""Traditional Chinese is written for Taiwan: no mainland-only words in anything a client reads.

The catalogue, the FAQ (topic titles, entry titles and answers, generated or hand-written) and
the application steps are checked as the bot shows them in zh_Hant, whatever entries the data
files hold. Example questions are not checked: they are how clients type, never shown.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from babel.messages.pofile import read_po

from bot.catalog_tools import MANUAL, po_path, texts_of
from bot.chinese import (
    TAIWAN_FIXES,
    _taiwan_converter,
    is_traditional,
    mainland_terms,
    taiwan_fixes,
    to_traditional,
)
from bot.config import DEFAULT_FAQ_PATH
from bot.faq.knowledge import load_knowledge
from bot.filing.catalogue import load_catalogue
from bot.i18n import TRADITIONAL
from bot.services.broadcasts import texts_for


@pytest.mark.parametrize(
    ("simplified", "taiwan"),
    [
        ("测试软件和视频信息", "測試軟體和影片資訊"),
        ("大陆服务器", "大陸伺服器"),
        ("管局审核中", "管局審核中"),
        ("待短信核验", "待簡訊核驗"),
        ("已完成人脸核验", "已完成人臉核驗"),
        ("我们会为您核实", "我們會為您核實"),
        ("华为云、阿里云、腾讯云", "華為雲、阿里雲、騰訊雲"),
        ("请打印后签字", "請列印後簽字"),
        ("不要翻拍屏幕", "不要翻拍螢幕"),
        ("默认设置", "預設設定"),
        ("网络质量", "網路品質"),
        ("一个云账号", "一個雲帳號"),
        ("电子邮箱地址", "電子郵件地址"),
        ("手机号和邮箱", "手機號碼和電子郵件"),
        ("中国大陆手机号码", "中國大陸手機號碼"),
        ("扫描二维码", "掃描QR碼"),
        ("我们会在这里通知您", "我們會在這裡通知您"),
        ("1–2 个工作日内核对每一份材料", "1–2 個工作日內核對每一份材料"),
        ("3 天内核验", "3 天內核驗"),
        ("✅ 好消息：您可以办理备案。", "✅ 好消息：您可以辦理備案。"),
        ("已提交至通信管理局", "已提交至通信管理局"),
        ("音视频或直播", "影音或直播"),
        ("注销备案", "註銷備案"),
        ("感谢您的反馈", "感謝您的回饋"),
        ("整个流程一般需要1–4周", "整個流程一般需要1–4週"),
        ("请点击“联系人工客服”", "請點選「聯絡人工客服」"),
        ("发送 /help 查看 {agency_name}", "傳送 /help 檢視 {agency_name}"),
        ("<b>ICP备案</b> example.com", "<b>ICP備案</b> example.com"),
    ],
)
def test_simplified_becomes_taiwan_traditional(simplified: str, taiwan: str) -> None:
    assert to_traditional(simplified) == taiwan


def test_fixes_are_stable_and_never_produce_a_mainland_term() -> None:
    for wrong, right in TAIWAN_FIXES.items():
        assert taiwan_fixes(right) == right, f"{wrong} → {right} is changed again"
        assert not mainland_terms(right), f"{wrong} → {right}"


def test_mainland_terms_counts_each_occurrence_once() -> None:
    found = mainland_terms("審覈和覈驗，爲了服務器和服務器")
    assert found == ["服務器", "服務器", "審覈", "覈驗", "爲"]
    assert mainland_terms(["伺服器", "資訊"]) == []


def test_one_converter_is_loaded_once() -> None:
    to_traditional("服务器")
    to_traditional("视频")
    assert _taiwan_converter.cache_info().currsize == 1


def test_detection_still_sees_traditional_characters() -> None:
    assert is_traditional("外國人可以申請備案嗎？")
    assert is_traditional("伺服器在哪裡")
    assert not is_traditional("服务器在哪里")
    assert not is_traditional("多久")


def test_broadcasts_are_converted_for_taiwan() -> None:
    texts = texts_for("Testing software and video information", "测试软件和视频信息")
    assert texts[TRADITIONAL] == "測試軟體和影片資訊"
    assert not mainland_terms(texts[TRADITIONAL])


def _problems(texts: Iterator[tuple[str, str]]) -> list[str]:
    return [
        f"{where}: {', '.join(terms)}" for where, text in texts if (terms := mainland_terms(text))
    ]


def test_the_traditional_catalogue_has_no_mainland_terms() -> None:
    with po_path(TRADITIONAL).open("rb") as handle:
        catalog = read_po(handle, locale=TRADITIONAL)
    entries = [
        (str(message.id), text)
        for message in catalog
        if message.id
        for text in texts_of(message.string)
    ]
    assert len(entries) > 20
    assert _problems(iter(entries)) == []  # write such entries by hand, marked "# manual"


def test_manual_entries_are_kept_by_the_catalog_tool() -> None:
    with po_path(TRADITIONAL).open("rb") as handle:
        catalog = read_po(handle, locale=TRADITIONAL)
    manual = [message for message in catalog if MANUAL in message.user_comments]
    assert manual and all(message.string for message in manual)


def _faq_texts() -> Iterator[tuple[str, str]]:
    knowledge = load_knowledge(DEFAULT_FAQ_PATH)
    for topic in knowledge.topics:
        yield f"topic {topic.id} title", topic.title.zh_Hant
    for entry in knowledge.entries:
        yield f"entry {entry.id} title", entry.title.zh_Hant
        yield f"entry {entry.id} answer", entry.answer.zh_Hant


def _localized_texts(node: object, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == TRADITIONAL and isinstance(value, str):
                yield where, value
            else:
                yield from _localized_texts(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _localized_texts(value, f"{where}[{index}]")


def test_the_faq_in_traditional_has_no_mainland_terms() -> None:
    texts = list(_faq_texts())
    assert len(texts) > 20
    assert _problems(iter(texts)) == []


def test_the_application_steps_in_traditional_have_no_mainland_terms() -> None:
    texts = list(_localized_texts(load_catalogue().model_dump(), "application"))
    assert len(texts) > 10
    assert _problems(iter(texts)) == []
