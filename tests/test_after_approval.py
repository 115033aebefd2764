"""After approval: staff record ICP numbers of every form, the client gets the footer snippet,
then the public-security filing is offered, reminded, and its number added to the footer – in
English and in Chinese."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.context import services_of
from bot.filing.icp_numbers import NumberKind, parse_icp_number, parse_public_security_number
from bot.filing.stages import Stage
from bot.jobs.reminders import Reminders
from bot.services.agency import AgencyInfo
from bot.services.footer import footer_snippet
from storage.database import Database
from storage.models import FilingApplication, utcnow
from tests.conftest import STAFF_CHAT_ID
from tests.support.fake_bot_api import ApiCall
from tests.support.fake_messenger import FakeMessenger
from tests.support.harness import Client, Harness
from tests.test_jobs import CATALOGUE, TRANSLATIONS, add_application
from tests.test_staff_stages import StaffChat, submitted_application, to


@pytest.mark.parametrize(
    ("text", "kind", "shown"),
    [
        ("京ICP备12345678号-1", NumberKind.WEBSITE, "京ICP备12345678号-1"),
        ("浙ICP备2021012345号", NumberKind.ENTITY, "浙ICP备2021012345号"),
        ("粤ICP备12345678号-2A", NumberKind.APP, "粤ICP备12345678号-2A"),
        ("沪ICP备12345678号-3X", NumberKind.MINI_PROGRAM, "沪ICP备12345678号-3X"),
        ("京ICP备12345678号-1K", NumberKind.QUICK_APP, "京ICP备12345678号-1K"),
        ("粤B2-20090059", NumberKind.LICENCE, "粤B2-20090059"),
        ("粤B2-20090059-1626X", NumberKind.LICENCE, "粤B2-20090059-1626X"),
        (" 京icp备 12345678号－1a ", NumberKind.APP, "京ICP备12345678号-1A"),  # typed loosely
        ("京ICP备１２３４５６７８号-1", NumberKind.WEBSITE, "京ICP备12345678号-1"),  # full-width
    ],
)
def test_every_form_of_icp_number_is_read(text: str, kind: NumberKind, shown: str) -> None:
    number = parse_icp_number(text)
    assert number is not None and number.kind is kind and number.text == shown


@pytest.mark.parametrize(
    "text",
    [
        "ICP12345678",
        "京ICP证123456号",
        "京ICP备1234号-1",
        "京ICP备12345678号-1Z",
        "美ICP备12345678号",
        "",
    ],
)
def test_what_is_not_an_icp_number(text: str) -> None:
    assert parse_icp_number(text) is None


def test_the_footer_links_both_filing_systems() -> None:
    alone = footer_snippet("京ICP备12345678号-1")
    assert 'href="https://beian.miit.gov.cn/"' in alone and "京ICP备12345678号-1" in alone
    assert "公网安备" not in alone and "text-align:center" in alone
    police = parse_public_security_number("京公网安备 11010802020123号")
    assert police is not None and police.text == "京公网安备11010802020123号"
    both = footer_snippet("京ICP备12345678号-1", police)
    assert "https://beian.mps.gov.cn/#/query/webSearch?code=11010802020123" in both
    assert "<img src=" in both and "京公网安备11010802020123号" in both
    assert parse_public_security_number("京公网安备1101080202号") is None


def card_texts(calls: list[ApiCall]) -> list[str]:
    """What staff see of the application card: sent, or edited in the client's topic."""
    return [
        c.text
        for c in calls
        if c.method in ("sendMessage", "editMessageText")
        and int(c.params["chat_id"]) == STAFF_CHAT_ID
        and c.text.startswith("📁")
    ]


def seen(calls: list[ApiCall], chat: int) -> list[ApiCall]:
    return [c for c in calls if c.method == "sendMessage" and int(c.params["chat_id"]) == chat]


