"""Every kind of filing, walked by a client from the triage to the staff's last move, in English
and Chinese; province rules that change the checklist, the verdict and the expected date; and
the wrong advice of issue 12 ("Why"), each fixed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.context import services_of
from bot.filing.catalogue import ItemKind, Validator, load_catalogue
from bot.filing.eligibility import Condition, Verdict, assess
from bot.filing.provinces import expected_review_days, load_provinces
from bot.filing.stages import Outcome, Stage, next_expected, staff_moves
from storage.models import FilingApplication
from tests.support.fake_bot_api import ApiCall
from tests.support.harness import Client, Harness, last_reply, replies, running_bot
from tests.support.image_samples import encode, make_document
from tests.test_staff_stages import StaffChat, to

CATALOGUE = load_catalogue()
PROVINCES = load_provinces()
TYPES = [kind.id for kind in CATALOGUE.filing_type]
TEXTS = {
    Validator.WEBSITE_NAME: "星辰设计作品集",
    Validator.DOMAIN: "xingchen-design.com",
    Validator.MOBILE: "13912345678",
    Validator.EMAIL: "hi@xingchen-design.com",
    Validator.DESCRIPTION: "星辰设计工作室的作品集网站，展示室内设计案例和联系方式。",
    Validator.ICP_NUMBER: "京ICP备12345678号-1",
    Validator.ENTITY_NAME: "张三",
    Validator.CREDIT_CODE: "91110000600037341L",
    Validator.RESIDENT_ID: "11010519491231002X",
    Validator.TRAVEL_DOCUMENT: "E12345678",
    Validator.IDENTITY_NUMBER: "11010519491231002X",
    Validator.DOCUMENT_VALIDITY: "长期",
    Validator.ADDRESS: "北京市朝阳区建国路88号1栋101室",
    Validator.PHONE: "010-12345678",
    Validator.ENTITY_MOBILE: "13812345678",
    Validator.DOMAIN_HOLDER: "张三",
}
APPROVALS = {
    Outcome.ICP_NUMBER: "京ICP备12345678号-2",
    Outcome.PSB_NUMBER: "京公网安备11010502030143号",
    Outcome.DONE: "done",
}
FORWARD = (Stage.WITH_PROVIDER, Stage.AT_BUREAU, Stage.SMS_DUE, Stage.BUREAU_REVIEW)
BASE = {"hosting": "mainland", "domain": "ready", "content": "none"}


def good_scan(seed: int) -> bytes:
    return encode(make_document((1800, 1150), seed=seed), quality=92)


async def _application(harness: Harness) -> FilingApplication:
    async with services_of(harness.application).database.sessions() as session:
        application = await session.scalar(
            select(FilingApplication).order_by(FilingApplication.id.desc())
        )
        assert application is not None
        return application


def _texts(calls: list[ApiCall]) -> list[str]:
    return [call.text for call in replies(calls)]


async def walk(
    harness: Harness,
    client: Client,
    filing_type: str,
    applicant: str,
    choices: dict[str, str],
) -> list[str]:
    """Open an application, pick the kind of filing by its button, then answer every step the
    bot asks for (the choices given, else the first option) until the review; submit."""
    seen: list[str] = []
    await client.press("app:start")
    calls = await client.press(f"app:type:{applicant}")
    seen += _texts(calls)
    language = {"en": "en", "zh-hans": "zh_Hans", "zh-hant": "zh_Hant"}[client.language_code]
    kind = CATALOGUE.find_filing_type(filing_type)
    assert kind is not None
    calls = await client.press_on(last_reply(calls), kind.title.get(language))
    seen += _texts(calls)
    for seed in range(40):
        application = await _application(harness)
        step = application.current_step
        if step == "review":
            break
        item = CATALOGUE.find_item(step or "")
        assert item is not None, step
        if item.kind is ItemKind.CHOICE:
            value = choices.get(item.id, item.options[0].value)
            calls = await client.press(f"app:choose:{item.id}:{value}")
        elif item.kind is ItemKind.IMAGE:
            calls = await client.send_document(good_scan(seed + 1), f"{item.id}.jpg")
        elif item.kind is ItemKind.TEXT:
            assert item.validator is not None
            calls = await client.say(TEXTS[item.validator])
        else:
            calls = await client.press("verify:face")
        seen += _texts(calls)
    else:
        raise AssertionError("the application never reached its review")
    checklist = last_reply(await client.press("app:list"))
    seen.append(checklist.text)
    done = await client.press("app:submit")
    seen += _texts(done)
    assert (await _application(harness)).status == "submitted", seen[-3:]
    return seen


async def staff_walk(harness: Harness, client: Client, number: int, outcome: Outcome) -> list[str]:
    """Staff move the application forward through its kind's stages, then approve it."""
    staff = StaffChat(harness)
    notices: list[str] = []
    for stage in FORWARD:
        await staff.say(f"/app {number}")
        application = await _application(harness)
        kind = CATALOGUE.filing_type_of(application.answers)
        assert kind is not None
        if stage in staff_moves(Stage(application.status), kind.stages):
            notices += to(await staff.press(f"stage:{number}:{stage.value}"), client.user_id)
    calls = await staff.say(f"/approve {number} {APPROVALS[outcome]}")
    notices += to(calls, client.user_id)
    assert (await _application(harness)).status == "approved", notices
    export = await staff.say(f"/export {number}")
    assert any(call.method == "sendDocument" for call in export)
    return notices


