"""The staff desk's use cases: an application's card, moving it between stages (the client is
told in their language, after the move is stored) and its dossier for submission."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.filing.applications import ApplicationService
from bot.filing.catalogue import Catalogue
from bot.filing.stages import STAFF_MOVES, HistoryEntry, Stage, StageService, next_expected
from bot.i18n import Translations
from bot.images.storage import DocumentStore
from bot.messenger import (
    BlockedError,
    Button,
    Keyboard,
    Messenger,
    RetryLaterError,
    UndeliveredError,
    keyboard,
)
from bot.services.clients import ClientService, language_of
from bot.services.dossier import Dossier, build_dossier
from bot.services.notices import notice, parse_change_requests
from storage.models import Client, FilingApplication, StageChange, as_utc, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Card:
    """What staff see of an application: who, where it stands, its moves so far and next."""

    number: int
    client_name: str | None  # None when the client's record is gone
    stage: str
    icp_number: str | None
    history: tuple[HistoryEntry, ...]  # oldest first
    moves: tuple[Stage, ...]  # the stages staff may move it to now


@dataclass(frozen=True)
class ClientNotice:
    """The message that tells the client about a move."""

    chat_id: int
    language: str
    text: str
    buttons: Keyboard | None


@dataclass(frozen=True)
class MoveOutcome:
    """A stored move, what the client was told, and the card as it is now."""

    change: HistoryEntry
    notice: ClientNotice | None  # None when the client's record is gone
    delivered: bool
    card: Card


class StageDesk:
    """Looks applications up, moves them between stages and exports their dossiers."""

    def __init__(
        self,
        session: AsyncSession,
        settings: Settings,
        translations: Translations,
        catalogue: Catalogue,
        documents: DocumentStore,
        messenger: Messenger,
        *,
        commit: Callable[[], Awaitable[None]],
        continue_data: str,
    ) -> None:
        """``commit`` stores the unit of work; ``continue_data`` is the callback data of the
        client's “Continue” button."""
        self.session = session
        self.settings = settings
        self.translations = translations
        self.catalogue = catalogue
        self.documents = documents
        self.messenger = messenger
        self.commit = commit
        self.continue_data = continue_data
        self.stages = StageService(session)
        self.applications = ApplicationService(session, catalogue)

    async def card(self, number: int) -> Card | None:
        """The card of application ``number``; None if there is none."""
        application = await self.stages.get(number)
        return await self._card(application) if application is not None else None

    async def move(
        self, number: int, stage: Stage, actor_id: int | None, note: str = ""
    ) -> MoveOutcome | None:
        """Move application ``number`` to ``stage`` and tell the client; None if there is no
        such application. Raises ``MoveError`` (nothing changed) for a move not allowed."""
        application = await self.stages.get(number)
        if application is None:
            return None
        change = await self.stages.move(application, stage, actor_id, note)
        if stage is Stage.CHANGES_REQUESTED:
            steps = [step for step, _reason in parse_change_requests(note) if step]
            if not await self.applications.reopen(application, steps):
                application.current_step = None
        client = await self.session.get(Client, application.client_id)
        message, delivered = None, False
        if client is not None:
            message = self._notice(application, change, client)
            delivered = await self._deliver(client, message, application.id)
        return MoveOutcome(
            HistoryEntry.of(change), message, delivered, await self._card(application)
        )

    async def sms_received(
        self, number: int, received_at: datetime, actor_id: int | None
    ) -> MoveOutcome | None:
        """The client got the MIIT SMS at ``received_at`` (their report, or staff's): the 24
        hours count from then. From “at the bureau” this is the move to “SMS due”; while the
        SMS is due it corrects the deadline. The client is told the deadline either way.
        None if there is no such application; ``MoveError`` when it is at another stage."""
        application = await self.stages.get(number)
        if application is None:
            return None
        if application.status == Stage.SMS_DUE:
            self.stages.sms_received(application, received_at)
            history = await self.stages.history(application)
            change = history[-1]
        else:
            change = await self.stages.move(
                application, Stage.SMS_DUE, actor_id, sms_received_at=received_at
            )
        client = await self.session.get(Client, application.client_id)
        message, delivered = None, False
        if client is not None:
            message = self._notice(application, change, client)
            delivered = await self._deliver(client, message, application.id)
        return MoveOutcome(
            HistoryEntry.of(change), message, delivered, await self._card(application)
        )

    async def export(self, number: int) -> Dossier | None:
        """The dossier of application ``number``; None if there is none. The work is committed
        first and the files are read off the event loop, holding no database connection."""
        application = await self.stages.get(number)
        client = await self.session.get(Client, application.client_id) if application else None
        if application is None or client is None:
            return None
        states = await self.applications.states(application)
        documents = await self.applications.current_documents(application)
        history = await self.stages.entries(application)
        await self.commit()
        return await asyncio.to_thread(
            build_dossier,
            application,
            client,
            states,
            documents,
            self.catalogue,
            self.documents,
            self.translations.get(None),
            history,
        )

    async def _card(self, application: FilingApplication) -> Card:
        client = await self.session.get(Client, application.client_id)
        return Card(
            number=application.id,
            client_name=client.full_name if client is not None else None,
            stage=application.status,
            icp_number=application.icp_number,
            history=await self.stages.entries(application),
            moves=STAFF_MOVES.get(Stage(application.status), ()),
        )

    def _notice(
        self, application: FilingApplication, change: StageChange, client: Client
    ) -> ClientNotice:
        language = language_of(client, self.settings.default_language)
        translator = self.translations.get(language)
        today = utcnow().astimezone(self.settings.hours().timezone).date()
        expected = next_expected(Stage(change.to_stage), as_utc(change.created_at), today)
        text = notice(
            application,
            change,
            translator,
            self.catalogue,
            expected,
            self.settings.office_timezone,
        )
        buttons = None
        if change.to_stage == Stage.CHANGES_REQUESTED:
            buttons = keyboard([Button(translator.gettext("▶️ Continue"), self.continue_data)])
        return ClientNotice(client.telegram_id, translator.language, text, buttons)

    async def _deliver(self, client: Client, message: ClientNotice, number: int) -> bool:
        """Send the notice (the messenger commits the move first); whether it arrived."""
        try:
            await self.messenger.send(message.chat_id, message.text, message.buttons)
        except BlockedError:
            ClientService.mark_blocked(client, True)
            return False
        except (RetryLaterError, UndeliveredError) as error:
            log.warning("Could not notify client of application %s: %s", number, error)
            return False
        return True
