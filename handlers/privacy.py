"""/delete_my_data: a client erases everything the bot holds about them, after confirming."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.context import BotContext, HandlerList
from bot.services.erasure import erase_client
from handlers.common import answer_button, back_to_menu_button, send_card, settle, show

log = logging.getLogger(__name__)

CONFIRM = "privacy:delete"
KEEP = "privacy:keep"


async def ask(update: Update, context: BotContext) -> None:
    """Explain what will be deleted and ask for confirmation."""
    _ = context.i18n.gettext
    text = _(
        "🗑 <b>Delete my data</b>\nThis deletes everything we hold about you: your questions, "
        "your application with all uploaded documents, bookings and messages with our team. "
        "It cannot be undone, and an application in progress stops."
    )
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("🗑 Yes, delete everything"), callback_data=CONFIRM)],
            [InlineKeyboardButton(_("Keep my data"), callback_data=KEEP)],
        ]
    )
    await send_card(update, context, text, markup)


async def confirm(update: Update, context: BotContext) -> None:
    """Delete the client's data, tell them, and tell staff."""
    query = update.callback_query
    client = context.client
    _ = context.i18n.gettext
    if client is None:
        await answer_button(query)
        return
    telegram_id = client.telegram_id
    removed = await erase_client(context.session, client, context.services.documents)
    context.scope.forget_client()
    await answer_button(query, _("Deleted."))
    log.info("Client %s deleted their data (%s files removed)", telegram_id, removed)
    await settle(
        update,
        context,
        _("✅ All your data has been deleted. If you write again, we start from scratch."),
    )
    staff_chat = context.services.settings.staff_chat_id
    if staff_chat is not None:
        staff = context.services.translations.get(None)
        try:
            await context.bot.send_message(
                staff_chat,
                staff.gettext("🗑 Client id <code>{telegram_id}</code> deleted their data.").format(
                    telegram_id=telegram_id
                ),
            )
        except TelegramError as error:
            log.warning("Could not tell staff about a deletion: %s", error)


async def keep(update: Update, context: BotContext) -> None:
    """The client changed their mind."""
    _ = context.i18n.gettext
    await answer_button(update.callback_query)
    await show(
        update,
        context,
        _("OK, nothing was deleted."),
        InlineKeyboardMarkup([[back_to_menu_button(context.i18n)]]),
    )


HANDLERS: HandlerList = [
    CommandHandler("delete_my_data", ask, filters.ChatType.PRIVATE),
    CallbackQueryHandler(confirm, pattern=f"^{CONFIRM}$"),
    CallbackQueryHandler(keep, pattern=f"^{KEEP}$"),
]
