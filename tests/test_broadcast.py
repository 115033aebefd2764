"""Broadcasts: preview and confirm, each recipient's language, Telegram's limits, resuming."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from bot.context import services_of
from bot.filing.stages import Stage
from bot.jobs.schedule import TASKS_KEY
from bot.services.broadcasts import BroadcastService, Segment, texts_for
from storage.models import Broadcast, BroadcastDelivery, FilingApplication, StageChange
from storage.models import Client as ClientRow
from storage.statuses import DeliveryStatus
from tests.conftest import STAFF_CHAT_ID
from tests.support.harness import Client, Harness, running_bot
from tests.test_staff_stages import StaffChat


async def finished(harness: Harness) -> None:
    """Wait until no broadcast is left running, then for their final reports."""
    application = harness.application
    database = services_of(application).database
    async with asyncio.timeout(30):
        while True:
            async with database.sessions() as session:
                if not await BroadcastService(session).running():
                    break
            await asyncio.sleep(0.01)
        await asyncio.gather(*application.bot_data.get(TASKS_KEY, ()))


def received(harness: Harness, chat_id: int) -> list[str]:
    return [c.seen for c in harness.api.messages_to(chat_id) if c.method == "sendMessage"]


def notice_body(text: str) -> str:
    """A notice without the agency's header."""
    return text.partition("\n\n")[2]


def staff_report(harness: Harness) -> str:
    """The broadcast's progress message as staff now read it (it is edited in place)."""
    return harness.api.messages_to(STAFF_CHAT_ID)[-1].text


