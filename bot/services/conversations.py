"""Conversations with staff as use cases: hand a client off, relay messages both ways, claim,
close, reopen, and close quiet ones.

The staff group gets an alert with Claim / Close buttons (in the client's own forum topic when
the group is a forum, created once and again if staff deleted it). The alert is edited as the
conversation moves (who claimed it and when, who closed it), and the topic's name carries the
state (🆕 waiting, 💬 claimed, ✅ closed) and is closed and reopened with it. While the
conversation is open, messages are copied between the client's chat and the staff group, each
marked with a quiet 👌 once delivered; the client sees the state with an “End chat” button.
Telegram is reached through a ``Messenger``, which commits the work before every call.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import (
    CLAIM_CONVERSATION,
    CLOSE_CONVERSATION,
    END_CONVERSATION,
    REOPEN_CONVERSATION,
    TALK_TO_STAFF,
)
from bot.config import Settings
from bot.filing.applications import ApplicationService
from bot.filing.catalogue import Catalogue
from bot.i18n import Translations, Translator
from bot.messenger import (
    Button,
    Keyboard,
    Messenger,
    MessengerError,
    TopicClosedError,
    TopicGoneError,
    keyboard,
)
from bot.names import name_of
from bot.services.clients import language_of
from bot.services.handoff import staff_alert
from bot.services.notices import stage_name
from bot.services.support import SupportService
from storage.models import Client, SupportConversation, as_utc, utcnow
from storage.repositories import QuestionRepository
from storage.statuses import ConversationStatus, RelayDirection

log = logging.getLogger(__name__)

MAX_TOPIC_NAME = 120  # Telegram allows 128
DELIVERED = "👌"  # the quiet mark on a relayed message


class TopicState(StrEnum):
    """The icon a client's topic name starts with."""

    WAITING = "🆕"
    CLAIMED = "💬"
    CLOSED = "✅"


class ClosedBy(StrEnum):
    """Who or what ended a conversation (the client is told accordingly)."""

    STAFF = "staff"
    CLIENT = "client"
    QUIET = "quiet"
    HANDLED = "handled"  # the case it was opened for moved on


class ClaimResult(StrEnum):
    """What became of a press of Claim."""

    CLAIMED = "claimed"
    ALREADY = "already"  # someone had claimed it: the client is not told again
    CLOSED = "closed"


