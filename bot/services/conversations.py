"""Conversations with staff as use cases: hand a client off, relay messages both ways, claim,
close.

The staff group gets an alert with Claim / Close buttons (in the client's own forum topic when
the group is a forum, created once and again if staff deleted it); while the conversation is
open, messages are copied between the client's chat and the staff group. Telegram is reached
through a ``Messenger``, which commits the work before every call.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import CLAIM_CONVERSATION, CLOSE_CONVERSATION, TALK_TO_STAFF
from bot.config import Settings
from bot.filing.applications import ApplicationService
from bot.filing.catalogue import Catalogue
from bot.i18n import Translations, Translator
from bot.messenger import (
    Button,
    Keyboard,
    Messenger,
    MessengerError,
    TopicGoneError,
    keyboard,
)
from bot.names import name_of
from bot.services.clients import language_of
from bot.services.handoff import staff_alert
from bot.services.notices import stage_name
from bot.services.support import SupportService
from storage.models import Client, SupportConversation, utcnow
from storage.repositories import QuestionRepository
from storage.statuses import ConversationStatus, RelayDirection

log = logging.getLogger(__name__)

MAX_TOPIC_NAME = 120  # Telegram allows 128


class HandOffResult(StrEnum):
    """What became of a client's wish to talk to a person."""

    NO_STAFF_CHAT = "no_staff_chat"  # the agency set no staff group: give its contacts
    ALREADY_OPEN = "already_open"
    CONNECTED = "connected"
    UNREACHABLE = "unreachable"  # the staff group could not be reached


@dataclass(frozen=True)
class HandOff:
    """The outcome of a hand-off, for the client's reply."""

    result: HandOffResult
    office_opens_at: datetime | None = None  # set when the office is closed right now


class RelayResult(StrEnum):
    """What became of a staff member's message in the staff group."""

    NOT_A_CONVERSATION = "not_a_conversation"  # staff talking among themselves
    CLOSED = "closed"
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True)
class StaffMember:
    """Who acts in the staff group."""

    telegram_id: int
    name: str


@dataclass
class ForumFlag:
    """Whether the staff group has forum topics, asked once per process."""

    value: bool | None = None


