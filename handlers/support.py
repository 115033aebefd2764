"""Talking to staff through the bot: the client's side and the staff group's side.

“Talk to staff”, /human and repeatedly failing uploads hand the client off; a question the bot
cannot answer offers the button instead (``bot.services.conversations``). While the
conversation is open the client sees it (“You're talking with our team” and End chat; /cancel
ends it too), the private-chat router sends their messages here to be copied to staff, and
staff's messages in the client's topic (or replies to them) are copied back. Staff claim,
close and reopen with buttons or /close, and list what is open with /queue.
"""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update, User
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.callbacks import (
    CLAIM_CONVERSATION,
    CLOSE_CONVERSATION,
    END_CONVERSATION,
    REOPEN_CONVERSATION,
)
from bot.context import BotContext, HandlerList
from bot.i18n import Translator
from bot.names import name_of
from bot.services.conversations import (
    ClaimResult,
    HandOffResult,
    RelayResult,
    StaffMember,
    topic_link,
)
from bot.telegram_messenger import markup_of
from handlers.common import (
    MENU_STAFF,
    answer_button,
    back_to_menu_button,
    button_data,
    edit_pressed_message,
    parse_id,
    reply,
    reply_to_message,
)
from handlers.guards import staff_only
from storage.models import SupportConversation, utcnow


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
    desk = context.conversations
    outcome = await desk.hand_off(client, translator.language, last_question, reason)
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
    end_chat = markup_of(desk.state_keyboard(translator))
    if outcome.result is HandOffResult.ALREADY_OPEN:
        await reply(
            update,
            _(
                "💬 You're talking with our team – just write here. "
                "Press End chat when you're done."
            ),
            end_chat,
        )
        return
    if outcome.result is HandOffResult.UNREACHABLE:
        await reply(update, unreachable)
        return
    text = _(
        "💬 <b>You're talking with our team.</b> Write your message here – a member of staff "
        "will answer in this chat. Press End chat when you're done."
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
    await reply(update, text, end_chat)


async def talk_to_staff(update: Update, context: BotContext) -> None:
    """The “Talk to staff” button and the /human command."""
    await answer_button(update.callback_query)
    await hand_off(update, context, context.i18n)


async def end_chat(update: Update, context: BotContext) -> None:
    """The client's End chat button (and /cancel while a conversation is open)."""
    await answer_button(update.callback_query)
    client = context.client
    if client is not None and await context.conversations.end_by_client(client):
        return  # the service told the client
    _ = context.i18n.gettext
    await reply(
        update,
        _("This chat has already ended. Ask me anything, or talk to our team again."),
        InlineKeyboardMarkup(
            [[InlineKeyboardButton(_("🙋 Talk to staff"), callback_data=MENU_STAFF)]]
        ),
    )


async def relay_to_staff(
    update: Update, context: BotContext, conversation: SupportConversation
) -> bool:
    """The private-chat router's choice while a conversation is open: copy the message
    (it is marked 👌 once it reached staff); whether it was delivered."""
    message, client = update.effective_message, context.client
    if message is None or client is None:
        return False
    delivered = await context.conversations.relay_from_client(
        client, conversation, message.chat_id, message.message_id
    )
    if not delivered:
        await reply(
            update,
            context.i18n.gettext("Sorry, your message could not be delivered – please try again."),
        )
    return delivered


async def relay_edit_to_staff(update: Update, context: BotContext) -> bool:
    """The private-chat router's choice for an edited message: if it was copied to staff,
    the copy shows the edit; whether it was."""
    message, client = update.edited_message, context.client
    edited = _edited_html(message)
    if message is None or client is None or edited is None:
        return False
    html, caption = edited
    return await context.conversations.relay_edit_from_client(
        client, message.message_id, html, caption=caption
    )


async def relay_staff_edit(update: Update, context: BotContext) -> None:
    """A staff member edited a message in the staff chat: if it was copied to a client, the
    client's copy shows the edit."""
    message, chat, user = update.edited_message, update.effective_chat, update.effective_user
    edited = _edited_html(message)
    staff_chat = context.services.settings.staff_chat_id
    if message is None or chat is None or chat.id != staff_chat or edited is None:
        return
    if user is None or user.is_bot:
        return
    html, caption = edited
    await context.conversations.relay_edit_from_staff(message.message_id, html, caption=caption)


def _edited_html(message: Message | None) -> tuple[str, bool] | None:
    """An edited message's new text or caption as HTML, and whether it is a caption."""
    if message is None:
        return None
    if message.text is not None:
        return message.text_html, False
    if message.caption is not None:
        return message.caption_html, True
    return None


def _staff(user: User) -> StaffMember:
    return StaffMember(user.id, name_of(user) or str(user.id))


async def relay_from_staff(update: Update, context: BotContext) -> None:
    """A staff member writes in a client's topic or replies to a relayed message: copy it over.
    In a closed conversation nothing is sent and a Reopen button is offered."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    staff_chat = context.services.settings.staff_chat_id
    if message is None or chat is None or user is None or chat.id != staff_chat or user.is_bot:
        return
    topic = message.message_thread_id if message.is_topic_message else None
    reply_to = message.reply_to_message.message_id if message.reply_to_message else None
    result, reason, conversation_id = await context.conversations.relay_from_staff(
        _staff(user), message.message_id, topic=topic, reply_to=reply_to
    )
    _ = context.services.translations.get(None).gettext
    if result is RelayResult.CLOSED and conversation_id is not None:
        await context.conversations.offer_reopen(conversation_id, message.message_id)
    elif result is RelayResult.FAILED:
        await _failed(update, context, reason)


async def _failed(update: Update, context: BotContext, reason: str) -> None:
    _ = context.services.translations.get(None).gettext
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
    number = parse_id(button_data(update, CLAIM_CONVERSATION))
    result = ClaimResult.CLOSED
    if number is not None:
        result = await context.conversations.claim(number, _staff(user))
    answers = {
        ClaimResult.CLAIMED: _("It's yours."),
        ClaimResult.ALREADY: _("Someone has already taken this conversation."),
        ClaimResult.CLOSED: _("This conversation is closed."),
    }
    await answer_button(query, answers[result])


@staff_only
async def close(update: Update, context: BotContext) -> None:
    """The Close button on an alert, or /close in the client's topic."""
    query, message, user = update.callback_query, update.effective_message, update.effective_user
    desk = context.conversations
    staff = _staff(user) if user is not None else None
    if query is not None:
        number = parse_id(button_data(update, CLOSE_CONVERSATION))
        closed = number is not None and await desk.close(conversation_id=number, staff=staff)
    else:
        topic = message.message_thread_id if message is not None else None
        closed = bool(topic) and await desk.close(topic=topic, staff=staff)
    _ = context.services.translations.get(None).gettext
    if query is None and not closed:
        await reply_to_message(update, _("This conversation is closed."))
        return
    await answer_button(query, _("Closed.") if closed else _("This conversation is closed."))


@staff_only
async def reopen(update: Update, context: BotContext) -> None:
    """Reopen on a closed alert, or “Reopen and send” under a message written in a closed
    topic (that message is delivered then)."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    number_text, _sep, message_text = button_data(update, REOPEN_CONVERSATION).partition(":")
    number, message_id = parse_id(number_text), parse_id(message_text)
    _ = context.services.translations.get(None).gettext
    if number is None:
        await answer_button(query, _("This button is out of date."))
        return
    result, reason = await context.conversations.reopen(number, _staff(user), message_id)
    if result is RelayResult.NOT_A_CONVERSATION:
        await answer_button(query, _("This conversation is already open."))
        return
    await answer_button(query, _("Reopened."))
    if result is RelayResult.FAILED:
        await _failed(update, context, reason)
    elif message_id is not None and query.message is not None:
        await edit_pressed_message(query, _("🔄 Reopened – your message was delivered."))


@staff_only
async def queue(update: Update, context: BotContext) -> None:
    """/queue: the open conversations, unclaimed first, with how long each has waited."""
    translator = context.services.translations.get(None)
    _ = translator.gettext
    entries = await context.conversations.queue()
    if not entries:
        await reply(update, _("No open conversations. 🎉"))
        return
    now = utcnow()
    staff_chat = context.services.settings.staff_chat_id
    lines = [_("<b>Open conversations: {count}</b>").format(count=len(entries))]
    for entry in entries:
        minutes = max(0, int((now - entry.waiting_since).total_seconds() // 60))
        waited = _waiting(translator, minutes)
        name = html.escape(entry.name, quote=False)
        if entry.topic_id is not None and staff_chat is not None:
            link = topic_link(staff_chat, entry.topic_id)
            name = f'<a href="{link}">{name}</a>'
        if entry.claimed_name is None:
            state = _("🆕 unclaimed, waiting {time}").format(time=waited)
        else:
            state = _("💬 {staff}, last message {time} ago").format(
                staff=html.escape(entry.claimed_name, quote=False), time=waited
            )
        lines.append(f"• {name} · <code>{entry.telegram_id}</code> – {state}")
    await reply(update, "\n".join(lines))


def _waiting(translator: Translator, minutes: int) -> str:
    """“5 min”, “3 h 20 min”, “2 d 4 h”."""
    _ = translator.gettext
    if minutes < 60:
        return _("{minutes} min").format(minutes=minutes)
    hours = minutes // 60
    if hours < 48:
        return _("{hours} h {minutes} min").format(hours=hours, minutes=minutes % 60)
    return _("{days} d {hours} h").format(days=hours // 24, hours=hours % 24)


HANDLERS: HandlerList = [
    CommandHandler("human", talk_to_staff, filters.ChatType.PRIVATE),
    CallbackQueryHandler(talk_to_staff, pattern=f"^{MENU_STAFF}$"),
    CallbackQueryHandler(end_chat, pattern=f"^{END_CONVERSATION}$"),
    CallbackQueryHandler(claim, pattern=f"^{CLAIM_CONVERSATION}"),
    CallbackQueryHandler(close, pattern=f"^{CLOSE_CONVERSATION}"),
    CallbackQueryHandler(reopen, pattern=f"^{REOPEN_CONVERSATION}"),
    CommandHandler("close", close, filters.ChatType.GROUPS),
    CommandHandler("queue", queue),
    MessageHandler(
        filters.ChatType.GROUPS & filters.UpdateType.MESSAGE & ~filters.COMMAND, relay_from_staff
    ),
    MessageHandler(filters.ChatType.GROUPS & filters.UpdateType.EDITED_MESSAGE, relay_staff_edit),
]
