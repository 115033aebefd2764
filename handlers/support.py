"""Talking to staff through the bot.

“Talk to staff”, /human, an unanswerable question or repeatedly failing uploads open a
conversation: staff are alerted in the staff chat (in the client's own forum topic when the chat
is a forum, otherwise as a message to reply to). While it is open, the client's messages are
copied to staff and staff's replies to the client; staff claim and close it with buttons.
"""

from __future__ import annotations

import html
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyParameters, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.context import BotContext
from bot.filing.applications import ApplicationService
from bot.i18n import Translator
from bot.services.clients import ClientService
from bot.services.handoff import staff_alert
from bot.services.notices import stage_name
from bot.services.support import FROM_CLIENT, TO_CLIENT, SupportService
from handlers.common import MENU_STAFF, back_to_menu_button, parse_id, reply
from handlers.staff import is_staff, refuse
from storage.models import Client, SupportConversation, utcnow
from storage.repositories import QuestionRepository

log = logging.getLogger(__name__)

CLAIM_PREFIX = "sup:claim:"
CLOSE_PREFIX = "sup:close:"
FORUM_KEY = "staff_chat_is_forum"
MAX_TOPIC_NAME = 120


async def hand_off(
    update: Update,
    context: BotContext,
    translator: Translator,
    last_question: str | None = None,
    reason: str = "client_request",
) -> None:
    """Open a conversation with staff (alerting them once) and tell the client what happens."""
    services = context.services
    client = context.client
    if client is None:
        return
    _ = translator.gettext
    agency = services.agency
    if services.settings.staff_chat_id is None:
        text = (
            _("You can reach our team directly:") + "\n" + agency.contact_lines(translator)
            if agency.has_contact
            else _(
                "I'm sorry, I can't reach our team from here at the moment. "
                "Please try again later, or contact {agency} directly."
            ).format(agency=agency.escaped_name)
        )
        await reply(update, text, InlineKeyboardMarkup([[back_to_menu_button(translator)]]))
        return
    conversation, opened = await SupportService(context.session).open(client, reason)
    if not opened:
        await reply(update, _("You are already connected with our team – just write here."))
        return
    if last_question is None:
        latest = await QuestionRepository(context.session).latest_of_client(client.id)
        last_question = latest.text if latest else None
    alerted = await _alert_staff(context, conversation, client, translator.language, last_question)
    if not alerted:
        SupportService.close(conversation)
        text = _(
            "I'm sorry, I can't reach our team from here at the moment. "
            "Please try again later, or contact {agency} directly."
        ).format(agency=agency.escaped_name)
        await reply(update, text)
        return
    text = _(
        "I've connected you with our team. Write your message here – a member of staff will "
        "answer in this chat."
    )
    hours = services.settings.hours()
    now = utcnow()
    if not hours.is_open(now):
        opening = hours.next_opening(now)
        if opening is not None:
            text += "\n\n" + _(
                "Our office is closed right now; we will answer from {when} (Beijing time)."
            ).format(when=translator.format_datetime(opening, services.settings.office_timezone))
    if agency.has_contact:
        text += (
            "\n\n" + _("You can also reach us directly:") + "\n" + agency.contact_lines(translator)
        )
    await reply(update, text)


async def talk_to_staff(update: Update, context: BotContext) -> None:
    """The “Talk to staff” button and the /human command."""
    if update.callback_query:
        await update.callback_query.answer()
    await hand_off(update, context, context.i18n)


async def _alert_staff(
    context: BotContext,
    conversation: SupportConversation,
    client: Client,
    language: str,
    last_question: str | None,
) -> bool:
    staff_language = context.services.catalogs.get(None)
    text = staff_alert(
        client, language, last_question, await _application_line(context, client), staff_language
    )
    return await post_alert(context, conversation, client, text)


async def open_for_staff(context: BotContext, client: Client, reason: str, alert: str) -> bool:
    """Open the client's conversation with a given alert (e.g. a submitted application);
    False when staff could not be reached. No second alert while it is open."""
    if context.services.settings.staff_chat_id is None:
        return False
    conversation, opened = await SupportService(context.session).open(client, reason)
    if not opened:
        await _send_to_staff(context, conversation, client, alert)
        return True
    return await post_alert(context, conversation, client, alert)


async def post_alert(
    context: BotContext, conversation: SupportConversation, client: Client, text: str
) -> bool:
    """Post an alert with Claim / Close buttons in the client's topic (or the staff chat)."""
    staff_language = context.services.catalogs.get(None)
    _ = staff_language.gettext
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("✋ Claim"), callback_data=f"{CLAIM_PREFIX}{conversation.id}"
                ),
                InlineKeyboardButton(
                    _("✅ Close"), callback_data=f"{CLOSE_PREFIX}{conversation.id}"
                ),
            ]
        ]
    )
    sent = await _send_to_staff(context, conversation, client, text, markup)
    if sent is None:
        return False
    conversation.alert_message_id = sent.message_id
    return True


