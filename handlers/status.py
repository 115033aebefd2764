"""“My status” and /status: where the client's application stands, and continuing it."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import BotContext
from bot.filing.stages import OPEN_TO_CLIENT
from handlers.application_view import CONTINUE, START, applications, progress_bar
from handlers.common import MENU_ELIGIBILITY, MENU_STATUS, back_to_menu_button, reply
from storage.models import as_utc


async def show_status(update: Update, context: BotContext) -> None:
    """Show the latest application's stage, or how to begin."""
    if update.callback_query:
        await update.callback_query.answer()
    if context.client is None:
        return
    _ = context.i18n.gettext
    service = applications(context)
    application = await service.latest_for(context.client)
    if application is None:
        rows = [
            [InlineKeyboardButton(_("✅ Check eligibility"), callback_data=MENU_ELIGIBILITY)],
            [InlineKeyboardButton(_("📝 Start my application"), callback_data=START)],
            [back_to_menu_button(context.i18n)],
        ]
        await reply(update, _("You have no application yet."), InlineKeyboardMarkup(rows))
        return
    if application.status in OPEN_TO_CLIENT:
        progress = await service.progress(application)
        text = _(
            "📊 <b>Your application</b>: collecting documents\n{done} of {total} steps done  {bar}"
        ).format(
            done=progress.done,
            total=progress.total,
            bar=progress_bar(progress.done, progress.total),
        )
        rows = [
            [InlineKeyboardButton(_("▶️ Continue"), callback_data=CONTINUE)],
            [back_to_menu_button(context.i18n)],
        ]
        await reply(update, text, InlineKeyboardMarkup(rows))
        return
    submitted = context.i18n.format_datetime(
        as_utc(application.submitted_at or application.updated_at),
        context.services.settings.office_timezone,
    )
    text = _(
        "📊 <b>Your application</b>: submitted on {date}, waiting for our review.\n"
        "We check it within 1–2 working days and tell you here what happens next."
    ).format(date=submitted)
    await reply(update, text, InlineKeyboardMarkup([[back_to_menu_button(context.i18n)]]))


HANDLERS: list[BaseHandler] = [
    CommandHandler("status", show_status, filters.ChatType.PRIVATE),
    CallbackQueryHandler(show_status, pattern=f"^{MENU_STATUS}$"),
]
