"""Broadcasts: choosing recipients, recording every delivery, and resuming after a restart."""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value

from bot.chinese import to_traditional
from bot.filing.stages import Stage
from bot.i18n import (
    ENGLISH,
    SIMPLIFIED,
    SUPPORTED_LANGUAGES,
    TRADITIONAL,
    Translations,
    Translator,
)
from bot.services.clients import language_of
from storage.models import (
    Broadcast,
    BroadcastDelivery,
    Client,
    FilingApplication,
    StageChange,
    utcnow,
)
from storage.repositories import changed_rows
from storage.statuses import BroadcastStatus, DeliveryStatus


class SegmentError(ValueError):
    """A segment description that cannot be read."""


@dataclass(frozen=True)
class Segment:
    """Who receives a broadcast: everyone, a stage, a language, or approvals in a period."""

    kind: str
    value: str = ""
    start: date | None = None
    end: date | None = None

    @classmethod
    def parse(cls, text: str) -> Segment:
        """``all``, ``stage:approved``, ``lang:zh_Hans`` or ``approved:2026-01-01..2026-03-31``
        (real dates, the first not after the second); anything else raises ``SegmentError``."""
        text = text.strip()
        if text == "all":
            return cls("all")
        kind, _sep, value = text.partition(":")
        if kind == "stage" and value in {stage.value for stage in Stage}:
            return cls("stage", value)
        if kind == "lang" and value in SUPPORTED_LANGUAGES:
            return cls("lang", value)
        match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", value)
        if kind == "approved" and match:
            try:
                start, end = date.fromisoformat(match[1]), date.fromisoformat(match[2])
            except ValueError:
                raise SegmentError(text) from None  # no such date, e.g. 2026-13-45
            if start > end:
                raise SegmentError(text)  # a reversed period would select nobody
            return cls("approved", "", start, end)
        raise SegmentError(text)


@dataclass(frozen=True)
class Tally:
    """How far a broadcast is."""

    total: int
    sent: int
    blocked: int
    failed: int

    @property
    def done(self) -> int:
        """Recipients that need nothing more."""
        return self.sent + self.blocked + self.failed


def texts_for(english: str, simplified: str) -> dict[str, str]:
    """The notice in every language (Traditional generated from Simplified)."""
    return {ENGLISH: english, SIMPLIFIED: simplified, TRADITIONAL: to_traditional(simplified)}


def language_for(broadcast: Broadcast, client: Client, default_language: str) -> str:
    """The language of the notice a client gets: theirs, else English."""
    language = language_of(client, default_language)
    return language if language in broadcast.texts else ENGLISH


def notice(text: str, translator: Translator, agency_name: str) -> str:
    """A notice as clients read it: the agency's header, then exactly the text staff typed, as
    Telegram HTML (a ``<`` or ``&`` in it is text, not markup)."""
    header = translator.gettext("📣 <b>Notice from {agency}</b>").format(
        agency=html.escape(agency_name, quote=False)
    )
    return f"{header}\n\n{html.escape(text, quote=False)}"


def message_for(
    broadcast: Broadcast,
    client: Client,
    default_language: str,
    translations: Translations,
    agency_name: str,
) -> str:
    """The notice in the client's language, with the agency's header."""
    language = language_for(broadcast, client, default_language)
    text = broadcast.texts.get(language, "")
    return notice(text, translations.get(language), agency_name)


