"""Talking to staff through the bot: the client's side and the staff group's side.

“Talk to staff”, /human, an unanswerable question or repeatedly failing uploads hand the client
off (``bot.services.conversations``); while the conversation is open the private-chat router
sends the client's messages here to be copied to staff, and staff's messages in the client's
topic (or replies to them) are copied back. Staff claim and close with buttons or /close.
"""

from __future__ import annotations

import html

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.callbacks import CLAIM_CONVERSATION, CLOSE_CONVERSATION
from bot.context import BotContext, HandlerList
from bot.i18n import Translator
from bot.services.conversations import HandOffResult, RelayResult, StaffMember
from handlers.common import (
    MENU_STAFF,
    answer_button,
    back_to_menu_button,
    parse_id,
    reply,
    reply_to_message,
)
from handlers.guards import staff_only
from storage.models import SupportConversation


async def hand_off(
    update: Update,
    context: BotContext,
    translator: Translator,
    last_question: str | None = None,
    reason: str = "client_request",
) -> None:
    """Connect the client with staff and tell them what happens next."""
    client = context.client
    if client is None:
        return
    outcome = await context.conversations.hand_off(
        client, translator.language, last_question, reason
    )
    _ = translator.gettext
    agency = context.services.agency
    unreachable = _(
        "I'm sorry, I can't reach our team from here at the moment. "
        "Please try again later, or contact {agency} directly."
    ).format(agency=agency.escaped_name)
    if outcome.result is HandOffResult.NO_STAFF_CHAT:
        text = (
            _("You can reach our team directly:") + "\n" + agency.contact_lines(translator)
            if agency.has_contact
            else unreachable
        )
        await reply(
            update, text, InlineKeyboardMarkup([[back_to_menu_button(translator, keep=True)]])
        )
        return
    if outcome.result is HandOffResult.ALREADY_OPEN:
        await reply(update, _("You are already connected with our team – just write here."))
        return
    if outcome.result is HandOffResult.UNREACHABLE:
        await reply(update, unreachable)
        return
    text = _(
        "I've connected you with our team. Write your message here – a member of staff will "
        "answer in this chat."
    )
    if outcome.office_opens_at is not None:
        when = translator.format_datetime(
            outcome.office_opens_at, context.services.settings.office_timezone
        )
        text += "\n\n" + _(
            "Our office is closed right now; we will answer from {when} (Beijing time)."
        ).format(when=when)
    if agency.has_contact:
        text += (
            "\n\n" + _("You can also reach us directly:") + "\n" + agency.contact_lines(translator)
        )
    await reply(update, text)


async def talk_to_staff(update: Update, context: BotContext) -> None:
    """The “Talk to staff” button and the /human command."""
    await answer_button(update.callback_query)
    await hand_off(update, context, context.i18n)


async def relay_to_staff(
    update: Update, context: BotContext, conversation: SupportConversation
) -> None:
    """The private-chat router's choice while a conversation is open: copy the message."""
    message, client = update.effective_message, context.client
    if message is None or client is None:
        return
    delivered = await context.conversations.relay_from_client(
        client, conversation, message.chat_id, message.message_id
    )
    if not delivered:
        await reply(
            update,
            context.i18n.gettext("Sorry, your message could not be delivered – please try again."),
        )


async def relay_from_staff(update: Update, context: BotContext) -> None:
    """A staff member writes in a client's topic or replies to a relayed message: copy it over."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    staff_chat = context.services.settings.staff_chat_id
    if message is None or chat is None or user is None or chat.id != staff_chat or user.is_bot:
        return
    topic = message.message_thread_id if message.is_topic_message else None
    reply_to = message.reply_to_message.message_id if message.reply_to_message else None
    result, reason = await context.conversations.relay_from_staff(
        StaffMember(user.id, user.first_name), message.message_id, topic=topic, reply_to=reply_to
    )
    _ = context.services.translations.get(None).gettext
    if result is RelayResult.CLOSED:
        await reply_to_message(
            update, _("This conversation is closed – the client was not messaged.")
        )
    elif result is RelayResult.FAILED:
        await reply_to_message(
            update,
            _("Could not deliver this to the client: {error}").format(
                error=html.escape(reason, quote=False)
            ),
        )


@staff_only
async def claim(update: Update, context: BotContext) -> None:
    """The Claim button on an alert."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    _ = context.services.translations.get(None).gettext
    number = parse_id((query.data or "").removeprefix(CLAIM_CONVERSATION))
    claimed = number is not None and await context.conversations.claim(
        number, StaffMember(user.id, user.first_name)
    )
    await answer_button(query, _("It's yours.") if claimed else _("This conversation is closed."))


@staff_only
async def close(update: Update, context: BotContext) -> None:
    """The Close button on an alert, or /close in the client's topic."""
    query, message = update.callback_query, update.effective_message
    desk = context.conversations
    if query is not None:
        number = parse_id((query.data or "").removeprefix(CLOSE_CONVERSATION))
        closed = number is not None and await desk.close(conversation_id=number)
    else:
        topic = message.message_thread_id if message is not None else None
        closed = bool(topic) and await desk.close(topic=topic)
    _ = context.services.translations.get(None).gettext
    await answer_button(query, _("Closed.") if closed else _("This conversation is closed."))


HANDLERS: HandlerList = [
    CommandHandler("human", talk_to_staff, filters.ChatType.PRIVATE),
    CallbackQueryHandler(talk_to_staff, pattern=f"^{MENU_STAFF}$"),
    CallbackQueryHandler(claim, pattern=f"^{CLAIM_CONVERSATION}"),
    CallbackQueryHandler(close, pattern=f"^{CLOSE_CONVERSATION}"),
    CommandHandler("close", close, filters.ChatType.GROUPS),
    MessageHandler(
        filters.ChatType.GROUPS & filters.UpdateType.MESSAGE & ~filters.COMMAND, relay_from_staff
    ),
]