ENGLISH_SUMMARY = {kind.id: kind.summary.en[:40] for kind in CATALOGUE.filing_type}
CHINESE_SUMMARY = {kind.id: kind.summary.zh_Hans[:12] for kind in CATALOGUE.filing_type}


@pytest.mark.parametrize("filing_type", TYPES)
async def test_every_filing_type_in_english(harness: Harness, filing_type: str) -> None:
    client = Client(harness, user_id=8100 + TYPES.index(filing_type), language_code="en")
    kind = CATALOGUE.find_filing_type(filing_type)
    assert kind is not None
    applicant = "mainland_company" if TYPES.index(filing_type) % 2 else "mainland_individual"
    seen = await walk(
        harness, client, filing_type, applicant, {"province": "zhejiang", "cancel_confirm": "yes"}
    )
    text = "\n".join(seen)
    assert ENGLISH_SUMMARY[filing_type] in text  # what this kind of filing is
    assert f"Kind of filing: <b>{kind.title.en}</b>" in text and "Zhejiang" in text
    assert "30 working days" in text  # the province's review time
    if kind.existing_filing:
        assert "existing <b>filing number</b>" in text  # “Its number?”
    if filing_type == "cancel_access":
        assert "No MIIT SMS check" in text and "face check" not in text
    elif filing_type.startswith("cancel"):
        assert "MIIT sends a verification SMS" in text and "cannot be undone" in text
    if kind.offline.value == "until_approval":
        assert "offline" in text
    if filing_type == "access":
        assert "may stay online" in text
    if filing_type == "app":
        assert "Bundle ID" in text
    if filing_type == "public_security":
        assert "users post" in text and "30 days" in text
    assert "was submitted" in text

    number = (await _application(harness)).id
    notices = "\n".join(await staff_walk(harness, client, number, kind.outcome))
    if kind.sms.value == "none":
        assert "24 hours" not in notices and "SMS code" not in notices
        if Stage.AT_BUREAU in kind.stages:
            assert "No SMS check" in notices
    else:
        assert "within minutes" in notices and "within 24 hours" in notices
        assert "In Zhejiang this takes up to 30 working days" in notices
    if kind.outcome is Outcome.ICP_NUMBER:
        assert "京ICP备12345678号-2" in notices
    elif kind.outcome is Outcome.PSB_NUMBER:
        assert "京公网安备11010502030143号" in notices and "public-security" in notices
    else:
        assert f"Done:</b> {kind.title.en} is complete" in notices


