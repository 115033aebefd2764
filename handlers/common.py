"""Pieces several handlers share: the main menu, and speaking to the client.

Every call to Telegram first commits the update's work (the Bot API request object does it,
``bot.bot_api_request``): that is where a handler's changes are stored.

**One live message per flow.** Menus, FAQ browsing, the eligibility check, the application's
step card and the pickers are *cards*: ``show`` edits the message whose button was pressed, so
a flow lives in one message. When a card has to be sent anew (after a typed answer or an
upload, a command, or when the pressed message cannot be edited: too old, deleted, a photo),
``show`` sends it and takes the buttons off the chat's previous card, so no old message keeps
buttons that only answer "out of date". ``reply`` sends what the client should keep (an FAQ
answer, a notice, a receipt) as a new message and leaves the card alone.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    Update,
)
from telegram.error import BadRequest, TelegramError

from bot.callbacks import TALK_TO_STAFF
from bot.context import BotContext
from bot.i18n import Translator
from bot.scope import commit_work

log = logging.getLogger(__name__)

ACTION_REPEAT_SECONDS = 4.0  # Telegram shows a chat action for 5 s, or until the bot speaks

MENU_FAQ = "menu:faq"
MENU_ELIGIBILITY = "menu:eligibility"
MENU_APPLY = "menu:apply"
MENU_STATUS = "menu:status"
MENU_STAFF = TALK_TO_STAFF
MENU_LANGUAGE = "menu:language"
MENU_HOME = "menu:home"
MENU_OPEN = "menu:open"  # the main menu as a new card, from a message to keep


MAX_ID_DIGITS = 15  # record numbers in buttons and commands; longer ones are forged


def parse_id(text: str) -> int | None:
    """A record number from a button or command, or None when it is not a plausible one."""
    return int(text) if text.isdigit() and len(text) <= MAX_ID_DIGITS else None


def button_data(update: Update, prefix: str = "") -> str:
    """The pressed button's callback data without ``prefix`` ("" when no button was pressed)."""
    query = update.callback_query
    return (query.data or "").removeprefix(prefix) if query is not None else ""


def main_menu(translator: Translator) -> InlineKeyboardMarkup:
    """The main menu buttons."""
    _ = translator.gettext
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("❓ FAQ"), callback_data=MENU_FAQ)],
            [InlineKeyboardButton(_("✅ Check eligibility"), callback_data=MENU_ELIGIBILITY)],
            [InlineKeyboardButton(_("📝 Start my application"), callback_data=MENU_APPLY)],
            [
                InlineKeyboardButton(_("📊 My status"), callback_data=MENU_STATUS),
                InlineKeyboardButton(_("🙋 Talk to staff"), callback_data=MENU_STAFF),
            ],
            [InlineKeyboardButton(_("🌐 Language"), callback_data=MENU_LANGUAGE)],
        ]
    )


def back_to_menu_button(translator: Translator, *, keep: bool = False) -> InlineKeyboardButton:
    """A button that shows the main menu again: in its message, or (``keep``: under a message
    the client keeps, like a receipt) as a new one."""
    return InlineKeyboardButton(
        translator.gettext("🏠 Main menu"), callback_data=MENU_OPEN if keep else MENU_HOME
    )


