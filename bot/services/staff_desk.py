"""The staff desk's use cases: an application's card (kept as one message in the client's
topic, edited as the application moves), moving it between stages (the client is told in their
language, after the move is stored), its documents as an album and its dossier."""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import TALK_TO_STAFF
from bot.config import Settings
from bot.filing.applications import ApplicationService, StepStatus
from bot.filing.catalogue import PROVINCE_STEP, Catalogue, FilingType, Item
from bot.filing.icp_numbers import parse_public_security_number
from bot.filing.provinces import expected_review_days
from bot.filing.stages import (
    HistoryEntry,
    MoveError,
    Outcome,
    Stage,
    StageService,
    next_expected,
    staff_moves,
)
from bot.i18n import Translations, Translator
from bot.images.storage import DocumentStore
from bot.localized import LocalizedText
from bot.messenger import (
    BlockedError,
    Button,
    Keyboard,
    Messenger,
    MessengerError,
    RetryLaterError,
    UndeliveredError,
    keyboard,
)
from bot.names import name_of
from bot.services.clients import ClientService, language_of
from bot.services.conversations import ConversationDesk
from bot.services.dossier import Dossier, build_dossier
from bot.services.footer import PUBLIC_SECURITY_KEY
from bot.services.notices import notice, parse_change_requests, public_security_notice
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
    filing_type: FilingType | None = None  # None: the data file has no filing types
    province: str | None = None  # the province's id, if chosen
    province_name: LocalizedText | None = None  # its name, if it is a known province

    public_security: str | None = None  # the 公网安备 number, once recorded
    steps: tuple[Item, ...] = ()  # the application's own steps, in order
    values: tuple[tuple[Item, str | None], ...] = ()  # accepted steps and their answers
    documents: int = 0  # current normalised documents
    resubmitted: bool = False  # submitted again after staff asked for changes

    @property
    def outcome(self) -> Outcome:
        """What an approval records for this kind of filing."""
        return self.filing_type.outcome if self.filing_type else Outcome.ICP_NUMBER


MAX_ALBUM = 10  # Telegram's limit per media group


@dataclass(frozen=True)
class ClientNotice:
    """The message that tells the client about a move."""

    chat_id: int
    language: str
    text: str
    buttons: Keyboard | None