async def test_broadcast_in_each_language_with_limits(harness: Harness) -> None:
    english = Client(harness, user_id=9301, language_code="en")
    simplified = Client(harness, user_id=9302, language_code="zh-hans")
    traditional = Client(harness, user_id=9303, language_code="zh-hk")
    gone = Client(harness, user_id=9304, language_code="en")
    for client in (english, simplified, traditional, gone):
        await client.say("/start")
    staff = StaffChat(harness)
    calls = await staff.say(
        "/broadcast all | Our office is closed on Friday. | 我们周五休息，办公室关闭。"
    )
    preview = [c for c in calls if c.method == "sendMessage"][-1]
    assert "4 recipients" in preview.text and "Friday" in preview.text
    harness.api.fail(
        "sendMessage", 429, "Too Many Requests: retry after 1", chat_id=9302, retry_after=1
    )
    harness.api.fail("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=9304)
    await staff.press(preview.button("Send"))
    await finished(harness)

    assert received(harness, 9301)[-1] == (
        "📣 Notice from REDSTAR Works\n\nOur office is closed on Friday."
    )
    assert received(harness, 9302)[-1] == "📣 REDSTAR Works 通知\n\n我们周五休息，办公室关闭。"
    assert received(harness, 9303)[-1] == "📣 REDSTAR Works 通知\n\n我們週五休息，辦公室關閉。"
    attempts = Counter(int(c.params["chat_id"]) for c in harness.api.of_method("sendMessage"))
    assert attempts[9302] == 3  # /start reply, the 429, the retry that went through
    report = staff_report(harness)
    assert "finished" in report and "sent 3" in report and "blocked 1" in report
    async with services_of(harness.application).database.sessions() as session:
        blocked = await session.scalar(select(ClientRow).where(ClientRow.telegram_id == 9304))
        assert blocked is not None and blocked.blocked_bot
    calls = await staff.say("/broadcast all | Again | 再次")
    assert "3 recipients" in [c for c in calls if c.method == "sendMessage"][-1].text


async def test_interrupted_broadcast_resumes_without_repeats(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    async with running_bot(settings) as harness:
        clients = [Client(harness, user_id=9400 + n, language_code="en") for n in range(6)]
        for client in clients:
            await client.say("/start")
        async with services_of(harness.application).database.sessions() as session:
            service = BroadcastService(session)
            broadcast = await service.create(1, STAFF_CHAT_ID, "all", texts_for("Hello", "你好"))
            await service.start(broadcast, await service.recipients(Segment.parse("all"), "en"))
            deliveries = list(
                await session.scalars(select(BroadcastDelivery).order_by(BroadcastDelivery.id))
            )
            deliveries[0].status = DeliveryStatus.SENT  # sent before the stop
            deliveries[1].status = DeliveryStatus.SENDING  # on its way when the process died
            await session.commit()
    async with running_bot(settings) as harness:  # the restart resumes it
        await finished(harness)
        counts = Counter(
            int(c.params["chat_id"])
            for c in harness.api.of_method("sendMessage")
            if notice_body(c.text) == "Hello"
        )
        assert counts == {9402: 1, 9403: 1, 9404: 1, 9405: 1}  # nobody twice, nobody missed
        report = staff_report(harness)
        assert "sent 5" in report and "failed 1" in report  # 1 unconfirmed is reported


def hellos_by_chat(harness: Harness) -> Counter[int]:
    return Counter(
        int(c.params["chat_id"])
        for c in harness.api.of_method("sendMessage")
        if notice_body(c.text) == "Hello"
    )


async def test_a_stop_pauses_a_broadcast_and_the_next_start_finishes_it(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(messages_per_second=20)  # 40 recipients: about two seconds
    chats = range(9500, 9540)
    async with running_bot(settings) as harness:
        for chat in chats:
            await Client(harness, user_id=chat, language_code="en").say("/start")
        staff = StaffChat(harness)
        preview = [c for c in await staff.say("/broadcast all | Hello | 你好") if c.text][-1]
        await staff.press(preview.button("Send"))
        async with asyncio.timeout(10):  # let a few go out
            while True:
                if sum(hellos_by_chat(harness).values()) >= 3:
                    break
                await asyncio.sleep(0.01)
    # Stopping did not wait for the whole broadcast.
    before = hellos_by_chat(harness)
    assert 3 <= sum(before.values()) < len(chats)

    async with running_bot(settings) as restarted:
        await finished(restarted)
        after = hellos_by_chat(restarted)
    assert before + after == Counter(chats)  # everyone once: nobody twice, nobody missed


async def test_only_staff_can_broadcast(harness: Harness) -> None:
    outsider = Client(harness, user_id=9501, language_code="en")
    calls = await outsider.say("/broadcast all | hi | 你好")
    assert "staff only" in calls[-1].text
    calls = await outsider.press("bc:send:1")
    assert any("staff only" in c.params.get("text", "") for c in calls)


async def _application(
    harness: Harness, telegram_id: int, status: str, approved_at: datetime | None = None
) -> None:
    """Give a client an application at a stage (approved at a given moment, if given)."""
    async with services_of(harness.application).database.sessions() as session:
        client = await session.scalar(
            select(ClientRow).where(ClientRow.telegram_id == telegram_id)
        )
        assert client is not None
        application = FilingApplication(
            client_id=client.id, applicant_type="mainland_individual", status=status
        )
        session.add(application)
        await session.flush()
        if approved_at is not None:
            session.add(
                StageChange(
                    application_id=application.id,
                    from_stage=Stage.BUREAU_REVIEW.value,
                    to_stage=Stage.APPROVED.value,
                    created_at=approved_at,
                )
            )
        await session.commit()


SEGMENTS = {
    "all": {9701, 9702, 9703, 9704},
    "stage:approved": {9701},  # 9702's approval is not their latest application
    "stage:collecting": {9702},
    "stage:with_provider": {9703},
    "stage:rejected": set(),
    "lang:en": {9701, 9704},
    "lang:zh_Hans": {9702},
    "lang:zh_Hant": {9703},
    "approved:2026-02-01..2026-02-28": {9701},  # the last day counts in full
    "approved:2026-03-01..2026-03-31": set(),
    "approved:2025-06-01..2025-06-30": {9702},
    "approved:2025-01-01..2026-12-31": {9701, 9702},
}


async def test_every_segment_reaches_exactly_its_clients(harness: Harness) -> None:
    for user_id, code in ((9701, "en"), (9702, "zh-hans"), (9703, "zh-hk"), (9704, "en")):
        await Client(harness, user_id=user_id, language_code=code).say("/start")
    await _application(harness, 9701, "approved", datetime(2026, 2, 28, 23, 30, tzinfo=UTC))
    await _application(harness, 9702, "approved", datetime(2025, 6, 15, 8, 0, tzinfo=UTC))
    await _application(harness, 9702, "collecting")  # a second, newer application
    await _application(harness, 9703, "with_provider")
    staff = StaffChat(harness)
    for number, (segment, expected) in enumerate(SEGMENTS.items()):
        text = f"Notice {number}"
        calls = await staff.say(f"/broadcast {segment} | {text} | 通知 {number}")
        preview = [c for c in calls if c.method == "sendMessage"][-1]
        count = len(expected)
        recipients = f"{count} recipient{'' if count == 1 else 's'} ({segment})"
        assert recipients in preview.text, preview.text
        await staff.press(preview.button("Send"))
        await finished(harness)
        reached = {
            int(c.params["chat_id"])
            for c in harness.api.of_method("sendMessage")
            if notice_body(c.text) in (text, f"通知 {number}")
        }
        assert reached == expected, segment


@pytest.mark.parametrize(
    "segment",
    [
        "approved:2026-13-45..2026-01-01",  # no such month or day
        "approved:2026-02-30..2026-03-01",  # no such day
        "approved:2026-03-31..2026-01-01",  # the range is reversed
        "stage:nonsense",
        "lang:fr",
    ],
)
async def test_an_unreadable_segment_shows_the_usage(harness: Harness, segment: str) -> None:
    calls = await StaffChat(harness).say(f"/broadcast {segment} | a | b")
    texts = [c.text for c in calls if c.method == "sendMessage"]
    assert len(texts) == 1 and texts[0].startswith("Usage: /broadcast"), texts
    async with services_of(harness.application).database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Broadcast)) == 0


async def test_the_result_is_the_progress_message_itself(harness: Harness) -> None:
    await Client(harness, user_id=9801, language_code="en").say("/start")
    staff = StaffChat(harness)
    preview = [c for c in await staff.say("/broadcast all | Hello | 你好") if c.text][-1]
    assert "1 recipient (all)" in preview.text  # not "1 recipients"
    await staff.press(preview.button("Send"))
    await finished(harness)
    finished_reports = [
        c for c in harness.api.messages_to(STAFF_CHAT_ID) if "Broadcast finished" in c.text
    ]
    assert [c.method for c in finished_reports] == ["editMessageText"]  # once, in place


async def test_a_deleted_progress_message_still_gets_a_result(harness: Harness) -> None:
    await Client(harness, user_id=9802, language_code="en").say("/start")
    staff = StaffChat(harness)
    preview = [c for c in await staff.say("/broadcast all | Hello | 你好") if c.text][-1]
    for _ in range(5):
        harness.api.fail("editMessageText", 400, "Bad Request: message to edit not found")
    await staff.press(preview.button("Send"))
    await finished(harness)
    assert "Broadcast finished" in received(harness, STAFF_CHAT_ID)[-1]


async def test_preview_shows_the_traditional_version(harness: Harness) -> None:
    staff = StaffChat(harness)
    calls = await staff.say("/broadcast all | New software | 测试软件和视频信息")
    preview = [c for c in calls if c.method == "sendMessage"][-1]
    assert "繁體中文" in preview.seen and "測試軟體和影片資訊" in preview.seen
    assert "0 recipients" in preview.seen


async def test_staff_send_themselves_a_test_before_everyone(harness: Harness) -> None:
    client = Client(harness, user_id=9803, language_code="en")
    await client.say("/start")
    staff = StaffChat(harness, user_id=9804)
    preview = [
        c for c in await staff.say("/broadcast all | Closed <Friday> | 周五休息") if c.text
    ][-1]
    calls = await staff.press(preview.button("Test"))
    to_staff = [c.seen for c in calls if c.method == "sendMessage"]
    assert to_staff == [
        "📣 Notice from REDSTAR Works\n\nClosed <Friday>",
        "📣 REDSTAR Works 通知\n\n周五休息",
        "📣 REDSTAR Works 通知\n\n週五休息",
    ]
    assert all(int(c.params["chat_id"]) == 9804 for c in calls if c.method == "sendMessage")
    assert not received(harness, 9803)[1:]  # the client got nothing but the /start reply
    harness.api.fail(
        "sendMessage", 403, "Forbidden: bot can't initiate conversation", chat_id=9804
    )
    calls = await staff.press(preview.button("Test"))
    answer = harness.api.of_method("answerCallbackQuery")[-1]
    assert "press Start" in answer.params["text"] and answer.params.get("show_alert")
    await staff.press(preview.button("Send"))  # still a draft: it goes out
    await finished(harness)
    assert notice_body(received(harness, 9803)[-1]) == "Closed <Friday>"