@pytest.mark.parametrize("filing_type", TYPES)
async def test_every_filing_type_in_chinese(harness: Harness, filing_type: str) -> None:
    traditional = filing_type == "first"  # once in Traditional Chinese, for Taiwan readers
    language = "zh-hant" if traditional else "zh-hans"
    client = Client(harness, user_id=8200 + TYPES.index(filing_type), language_code=language)
    kind = CATALOGUE.find_filing_type(filing_type)
    assert kind is not None
    seen = await walk(
        harness,
        client,
        filing_type,
        "mainland_individual",
        {"province": "guangdong", "cancel_confirm": "yes", "id_local": "yes"},
    )
    text = "\n".join(seen)
    if traditional:
        assert "備案類型" in text and kind.summary.zh_Hant[:12] in text and "廣東" in text
        assert "已提交" in text
    else:
        assert "备案类型" in text and CHINESE_SUMMARY[filing_type] in text and "广东" in text
        assert "20 个工作日" in text and "已提交" in text
        if kind.existing_filing:
            assert "现有的<b>备案号</b>" in text
        if filing_type == "cancel_access":
            assert "不需要工信部短信核验" in text
    number = (await _application(harness)).id
    notices = "\n".join(await staff_walk(harness, client, number, kind.outcome))
    if not traditional and kind.outcome is Outcome.DONE:
        assert f"已完成：</b>{kind.title.zh_Hans}" in notices
    if not traditional and kind.sms.value == "required":
        assert "24 小时" in notices


def test_each_filing_type_has_its_own_steps() -> None:
    def steps(kind: str, applicant: str = "mainland_individual") -> list[str]:
        answers = {"filing_type": kind, "province": "beijing"}
        return [item.id for item in CATALOGUE.steps_for(applicant, answers)]

    first = steps("first")
    assert "icp_number" not in first and "website_name" in first and "verification" in first
    for kind in ("new_website", "access", "change_entity", "cancel_website", "public_security"):
        assert steps(kind)[:4] == ["filing_type", "province", "icp_number", "hosting_provider"]
    assert "previous_provider" in steps("access") and "website_name" not in steps("access")
    assert "change_details" in steps("change_entity")
    cancel = steps("cancel_access")
    assert "cancel_confirm" in cancel and "verification" not in cancel
    assert "app_details" in steps("app") and "domain" not in steps("app")
    assert "psb_interactive" in steps("public_security")
    profiles = set()
    for kind in CATALOGUE.filing_type:  # no two alike in steps, SMS and stages
        profiles.add((tuple(steps(kind.id)), kind.sms, tuple(kind.stages), kind.offline))
    assert len(profiles) == len(TYPES)


def test_a_province_rule_changes_the_checklist() -> None:
    def steps(province: str, applicant: str, **answers: str) -> dict[str, bool]:
        chosen = {"filing_type": "first", "province": province, **answers}
        return {item.id: item.required for item in CATALOGUE.steps_for(applicant, chosen)}

    delegated = {"legal_rep_in_charge": "no", "person_in_charge_document": "id_card"}
    assert steps("shanghai", "mainland_company", **delegated)["authorisation_letter"] is True
    unknown = [
        item
        for item in CATALOGUE.steps_for(
            "mainland_company", {"province": "beijing", "legal_rep_in_charge": "no"}
        )
        if item.id == "authorisation_letter"
    ]
    assert unknown and not unknown[0].required and unknown[0].staff_confirm  # staff confirm
    assert "party_building_proof" in steps("xinjiang", "mainland_company")
    assert "party_building_proof" not in steps("beijing", "mainland_company")
    assert "responsibility_notice" in steps("jiangsu", "mainland_individual")
    assert "responsibility_notice" not in steps("guangdong", "mainland_individual")
    assert steps("shanghai", "mainland_individual", id_local="no")["residence_permit"] is True
    assert "residence_permit" not in steps("xinjiang", "mainland_individual", id_local="no")


def test_the_person_in_charge_id_back_is_not_asked_for_a_passport() -> None:
    answers = {"legal_rep_in_charge": "no", "province": "tianjin"}
    passport = [
        item.id
        for item in CATALOGUE.steps_for(
            "mainland_company", {**answers, "person_in_charge_document": "passport"}
        )
    ]
    assert "person_in_charge_id_front" in passport and "person_in_charge_id_back" not in passport
    card = [
        item.id
        for item in CATALOGUE.steps_for(
            "mainland_company", {**answers, "person_in_charge_document": "id_card"}
        )
    ]
    assert "person_in_charge_id_back" in card