async def test_an_app_number_approves_and_the_footer_follows_in_english(harness: Harness) -> None:
    client = Client(harness, user_id=7301, language_code="en")
    number = await submitted_application(harness, client)
    staff = StaffChat(harness)
    for stage in ("with_provider", "at_bureau", "bureau_review"):
        await staff.press(f"stage:{number}:{stage}")
    early = to(await staff.say(f"/psb {number} 京公网安备11010802020123号"), STAFF_CHAT_ID)
    assert "not possible" in early[0] and "not approved" in early[0]

    calls = await staff.say(f"/approve {number} 京ICP备12345678号-2A")
    [approval] = seen(calls, client.user_id)
    assert "京ICP备12345678号-2A" in approval.seen and "beian.miit.gov.cn/" in approval.seen
    assert "public-security filing" in approval.seen and "within 30 days" in approval.seen
    assert approval.button("public-security") == "menu:staff"
    assert "/psb" in card_texts(calls)[-1]

    wrong = to(await staff.say(f"/psb {number} 11010802020123"), STAFF_CHAT_ID)
    assert "not possible" in wrong[0] and not seen(await staff.say("/app"), client.user_id)
    calls = await staff.say(f"/psb {number} 京公网安备 11010802020123号")
    [footer] = seen(calls, client.user_id)
    assert "京公网安备11010802020123号" in footer.seen and "京ICP备12345678号-2A" in footer.seen
    assert "webSearch?code=11010802020123" in footer.seen and "beian-icon.png" in footer.seen
    assert "public-security number recorded" in to(calls, STAFF_CHAT_ID)[0]
    assert "京公网安备11010802020123号" in card_texts(calls)[-1]  # on the card


async def test_a_licence_number_approves_in_chinese(harness: Harness) -> None:
    client = Client(harness, user_id=7302, language_code="zh-hans")
    number = await submitted_application(harness, client)
    staff = StaffChat(harness)
    for stage in ("with_provider", "at_bureau", "bureau_review"):
        await staff.press(f"stage:{number}:{stage}")
    [approval] = seen(await staff.say(f"/approve {number} 粤B2-20090059-1626X"), client.user_id)
    assert "粤B2-20090059-1626X" in approval.seen and "公安联网备案" in approval.seen
    assert "30 日内" in approval.seen and approval.button("公安备案") == "menu:staff"
    calls = await staff.say(f"/psb {number} 粤公网安备44030502000001号")
    [footer] = seen(calls, client.user_id)
    assert "已登记" in footer.seen and "粤公网安备44030502000001号" in footer.seen


def jobs(database: Database, settings: Settings, messenger: FakeMessenger) -> Reminders:
    return Reminders(
        database, messenger, TRANSLATIONS, settings, CATALOGUE, AgencyInfo("REDSTAR Works")
    )


async def test_the_public_security_filing_is_reminded_once_until_its_number_is_recorded(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    database = Database(settings.resolved_database_url)
    await database.migrate()
    try:
        approved = {"status": Stage.APPROVED, "icp_number": "京ICP备12345678号-1"}
        await add_application(database, 9601, updated_at=utcnow() - timedelta(days=21), **approved)
        await add_application(database, 9602, updated_at=utcnow() - timedelta(days=2), **approved)
        await add_application(
            database,
            9603,
            updated_at=utcnow() - timedelta(days=21),
            answers={"public_security_number": "京公网安备11010802020123号"},
            **approved,
        )
        await add_application(database, 9604, updated_at=utcnow() - timedelta(days=90), **approved)
        messenger = FakeMessenger()
        await jobs(database, settings, messenger).send_application_reminders()
        await jobs(database, settings, messenger).send_application_reminders()
        [reminder] = messenger.sent
        assert reminder.chat_id == 9601 and "public-security filing" in reminder.text
        assert "京ICP备12345678号-1" in reminder.text and "beian.mps.gov.cn" in reminder.text
        assert reminder.buttons is not None and reminder.buttons[0][0].data == "menu:staff"
        assert messenger.uncommitted_calls == []
        async with database.sessions() as session:
            assert len(list(await session.scalars(select(FilingApplication)))) == 4
    finally:
        await database.dispose()


async def test_the_approval_keeps_the_number_as_shown(harness: Harness) -> None:
    client = Client(harness, user_id=7303, language_code="en")
    number = await submitted_application(harness, client)
    staff = StaffChat(harness)
    for stage in ("with_provider", "at_bureau", "bureau_review"):
        await staff.press(f"stage:{number}:{stage}")
    await staff.say(f"/approve {number} 沪icp备 12345678号-3x")
    async with services_of(harness.application).database.sessions() as session:
        application = await session.get(FilingApplication, number)
        assert application is not None and application.icp_number == "沪ICP备12345678号-3X"
