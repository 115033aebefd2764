"""The forms clients sign (核验单, 承诺书, 授权书, 告知书): the step's card sends the template the
data file names for the client's provider and province, filled in with their data – in English
and in Chinese, from the shipped defaults or the agency's own folder."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from docx import Document

from bot.config import Settings
from bot.filing.catalogue import load_catalogue
from bot.filing.default_forms import DEFAULT_FORMS, SHIPPED_TEMPLATES
from bot.filing.form_templates import FormTemplate, templates_for_step
from bot.filing.forms import BLANK, docx_text, fill_docx
from tests.support.fake_bot_api import ApiCall
from tests.support.harness import Client, Harness, last_reply, running_bot


def documents(calls: list[ApiCall]) -> list[ApiCall]:
    return [call for call in calls if call.method == "sendDocument"]


def sent_text(call: ApiCall) -> str:
    """The text of the .docx the client received (it must open as a Word document)."""
    assert call.files is not None and call.delivered
    return docx_text(call.files["document"])


async def individual_with_details(client: Client, provider: str) -> None:
    await client.press("app:start")
    await client.press("app:type:mainland_individual")
    await client.press("app:choose:filing_type:first")
    await client.press("app:choose:province:beijing")
    await client.press(f"app:choose:hosting_provider:{provider}")
    await client.press("app:goto:website_name")
    await client.say("星辰设计作品集")
    await client.say("anna-design.com")
    await client.say("13912345678")


async def test_the_verification_step_sends_a_filled_in_form_in_english(harness: Harness) -> None:
    client = Client(harness, user_id=6101, language_code="en")
    await individual_with_details(client, "aliyun")
    card = last_reply(await client.press("app:goto:verification_form"))
    assert "form to sign is below" in card.text
    labels = [label for label, _data in card.buttons]
    assert any("Verification form" in label for label in labels)
    assert any("Commitment letter" in label for label in labels)
    assert not any("Responsibility notice" in label for label in labels)  # not Alibaba's

    calls = await client.press_on(card, "Verification form")
    [sent] = documents(calls)
    assert int(sent.params["chat_id"]) == 6101
    assert "Print it" in str(sent.params["caption"])
    text = sent_text(sent)
    assert "网站备案信息真实性核验单" in text
    assert "星辰设计作品集" in text and "anna-design.com" in text and "13912345678" in text
    assert "阿里云" in text and "中国大陆个人" in text
    assert "{{" not in text and BLANK in text  # the name is not known yet: a line to write on

    letter = sent_text(documents(await client.press_on(card, "Commitment letter"))[0])
    assert "承诺书" in letter and "星辰设计作品集" in letter


async def test_the_authorisation_letter_step_sends_the_letter_in_chinese(
    harness: Harness,
) -> None:
    client = Client(harness, user_id=6102, first_name="李雷", language_code="zh-hans")
    await client.press("app:start")
    await client.press("app:type:mainland_company")
    await client.press("app:choose:filing_type:first")
    await client.press("app:choose:province:beijing")
    await client.press("app:choose:hosting_provider:huawei")
    await client.press("app:choose:legal_rep_in_charge:no")
    await client.press("app:goto:domain")
    await client.say("xingchen-tech.cn")
    card = last_reply(await client.press("app:goto:authorisation_letter"))
    assert "需签字的表格在下方" in card.text
    [sent] = documents(await client.press_on(card, "授权书"))
    assert "打印" in str(sent.params["caption"])
    text = sent_text(sent)
    assert "授权书" in text and "xingchen-tech.cn" in text and "华为云" in text

    form_card = last_reply(await client.press("app:goto:verification_form"))
    # Huawei Cloud asks for the responsibility notice too.
    [notice] = documents(await client.press_on(form_card, "真实性责任告知书"))
    assert "告知书" in sent_text(notice) and "xingchen-tech.cn" in sent_text(notice)


async def test_the_agency_folder_and_a_stale_button(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    own = Document()
    paragraph = own.add_paragraph("Agency form for ")
    paragraph.add_run("{{dom")  # Word split the placeholder into runs
    paragraph.add_run("ain}} by {{nobody}}")
    own.save(str(folder / "verification_form.docx"))
    async with running_bot(make_settings(templates_dir=folder)) as harness:
        client = Client(harness, user_id=6103, language_code="en")
        await individual_with_details(client, "tencent")
        card = last_reply(await client.press("app:goto:verification_form"))
        text = sent_text(documents(await client.press_on(card, "Verification form"))[0])
        assert text == f"Agency form for anna-design.com by {BLANK}"
        # A form the agency did not replace comes from the shipped defaults.
        assert "承诺书" in sent_text(documents(await client.press_on(card, "Commitment"))[0])

        stale = await client.press("form:no_such_form")
        assert not documents(stale)
        assert any("out of date" in str(c.params.get("text", "")) for c in stale)
        other = Client(harness, user_id=6104, language_code="en")  # no application at all
        assert not documents(await other.press("form:verification_form"))


def test_provider_and_province_choose_the_file() -> None:
    catalogue = load_catalogue()
    notice = next(t for t in catalogue.template if t.id == "responsibility_notice")
    assert notice.offered("huawei", None) and notice.offered("aliyun", "jiangsu")
    assert not notice.offered("aliyun", None) and not notice.offered("tencent", "zhejiang")
    offered = templates_for_step(catalogue.template, "verification_form", "aliyun", "jiangsu")
    assert [t.id for t in offered] == [
        "verification_form",
        "commitment_letter",
        "responsibility_notice",
    ]
    form = FormTemplate.model_validate(
        {
            "id": "verification_form",
            "title": {"en": "Form", "zh_Hans": "核验单"},
            "steps": ["verification_form"],
            "file": "default.docx",
            "variants": [
                {"provider": "aliyun", "file": "aliyun/form.docx"},
                {"province": "jiangsu", "file": "jiangsu/form.docx"},
                {"provider": "aliyun", "province": "jiangsu", "file": "aliyun/jiangsu.docx"},
            ],
        }
    )
    assert form.file_for("aliyun", "jiangsu") == "aliyun/jiangsu.docx"
    assert form.file_for("aliyun", None) == "aliyun/form.docx"
    assert form.file_for("tencent", "jiangsu") == "jiangsu/form.docx"
    assert form.file_for("tencent", None) == "default.docx"


def test_the_shipped_forms_are_current_and_fill_in() -> None:
    for name, build in DEFAULT_FORMS.items():
        shipped = (SHIPPED_TEMPLATES / name).read_bytes()
        fresh = io.BytesIO()
        build().save(fresh)
        assert docx_text(shipped) == docx_text(fresh.getvalue()), (
            f"{name} is stale: run python -m bot.filing.default_forms"
        )
        filled = docx_text(fill_docx(shipped, {"domain": "example.cn", "date": "2026年1月2日"}))
        assert "{{" not in filled and "2026年1月2日" in filled
    for template in load_catalogue().template:
        assert (SHIPPED_TEMPLATES / template.file).is_file(), template.file