async def _application_line(context: BotContext, client: Client) -> str:
    service = ApplicationService(context.session, context.services.catalogue)
    application = await service.latest_for(client)
    translator = context.services.catalogs.get(None)
    if application is None:
        return translator.gettext("none yet")
    progress = await service.progress(application)
    return translator.gettext("#{number}, {stage}, {done} of {total} steps done").format(
        number=application.id,
        stage=stage_name(application.status, translator),
        done=progress.done,
        total=progress.total,
    )


async def _send_to_staff(
    context: BotContext,
    conversation: SupportConversation,
    client: Client,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> Message | None:
    """Post in the client's topic (created once, again if staff deleted it) or the chat."""
    staff_chat = context.services.settings.staff_chat_id
    if staff_chat is None:
        return None
    for attempt in range(2):
        topic = await _topic(context, conversation, client, fresh=attempt > 0)
        try:
            return await context.bot.send_message(
                staff_chat, text, reply_markup=markup, message_thread_id=topic
            )
        except BadRequest as error:
            if topic is None or "thread not found" not in str(error).lower():
                log.warning("Could not post in the staff chat: %s", error)
                return None
        except TelegramError as error:
            log.warning("Could not post in the staff chat: %s", error)
            return None
    return None


async def _topic(
    context: BotContext, conversation: SupportConversation, client: Client, *, fresh: bool
) -> int | None:
    if not await _staff_chat_is_forum(context):
        return None
    if conversation.topic_id is not None and not fresh:
        return conversation.topic_id
    name = f"{client.full_name or client.telegram_id} · {client.telegram_id}"[:MAX_TOPIC_NAME]
    try:
        topic = await context.bot.create_forum_topic(context.services.settings.staff_chat_id, name)
    except TelegramError as error:
        log.warning("Could not create a forum topic: %s", error)
        return None
    conversation.topic_id = topic.message_thread_id
    return topic.message_thread_id


async def _staff_chat_is_forum(context: BotContext) -> bool:
    if FORUM_KEY not in context.bot_data:
        try:
            chat = await context.bot.get_chat(context.services.settings.staff_chat_id)
            context.bot_data[FORUM_KEY] = bool(chat.is_forum)
        except TelegramError as error:
            log.warning("Could not read the staff chat: %s", error)
            return False
    return context.bot_data[FORUM_KEY]


async def relay_from_client(update: Update, context: BotContext) -> None:
    """While a conversation is open, copy the client's messages to staff (and nothing else)."""
    message = update.effective_message
    client = context.client
    if message is None or client is None:
        return
    support = SupportService(context.session)
    conversation = await support.open_for(client)
    if conversation is None:
        return  # no conversation: the FAQ answers
    staff_chat = context.services.settings.staff_chat_id
    if staff_chat is None:
        return
    topic = await _topic(context, conversation, client, fresh=False)
    reply_to = None if topic else conversation.alert_message_id
    try:
        copied = await message.copy(
            staff_chat,
            message_thread_id=topic,
            reply_parameters=ReplyParameters(reply_to, allow_sending_without_reply=True)
            if reply_to
            else None,
        )
    except TelegramError as error:
        log.warning("Could not relay a client message: %s", error)
        await reply(
            update,
            context.i18n.gettext("Sorry, your message could not be delivered – please try again."),
        )
        raise ApplicationHandlerStop from None
    await support.record(conversation, FROM_CLIENT, message.message_id, copied.message_id)
    raise ApplicationHandlerStop


async def relay_from_staff(update: Update, context: BotContext) -> None:
    """A staff member writes in a client's topic or replies to a relayed message: copy it over."""
    message = update.effective_message
    chat = update.effective_chat
    user = update.effective_user
    staff_chat = context.services.settings.staff_chat_id
    if message is None or chat is None or user is None or chat.id != staff_chat or user.is_bot:
        return
    support = SupportService(context.session)
    conversation = None
    if message.is_topic_message and message.message_thread_id:
        conversation = await support.by_topic(message.message_thread_id)
    if conversation is None and message.reply_to_message is not None:
        conversation = await support.by_staff_message(message.reply_to_message.message_id)
    if conversation is None:
        return
    staff_language = context.services.catalogs.get(None)
    if conversation.status != "open":
        await message.reply_text(
            staff_language.gettext("This conversation is closed – the client was not messaged.")
        )
        return
    client = await context.session.get(Client, conversation.client_id)
    if client is None:
        return
    if conversation.claimed_by is None:
        await _announce_claim(context, conversation, client, user.id, user.first_name)
    try:
        copied = await message.copy(client.telegram_id)
    except TelegramError as error:
        await message.reply_text(
            staff_language.gettext("Could not deliver this to the client: {error}").format(
                error=html.escape(str(error), quote=False)
            )
        )
        return
    await support.record(conversation, TO_CLIENT, copied.message_id, message.message_id)


async def claim(update: Update, context: BotContext) -> None:
    """The Claim button on an alert."""
    if not is_staff(update, context):
        await refuse(update, context)
        return
    conversation, client = await _conversation_from_button(update, context, CLAIM_PREFIX)
    query = update.callback_query
    staff_language = context.services.catalogs.get(None)
    if conversation is None or client is None or conversation.status != "open":
        await query.answer(staff_language.gettext("This conversation is closed."))
        return
    user = update.effective_user
    await query.answer(staff_language.gettext("It's yours."))
    await _announce_claim(context, conversation, client, user.id, user.first_name)
    taken = staff_language.gettext("✋ {name} took this conversation.").format(
        name=html.escape(user.first_name, quote=False)
    )
    await _send_to_staff(context, conversation, client, taken)


async def close(update: Update, context: BotContext) -> None:
    """The Close button on an alert, or /close in the client's topic."""
    if not is_staff(update, context):
        await refuse(update, context)
        return
    staff_language = context.services.catalogs.get(None)
    if update.callback_query:
        conversation, client = await _conversation_from_button(update, context, CLOSE_PREFIX)
    else:
        message = update.effective_message
        thread = message.message_thread_id if message is not None else None
        conversation = await SupportService(context.session).by_topic(thread) if thread else None
        client = (
            await context.session.get(Client, conversation.client_id) if conversation else None
        )
    if conversation is None or client is None or not SupportService.close(conversation):
        if update.callback_query:
            await update.callback_query.answer(
                staff_language.gettext("This conversation is closed.")
            )
        return
    if update.callback_query:
        await update.callback_query.answer(staff_language.gettext("Closed."))
    translator = _client_translator(context, client)
    _ = translator.gettext
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("🙋 Talk to staff"), callback_data=MENU_STAFF)]]
    )
    try:
        await context.bot.send_message(
            client.telegram_id,
            _(
                "The conversation with our team is closed. If you need anything else, just ask "
                "here – or talk to us again."
            ),
            reply_markup=markup,
        )
    except TelegramError as error:
        log.warning("Could not tell the client the conversation closed: %s", error)
    await _send_to_staff(
        context, conversation, client, staff_language.gettext("✅ Conversation closed.")
    )


