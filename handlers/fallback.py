"""What no other handler took: unknown commands and stale buttons."""

from __future__ import annotations

import html

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.context import BotContext, HandlerList
from handlers.common import answer_button, show_menu


async def unknown_command(update: Update, context: BotContext) -> None:
    """A command the bot does not know."""
    _ = context.i18n.gettext
    command = (update.effective_message.text or "").split()[0] if update.effective_message else ""
    text = _("I don't know the command {command}. Send /help to see what I can do.").format(
        command=html.escape(command[:64], quote=False)
    )
    await show_menu(update, context, text)


async def stale_button(update: Update, context: BotContext) -> None:
    """A button from an old message that no longer does anything."""
    _ = context.i18n.gettext
    await answer_button(update.callback_query, _("This button is out of date."))
    chat = update.effective_chat
    if chat is not None and chat.type == ChatType.PRIVATE:
        await show_menu(update, context, _("That button no longer works. Here is the main menu:"))


HANDLERS: HandlerList = [
    MessageHandler(filters.ChatType.PRIVATE & filters.COMMAND, unknown_command),
    CallbackQueryHandler(stale_button),
]