class BroadcastService:
    """Creates broadcasts and keeps the delivery ledger."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def recipients(self, segment: Segment, default_language: str) -> list[Client]:
        """Clients in the segment who have not blocked the bot."""
        query = select(Client).where(Client.blocked_bot.is_(False)).order_by(Client.id)
        if segment.kind == "stage":
            query = query.where(_latest_application_in(segment.value))
        elif segment.kind == "approved" and segment.start and segment.end:
            start = datetime.combine(segment.start, time(0), UTC)
            end = datetime.combine(segment.end + timedelta(days=1), time(0), UTC)
            query = query.where(
                exists()
                .where(FilingApplication.client_id == Client.id)
                .where(StageChange.application_id == FilingApplication.id)
                .where(StageChange.to_stage == Stage.APPROVED.value)
                .where(StageChange.created_at >= start, StageChange.created_at < end)
            )
        clients = list(await self.session.scalars(query))
        if segment.kind == "lang":
            clients = [c for c in clients if language_of(c, default_language) == segment.value]
        return clients

    async def create(
        self, staff_id: int, staff_chat_id: int, segment: str, texts: dict[str, str]
    ) -> Broadcast:
        """A draft, waiting for staff to confirm."""
        broadcast = Broadcast(
            created_by=staff_id, staff_chat_id=staff_chat_id, segment=segment, texts=texts
        )
        self.session.add(broadcast)
        await self.session.flush()
        return broadcast

    async def start(self, broadcast: Broadcast, recipients: list[Client]) -> int:
        """Write one pending delivery per recipient; the broadcast is then running."""
        self.session.add_all(
            BroadcastDelivery(broadcast_id=broadcast.id, client_id=client.id)
            for client in recipients
        )
        broadcast.status = BroadcastStatus.RUNNING
        await self.session.flush()
        return len(recipients)

    async def running(self) -> list[Broadcast]:
        """Broadcasts interrupted by a stop (to resume at start)."""
        return list(
            await self.session.scalars(
                select(Broadcast).where(Broadcast.status == BroadcastStatus.RUNNING)
            )
        )

    async def settle_interrupted(self, broadcast: Broadcast) -> int:
        """Deliveries that were being sent when the bot stopped: never sent twice."""
        changed = await changed_rows(
            self.session,
            update(BroadcastDelivery)
            .where(BroadcastDelivery.broadcast_id == broadcast.id)
            .where(BroadcastDelivery.status == DeliveryStatus.SENDING)
            .values(status=DeliveryStatus.UNCONFIRMED),
        )
        return changed

    async def pending(
        self, broadcast: Broadcast, limit: int
    ) -> list[tuple[BroadcastDelivery, Client]]:
        """The next recipients still to send to."""
        result = await self.session.execute(
            select(BroadcastDelivery, Client)
            .join(Client, Client.id == BroadcastDelivery.client_id)
            .where(BroadcastDelivery.broadcast_id == broadcast.id)
            .where(BroadcastDelivery.status == DeliveryStatus.PENDING)
            .order_by(BroadcastDelivery.id)
            .limit(limit)
        )
        return [(delivery, client) for delivery, client in result.all()]

    async def claim(self, delivery: BroadcastDelivery) -> bool:
        """Take a pending delivery for sending (commit it before sending); False when another
        process already took it."""
        changed = await changed_rows(
            self.session,
            update(BroadcastDelivery)
            .where(
                BroadcastDelivery.id == delivery.id,
                BroadcastDelivery.status == DeliveryStatus.PENDING,
            )
            .values(status=DeliveryStatus.SENDING)
            .execution_options(synchronize_session=False),
        )
        if changed != 1:
            return False
        set_committed_value(
            delivery, "status", DeliveryStatus.SENDING
        )  # what the database now holds
        return True

    async def tally(self, broadcast: Broadcast) -> Tally:
        """Counts by outcome."""
        rows = await self.session.execute(
            select(BroadcastDelivery.status, func.count())
            .where(BroadcastDelivery.broadcast_id == broadcast.id)
            .group_by(BroadcastDelivery.status)
        )
        counts: Counter[str] = Counter({status: count for status, count in rows.all()})
        return Tally(
            total=sum(counts.values()),
            sent=counts[DeliveryStatus.SENT],
            blocked=counts[DeliveryStatus.BLOCKED],
            failed=counts[DeliveryStatus.FAILED] + counts[DeliveryStatus.UNCONFIRMED],
        )

    @staticmethod
    def finish(broadcast: Broadcast) -> None:
        """Mark the broadcast finished."""
        broadcast.status = BroadcastStatus.DONE
        broadcast.finished_at = utcnow()


def _latest_application_in(stage: str) -> ColumnElement[bool]:
    """The client's latest application is at this stage (earlier ones do not count)."""
    newer = aliased(FilingApplication)
    latest_id = (
        select(func.max(newer.id))
        .where(newer.client_id == Client.id)
        .correlate(Client)  # the outer query's client, not the application of the EXISTS
        .scalar_subquery()
    )
    return (
        exists()
        .where(FilingApplication.client_id == Client.id)
        .where(FilingApplication.id == latest_id, FilingApplication.status == stage)
    )
