"""Where a client's application stands, as “My status” shows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.filing.applications import ApplicationService, Progress
from bot.filing.catalogue import Catalogue
from bot.filing.stages import OPEN_TO_CLIENT, HistoryEntry, Stage, StageService, next_expected
from storage.models import Client


@dataclass(frozen=True)
class NoApplication:
    """The client has not started an application."""


@dataclass(frozen=True)
class Collecting:
    """The client is still giving documents and details."""

    progress: Progress


@dataclass(frozen=True)
class InReview:
    """The application was submitted: its stage, history and the next expected date."""

    stage: str
    icp_number: str | None
    history: tuple[HistoryEntry, ...]  # oldest first
    expected: date | None


ClientStatus = NoApplication | Collecting | InReview


class StatusService:
    """Reads where a client's latest application stands."""

    def __init__(self, session: AsyncSession, catalogue: Catalogue, timezone: ZoneInfo) -> None:
        """``timezone`` is the office's: working days are counted there."""
        self.applications = ApplicationService(session, catalogue)
        self.stages = StageService(session)
        self.timezone = timezone

    async def of(self, client: Client) -> ClientStatus:
        """The status of the client's latest application."""
        application = await self.applications.latest_for(client)
        if application is None:
            return NoApplication()
        if application.status in OPEN_TO_CLIENT:
            return Collecting(await self.applications.progress(application))
        history = await self.stages.entries(application)
        expected = None
        if history:
            moved = history[-1].when
            expected = next_expected(
                Stage(application.status), moved, moved.astimezone(self.timezone).date()
            )
        return InReview(application.status, application.icp_number, history, expected)