@dataclass(frozen=True)
class QueueEntry:
    """One open conversation as /queue lists it."""

    conversation_id: int
    name: str
    telegram_id: int
    topic_id: int | None
    claimed_name: str | None
    waiting_since: datetime  # opened (unclaimed) or the client's last message


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
    CLOSED = "closed"  # the reply offers Reopen
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

    async def open_with_alert(
        self, client: Client, reason: str, alert: str, *, tell_client: bool = True
    ) -> bool:
        """Open the client's conversation unasked with a given alert (e.g. a submitted
        application) and tell the client (unless the caller does, ``opened_note``); False
        when staff could not be reached. No second alert while it is open."""
        if self.settings.staff_chat_id is None:
            return False
        conversation, opened = await self.conversations.open(client, reason)
        if not opened:
            return await self._to_staff(conversation, client, alert) is not None
        if not await self._post_alert(conversation, client, alert):
            SupportService.close(conversation)
            return False
        if tell_client:
            translator = self._client_language(client)
            await self._tell_client(client, opened_note(translator), with_end=True)
        return True

    def state_keyboard(self, translator: Translator) -> Keyboard:
        """The buttons under a message that shows an open conversation."""
        return keyboard([Button(translator.gettext("✖️ End chat"), END_CONVERSATION)])

    async def relay_from_client(
        self, client: Client, conversation: SupportConversation, chat_id: int, message_id: int
    ) -> bool:
        """Copy a client's message into their topic (or under their alert) and mark it
        delivered; False on failure."""
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
        await self._mark_delivered(chat_id, message_id)
        return True

    async def note_to_staff(
        self, conversation: SupportConversation, client: Client, text: str
    ) -> None:
        """A line from the bot in the client's topic (under their alert without topics), e.g.
        what the checks made of a picture the client just sent there."""
        topic = await self._topic(conversation, client, fresh=False)
        reply_to = None if topic else conversation.alert_message_id
        await self._to_staff(conversation, client, text, reply_to=reply_to)

    async def relay_edit_from_client(
        self, client: Client, message_id: int, html: str, *, caption: bool = False
    ) -> bool:
        """A client edited a message that was copied to staff: the copy shows the edit (as
        Telegram shows a person's edit); False when the message was never relayed."""
        conversation = await self.conversations.of_client(client)
        staff_chat = self.settings.staff_chat_id
        copy = (
            await self.conversations.client_message_copy(conversation, message_id)
            if conversation is not None
            else None
        )
        if copy is None or staff_chat is None:
            return False
        return await self._edit_copy(staff_chat, copy, html, caption=caption)

    async def relay_edit_from_staff(
        self, message_id: int, html: str, *, caption: bool = False
    ) -> bool:
        """A staff member edited a message that was copied to a client: the client's copy
        shows the edit; False when the message was never relayed."""
        found = await self.conversations.staff_message_copy(message_id)
        if found is None:
            return False
        conversation_id, copy = found
        client = await self._client_of(await self.conversations.get(conversation_id))
        if client is None:
            return False
        return await self._edit_copy(client.telegram_id, copy, html, caption=caption)

    async def _edit_copy(self, chat_id: int, message_id: int, html: str, *, caption: bool) -> bool:
        try:
            if caption:
                await self.messenger.edit_caption(chat_id, message_id, html)
            else:
                await self.messenger.edit(chat_id, message_id, html)
        except MessengerError as error:
            log.warning("Could not carry an edit over to a relayed message: %s", error)
            return False
        return True

    async def relay_from_staff(
        self,
        staff: StaffMember,
        message_id: int,
        *,
        topic: int | None,
        reply_to: int | None,
    ) -> tuple[RelayResult, str, int | None]:
        """Copy a staff member's message to the client whose topic (or message) it answers;
        with the reason when it failed and the conversation's id."""
        staff_chat = self.settings.staff_chat_id
        conversation = await self.conversations.by_topic(topic) if topic else None
        if conversation is None and reply_to is not None:
            conversation = await self.conversations.by_staff_message(reply_to)
        client = await self._client_of(conversation)
        if conversation is None or client is None or staff_chat is None:
            return RelayResult.NOT_A_CONVERSATION, "", None
        if conversation.status != ConversationStatus.OPEN:
            return RelayResult.CLOSED, "", conversation.id
        if conversation.claimed_by is None:
            await self._take(conversation, client, staff)
        result, reason = await self._deliver(conversation, client, message_id)
        return result, reason, conversation.id

    async def claim(self, conversation_id: int, staff: StaffMember) -> ClaimResult:
        """A staff member takes the conversation; the client is told once."""
        conversation = await self.conversations.get(conversation_id)
        client = await self._client_of(conversation)
        if conversation is None or client is None:
            return ClaimResult.CLOSED
        if conversation.status != ConversationStatus.OPEN:
            return ClaimResult.CLOSED
        if conversation.claimed_by is not None:
            return ClaimResult.ALREADY
        await self._take(conversation, client, staff)
        return ClaimResult.CLAIMED

    async def close(
        self,
        *,
        conversation_id: int | None = None,
        topic: int | None = None,
        staff: StaffMember | None = None,
    ) -> bool:
        """Staff end a conversation (by id or by its topic) and the client is told; False
        when it was not open."""
        if conversation_id is not None:
            conversation = await self.conversations.get(conversation_id)
        else:
            conversation = await self.conversations.by_topic(topic) if topic else None
        return await self._close(conversation, ClosedBy.STAFF, staff)

    async def end_by_client(self, client: Client) -> bool:
        """The client ends their conversation (End chat, /cancel); False when none was open."""
        return await self._close(await self.conversations.open_for(client), ClosedBy.CLIENT)

    async def close_case(self, client: Client) -> bool:
        """The case a conversation was opened for unasked (a submitted application) was
        handled: close that conversation. One the client asked for, or one a staff member
        took up, stays open (they close it themselves)."""
        conversation = await self.conversations.open_for(client)
        if conversation is None or conversation.reason != "submitted":
            return False
        if conversation.claimed_by is not None:
            return False
        return await self._close(conversation, ClosedBy.HANDLED)

    async def close_quiet(self, now: datetime | None = None) -> int:
        """Close every open conversation without a message for the configured quiet time;
        how many were closed."""
        now = now or utcnow()
        cutoff = now - timedelta(minutes=self.settings.conversation_quiet_minutes)
        last = func.coalesce(SupportConversation.last_message_at, SupportConversation.opened_at)
        quiet = await self.session.scalars(
            select(SupportConversation).where(
                SupportConversation.status == ConversationStatus.OPEN, last < cutoff
            )
        )
        closed = 0
        for conversation in list(quiet):
            # One process closes it (and tells the client), however many run this job.
            taken = await self.session.execute(
                update(SupportConversation)
                .where(
                    SupportConversation.id == conversation.id,
                    SupportConversation.status == ConversationStatus.OPEN,
                    last < cutoff,
                )
                .values(status=ConversationStatus.CLOSED, closed_at=now)
                .execution_options(synchronize_session=False)
            )
            await self.session.refresh(conversation)
            client = await self._client_of(conversation)
            if getattr(taken, "rowcount", 0) == 1 and client is not None:
                await self._after_close(conversation, client, ClosedBy.QUIET)
                closed += 1
        return closed

    async def reopen(
        self, conversation_id: int, staff: StaffMember, message_id: int | None = None
    ) -> tuple[RelayResult, str]:
        """Staff reopen a closed conversation (and deliver the message they had written in
        it); the client is told who is back."""
        conversation = await self.conversations.get(conversation_id)
        client = await self._client_of(conversation)
        if conversation is None or client is None:
            return RelayResult.NOT_A_CONVERSATION, ""
        if conversation.status == ConversationStatus.OPEN:
            return RelayResult.NOT_A_CONVERSATION, ""
        await self.conversations.open(client, conversation.reason)
        await self._take(conversation, client, staff, reopened=True)
        if message_id is None:
            return RelayResult.DELIVERED, ""
        return await self._deliver(conversation, client, message_id)

    async def queue(self) -> list[QueueEntry]:
        """The open conversations, unclaimed first, the longest waiting first."""
        rows = await self.session.execute(
            select(SupportConversation, Client)
            .join(Client, Client.id == SupportConversation.client_id)
            .where(SupportConversation.status == ConversationStatus.OPEN)
        )
        entries = [
            QueueEntry(
                conversation.id,
                name_of(client) or str(client.telegram_id),
                client.telegram_id,
                conversation.topic_id,
                conversation.claimed_name,
                as_utc(
                    conversation.opened_at
                    if conversation.claimed_by is None
                    else (conversation.last_message_at or conversation.opened_at)
                ),
            )
            for conversation, client in rows
        ]
        return sorted(entries, key=lambda e: (e.claimed_name is not None, e.waiting_since))

    async def place_in_topic(
        self, client: Client, text: str, buttons: Keyboard | None, message_id: int | None
    ) -> tuple[int, int] | None:
        """Edit ``message_id`` in the client's topic (the application card), or post the text
        there when there is none or it is gone; (topic, message id), None without a topic.
        A client who never talked to staff gets a topic all the same."""
        staff_chat = self.settings.staff_chat_id
        if staff_chat is None or not await self._staff_chat_is_forum(staff_chat):
            return None
        conversation = await self.conversations.of_client(client)
        if conversation is None:
            conversation = await self.conversations.start_closed(client, "case")
        if message_id is not None and conversation.topic_id is not None:
            try:
                await self.messenger.edit(staff_chat, message_id, text, buttons)
                return conversation.topic_id, message_id
            except MessengerError as error:
                log.info("Could not edit the application card, posting it again: %s", error)
        sent = await self._to_staff(conversation, client, text, buttons)
        if sent is None or conversation.topic_id is None:
            return None
        return conversation.topic_id, sent

    async def _deliver(
        self, conversation: SupportConversation, client: Client, message_id: int
    ) -> tuple[RelayResult, str]:
        staff_chat = self.settings.staff_chat_id
        if staff_chat is None:
            return RelayResult.NOT_A_CONVERSATION, ""
        try:
            copied = await self.messenger.copy(staff_chat, message_id, client.telegram_id)
        except MessengerError as error:
            return RelayResult.FAILED, str(error)
        await self.conversations.record(conversation, RelayDirection.TO_CLIENT, copied, message_id)
        await self._mark_delivered(staff_chat, message_id)
        return RelayResult.DELIVERED, ""

    async def _close(
        self,
        conversation: SupportConversation | None,
        why: ClosedBy,
        staff: StaffMember | None = None,
    ) -> bool:
        client = await self._client_of(conversation)
        if conversation is None or client is None or not SupportService.close(conversation):
            return False
        await self._after_close(conversation, client, why, staff)
        return True

    async def _after_close(
        self,
        conversation: SupportConversation,
        client: Client,
        why: ClosedBy,
        staff: StaffMember | None = None,
    ) -> None:
        """Tell the client, edit the alert, note it in the topic and close the topic."""
        _ = self._client_language(client).gettext
        told = {
            ClosedBy.STAFF: _(
                "The conversation with our team is closed. If you need anything else, just "
                "ask here – or talk to us again."
            ),
            ClosedBy.CLIENT: _(
                "✅ Chat ended. I'm answering your questions again – or talk to our team "
                "whenever you like."
            ),
            ClosedBy.QUIET: _(
                "💤 The conversation with our team closed after a quiet while. If you need "
                "anything else, just ask here – or talk to us again."
            ),
            ClosedBy.HANDLED: _(
                "The conversation with our team about your application is closed. If you need "
                "anything else, just ask here – or talk to us again."
            ),
        }[why]
        await self._tell_client(
            client, told, keyboard([Button(_("🙋 Talk to staff"), TALK_TO_STAFF)])
        )
        line = self._closed_line(why, staff)
        await self._edit_alert(conversation, line, reopen=True)
        await self._to_staff(conversation, client, line)
        await self._rename_topic(conversation, client, TopicState.CLOSED, closed=True)

    def _closed_line(self, why: ClosedBy, staff: StaffMember | None) -> str:
        """“✅ Closed (by whom or why), when”, for staff."""
        _ = self.staff_language.gettext
        by = {
            ClosedBy.STAFF: html.escape(staff.name, quote=False) if staff else _("staff"),
            ClosedBy.CLIENT: _("the client"),
            ClosedBy.QUIET: _("no messages for a while"),
            ClosedBy.HANDLED: _("the application moved on"),
        }[why]
        return _("✅ Closed ({by}), {when}").format(by=by, when=self._now_text())

    async def _take(
        self,
        conversation: SupportConversation,
        client: Client,
        staff: StaffMember,
        *,
        reopened: bool = False,
    ) -> None:
        """Record who took the conversation, tell the client once, tidy the alert and topic."""
        SupportService.claim(conversation, staff.telegram_id)
        conversation.claimed_name = staff.name[:128]
        conversation.claimed_at = utcnow()
        name = html.escape(staff.name, quote=False)
        _ = self._client_language(client).gettext
        text = (
            _("👋 {name} from our team is back in the conversation.")
            if reopened
            else _("👋 {name} from our team has joined the conversation.")
        )
        await self._tell_client(client, text.format(name=name), with_end=True)
        line = self.staff_language.gettext("✋ Claimed by {name}, {when}").format(
            name=name, when=self._now_text()
        )
        await self._edit_alert(conversation, line, reopen=False)
        if reopened:
            await self._rename_topic(conversation, client, TopicState.CLAIMED, closed=False)
        else:
            await self._rename_topic(conversation, client, TopicState.CLAIMED)

    async def _tell_client(
        self,
        client: Client,
        text: str,
        buttons: Keyboard | None = None,
        *,
        with_end: bool = False,
    ) -> None:
        if with_end:
            buttons = self.state_keyboard(self._client_language(client))
        try:
            await self.messenger.send(client.telegram_id, text, buttons)
        except MessengerError as error:
            log.warning("Could not tell the client about their conversation: %s", error)

    async def _mark_delivered(self, chat_id: int, message_id: int) -> None:
        try:
            await self.messenger.react(chat_id, message_id, DELIVERED)
        except MessengerError as error:
            log.info("Could not mark a relayed message: %s", error)

    def _now_text(self) -> str:
        return self.staff_language.format_datetime(utcnow(), self.settings.office_timezone)

    async def _edit_alert(
        self, conversation: SupportConversation, line: str, *, reopen: bool
    ) -> None:
        """The alert with its latest state line (claimed, closed) and the buttons that still
        make sense: Close while open, Reopen once closed."""
        staff_chat = self.settings.staff_chat_id
        if staff_chat is None or conversation.alert_message_id is None:
            return
        _ = self.staff_language.gettext
        base = conversation.alert_text or ""
        claim_line = (
            _("✋ Claimed by {name}").format(
                name=html.escape(conversation.claimed_name, quote=False)
            )
            if reopen and conversation.claimed_name
            else ""
        )
        text = "\n\n".join(part for part in (base, claim_line, line) if part)
        if reopen:
            buttons = keyboard([Button(_("🔄 Reopen"), f"{REOPEN_CONVERSATION}{conversation.id}")])
        else:
            buttons = keyboard([Button(_("✅ Close"), f"{CLOSE_CONVERSATION}{conversation.id}")])
        try:
            await self.messenger.edit(staff_chat, conversation.alert_message_id, text, buttons)
        except MessengerError as error:
            log.info("Could not edit a staff alert: %s", error)

    async def _rename_topic(
        self,
        conversation: SupportConversation,
        client: Client,
        state: TopicState,
        *,
        closed: bool | None = None,
    ) -> None:
        staff_chat = self.settings.staff_chat_id
        if staff_chat is None or conversation.topic_id is None:
            return
        try:
            await self.messenger.edit_topic(
                staff_chat, conversation.topic_id, topic_name(client, state), closed=closed
            )
        except MessengerError as error:
            log.info("Could not rename a forum topic: %s", error)

    async def _client_of(self, conversation: SupportConversation | None) -> Client | None:
        if conversation is None:
            return None
        return await self.session.get(Client, conversation.client_id)

    def _client_language(self, client: Client) -> Translator:
        return self.translations.get(language_of(client, self.settings.default_language))

    async def _post_alert(
        self, conversation: SupportConversation, client: Client, text: str
    ) -> bool:
        """Post an alert with Claim / Close buttons; remember it for replies and edits. A
        topic that was closed with an earlier conversation is reopened."""
        _ = self.staff_language.gettext
        buttons = keyboard(
            [
                Button(_("✋ Claim"), f"{CLAIM_CONVERSATION}{conversation.id}"),
                Button(_("✅ Close"), f"{CLOSE_CONVERSATION}{conversation.id}"),
            ]
        )
        if conversation.topic_id is not None:
            await self._rename_topic(conversation, client, TopicState.WAITING, closed=False)
        sent = await self._to_staff(conversation, client, text, buttons)
        if sent is None:
            return False
        conversation.alert_message_id = sent
        conversation.alert_text = text
        return True

    async def _to_staff(
        self,
        conversation: SupportConversation,
        client: Client,
        text: str,
        buttons: Keyboard | None = None,
        *,
        reply_to: int | None = None,
    ) -> int | None:
        """Post in the client's topic (created again if staff deleted it; opened for the post
        and closed again if the conversation is closed) or the group."""
        staff_chat = self.settings.staff_chat_id
        if staff_chat is None:
            return None
        for fresh in (False, True):
            topic = await self._topic(conversation, client, fresh=fresh)
            try:
                return await self.messenger.send(
                    staff_chat, text, buttons, topic=topic, reply_to=reply_to
                )
            except TopicGoneError:
                continue
            except TopicClosedError:
                return await self._post_in_closed_topic(
                    conversation, client, text, buttons, reply_to
                )
            except MessengerError as error:
                log.warning("Could not post in the staff chat: %s", error)
                return None
        return None

    async def _post_in_closed_topic(
        self,
        conversation: SupportConversation,
        client: Client,
        text: str,
        buttons: Keyboard | None,
        reply_to: int | None,
    ) -> int | None:
        staff_chat, topic = self.settings.staff_chat_id, conversation.topic_id
        if staff_chat is None or topic is None:
            return None
        name = topic_name(client, topic_state(conversation))
        try:
            await self.messenger.edit_topic(staff_chat, topic, name, closed=False)
            sent = await self.messenger.send(
                staff_chat, text, buttons, topic=topic, reply_to=reply_to
            )
            if conversation.status != ConversationStatus.OPEN:
                await self.messenger.edit_topic(staff_chat, topic, name, closed=True)
        except MessengerError as error:
            log.warning("Could not post in a closed topic: %s", error)
            return None
        return sent

    async def album_in_topic(self, client: Client, photos: list[tuple[bytes, str]]) -> bool:
        """Send photos as an album in the client's topic (opened for it if closed); False
        without a topic or when it failed."""
        staff_chat = self.settings.staff_chat_id
        conversation = await self.conversations.of_client(client)
        if staff_chat is None or conversation is None or conversation.topic_id is None:
            return False
        topic = conversation.topic_id
        closed = conversation.status != ConversationStatus.OPEN
        name = topic_name(client, topic_state(conversation))
        try:
            if closed:
                await self.messenger.edit_topic(staff_chat, topic, name, closed=False)
            await self.messenger.send_album(staff_chat, photos, topic=topic)
            if closed:
                await self.messenger.edit_topic(staff_chat, topic, name, closed=True)
        except MessengerError as error:
            log.warning("Could not send documents to the client's topic: %s", error)
            return False
        return True

    async def offer_reopen(self, conversation_id: int, message_id: int) -> None:
        """Under a staff message written in a closed conversation: say it was not sent, and
        offer to reopen the conversation and send it."""
        conversation = await self.conversations.get(conversation_id)
        client = await self._client_of(conversation)
        if conversation is None or client is None:
            return
        _ = self.staff_language.gettext
        buttons = keyboard(
            [
                Button(
                    _("🔄 Reopen and send"),
                    f"{REOPEN_CONVERSATION}{conversation.id}:{message_id}",
                )
            ]
        )
        await self._to_staff(
            conversation,
            client,
            _("This conversation is closed – the client was not messaged."),
            buttons,
            reply_to=message_id,
        )

    async def _topic(
        self, conversation: SupportConversation, client: Client, *, fresh: bool
    ) -> int | None:
        staff_chat = self.settings.staff_chat_id
        if staff_chat is None or not await self._staff_chat_is_forum(staff_chat):
            return None
        if conversation.topic_id is not None and not fresh:
            return conversation.topic_id
        try:
            topic = await self.messenger.create_topic(
                staff_chat, topic_name(client, topic_state(conversation))
            )
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
        return translator.ngettext(
            "#{number}, {stage}, {done} of {total} step done",
            "#{number}, {stage}, {done} of {total} steps done",
            progress.total,
        ).format(
            number=application.id,
            stage=stage_name(application.status, translator),
            done=progress.done,
            total=progress.total,
        )


def opened_note(translator: Translator) -> str:
    """What a client is told when staff open a conversation about their case."""
    return translator.gettext(
        "💬 I've also opened a conversation with our team about it: write here if you have a "
        "question for them."
    )


def topic_link(staff_chat: int, topic: int) -> str:
    """A link that opens a topic of a supergroup (for its members)."""
    return f"https://t.me/c/{str(staff_chat).removeprefix('-100')}/{topic}"


def topic_state(conversation: SupportConversation) -> TopicState:
    """The icon that fits the conversation as it stands."""
    if conversation.status != ConversationStatus.OPEN:
        return TopicState.CLOSED
    return TopicState.WAITING if conversation.claimed_by is None else TopicState.CLAIMED


def topic_name(client: Client, state: TopicState) -> str:
    """A client's topic: state icon, name (Chinese family name first) and Telegram id."""
    name = f"{state.value} {name_of(client) or client.telegram_id} · {client.telegram_id}"
    return name[:MAX_TOPIC_NAME]