@dataclass(frozen=True)
class RecordOutcome:
    """A recorded public-security number, whether the client got their footer, the card."""

    delivered: bool
    card: Card


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
        conversations: ConversationDesk | None = None,
    ) -> None:
        """``commit`` stores the unit of work; ``continue_data`` is the callback data of the
        client's “Continue” button; ``conversations`` closes the conversation a submission
        opened once staff move the application on."""
        self.session = session
        self.settings = settings
        self.translations = translations
        self.catalogue = catalogue
        self.documents = documents
        self.messenger = messenger
        self.commit = commit
        self.continue_data = continue_data
        self.conversations = conversations
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
        kind = self.catalogue.filing_type_of(application.answers or {})
        change = await self.stages.move(
            application,
            stage,
            actor_id,
            note,
            stages=kind.stages if kind else None,
            outcome=kind.outcome if kind else Outcome.ICP_NUMBER,
        )
        if stage is Stage.CHANGES_REQUESTED:
            steps = [step for step, _reason in parse_change_requests(note) if step]
            if not await self.applications.reopen(application, steps):
                application.current_step = None
        client = await self.session.get(Client, application.client_id)
        message, delivered = None, False
        if client is not None:
            message = self._notice(application, change, client)
            delivered = await self._deliver(client, message, application.id)
            if self.conversations is not None:
                await self.conversations.close_case(client)
        return MoveOutcome(
            HistoryEntry.of(change), message, delivered, await self._card(application)
        )

    async def record_public_security(self, number: int, text: str) -> RecordOutcome | None:
        """Record an approved application's 公网安备 number and send the client the footer with
        both numbers; None if there is no such application. Raises ``MoveError`` (nothing
        changed) when it is not approved or the number is not one."""
        application = await self.stages.get(number)
        if application is None:
            return None
        if application.status != Stage.APPROVED or not application.icp_number:
            raise MoveError("the application is not approved yet")
        public_security = parse_public_security_number(text)
        if public_security is None:
            raise MoveError("a public-security number looks like 京公网安备11010802020123号")
        application.answers = {
            **(application.answers or {}),
            PUBLIC_SECURITY_KEY: public_security.text,
        }
        client = await self.session.get(Client, application.client_id)
        delivered = False
        if client is not None:
            language = language_of(client, self.settings.default_language)
            translator = self.translations.get(language)
            text = public_security_notice(application.icp_number, public_security, translator)
            message = ClientNotice(client.telegram_id, translator.language, text, None)
            delivered = await self._deliver(client, message, application.id)
        return RecordOutcome(delivered, await self._card(application))

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
            kind = self.catalogue.filing_type_of(application.answers or {})
            change = await self.stages.move(
                application,
                Stage.SMS_DUE,
                actor_id,
                stages=kind.stages if kind else None,
                sms_received_at=received_at,
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
        answers = application.answers or {}
        kind = self.catalogue.filing_type_of(answers)
        province = self.catalogue.provinces.find(answers.get(PROVINCE_STEP))
        history = await self.stages.entries(application)
        states = await self.applications.states(application)
        steps = tuple(self.applications.steps(application))
        values = tuple(
            (item, states[item.id].value)
            for item in steps
            if item.id in states and states[item.id].state == StepStatus.ACCEPTED
        )
        documents = await self.applications.current_documents(application)
        return Card(
            number=application.id,
            client_name=name_of(client) if client is not None else None,
            stage=application.status,
            icp_number=application.icp_number,
            history=history,
            moves=staff_moves(Stage(application.status), kind.stages if kind else None),
            public_security=answers.get(PUBLIC_SECURITY_KEY),
            steps=steps,
            values=values,
            documents=sum(1 for d in documents if d.normalised_sha256),
            resubmitted=_resubmitted(history),
            filing_type=kind,
            province=answers.get(PROVINCE_STEP),
            province_name=province.name if province else None,
        )

    async def client_translator(self, number: int) -> Translator | None:
        """The language of the client of application ``number`` (for preset reasons)."""
        application = await self.stages.get(number)
        client = await self.session.get(Client, application.client_id) if application else None
        if client is None:
            return None
        return self.translations.get(language_of(client, self.settings.default_language))

    async def publish(
        self, number: int, text: str, buttons: Keyboard | None, *, fresh: bool
    ) -> tuple[int, int] | None:
        """Show the card in the client's topic: edit the card posted before, or post a new
        one when ``fresh`` (or when there is none); (topic, message id), None without a
        topic."""
        application = await self.stages.get(number)
        client = await self.session.get(Client, application.client_id) if application else None
        if application is None or client is None or self.conversations is None:
            return None
        previous = None if fresh else application.staff_card_message_id
        placed = await self.conversations.place_in_topic(client, text, buttons, previous)
        if placed is None:
            return None
        application.staff_card_message_id = placed[1]
        return placed

    async def album(self, number: int, chat_id: int, topic: int | None) -> int:
        """Send the application's normalised documents as albums (captioned with their
        step); how many were sent. The files are read off the event loop."""
        application = await self.stages.get(number)
        if application is None:
            return 0
        language = self.translations.get(None).language
        order = {
            item.id: (position, item)
            for position, item in enumerate(self.applications.steps(application))
        }
        current = [
            d
            for d in await self.applications.current_documents(application)
            if d.normalised_sha256
        ]
        current.sort(key=lambda d: order[d.step_id][0] if d.step_id in order else len(order))
        documents = [
            (
                order[d.step_id][1].title.get(language) if d.step_id in order else d.step_id,
                d.normalised_sha256 or "",
            )
            for d in current
        ]
        await self.commit()
        photos = [
            (
                await asyncio.to_thread(self.documents.read, sha, ".jpg"),
                f"#{number} · {html.escape(title, quote=False)}",
            )
            for title, sha in documents
        ]
        client = await self.session.get(Client, application.client_id)
        for start in range(0, len(photos), MAX_ALBUM):
            part = photos[start : start + MAX_ALBUM]
            if topic is not None and self.conversations is not None and client is not None:
                if not await self.conversations.album_in_topic(client, part):
                    return start
                continue
            try:
                await self.messenger.send_album(chat_id, part, topic=topic)
            except MessengerError as error:
                log.warning("Could not send the documents of application %s: %s", number, error)
                return start
        return len(photos)

    def _notice(
        self, application: FilingApplication, change: StageChange, client: Client
    ) -> ClientNotice:
        language = language_of(client, self.settings.default_language)
        translator = self.translations.get(language)
        today = utcnow().astimezone(self.settings.hours().timezone).date()
        province = (application.answers or {}).get(PROVINCE_STEP)
        expected = next_expected(
            Stage(change.to_stage),
            as_utc(change.created_at),
            today,
            review_days=expected_review_days(province, self.catalogue.provinces),
        )
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
        elif change.to_stage == Stage.APPROVED:
            label = translator.gettext("🛡 Help with the public-security filing")
            buttons = keyboard([Button(label, TALK_TO_STAFF)])
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


def _resubmitted(history: tuple[HistoryEntry, ...]) -> bool:
    """Whether the client submitted again after staff asked for changes."""
    stages = [entry.stage for entry in history]
    if Stage.CHANGES_REQUESTED not in stages:
        return False
    first_request = stages.index(Stage.CHANGES_REQUESTED)
    return Stage.SUBMITTED in stages[first_request:]
