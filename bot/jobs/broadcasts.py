"""Sending a broadcast: every pending recipient once, within Telegram's limits, resumable.

Each delivery is claimed, and the claim committed, just before its message goes out: a stop or
a crash can catch only that one message in flight (reported as unconfirmed at the next start,
never sent again), and a second bot process sharing the database skips it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import Translations, Translator
from bot.messenger import (
    BlockedError,
    Messenger,
    MessengerError,
    RetryLaterError,
    UndeliveredError,
    UnreachableError,
)
from bot.progress import progress_bar
from bot.scope import background_session
from bot.services.broadcasts import BroadcastService, Tally, message_for
from bot.services.clients import ClientService
from bot.services.send_budget import SendBudget, sending_in_bulk
from storage.database import Database
from storage.models import Broadcast, BroadcastDelivery, Client, utcnow
from storage.statuses import DeliveryStatus

log = logging.getLogger(__name__)

BATCH = 200
PROGRESS_EVERY_SECONDS = 3.0
MAX_ATTEMPTS = 5
MAX_BACKOFF_SECONDS = 30.0
ERROR_LENGTH = 200

Sleep = Callable[[float], Awaitable[None]]


class BroadcastSender:
    """Delivers broadcasts through a ``Messenger`` and keeps staff's progress message current."""

    def __init__(
        self,
        database: Database,
        messenger: Messenger,
        budget: SendBudget,
        translations: Translations,
        settings: Settings,
        *,
        keep_going: Callable[[], bool] = lambda: True,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.database = database
        self.messenger = messenger
        self.budget = budget
        self.staff = translations.get(None)
        self.translations = translations
        self.default_language = settings.default_language
        self.agency_name = settings.agency_name
        self.keep_going = keep_going  # False once the bot is stopping: the rest waits
        self.sleep = sleep

    async def take_over_interrupted(self) -> list[int]:
        """At start: the broadcasts a stop interrupted, with the deliveries that were in flight
        settled as unconfirmed (so nobody gets a second copy); their ids, to send on."""
        async with background_session(self.database) as session:
            service = BroadcastService(session)
            running = await service.running()
            for broadcast in running:
                unsure = await service.settle_interrupted(broadcast)
                if unsure:
                    log.warning(
                        "Broadcast %s: %s deliveries unconfirmed after a stop",
                        broadcast.id,
                        unsure,
                    )
            await session.commit()
        return [broadcast.id for broadcast in running]

    async def send(self, broadcast_id: int, *, announce: bool = False) -> None:
        """Send to every pending recipient, recording each outcome, until done or stopped;
        ``announce`` first shows staff a progress message (a newly confirmed broadcast)."""
        try:
            with sending_in_bulk():
                if announce:
                    await self._announce(broadcast_id)
                await self._send_pending(broadcast_id)
        except Exception:
            log.exception(
                "Broadcast %s stopped by an error; it resumes at the next start", broadcast_id
            )

    async def _send_pending(self, broadcast_id: int) -> None:
        last_progress = 0.0
        while True:
            async with background_session(self.database) as session:
                service = BroadcastService(session)
                broadcast = await session.get(Broadcast, broadcast_id)
                if broadcast is None:
                    return
                batch = await service.pending(broadcast, BATCH)
                if not batch:
                    service.finish(broadcast)
                    tally = await service.tally(broadcast)
                    await session.commit()
                    await self._report(broadcast, tally, final=True)
                    return
                for delivery, client in batch:
                    if not self.keep_going():
                        log.info("Broadcast %s paused by the stop", broadcast_id)
                        return
                    await self._deliver(session, broadcast, delivery, client)
                    if time.monotonic() - last_progress > PROGRESS_EVERY_SECONDS:
                        last_progress = time.monotonic()
                        tally = await service.tally(broadcast)
                        await session.commit()
                        await self._report(broadcast, tally)

    async def _deliver(
        self,
        session: AsyncSession,
        broadcast: Broadcast,
        delivery: BroadcastDelivery,
        client: Client,
    ) -> None:
        """Send one recipient their copy, trying again while that may help; the outcome is
        committed."""
        text = message_for(
            broadcast, client, self.default_language, self.translations, self.agency_name
        )
        service = BroadcastService(session)
        while True:
            await self.budget.wait_turn()
            if delivery.status == DeliveryStatus.PENDING and not await service.claim(delivery):
                return  # another bot process took it
            delivery.attempts += 1
            await session.commit()  # the claim is stored before the message goes out
            try:
                await self.messenger.send(client.telegram_id, text)
            except RetryLaterError as error:
                delivery.status = DeliveryStatus.PENDING  # certainly not delivered: safe to send
                await session.commit()
                await self.sleep(error.seconds)
                continue  # the same recipient again: nobody is lost
            except BlockedError:
                delivery.status = DeliveryStatus.BLOCKED
                ClientService.mark_blocked(client, True)
            except UnreachableError as error:
                if delivery.attempts < MAX_ATTEMPTS:
                    await self.sleep(min(2.0**delivery.attempts, MAX_BACKOFF_SECONDS))
                    continue  # still claimed by us: no other process sends it meanwhile
                _failed(delivery, error)
            except UndeliveredError as error:
                _failed(delivery, error)
            else:
                delivery.status = DeliveryStatus.SENT
                delivery.sent_at = utcnow()
            break
        await session.commit()

    async def _announce(self, broadcast_id: int) -> None:
        """Send staff the progress message that the progress reports then edit."""
        async with background_session(self.database) as session:
            broadcast = await session.get(Broadcast, broadcast_id)
            if broadcast is None or broadcast.progress_message_id:
                return
            tally = await BroadcastService(session).tally(broadcast)
            await session.commit()
            try:
                with sending_in_bulk(False):
                    broadcast.progress_message_id = await self.messenger.send(
                        broadcast.staff_chat_id, progress_text(self.staff, tally)
                    )
            except MessengerError as error:
                log.warning("Could not show the broadcast progress: %s", error)
                return
            await session.commit()

    async def _report(self, broadcast: Broadcast, tally: Tally, *, final: bool = False) -> None:
        """Update staff's progress message in place; the result is that same message (a new
        one only when there is none to edit, e.g. it was deleted)."""
        text = progress_text(self.staff, tally, final=final)
        try:
            with sending_in_bulk(False):
                if broadcast.progress_message_id:
                    try:
                        await self.messenger.edit(
                            broadcast.staff_chat_id, broadcast.progress_message_id, text
                        )
                        return
                    except UndeliveredError:
                        if not final:
                            raise
                if final:
                    await self.messenger.send(broadcast.staff_chat_id, text)
        except MessengerError as error:
            log.debug("Could not update the broadcast progress: %s", error)


def _failed(delivery: BroadcastDelivery, error: MessengerError) -> None:
    delivery.status = DeliveryStatus.FAILED
    delivery.error = str(error)[:ERROR_LENGTH]


def progress_text(translator: Translator, tally: Tally, *, final: bool = False) -> str:
    """Staff's view of a broadcast: a bar and the counts by outcome."""
    _ = translator.gettext
    head = _("📣 Broadcast finished") if final else _("📣 Broadcast in progress")
    return _(
        "{head}\n{bar} {done}/{total}\nsent {sent} · failed {failed} · blocked {blocked}"
    ).format(
        head=head,
        bar=progress_bar(tally.done, tally.total),
        done=tally.done,
        total=tally.total,
        sent=tally.sent,
        failed=tally.failed,
        blocked=tally.blocked,
    )