def test_expected_review_days_follow_the_province() -> None:
    assert expected_review_days("zhejiang") == 30
    assert expected_review_days("beijing") == 20 and expected_review_days(None) == 20
    moved = datetime(2026, 11, 30, 2, tzinfo=UTC)
    monday = date(2026, 11, 30)
    zhejiang = next_expected(Stage.BUREAU_REVIEW, moved, monday, expected_review_days("zhejiang"))
    beijing = next_expected(Stage.BUREAU_REVIEW, moved, monday, expected_review_days("beijing"))
    assert zhejiang is not None and beijing is not None and zhejiang > beijing


def test_the_province_is_read_from_id_and_credit_code_numbers() -> None:
    found = PROVINCES.from_id_number("44030119900101123x")
    assert found is not None and found.id == "guangdong"
    code = PROVINCES.from_credit_code("91310000MA1FL8XQ0K")
    assert code is not None and code.id == "shanghai"
    assert PROVINCES.from_id_number("12345") is None and PROVINCES.from_credit_code("x") is None


def test_staff_moves_skip_the_stages_a_kind_does_not_have() -> None:
    cancel_access = CATALOGUE.find_filing_type("cancel_access")
    public_security = CATALOGUE.find_filing_type("public_security")
    assert cancel_access is not None and public_security is not None
    after_provider = staff_moves(Stage.WITH_PROVIDER, cancel_access.stages)
    assert Stage.APPROVED in after_provider and Stage.AT_BUREAU not in after_provider
    assert Stage.AT_BUREAU in staff_moves(Stage.SUBMITTED, public_security.stages)
    assert Stage.WITH_PROVIDER not in staff_moves(Stage.SUBMITTED, public_security.stages)


def test_a_positive_verdict_lists_its_conditions() -> None:
    company = assess({**BASE, "applicant": "mainland_company", "province": "guangdong"})
    assert company.verdict is Verdict.CAN_APPLY
    assert set(company.conditions) == {
        Condition.LICENCE_PROVINCE,
        Condition.SERVER_TERM,
        Condition.DOMAIN_HOLDER,
        Condition.OFFLINE,
    }
    refused = assess({**BASE, "applicant": "non_mainland_individual", "province": "hebei"})
    assert refused.verdict is Verdict.NOT_IN_PROVINCE and not refused.conditions
    accepted = assess({**BASE, "applicant": "non_mainland_individual", "province": "tianjin"})
    assert accepted.verdict is Verdict.CAN_APPLY


async def eligibility(client: Client, applicant: str, province: str) -> ApiCall:
    calls = await client.press("menu:eligibility")
    for label in (applicant, province, "mainland China", "approved registrar", "No, none"):
        calls = await client.press_on(last_reply(calls), label)
    return last_reply(calls)


async def test_a_verdict_explains_itself_with_the_province(harness: Harness) -> None:
    client = Client(harness, user_id=8301, language_code="en")
    verdict = await eligibility(client, "Mainland company", "Zhejiang")
    assert "you can file" in verdict.text
    for part in ("<b>Why</b>", "<b>Conditions</b>", "<b>Next steps</b>", "<b>In Zhejiang</b>"):
        assert part in verdict.text or part == "<b>Why</b>"
    assert "at least 3 months" in verdict.text and "offline" in verdict.text
    assert "applicant's own name" in verdict.text and "issued in Zhejiang" in verdict.text
    assert "within 30 working days" in verdict.text  # the province changes the date
    assert "must be the legal representative" in verdict.text

    shanghai = await eligibility(client, "Mainland company", "Shanghai")
    assert "electronic business licences" in shanghai.text
    assert "needs an authorisation letter" in shanghai.text
    beijing = await eligibility(client, "Mainland company", "Beijing")
    assert "authorisation letter" in beijing.text and "staff will confirm" in beijing.text

    hebei = await eligibility(client, "foreign individual", "Hebei")
    assert "Not in this province" in hebei.text and "Start my application" not in str(
        hebei.buttons
    )
    tianjin = await eligibility(client, "foreign individual", "Tianjin")
    assert "accepts a passport" in tianjin.text and "Start my application" in str(tianjin.buttons)


async def test_a_foreign_company_is_not_told_to_file_as_an_individual(harness: Harness) -> None:
    client = Client(harness, user_id=8302, language_code="en")
    verdict = await eligibility(client, "outside the mainland", "Beijing")
    assert "subsidiary, branch or representative office" in verdict.text
    assert "Mainland individual" not in verdict.text
    assert "personal filing cannot carry a company's site" in verdict.text


