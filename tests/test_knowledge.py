"""The FAQ data file: the shipped one is complete, and broken ones are refused clearly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import DEFAULT_FAQ_PATH
from bot.faq.knowledge import KnowledgeError, load_knowledge
from bot.i18n import ENGLISH, SIMPLIFIED, TRADITIONAL, Translations
from bot.services.agency import AgencyInfo
from bot.services.faq import FaqService

REQUIRED_ENTRIES = {
    "what_is_icp",
    "filing_vs_licence",
    "why_needed",
    "foreigners",
    "hk_macau_taiwan",
    "foreign_company",
    "how_to_get",
    "duration",
    "process_steps",
    "fees",
    "documents_individual",
    "documents_company",
    "verification_photo",
    "rejection",
    "display_number",
    "data_privacy",
    # issue 11: what real clients ask
    "app_miniprogram_filing",
    "filing_revoked",
    "cancel_filing",
    "switch_provider",
    "add_website",
    "cdn_overseas",
    "subdomains",
    "multiple_domains",
    "server_term",
    "personal_site_content",
    "alibaba_international",
    "edi_licence",
    "without_icp",
    "timeline_number",
    "approval_odds",
    # recurring real topics with no entry before
    "filing_validity",
    "lost_password_account",
    "already_filed_conflict",
    "ip_filing",
    "lookup_filing",
    "unreachable_after_approval",
}

VALID = """
[[topic]]
id = "basics"
title = { en = "Basics", zh_Hans = "基础知识" }

[[entry]]
id = "what_is_icp"
topic = "basics"
title = { en = "What is ICP?", zh_Hans = "什么是ICP备案？" }
answer.en = "An <b>ICP filing</b> is a registration. Ask {agency_name}."
answer.zh_Hans = "ICP备案是一种登记。"
questions.en = ["what is icp"]
questions.zh_Hans = ["什么是备案"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "faq.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_faq_covers_the_required_topics_in_every_language() -> None:
    knowledge = load_knowledge(DEFAULT_FAQ_PATH)
    # a topic merged into a broader entry is still answered, by that entry
    assert all(knowledge.find_entry(entry_id) for entry_id in REQUIRED_ENTRIES)
    for entry in knowledge.entries:
        for text in (*entry.answer.all(), *entry.title.all()):
            assert text.strip()
        assert entry.answer.zh_Hant != entry.answer.zh_Hans or not any(
            ch in entry.answer.zh_Hans for ch in "这们说会时间个对"
        )


def test_answers_to_recurring_real_questions_state_the_current_facts() -> None:
    """Corrected facts of issue 11: a client asking these gets today's rule, in both languages."""
    entries = {entry.id: entry for entry in load_knowledge(DEFAULT_FAQ_PATH).entries}
    facts = {
        "filing_validity": ("no expiry date", "没有有效期"),
        "lost_password_account": ("17 August 2020", "2020年8月17日"),
        "already_filed_conflict": ("cancellation form", "注销申请表"),
        "ip_filing": ("does not support filing an IP address", "不支持IP地址备案"),
        "cancel_filing": ("17 August 2020", "2020年8月17日"),
        "sms_verification": ("24 hours", "24小时"),
        "foreigners": ("Tianjin", "天津"),
    }
    for entry_id, (english, chinese) in facts.items():
        assert english in entries[entry_id].answer.en, entry_id
        assert chinese in entries[entry_id].answer.zh_Hans, entry_id


def test_prices_come_from_the_configuration(tmp_path: Path) -> None:
    knowledge = load_knowledge(
        write(
            tmp_path,
            VALID.replace("Ask {agency_name}.", "Fees: {agency_prices}").replace(
                "ICP备案是一种登记。", "费用：{agency_prices}"
            ),
        )
    )
    entry = knowledge.entries[0]
    catalogs = Translations.load()
    prices = "Personal: ¥800 | Company <b>: ¥1,500 |"
    priced = FaqService(knowledge, AgencyInfo("A", prices=prices))
    assert priced.render_answer(entry, catalogs.get(ENGLISH)).endswith(
        "Fees: Personal: ¥800\nCompany &lt;b&gt;: ¥1,500"
    )
    unpriced = FaqService(knowledge, AgencyInfo("A"))
    asked = unpriced.render_answer(entry, catalogs.get(SIMPLIFIED))
    assert asked == "费用：如需报价，请点击“联系人工客服”。"


def test_shipped_fees_answer_shows_the_configured_prices() -> None:
    fees = load_knowledge(DEFAULT_FAQ_PATH).find_entry("fees")
    assert fees is not None
    assert all("{agency_prices}" in text for text in fees.answer.all())


def test_traditional_is_generated_when_absent(tmp_path: Path) -> None:
    knowledge = load_knowledge(write(tmp_path, VALID))
    assert knowledge.entries[0].title.zh_Hant == "什麼是ICP備案？"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ('topic = "basics"\ntitle = { en = "What', 'topic = "nope"\ntitle = { en = "What'),
            "unknown topic 'nope'",
        ),
        (("<b>ICP filing</b>", "<u>ICP filing</u>"), "tag <u> is not allowed"),
        (("<b>ICP filing</b>", "<b>ICP filing"), "<b> is never closed"),
        (("{agency_name}", "{agency_nmae}"), "unknown placeholder(s): agency_nmae"),
        (('answer.zh_Hans = "ICP备案是一种登记。"\n', ""), "answer.zh_Hans"),
        (("questions.en = [", "questions.en = 3\nx = ["), "entry 'what_is_icp'"),
    ],
)
def test_invalid_files_are_refused_with_the_reason(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(write(tmp_path, VALID.replace(*change)))
    assert message in str(error.value)


def test_duplicate_ids_and_bad_toml(tmp_path: Path) -> None:
    duplicated = VALID + VALID.split("[[entry]]")[1].join(["[[entry]]", ""])
    with pytest.raises(KnowledgeError, match="used twice"):
        load_knowledge(write(tmp_path, duplicated))
    with pytest.raises(KnowledgeError, match="not valid TOML"):
        load_knowledge(write(tmp_path, VALID + "\n[[entry]\n"))
    with pytest.raises(KnowledgeError, match="does not exist"):
        load_knowledge(tmp_path / "missing.toml")


def test_a_merged_entry_answers_for_the_entries_it_replaced(tmp_path: Path) -> None:
    merged = VALID.replace('topic = "basics"\n', 'topic = "basics"\nformerly = ["icp_meaning"]\n')
    knowledge = load_knowledge(write(tmp_path, merged))
    assert knowledge.find_entry("icp_meaning") is knowledge.find_entry("what_is_icp")
    assert knowledge.current_id("icp_meaning") == "what_is_icp"
    assert knowledge.current_id("fees") == "fees"  # unknown ids are left alone
    clash = VALID.replace('topic = "basics"\n', 'topic = "basics"\nformerly = ["what_is_icp"]\n')
    with pytest.raises(KnowledgeError, match="used twice"):
        load_knowledge(write(tmp_path, clash))


@pytest.mark.parametrize("language", [SIMPLIFIED, TRADITIONAL])
def test_answers_name_the_staff_button_as_it_reads(language: str) -> None:
    """An answer that tells the client to press the staff button quotes the button's label."""
    label = Translations.load().get(language).gettext("🙋 Talk to staff").removeprefix("🙋 ")
    quoted = {
        quote
        for entry in load_knowledge(DEFAULT_FAQ_PATH).entries
        for quote in re.findall(r"[「“]([^」”]*客服)[」”]", entry.answer.get(language))
    }
    assert quoted <= {label}, quoted
