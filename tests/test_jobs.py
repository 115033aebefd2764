"""Background jobs without Telegram: broadcasts, reminders and the flood notice, speaking through
a fake ``Messenger`` to a real database."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.filing.catalogue import load_catalogue
from bot.filing.stages import Stage
from bot.i18n import Translations
from bot.jobs.broadcasts import MAX_ATTEMPTS, BroadcastSender
from bot.jobs.reminders import Reminders
from bot.messenger import RetryLaterError, UndeliveredError, UnreachableError
from bot.services.agency import AgencyInfo
from bot.services.broadcast_desk import BroadcastDesk, BroadcastRequest
from bot.services.broadcasts import BroadcastService, Segment, Tally, texts_for
from bot.services.flood_notice import Flooder, FloodNotice
from bot.services.send_budget import SendBudget
from storage.database import Database
from storage.models import (
    Booking,
    Broadcast,
    BroadcastDelivery,
    Client,
    FilingApplication,
    utcnow,
)
from storage.statuses import DeliveryStatus
from tests.conftest import STAFF_CHAT_ID
from tests.support.fake_messenger import FakeMessenger

TRANSLATIONS = Translations.load("en")
CATALOGUE = load_catalogue()


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


@pytest.fixture
async def database(settings: Settings) -> AsyncIterator[Database]:
    database = Database(settings.resolved_database_url)
    await database.migrate()
    yield database
    await database.dispose()


@pytest.fixture
def messenger() -> FakeMessenger:
    return FakeMessenger()


class Sleeps(list[float]):
    """A stand-in for ``asyncio.sleep`` that only notes how long it was asked to wait."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


async def add_clients(database: Database, chats: Iterable[int]) -> None:
    async with database.sessions() as session:
        session.add_all(
            Client(telegram_id=chat, first_name=f"C{chat}", telegram_language="en")
            for chat in chats
        )
        await session.commit()


async def client_row(database: Database, chat: int) -> Client:
    async with database.sessions() as session:
        row = await session.scalar(select(Client).where(Client.telegram_id == chat))
        assert row is not None
        return row


async def started_broadcast(database: Database) -> int:
    async with database.sessions() as session:
        service = BroadcastService(session)
        broadcast = await service.create(1, STAFF_CHAT_ID, "all", texts_for("Hello", "你好"))
        await service.start(broadcast, await service.recipients(Segment.parse("all"), "en"))
        await session.commit()
        return broadcast.id


async def deliveries(database: Database) -> dict[int, BroadcastDelivery]:
    async with database.sessions() as session:
        rows = await session.execute(
            select(Client.telegram_id, BroadcastDelivery).join(
                Client, Client.id == BroadcastDelivery.client_id
            )
        )
        return {chat: delivery for chat, delivery in rows.all()}


async def tally(database: Database, broadcast_id: int) -> Tally:
    async with database.sessions() as session:
        broadcast = await session.get(Broadcast, broadcast_id)
        assert broadcast is not None
        return await BroadcastService(session).tally(broadcast)


def sender(
    database: Database, settings: Settings, messenger: FakeMessenger, **options: Any
) -> BroadcastSender:
    return BroadcastSender(
        database, messenger, SendBudget(1000), TRANSLATIONS, settings, **options
    )


def hellos(messenger: FakeMessenger) -> Counter[int]:
    return Counter(said.chat_id for said in messenger.sent if said.text.endswith("\n\nHello"))


async def test_a_broadcast_reaches_everyone_once_despite_a_block_and_a_retry_after(
    database: Database, settings: Settings, messenger: FakeMessenger
) -> None:
    chats = [9101, 9102, 9103, 9104, 9105]
    await add_clients(database, chats)
    broadcast_id = await started_broadcast(database)
    messenger.block(9103)
    messenger.fail(9102, RetryLaterError(0.5))
    status_when_sent: dict[int, str] = {}

    async def note_status(chat: int) -> None:
        if chat in chats:
            status_when_sent[chat] = (await deliveries(database))[chat].status

    messenger.before_send = note_status
    sleeps = Sleeps()
    await sender(database, settings, messenger, sleep=sleeps).send(broadcast_id, announce=True)

    assert hellos(messenger) == {9101: 1, 9102: 1, 9104: 1, 9105: 1}
    assert Counter(messenger.attempts)[9102] == 2 and sleeps == [0.5]
    assert set(status_when_sent.values()) == {DeliveryStatus.SENDING}  # claimed, committed
    assert await tally(database, broadcast_id) == Tally(total=5, sent=4, blocked=1, failed=0)
    assert (await client_row(database, 9103)).blocked_bot
    progress, report = messenger.sent[0], messenger.edits[-1]
    assert progress.chat_id == report.chat_id == STAFF_CHAT_ID
    assert "in progress" in progress.text and "0/5" in progress.text
    assert "finished" in report.text and "sent 4" in report.text and "blocked 1" in report.text
    assert all(e.message_id == progress.message_id for e in messenger.edits)
    assert not [said for said in messenger.sent if "finished" in said.text]  # no second copy
    assert messenger.uncommitted_calls == []


