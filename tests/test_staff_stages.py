"""The staff desk moves applications through every stage; clients are told in their language."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from telegram.ext import CallbackContext

from bot.config import Settings
from bot.context import services_of
from bot.filing.applications import ApplicationService
from bot.filing.reported_time import parse_reported_time
from bot.filing.stages import Stage, add_working_days, is_icp_number, next_expected
from bot.i18n import Translations
from bot.jobs.schedule import send_due_reminders
from bot.services.notices import stage_name
from bot.services.retention import purge_expired_documents
from storage.models import Client as ClientRow
from storage.models import FilingApplication, StageChange, as_utc, utcnow
from tests.conftest import STAFF_CHAT_ID
from tests.support.harness import Client, Harness, last_reply, running_bot
from tests.support.image_samples import encode, make_document

ADMIN_ID = 4242


async def submitted_application(harness: Harness, client: Client) -> int:
    """Create a complete, submitted application directly through the services."""

    services = services_of(harness.application)
    await client.say("/start")
    async with services.database.sessions() as session:
        row = await session.scalar(
            select(ClientRow).where(ClientRow.telegram_id == client.user_id)
        )
        service = ApplicationService(session, services.catalogue)
        application = await service.start(row, "mainland_individual")
        for item in await service.missing(application):
            await service.accept_text(
                application, item, "星辰设计作品集" if item.id == "website_name" else "x"
            )
        assert await service.submit(application, client.user_id)
        await session.commit()
        return application.id


class StaffChat:
    """A staff member writing in the staff group."""

    def __init__(self, harness: Harness, user_id: int = 9001) -> None:
        self.harness = harness
        self.member = Client(harness, user_id=user_id, first_name="Staff", language_code="en")

    async def say(self, text: str) -> list:
        update = self.member.message_update(text=text)
        update["message"]["chat"] = {"id": STAFF_CHAT_ID, "type": "supergroup", "title": "Staff"}
        command = text.split()[0]
        update["message"]["entities"] = [
            {"type": "bot_command", "offset": 0, "length": len(command)}
        ]
        return await self.harness.feed(update)

    async def press(self, data: str) -> list:
        message = {
            "message_id": 5,
            "date": 0,
            "chat": {"id": STAFF_CHAT_ID, "type": "supergroup"},
            "text": "card",
        }
        return await self.member.press(data, message)


def stage_name_en(stage: Stage) -> str:
    return stage_name(stage.value, Translations.load().get("en"))


def to(calls: list, chat_id: int) -> list[str]:
    return [
        c.text for c in calls if c.method == "sendMessage" and int(c.params["chat_id"]) == chat_id
    ]


async def test_every_stage_reaches_the_client_in_english(harness: Harness) -> None:
    client = Client(harness, user_id=7101, language_code="en")
    number = await submitted_application(harness, client)
    staff = StaffChat(harness)
    calls = await staff.say(f"/app {number}")
    [card] = [c for c in calls if c.method == "sendMessage" and c.params.get("message_thread_id")]
    assert f"Application #{number}" in card.text and "submitted for our review" in card.text
    assert "is in" in last_reply(calls).text  # in General: where the card is
    card_id = card.result["message_id"]

    expected = {
        Stage.WITH_PROVIDER: "passed our review",
        Stage.AT_BUREAU: "submitted to the Communications Administration",
        Stage.SMS_DUE: "within 24 hours",
        Stage.BUREAU_REVIEW: "up to 20 working days",
    }
    for stage, phrase in expected.items():
        calls = await staff.member.press(f"stage:{number}:{stage.value}", card.result)
        notices = to(calls, client.user_id)
        assert len(notices) == 1 and phrase in notices[0], (stage, notices)
        toasts = [c.params.get("text", "") for c in calls if c.method == "answerCallbackQuery"]
        assert any("client notified" in toast for toast in toasts)
        assert not to(calls, STAFF_CHAT_ID)  # nothing new in the staff group
        edits = [c for c in calls if c.method == "editMessageText"]
        assert [c.params["message_id"] for c in edits] == [card_id], [c.text for c in edits]
        edited = edits[0]  # the card in the topic moves along
        assert stage_name_en(stage) in edited.text

    refused = to(await staff.say(f"/approve {number} ICP12345"), STAFF_CHAT_ID)
    assert "not possible" in refused[0] and not to(await staff.say("/app"), client.user_id)
    calls = await staff.say(f"/approve {number} 京ICP备12345678号-1")
    approval = to(calls, client.user_id)[0]
    assert "京ICP备12345678号-1" in approval and "beian.miit.gov.cn" in approval
    assert "text-align:center" in approval  # a ready-to-paste snippet

    status = last_reply(await client.say("/status"))
    assert "approved" in status.text and "京ICP备12345678号-1" in status.text
    assert "with the hosting provider" in status.text  # the history

    async with services_of(harness.application).database.sessions() as session:
        changes = list(await session.scalars(select(StageChange).order_by(StageChange.id)))
    assert [c.to_stage for c in changes] == [
        "submitted",
        "with_provider",
        "at_bureau",
        "sms_due",
        "bureau_review",
        "approved",
    ]
    assert changes[1].actor_telegram_id == 9001 and changes[1].from_stage == "submitted"


async def test_changes_requested_then_fixed_in_chinese(harness: Harness) -> None:
    client = Client(harness, user_id=7102, language_code="zh-hans")
    number = await submitted_application(harness, client)
    staff = StaffChat(harness)
    calls = await staff.say(
        f"/changes {number} website_name: 名称与网站内容无关; mobile: 号码无法接通"
    )
    notice = next(
        c
        for c in calls
        if c.method == "sendMessage" and int(c.params["chat_id"]) == client.user_id
    )
    assert (
        "网站名称" in notice.text
        and "名称与网站内容无关" in notice.text
        and "联系手机" in notice.text
    )
    step = last_reply(await client.press_on(notice, "继续"))
    assert "网站名称" in step.text
    await client.say("星辰设计工作室")
    review = last_reply(await client.say("13912345678"))
    assert "核对您的申请" in review.text
    done = await client.press_on(review, "提交")
    assert any("已提交" in text for text in to(done, client.user_id))
    async with services_of(harness.application).database.sessions() as session:
        application = await session.get(FilingApplication, number)
        assert application is not None and application.status == "submitted"


async def test_stage_actions_are_refused_to_everyone_else(
    make_settings: Callable[..., Settings],
) -> None:
    async with running_bot(make_settings(admin_ids=frozenset({ADMIN_ID}))) as harness:
        client = Client(harness, user_id=7103, language_code="en")
        number = await submitted_application(harness, client)
        outsider = Client(harness, user_id=7104, language_code="en")
        before = len(harness.api.calls)
        for attempt in (
            f"/app {number}",
            f"/approve {number} 京ICP备12345678号-1",
            f"/reject {number} no",
        ):
            reply = last_reply(await outsider.say(attempt))
            assert "staff only" in reply.text
        calls = await outsider.press(f"stage:{number}:with_provider")
        assert any("staff only" in c.params.get("text", "") for c in calls)
        sent_to_client = [
            c for c in harness.api.calls[before:] if c.params.get("chat_id") == client.user_id
        ]
        assert sent_to_client == []
        async with services_of(harness.application).database.sessions() as session:
            application = await session.get(FilingApplication, number)
            assert application is not None and application.status == "submitted"
        admin = Client(harness, user_id=ADMIN_ID, language_code="en")  # admins may, privately
        assert "Application #" in last_reply(await admin.say(f"/app {number}")).text


def test_icp_numbers_and_working_days() -> None:
    assert is_icp_number("京ICP备12345678号-1") and is_icp_number("浙ICP备2021012345号")
    assert not is_icp_number("ICP12345678") and not is_icp_number("京ICP证123456号")

    assert add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)  # Friday → Monday
    assert add_working_days(date(2026, 11, 30), 20) == date(2026, 12, 28)


def test_working_days_follow_china_holidays_and_adjusted_weekends() -> None:
    assert add_working_days(date(2026, 9, 28), 3) == date(2026, 10, 8)  # over National Day
    # Spring Festival 2026: Saturday 14 and 28 February are working days, 16–23 are not.
    assert add_working_days(date(2026, 2, 12), 20) == date(2026, 3, 18)
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)  # a working Saturday
    moved = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)
    assert next_expected(Stage.BUREAU_REVIEW, moved) == date(2026, 10, 30)
    # A province's own review length (Zhejiang: 30 working days) replaces the default 20.
    assert next_expected(Stage.BUREAU_REVIEW, moved, review_days=30) == date(2026, 11, 13)
    assert next_expected(Stage.AT_BUREAU, moved, review_days=30) == date(2026, 9, 29)


def test_a_reported_sms_time_is_read_in_office_time() -> None:
    now = datetime(2026, 10, 8, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert parse_reported_time("08:05", now) == now.replace(hour=8, minute=5, second=0)
    assert parse_reported_time("23:10", now) == datetime(
        2026, 10, 7, 23, 10, tzinfo=ZoneInfo("Asia/Shanghai")
    )
    assert parse_reported_time("2026-10-07 14:00", now) == now.replace(day=7, hour=14, minute=0)
    for bad in ("2026-10-09 08:00", "25:00", "soon", "10-32 08:00"):
        assert parse_reported_time(bad, now) is None, bad


async def test_the_sms_deadline_counts_from_when_the_sms_came(harness: Harness) -> None:
    client = Client(harness, user_id=7501, language_code="en")
    number = await submitted_application(harness, client)
    staff = StaffChat(harness)
    for stage in ("with_provider", "at_bureau"):
        await staff.press(f"stage:{number}:{stage}")
    calls = await staff.say(f"/app {number}")
    [card] = [c.text for c in calls if c.method == "sendMessage" and "/export" in c.text]
    assert f"/sms {number} 14:05" in card  # the card, in the client's topic
    office = ZoneInfo("Asia/Shanghai")
    came = (utcnow() - timedelta(hours=5)).astimezone(office).replace(second=0, microsecond=0)
    calls = await staff.say(f"/sms {number} {came:%Y-%m-%d %H:%M}")
    told = to(calls, client.user_id)
    deadline = came + timedelta(hours=24)
    assert len(told) == 1 and "within 24 hours" in told[0]
    assert f"{deadline:%H:%M}" in told[0]  # 19 hours left, not 24
    async with services_of(harness.application).database.sessions() as session:
        application = await session.get(FilingApplication, number)
        assert application is not None and application.status == "sms_due"
        assert application.sms_due_at is not None
        assert abs(as_utc(application.sms_due_at) - deadline) < timedelta(seconds=1)
    # Corrected while the SMS is due: the deadline moves, the stage stays.
    earlier = came - timedelta(hours=2)
    told = to(await staff.say(f"/sms {number} {earlier:%Y-%m-%d %H:%M}"), client.user_id)
    assert len(told) == 1 and f"{earlier + timedelta(hours=24):%H:%M}" in told[0]
    refused = to(await staff.say(f"/sms {number} tomorrow"), STAFF_CHAT_ID)[-1]
    assert "e.g. /sms" in refused
    await staff.press(f"stage:{number}:bureau_review")
    refused = to(await staff.say(f"/sms {number} {came:%Y-%m-%d %H:%M}"), STAFF_CHAT_ID)[-1]
    assert "not possible" in refused


async def test_reminders_fire_once_and_survive_a_restart(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    async with running_bot(settings) as harness:
        waiting = Client(harness, user_id=7201, language_code="en")
        sms = Client(harness, user_id=7202, language_code="zh-hans")
        idle = Client(harness, user_id=7203, language_code="en")
        waiting_number = await submitted_application(harness, waiting)
        sms_number = await submitted_application(harness, sms)
        staff = StaffChat(harness)
        for stage in ("with_provider", "at_bureau", "sms_due"):
            await staff.press(f"stage:{sms_number}:{stage}")
        await idle.press("app:start")
        await idle.press("app:type:mainland_individual")
        await idle.press("app:choose:filing_type:first")
        await idle.press("app:choose:province:beijing")

    async with running_bot(settings) as harness:  # after a restart, time has passed
        services = services_of(harness.application)
        async with services.database.sessions() as session:
            for application in await session.scalars(select(FilingApplication)):
                if application.id == sms_number:
                    application.sms_due_at = utcnow() + timedelta(hours=6)
                else:
                    application.updated_at = utcnow() - timedelta(days=4)
            await session.commit()
        context = CallbackContext(harness.application)
        await send_due_reminders(context)
        await send_due_reminders(context)
        sent = harness.api.of_method("sendMessage")
        by_chat: dict[int, list[str]] = {}
        for call in sent:
            by_chat.setdefault(int(call.params["chat_id"]), []).append(call.text)
        assert len(by_chat[7202]) == 1 and "短信" in by_chat[7202][0]
        assert len(by_chat[7203]) == 1 and "waiting for you" in by_chat[7203][0]
        staff_alerts = [t for t in by_chat[STAFF_CHAT_ID] if "waiting for our review" in t]
        assert len(staff_alerts) == 1 and f"#{waiting_number}" in staff_alerts[0]
        assert 7201 not in by_chat  # the client waiting on staff is not nagged


async def test_staff_export_the_dossier(harness: Harness) -> None:
    client = Client(harness, user_id=7301, language_code="en")
    await client.press("app:start")
    await client.press("app:type:mainland_individual")
    await client.press("app:choose:filing_type:first")
    await client.press("app:choose:province:beijing")
    await client.press("app:choose:hosting_provider:aliyun")
    await client.send_document(encode(make_document((1800, 1150), seed=1), quality=92), "a.jpg")
    await client.send_document(encode(make_document((1800, 1150), seed=2), quality=92), "b.jpg")
    staff = StaffChat(harness)
    calls = await staff.say("/export 1")
    sent = [c for c in calls if c.method == "sendDocument"]
    assert len(sent) == 1 and int(sent[0].params["chat_id"]) == STAFF_CHAT_ID
    archive = zipfile.ZipFile(io.BytesIO(sent[0].files["document"]))
    names = sorted(archive.namelist())
    assert names == ["04_id_card_front.jpg", "05_id_card_back.jpg", "summary.json", "summary.txt"]
    summary = archive.read("summary.txt").decode()
    assert "Alibaba Cloud" in summary and "Application #1" in summary
    assert "First filing" in summary and "Beijing" in summary  # the kind and the province
    assert archive.read("04_id_card_front.jpg")[:3] == b"\xff\xd8\xff"
    outsider = Client(harness, user_id=7302, language_code="en")
    calls = await outsider.say("/export 1")
    assert not [c for c in calls if c.method == "sendDocument"]


async def test_every_stage_in_chinese_including_rejection(harness: Harness) -> None:
    client = Client(harness, user_id=7401, language_code="zh-hans")
    number = await submitted_application(harness, client)
    staff = StaffChat(harness)
    expected = [
        ("stage", Stage.WITH_PROVIDER, "接入商"),
        ("stage", Stage.AT_BUREAU, "通信管理局"),
        ("stage", Stage.BUREAU_REVIEW, "20 个工作日"),
        ("reject", Stage.REJECTED, "网站名称不符合要求"),
        ("stage", Stage.RESUBMITTED, "重新提交"),
        ("stage", Stage.AT_BUREAU, "通信管理局"),
        ("stage", Stage.SMS_DUE, "24 小时"),
        ("stage", Stage.BUREAU_REVIEW, "管局正在审核"),
        ("approve", Stage.APPROVED, "粤ICP备20231234号-2"),
    ]
    for how, stage, phrase in expected:
        if how == "stage":
            calls = await staff.press(f"stage:{number}:{stage.value}")
        elif how == "reject":
            calls = await staff.say(f"/reject {number} 网站名称不符合要求")
        else:
            calls = await staff.say(f"/approve {number} 粤ICP备20231234号-2")
        notices = to(calls, client.user_id)
        assert len(notices) == 1 and phrase in notices[0], (stage, notices)
    status = last_reply(await client.say("/status"))
    assert (
        "已备案成功" in status.text
        and "已驳回" in status.text
        and "粤ICP备20231234号-2" in status.text
    )


async def test_documents_are_deleted_after_their_retention_time(
    harness: Harness, make_settings: Callable[..., Settings]
) -> None:
    client = Client(harness, user_id=7501, language_code="en")
    await client.press("app:start")
    await client.press("app:type:mainland_individual")
    await client.press("app:choose:filing_type:first")
    await client.press("app:choose:province:beijing")
    await client.press("app:choose:hosting_provider:aliyun")
    await client.send_document(encode(make_document((1800, 1150), seed=1), quality=92), "a.jpg")
    documents = make_settings().data_dir / "documents"
    assert len([p for p in documents.rglob("*") if p.is_file()]) == 2
    services = services_of(harness.application)
    async with services.database.sessions() as session:
        kept = await purge_expired_documents(
            session, services.documents, timedelta(days=180), timedelta(days=90)
        )
        assert kept == 0  # still fresh
        removed = await purge_expired_documents(
            session,
            services.documents,
            timedelta(days=180),
            timedelta(days=90),
            now=utcnow() + timedelta(days=91),
        )
        await session.commit()
    assert removed == 2 and not [p for p in documents.rglob("*") if p.is_file()]


async def test_staff_commands_do_nothing_in_a_group_other_than_the_staff_group(
    make_settings: Callable[..., Settings],
) -> None:
    """An admin who types a staff command in another group the bot sits in (a client's project
    group, say) gets no case or dossier posted there for its members to read."""
    async with running_bot(make_settings(admin_ids=frozenset({ADMIN_ID}))) as harness:
        client = Client(harness, user_id=7105, language_code="en")
        number = await submitted_application(harness, client)
        admin = Client(harness, user_id=ADMIN_ID, language_code="en")
        elsewhere = -100555
        for command in (f"/app {number}", f"/export {number}", "/queue", f"/approve {number} x"):
            update = admin.message_update(text=command)
            update["message"]["chat"] = {"id": elsewhere, "type": "supergroup", "title": "Shop"}
            name = command.split()[0]
            update["message"]["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(name)}
            ]
            calls = await harness.feed(update)
            assert [c for c in calls if c.params.get("chat_id") == elsewhere] == [], command
        async with services_of(harness.application).database.sessions() as session:
            application = await session.get(FilingApplication, number)
            assert application is not None and application.status == "submitted"
        # The same admin still works from the staff group and from a private chat.
        assert any(
            f"#{number}" in c.text
            for c in await StaffChat(harness, ADMIN_ID).say(f"/app {number}")
        )
        assert "Application #" in last_reply(await admin.say(f"/app {number}")).text