class ConversationDesk:
    """The use cases of conversations between clients and staff."""

    def __init__(
        self,
        session: AsyncSession,
        messenger: Messenger,
        settings: Settings,
        translations: Translations,
        catalogue: Catalogue,
        forum: ForumFlag,
    ) -> None:
        self.session = session
        self.messenger = messenger
        self.settings = settings
        self.translations = translations
        self.catalogue = catalogue
        self.forum = forum
        self.conversations = SupportService(session)

    @property
    def staff_language(self) -> Translator:
        """The staff's translator (the default language)."""
        return self.translations.get(None)

    async def hand_off(
        self, client: Client, language: str, last_question: str | None, reason: str
    ) -> HandOff:
        """Open the client's conversation and alert staff once."""
        if self.settings.staff_chat_id is None:
            return HandOff(HandOffResult.NO_STAFF_CHAT)
        conversation, opened = await self.conversations.open(client, reason)
        if not opened:
            return HandOff(HandOffResult.ALREADY_OPEN)
        if last_question is None:
            latest = await QuestionRepository(self.session).latest_of_client(client.id)
            last_question = latest.text if latest else None
        alert = staff_alert(
            client,
            language,
            last_question,
            await self._application_line(client),
            self.staff_language,
        )
        if not await self._post_alert(conversation, client, alert):
            SupportService.close(conversation)
            return HandOff(HandOffResult.UNREACHABLE)
        hours = self.settings.hours()
        now = utcnow()
        opens = None if hours.is_open(now) else hours.next_opening(now)
        return HandOff(HandOffResult.CONNECTED, opens)

    async def open_with_alert(self, client: Client, reason: str, alert: str) -> bool:
        """Open the client's conversation with a given alert (e.g. a submitted application);
        False when staff could not be reached. No second alert while it is open."""
        if self.settings.staff_chat_id is None:
            return False
        conversation, opened = await self.conversations.open(client, reason)
        if not opened:
            return await self._to_staff(conversation, client, alert) is not None
        return await self._post_alert(conversation, client, alert)

    async def relay_from_client(
        self, client: Client, conversation: SupportConversation, chat_id: int, message_id: int
    ) -> bool:
        """Copy a client's message into their topic (or under their alert); False on failure."""
        staff_chat = self.settings.staff_chat_id
        if staff_chat is None:
            return False
        topic = await self._topic(conversation, client, fresh=False)
        reply_to = None if topic else conversation.alert_message_id
        try:
            copied = await self.messenger.copy(
                chat_id, message_id, staff_chat, topic=topic, reply_to=reply_to
            )
        except MessengerError as error:
            log.warning("Could not relay a client message: %s", error)
            return False
        await self.conversations.record(
            conversation, RelayDirection.FROM_CLIENT, message_id, copied
        )
        return True

    async def relay_from_staff(
        self,
        staff: StaffMember,
        message_id: int,
        *,
        topic: int | None,
        reply_to: int | None,
    ) -> tuple[RelayResult, str]:
        """Copy a staff member's message to the client whose topic (or message) it answers;
        with the reason when it failed."""
        staff_chat = self.settings.staff_chat_id
        conversation = await self.conversations.by_topic(topic) if topic else None
        if conversation is None and reply_to is not None:
            conversation = await self.conversations.by_staff_message(reply_to)
        client = await self._client_of(conversation)
        if conversation is None or client is None or staff_chat is None:
            return RelayResult.NOT_A_CONVERSATION, ""
        if conversation.status != ConversationStatus.OPEN:
            return RelayResult.CLOSED, ""
        if conversation.claimed_by is None:
            await self._announce_claim(conversation, client, staff)
        try:
            copied = await self.messenger.copy(staff_chat, message_id, client.telegram_id)
        except MessengerError as error:
            return RelayResult.FAILED, str(error)
        await self.conversations.record(conversation, RelayDirection.TO_CLIENT, copied, message_id)
        return RelayResult.DELIVERED, ""

    async def claim(self, conversation_id: int, staff: StaffMember) -> bool:
        """A staff member takes the conversation; False when it is closed or unknown."""
        conversation = await self.conversations.get(conversation_id)
        client = await self._client_of(conversation)
        if conversation is None or client is None:
            return False
        if conversation.status != ConversationStatus.OPEN:
            return False
        await self._announce_claim(conversation, client, staff)
        taken = self.staff_language.gettext("✋ {name} took this conversation.").format(
            name=html.escape(staff.name, quote=False)
        )
        await self._to_staff(conversation, client, taken)
        return True

    async def close(self, *, conversation_id: int | None = None, topic: int | None = None) -> bool:
        """End a conversation (by id or by its topic) and tell the client; False when it was
        not open."""
        if conversation_id is not None:
            conversation = await self.conversations.get(conversation_id)
        else:
            conversation = await self.conversations.by_topic(topic) if topic else None
        client = await self._client_of(conversation)
        if conversation is None or client is None or not SupportService.close(conversation):
            return False
        _ = self._client_language(client).gettext
        try:
            await self.messenger.send(
                client.telegram_id,
                _(
                    "The conversation with our team is closed. If you need anything else, just "
                    "ask here – or talk to us again."
                ),
                keyboard([Button(_("🙋 Talk to staff"), TALK_TO_STAFF)]),
            )
        except MessengerError as error:
            log.warning("Could not tell the client the conversation closed: %s", error)
        await self._to_staff(
            conversation, client, self.staff_language.gettext("✅ Conversation closed.")
        )
        return True

    async def _client_of(self, conversation: SupportConversation | None) -> Client | None:
        if conversation is None:
            return None
        return await self.session.get(Client, conversation.client_id)

    def _client_language(self, client: Client) -> Translator:
        return self.translations.get(language_of(client, self.settings.default_language))

    async def _announce_claim(
        self, conversation: SupportConversation, client: Client, staff: StaffMember
    ) -> None:
        SupportService.claim(conversation, staff.telegram_id)
        text = (
            self._client_language(client)
            .gettext("👋 {name} from our team has joined the conversation.")
            .format(name=html.escape(staff.name, quote=False))
        )
        try:
            await self.messenger.send(client.telegram_id, text)
        except MessengerError as error:
            log.warning("Could not tell the client staff joined: %s", error)

    async def _post_alert(
        self, conversation: SupportConversation, client: Client, text: str
    ) -> bool:
        """Post an alert with Claim / Close buttons; remember it for replies."""
        _ = self.staff_language.gettext
        buttons = keyboard(
            [
                Button(_("✋ Claim"), f"{CLAIM_CONVERSATION}{conversation.id}"),
                Button(_("✅ Close"), f"{CLOSE_CONVERSATION}{conversation.id}"),
            ]
        )
        sent = await self._to_staff(conversation, client, text, buttons)
        if sent is None:
            return False
        conversation.alert_message_id = sent
        return True

    async def _to_staff(
        self,
        conversation: SupportConversation,
        client: Client,
        text: str,
        buttons: Keyboard | None = None,
    ) -> int | None:
        """Post in the client's topic (created again if staff deleted it) or the group."""
        staff_chat = self.settings.staff_chat_id
        if staff_chat is None:
            return None
        for fresh in (False, True):
            topic = await self._topic(conversation, client, fresh=fresh)
            try:
                return await self.messenger.send(staff_chat, text, buttons, topic=topic)
            except TopicGoneError:
                continue
            except MessengerError as error:
                log.warning("Could not post in the staff chat: %s", error)
                return None
        return None

    async def _topic(
        self, conversation: SupportConversation, client: Client, *, fresh: bool
    ) -> int | None:
        staff_chat = self.settings.staff_chat_id
        if staff_chat is None or not await self._staff_chat_is_forum(staff_chat):
            return None
        if conversation.topic_id is not None and not fresh:
            return conversation.topic_id
        name = f"{name_of(client) or client.telegram_id} · {client.telegram_id}"
        try:
            topic = await self.messenger.create_topic(staff_chat, name[:MAX_TOPIC_NAME])
        except MessengerError as error:
            log.warning("Could not create a forum topic: %s", error)
            return None
        conversation.topic_id = topic
        return topic

    async def _staff_chat_is_forum(self, staff_chat: int) -> bool:
        if self.forum.value is None:
            try:
                self.forum.value = await self.messenger.is_forum(staff_chat)
            except MessengerError as error:
                log.warning("Could not read the staff chat: %s", error)
                return False
        return self.forum.value

    async def _application_line(self, client: Client) -> str:
        service = ApplicationService(self.session, self.catalogue)
        application = await service.latest_for(client)
        translator = self.staff_language
        if application is None:
            return translator.gettext("none yet")
        progress = await service.progress(application)
        return translator.gettext("#{number}, {stage}, {done} of {total} steps done").format(
            number=application.id,
            stage=stage_name(application.status, translator),
            done=progress.done,
            total=progress.total,
        )