async def test_unreachable_telegram_is_retried_with_backoff_a_refusal_is_not(
    database: Database, settings: Settings, messenger: FakeMessenger
) -> None:
    await add_clients(database, [9201, 9202, 9203])
    broadcast_id = await started_broadcast(database)
    messenger.fail(9201, UnreachableError("timed out"), UnreachableError("timed out"))
    messenger.fail(9202, *[UnreachableError("connection reset")] * MAX_ATTEMPTS)
    messenger.fail(9203, UndeliveredError("Bad Request: chat not found"))
    sleeps = Sleeps()
    await sender(database, settings, messenger, sleep=sleeps).send(broadcast_id)

    assert hellos(messenger) == {9201: 1}
    assert sleeps == [2, 4, 2, 4, 8, 16]
    outcome = await deliveries(database)
    assert (outcome[9202].status, outcome[9202].attempts) == (DeliveryStatus.FAILED, MAX_ATTEMPTS)
    assert outcome[9202].error == "connection reset"
    assert (outcome[9203].status, outcome[9203].attempts) == (DeliveryStatus.FAILED, 1)
    assert "sent 1" in messenger.sent[-1].text and "failed 2" in messenger.sent[-1].text


async def test_a_stop_pauses_a_broadcast_and_the_next_start_sends_the_rest_once(
    database: Database, settings: Settings, messenger: FakeMessenger
) -> None:
    chats = range(9300, 9310)
    await add_clients(database, chats)
    broadcast_id = await started_broadcast(database)
    await sender(database, settings, messenger, keep_going=lambda: len(messenger.sent) < 3).send(
        broadcast_id
    )
    assert sum(hellos(messenger).values()) == 3

    after_restart = FakeMessenger()
    resumed = sender(database, settings, after_restart)
    assert await resumed.take_over_interrupted() == [broadcast_id]
    await resumed.send(broadcast_id)
    assert hellos(messenger) + hellos(after_restart) == Counter(chats)


async def test_a_delivery_in_flight_at_a_crash_is_unconfirmed_never_sent_again(
    database: Database, settings: Settings, messenger: FakeMessenger
) -> None:
    await add_clients(database, [9401, 9402, 9403])
    broadcast_id = await started_broadcast(database)
    async with database.sessions() as session:
        delivery = await session.get(BroadcastDelivery, (await deliveries(database))[9402].id)
        assert delivery is not None
        delivery.status = DeliveryStatus.SENDING  # the process died with it on its way
        await session.commit()
    restarted = sender(database, settings, messenger)
    assert await restarted.take_over_interrupted() == [broadcast_id]
    await restarted.send(broadcast_id)
    assert hellos(messenger) == {9401: 1, 9403: 1}
    assert (await deliveries(database))[9402].status == DeliveryStatus.UNCONFIRMED
    assert "sent 2" in messenger.sent[-1].text and "failed 1" in messenger.sent[-1].text


async def test_two_senders_on_one_broadcast_send_each_message_once(
    database: Database, settings: Settings, messenger: FakeMessenger
) -> None:
    chats = range(9500, 9520)
    await add_clients(database, chats)
    broadcast_id = await started_broadcast(database)
    other = FakeMessenger()
    await asyncio.gather(
        sender(database, settings, messenger).send(broadcast_id),
        sender(database, settings, other).send(broadcast_id),
    )
    assert hellos(messenger) + hellos(other) == Counter(chats)
    assert await tally(database, broadcast_id) == Tally(total=20, sent=20, blocked=0, failed=0)


async def test_the_desk_previews_a_draft_then_starts_or_cancels_it_once(
    database: Database,
) -> None:
    await add_clients(database, [9601, 9602, 9603])
    request = BroadcastRequest.parse("/broadcast all | Closed on Friday | 周五休息")
    assert request is not None and request.english == "Closed on Friday"
    assert BroadcastRequest.parse("/broadcast all | only English") is None
    assert BroadcastRequest.parse("/broadcast everyone | a | b") is None
    async with database.sessions() as session:
        desk = BroadcastDesk(session, "en")
        preview = await desk.preview(request, staff_id=1, staff_chat_id=STAFF_CHAT_ID)
        assert preview.recipients == 3
        assert await desk.start(preview.broadcast_id)
        assert not await desk.start(preview.broadcast_id)
        assert not await desk.cancel(preview.broadcast_id)
        second = await desk.preview(request, staff_id=1, staff_chat_id=STAFF_CHAT_ID)
        assert await desk.cancel(second.broadcast_id)
        assert not await desk.start(second.broadcast_id)
        assert not await desk.start(10_000)
        await session.commit()
    assert len(await deliveries(database)) == 3


