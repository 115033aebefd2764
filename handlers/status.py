"""“My status” and /status: where the client's application stands, and continuing it."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.callbacks import CONTINUE_APPLICATION as CONTINUE
from bot.context import BotContext, HandlerList
from bot.filing.status import Collecting, InReview, NoApplication, StatusService
from bot.progress import progress_bar
from bot.services.notices import stage_name
from handlers.application_view import START
from handlers.common import (
    MENU_ELIGIBILITY,
    MENU_STATUS,
    answer_button,
    back_to_menu_button,
    show,
)


async def show_status(update: Update, context: BotContext) -> None:
    """Show the latest application's stage, or how to begin."""
    await answer_button(update.callback_query)
    if context.client is None:
        return
    _ = context.i18n.gettext
    settings = context.services.settings
    service = StatusService(context.session, context.services.catalogue, settings.hours().timezone)
    match await service.of(context.client):
        case NoApplication():
            rows = [
                [InlineKeyboardButton(_("✅ Check eligibility"), callback_data=MENU_ELIGIBILITY)],
                [InlineKeyboardButton(_("📝 Start my application"), callback_data=START)],
                [back_to_menu_button(context.i18n)],
            ]
            await show(
                update, context, _("You have no application yet."), InlineKeyboardMarkup(rows)
            )
        case Collecting(progress=progress):
            text = context.i18n.ngettext(
                "📊 <b>Your application</b>: collecting documents\n"
                "{done} of {total} step done  {bar}",
                "📊 <b>Your application</b>: collecting documents\n"
                "{done} of {total} steps done  {bar}",
                progress.total,
            ).format(
                done=progress.done,
                total=progress.total,
                bar=progress_bar(progress.done, progress.total),
            )
            rows = [
                [InlineKeyboardButton(_("▶️ Continue"), callback_data=CONTINUE)],
                [back_to_menu_button(context.i18n)],
            ]
            await show(update, context, text, InlineKeyboardMarkup(rows))
        case InReview() as report:
            await show(update, context, _stage_report(context, report), back_menu(context))


def back_menu(context: BotContext) -> InlineKeyboardMarkup:
    """Just the “Main menu” button."""
    return InlineKeyboardMarkup([[back_to_menu_button(context.i18n)]])


def _stage_report(context: BotContext, report: InReview) -> str:
    """The stage, the ICP number once approved, the history and the next expected date."""
    translator = context.i18n
    _ = translator.gettext
    timezone = context.services.settings.office_timezone
    lines = [
        _("📊 <b>Your application</b>: {stage}").format(stage=stage_name(report.stage, translator))
    ]
    if report.icp_number:
        lines.append(_("Your ICP number: <b>{number}</b>").format(number=report.icp_number))
    for entry in report.history:
        when = translator.format_datetime(entry.when, timezone)
        lines.append(f"• {translator.labelled(when, stage_name(entry.stage, translator))}")
    if report.expected is not None:
        lines.append(
            _("Next step expected by {date}.").format(date=translator.format_date(report.expected))
        )
    return "\n".join(lines)


HANDLERS: HandlerList = [
    CommandHandler("status", show_status, filters.ChatType.PRIVATE),
    CallbackQueryHandler(show_status, pattern=f"^{MENU_STATUS}$"),
]