async def test_the_application_never_offers_a_company_outside_the_mainland(
    harness: Harness,
) -> None:
    client = Client(harness, user_id=8303, language_code="en")
    await eligibility(client, "outside the mainland", "Beijing")
    asked = last_reply(await client.press("app:start"))  # the check said it cannot file
    labels = [label for label, _data in asked.buttons]
    assert "Who will apply?" in asked.text and "Mainland company or organisation" in labels
    assert not any("outside the mainland" in label for label in labels)
    forged = await client.press("app:type:foreign_company")
    assert any("out of date" in call.params.get("text", "") for call in forged)
    async with services_of(harness.application).database.sessions() as session:
        assert await session.scalar(select(FilingApplication)) is None


async def test_the_person_in_charge_step_tells_the_two_roles_apart(harness: Harness) -> None:
    client = Client(harness, user_id=8304, language_code="en")
    await eligibility(client, "Mainland company", "Guangdong")
    await client.press("app:start")  # the province comes from the check: asked once
    await client.press("app:choose:filing_type:first")
    step = last_reply(await client.press("app:choose:hosting_provider:aliyun"))
    assert "Website's person in charge" in step.text
    assert "<b>entity's person in charge</b> (主体负责人)" in step.text
    assert "<b>website's person in charge</b> (网站负责人)" in step.text
    assert "In Guangdong the entity's person in charge (主体负责人) must be the legal" in step.text

    chinese = Client(harness, user_id=8305, language_code="zh-hans")
    await chinese.press("app:start")
    await chinese.press("app:type:mainland_company")
    await chinese.press("app:choose:filing_type:first")
    await chinese.press("app:choose:province:guangdong")
    step = last_reply(await chinese.press("app:choose:hosting_provider:aliyun"))
    assert "<b>主体负责人</b>" in step.text and "<b>网站负责人</b>" in step.text


async def test_the_province_is_read_from_a_credit_code_and_confirmed(
    make_settings: Callable[..., Settings],
) -> None:
    async with running_bot(make_settings()) as harness:
        unsure = Client(harness, user_id=8401, language_code="en")
        await unsure.press("app:start")
        await unsure.press("app:type:mainland_company")
        await unsure.press("app:choose:filing_type:first")
        await unsure.press("app:choose:province:unsure")
        await unsure.press("app:choose:hosting_provider:aliyun")
        step = last_reply(await unsure.press("app:goto:credit_code"))
        assert "Unified Social Credit Code" in step.text
        saved = replies(await unsure.say("91440300MA5F00000X"))[0]
        assert "issued in Guangdong, so we set your province to Guangdong" in saved.text
        checklist = last_reply(await unsure.press("app:list"))
        assert "Province: <b>Guangdong</b>" in checklist.text  # and it can be changed there
        assert (await _application(harness)).answers["province"] == "guangdong"

        elsewhere = Client(harness, user_id=8402, language_code="en")
        await elsewhere.press("app:start")
        await elsewhere.press("app:type:mainland_company")
        await elsewhere.press("app:choose:filing_type:first")
        await elsewhere.press("app:choose:province:beijing")
        await elsewhere.press("app:choose:hosting_provider:aliyun")
        await elsewhere.press("app:goto:credit_code")
        saved = replies(await elsewhere.say("91440300MA5F00000X"))[0]
        assert "issued in Guangdong, but you chose Beijing" in saved.text
        assert (await _application(harness)).answers["province"] == "beijing"  # not overridden


async def test_the_shipped_id_number_step_fills_an_unsure_province(harness: Harness) -> None:
    client = Client(harness, user_id=8403, language_code="en")
    await client.press("app:start")
    await client.press("app:type:mainland_individual")
    await client.press("app:choose:filing_type:first")
    await client.press("app:choose:province:unsure")
    await client.press("app:choose:hosting_provider:aliyun")
    step = last_reply(await client.press("app:goto:entity_id_number"))
    assert "resident ID number" in step.text
    saved = replies(await client.say("44030519900101123X"))[0]
    assert "issued in Guangdong, so we set your province to Guangdong" in saved.text
    assert (await _application(harness)).answers["province"] == "guangdong"