def reminders(database: Database, settings: Settings, messenger: FakeMessenger) -> Reminders:
    return Reminders(
        database, messenger, TRANSLATIONS, settings, CATALOGUE, AgencyInfo("REDSTAR Works")
    )


async def add_application(database: Database, chat: int, **fields: Any) -> int:
    await add_clients(database, [chat])
    client = await client_row(database, chat)
    async with database.sessions() as session:
        application = FilingApplication(
            client_id=client.id, applicant_type="mainland_individual", **fields
        )
        session.add(application)
        await session.commit()
        return application.id


async def test_a_due_sms_reminder_is_sent_once_even_if_the_job_runs_twice(
    database: Database, settings: Settings, messenger: FakeMessenger
) -> None:
    await add_application(
        database, 9701, status=Stage.SMS_DUE, sms_due_at=utcnow() + timedelta(hours=6)
    )
    jobs = reminders(database, settings, messenger)
    await jobs.send_application_reminders()
    await jobs.send_application_reminders()
    [reminder] = messenger.texts_to(9701)
    assert "SMS verification is due" in reminder
    assert messenger.uncommitted_calls == []


async def test_an_unfinished_application_reminder_offers_continue_and_notes_a_block(
    database: Database, settings: Settings, messenger: FakeMessenger
) -> None:
    four_days_ago = utcnow() - timedelta(days=4)
    await add_application(database, 9801, status=Stage.COLLECTING, updated_at=four_days_ago)
    await add_application(database, 9802, status=Stage.COLLECTING, updated_at=four_days_ago)
    messenger.block(9802)
    jobs = reminders(database, settings, messenger)
    await jobs.send_application_reminders()
    await jobs.send_application_reminders()
    [reminder] = [said for said in messenger.sent if said.chat_id == 9801]
    assert "waiting for you" in reminder.text
    assert reminder.buttons is not None and reminder.buttons[0][0].data == "app:continue"
    assert messenger.attempts.count(9802) == 1  # recorded before sending: not tried again
    assert (await client_row(database, 9802)).blocked_bot
    assert not (await client_row(database, 9801)).blocked_bot


async def test_staff_are_reminded_of_a_waiting_review_and_their_chat_failing_blames_no_client(
    database: Database, settings: Settings, messenger: FakeMessenger
) -> None:
    await add_application(
        database, 9901, status=Stage.SUBMITTED, updated_at=utcnow() - timedelta(days=3)
    )
    messenger.block(STAFF_CHAT_ID)
    await reminders(database, settings, messenger).send_application_reminders()
    assert messenger.attempts == [STAFF_CHAT_ID]
    assert not (await client_row(database, 9901)).blocked_bot

    unblocked = FakeMessenger()
    await reminders(database, settings, unblocked).send_application_reminders()
    assert unblocked.sent == []  # it was recorded as sent: staff are not reminded twice


async def test_a_visit_reminder_is_sent_once(
    database: Database, settings: Settings, messenger: FakeMessenger
) -> None:
    application_id = await add_application(database, 9951, status=Stage.COLLECTING)
    async with database.sessions() as session:
        session.add(
            Booking(
                application_id=application_id,
                starts_at=utcnow() + timedelta(hours=20),
                slot_key="visit-1",
            )
        )
        await session.commit()
    jobs = reminders(database, settings, messenger)
    await jobs.send_visit_reminders()
    await jobs.send_visit_reminders()
    [reminder] = messenger.texts_to(9951)
    assert "verification photo" in reminder and "REDSTAR Works" in reminder
    assert messenger.uncommitted_calls == []


async def test_the_flood_notice_tells_the_client_and_staff_once(
    settings: Settings, messenger: FakeMessenger
) -> None:
    notice = FloodNotice(messenger, TRANSLATIONS, settings)
    await notice.send(Flooder(5301, "Spam <b>Bot</b>", "en"))
    assert [said.chat_id for said in messenger.sent] == [5301, STAFF_CHAT_ID]
    assert "pausing for a few seconds" in messenger.sent[0].text
    assert "Spam &lt;b&gt;Bot&lt;/b&gt;" in messenger.sent[1].text

    blocked = FakeMessenger()
    blocked.block(5302)
    await FloodNotice(blocked, TRANSLATIONS, settings).send(Flooder(5302, "Gone", None))
    assert blocked.sent == []  # logged, not raised