async def reply(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Send a new message to the chat the update came from."""
    chat = update.effective_chat
    if chat is not None:
        await chat.send_message(text, reply_markup=markup)


LIVE_CARD = "live_card"  # chat_data: the message id of the chat's current card
NOT_MODIFIED = "message is not modified"


async def show(
    update: Update,
    context: BotContext,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Show a card: edit the message whose button was pressed; otherwise (a typed message, a
    command, or a message Telegram will not let us edit) send a new one, and take the buttons
    off the chat's previous card."""
    query = update.callback_query
    message = query.message if query is not None else None
    if isinstance(message, Message) and await _edit(message, text, markup):
        await retire_card(context, message.chat_id, keep=message.message_id)
        _remember(context, message.message_id if markup is not None else None)
        return
    await send_card(update, context, text, markup)


async def send_card(
    update: Update,
    context: BotContext,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Send a card as a new message; the chat's previous card loses its buttons."""
    chat = update.effective_chat
    if chat is None:
        return
    await retire_card(context, chat.id)
    sent = await chat.send_message(text, reply_markup=markup)
    _remember(context, sent.message_id if markup is not None else None)


async def retire_card(context: BotContext, chat_id: int, *, keep: int | None = None) -> None:
    """Take the buttons off the chat's current card (unless it is message ``keep``): the flow
    moved on. A card that is gone or already bare is fine."""
    card = _chat_data(context).pop(LIVE_CARD, None)
    if not isinstance(card, int) or card == keep:
        return
    try:
        await context.bot.edit_message_reply_markup(chat_id, card, reply_markup=None)
    except BadRequest as error:
        log.info("Could not take the buttons off an old card: %s", error)


async def settle(
    update: Update, context: BotContext, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Turn the pressed card into a message to keep (a receipt, a notice), without the flow's
    buttons (``markup``: its own, e.g. change or cancel a booking); sent as a new message when
    it cannot be edited."""
    query = update.callback_query
    message = query.message if query is not None else None
    if isinstance(message, Message) and await _edit(message, text, markup):
        if _chat_data(context).get(LIVE_CARD) == message.message_id:
            _remember(context, None)
        return
    await reply(update, text, markup)


async def _edit(message: Message, text: str, markup: InlineKeyboardMarkup | None) -> bool:
    """Replace a message's text and buttons; False when Telegram cannot edit it."""
    try:
        await message.edit_text(text, reply_markup=markup)
    except BadRequest as error:
        if NOT_MODIFIED in str(error).lower():
            return True  # it already shows exactly this (a double press)
        log.info("Could not edit a card, sending a new one: %s", error)
        return False
    return True


async def edit_buttons(message: Message, markup: InlineKeyboardMarkup | None) -> None:
    """Change only a message's buttons (a message that is gone or unchanged is fine)."""
    try:
        await message.edit_reply_markup(markup)
    except BadRequest as error:
        log.info("Could not change a message's buttons: %s", error)


def _chat_data(context: BotContext) -> dict[Any, Any]:
    data = context.chat_data
    return data if data is not None else {}


def _remember(context: BotContext, message_id: int | None) -> None:
    """Note the chat's current card (None: it has no card with buttons now)."""
    if context.chat_data is None:
        return
    if message_id is None:
        context.chat_data.pop(LIVE_CARD, None)
    else:
        context.chat_data[LIVE_CARD] = message_id


async def send_file(update: Update, data: bytes, file_name: str, caption: str) -> None:
    """Send a file to the chat the update came from."""
    chat = update.effective_chat
    if chat is not None:
        await chat.send_document(InputFile(data, filename=file_name), caption=caption)


async def reply_to_message(
    update: Update,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    quote: bool | None = None,
) -> None:
    """Answer the update's message in its topic; quoting it in groups (PTB's default) or
    wherever `quote` says."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(text, reply_markup=markup, do_quote=quote)


async def edit_pressed_message(
    query: CallbackQuery | None, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Replace the message whose button was pressed."""
    if query is not None and query.message is not None:
        try:
            await query.edit_message_text(text, reply_markup=markup)
        except TelegramError as error:
            log.info("Could not edit a message: %s", error)


async def answer_button(
    query: CallbackQuery | None, text: str | None = None, *, alert: bool = False
) -> None:
    """Answer the pressed button (with a short notice).

    The answer only stops the button's spinner: when it fails (an expired query, or a press
    Telegram delivers again after a restart) the work goes on rather than being lost."""
    if query is not None:
        try:
            await query.answer(text, show_alert=alert)
        except TelegramError as error:
            log.info("Could not answer a button press: %s", error)


async def show_menu(
    update: Update, context: BotContext, text: str | None = None, *, new: bool = False
) -> None:
    """Show the main menu as the chat's card, with a short lead-in (``new``: never an edit)."""
    translator = context.i18n
    text = text or translator.gettext("What would you like to do?")
    await (send_card if new else show)(update, context, text, main_menu(translator))


@asynccontextmanager
async def chat_action(update: Update, action: str) -> AsyncIterator[None]:
    """Show "typing…" or "sending a file…" in the chat while the block runs (a file being
    checked, an export being built), repeated until it ends.

    The work so far is committed first; the repeats run outside the update's unit of work, so
    they never commit (or wait for) what the block is doing."""
    chat = update.effective_chat
    if chat is None:
        yield
        return
    message = update.effective_message
    topic = message.message_thread_id if message and message.is_topic_message else None
    await commit_work()

    async def keep_showing() -> None:
        while True:
            try:
                await chat.send_action(action, message_thread_id=topic)
            except TelegramError as error:
                log.debug("Could not show a chat action: %s", error)
            await asyncio.sleep(ACTION_REPEAT_SECONDS)

    task = asyncio.create_task(keep_showing(), context=contextvars.Context())
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
