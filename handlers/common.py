"""Pieces several handlers share: the main menu, and speaking to the client.

Every reply helper here commits the update's work before it calls Telegram (``commit_work``):
that is where a handler's changes are stored.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Update,
)
from telegram.error import TelegramError

from bot.callbacks import TALK_TO_STAFF
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


def back_to_menu_button(translator: Translator) -> InlineKeyboardButton:
    """A button that shows the main menu again."""
    return InlineKeyboardButton(translator.gettext("🏠 Main menu"), callback_data=MENU_HOME)


async def reply(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Commit the update's work, then send a new message to the chat the update came from."""
    chat = update.effective_chat
    if chat is not None:
        await commit_work()
        await chat.send_message(text, reply_markup=markup)


async def send_file(update: Update, data: bytes, file_name: str, caption: str) -> None:
    """Commit the update's work, then send a file to the chat the update came from."""
    chat = update.effective_chat
    if chat is not None:
        await commit_work()
        await chat.send_document(InputFile(data, filename=file_name), caption=caption)


async def reply_to_message(
    update: Update, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Commit the update's work, then answer its message (quoting it, in its topic)."""
    message = update.effective_message
    if message is not None:
        await commit_work()
        await message.reply_text(text, reply_markup=markup)


async def edit_pressed_message(
    query: CallbackQuery | None, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Commit the update's work, then replace the message whose button was pressed."""
    if query is not None and query.message is not None:
        await commit_work()
        try:
            await query.edit_message_text(text, reply_markup=markup)
        except TelegramError as error:
            log.info("Could not edit a message: %s", error)


async def answer_button(
    query: CallbackQuery | None, text: str | None = None, *, alert: bool = False
) -> None:
    """Commit the update's work, then answer the pressed button (with a short notice).

    The answer only stops the button's spinner: when it fails (an expired query, or a press
    Telegram delivers again after a restart) the work goes on rather than being lost."""
    if query is not None:
        await commit_work()
        try:
            await query.answer(text, show_alert=alert)
        except TelegramError as error:
            log.info("Could not answer a button press: %s", error)


async def show_menu(update: Update, translator: Translator, text: str | None = None) -> None:
    """Send the main menu, with a short lead-in."""
    await reply(
        update, text or translator.gettext("What would you like to do?"), main_menu(translator)
    )


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
