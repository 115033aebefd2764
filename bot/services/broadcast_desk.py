"""The staff side of a broadcast before it goes out: read the request, preview it as a draft,
then start or cancel the draft."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import SUPPORTED_LANGUAGES, Translations
from bot.services.broadcasts import BroadcastService, Segment, SegmentError, notice, texts_for
from storage.models import Broadcast
from storage.statuses import BroadcastStatus


@dataclass(frozen=True)
class BroadcastRequest:
    """``/broadcast <segment> | <English text> | <中文>``, read."""

    segment: Segment
    segment_text: str
    english: str
    chinese: str

    @classmethod
    def parse(cls, command: str) -> BroadcastRequest | None:
        """The request in a /broadcast message, or None when it is not one."""
        parts = [part.strip() for part in command.partition(" ")[2].split("|")]
        if len(parts) != 3 or not all(parts):
            return None
        try:
            segment = Segment.parse(parts[0])
        except SegmentError:
            return None
        return cls(segment, parts[0], parts[1], parts[2])


@dataclass(frozen=True)
class Preview:
    """A draft waiting for staff to press Send or Cancel."""

    broadcast_id: int
    recipients: int
    request: BroadcastRequest
    texts: dict[str, str]  # the notice in every language, Traditional generated


class BroadcastDesk:
    """Drafts, starts and cancels broadcasts in the current update's session."""

    def __init__(self, session: AsyncSession, default_language: str) -> None:
        self.session = session
        self.service = BroadcastService(session)
        self.default_language = default_language

    async def preview(
        self, request: BroadcastRequest, staff_id: int, staff_chat_id: int
    ) -> Preview:
        """Record the request as a draft and count its recipients."""
        recipients = await self.service.recipients(request.segment, self.default_language)
        broadcast = await self.service.create(
            staff_id,
            staff_chat_id,
            request.segment_text,
            texts_for(request.english, request.chinese),
        )
        return Preview(broadcast.id, len(recipients), request, dict(broadcast.texts))

    async def test_notices(
        self, broadcast_id: int, translations: Translations, agency_name: str
    ) -> list[str] | None:
        """A draft's notice in every language, exactly as clients will get it (for staff to
        send themselves a test); None when it is no draft."""
        broadcast = await self._draft(broadcast_id)
        if broadcast is None:
            return None
        return [
            notice(broadcast.texts[language], translations.get(language), agency_name)
            for language in SUPPORTED_LANGUAGES
            if language in broadcast.texts
        ]

    async def start(self, broadcast_id: int) -> bool:
        """Record one pending delivery per recipient of a draft; False when it is no draft."""
        broadcast = await self._draft(broadcast_id)
        if broadcast is None:
            return False
        segment = Segment.parse(broadcast.segment)
        await self.service.start(
            broadcast, await self.service.recipients(segment, self.default_language)
        )
        return True

    async def cancel(self, broadcast_id: int) -> bool:
        """Cancel a draft; False when it is no draft."""
        broadcast = await self._draft(broadcast_id)
        if broadcast is None:
            return False
        broadcast.status = BroadcastStatus.CANCELLED
        return True

    async def _draft(self, broadcast_id: int) -> Broadcast | None:
        broadcast = await self.session.get(Broadcast, broadcast_id)
        if broadcast is None or broadcast.status != BroadcastStatus.DRAFT:
            return None
        return broadcast