async def _announce_claim(
    context: BotContext,
    conversation: SupportConversation,
    client: Client,
    staff_id: int,
    name: str,
) -> None:
    SupportService.claim(conversation, staff_id)
    translator = _client_translator(context, client)
    text = translator.gettext("👋 {name} from our team has joined the conversation.").format(
        name=html.escape(name, quote=False)
    )
    try:
        await context.bot.send_message(client.telegram_id, text)
    except TelegramError as error:
        log.warning("Could not tell the client staff joined: %s", error)


def _client_translator(context: BotContext, client: Client) -> Translator:
    services = context.services
    return services.catalogs.get(
        ClientService.language_of(client, services.settings.default_language)
    )


async def _conversation_from_button(
    update: Update, context: BotContext, prefix: str
) -> tuple[SupportConversation | None, Client | None]:
    number = (update.callback_query.data or "").removeprefix(prefix)
    conversation_id = parse_id(number)
    if conversation_id is None:
        return None, None
    conversation = await SupportService(context.session).get(conversation_id)
    if conversation is None:
        return None, None
    return conversation, await context.session.get(Client, conversation.client_id)


HANDLERS: list[BaseHandler] = [
    CommandHandler("human", talk_to_staff, filters.ChatType.PRIVATE),
    CallbackQueryHandler(talk_to_staff, pattern=f"^{MENU_STAFF}$"),
    CallbackQueryHandler(claim, pattern=f"^{CLAIM_PREFIX}"),
    CallbackQueryHandler(close, pattern=f"^{CLOSE_PREFIX}"),
    CommandHandler("close", close, filters.ChatType.GROUPS),
    MessageHandler(
        filters.ChatType.GROUPS & filters.UpdateType.MESSAGE & ~filters.COMMAND, relay_from_staff
    ),
]

CLIENT_RELAY = MessageHandler(
    filters.ChatType.PRIVATE
    & filters.UpdateType.MESSAGE
    & ~filters.COMMAND
    & ~filters.StatusUpdate.ALL,
    relay_from_client,
)
