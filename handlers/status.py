"""“My status” and /status: where the client's application stands, and continuing it."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.callbacks import CONTINUE_APPLICATION as CONTINUE
from bot.context import BotContext, HandlerList
from bot.filing.stages import OPEN_TO_CLIENT, Stage, StageService, next_expected
from bot.progress import progress_bar
from bot.services.notices import stage_name
from handlers.application_view import START, applications
from handlers.common import (
    MENU_ELIGIBILITY,
    MENU_STATUS,
    answer_button,
    back_to_menu_button,
    reply,
)
from storage.models import FilingApplication, as_utc


async def show_status(update: Update, context: BotContext) -> None:
    """Show the latest application's stage, or how to begin."""
    await answer_button(update.callback_query)
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
    await reply(update, await _stage_report(context, application), back_menu(context))


def back_menu(context: BotContext) -> InlineKeyboardMarkup:
    """Just the “Main menu” button."""
    return InlineKeyboardMarkup([[back_to_menu_button(context.i18n)]])


async def _stage_report(context: BotContext, application: FilingApplication) -> str:
    """The stage, the ICP number once approved, the history and the next expected date."""
    translator = context.i18n
    _ = translator.gettext
    timezone = context.services.settings.office_timezone
    history = await StageService(context.session).history(application)
    lines = [
        _("📊 <b>Your application</b>: {stage}").format(
            stage=stage_name(application.status, translator)
        )
    ]
    if application.icp_number:
        lines.append(_("Your ICP number: <b>{number}</b>").format(number=application.icp_number))
    for change in history:
        when = translator.format_datetime(as_utc(change.created_at), timezone)
        lines.append(f"• {when}: {stage_name(change.to_stage, translator)}")
    if history:
        hours = context.services.settings.hours()
        moved = as_utc(history[-1].created_at).astimezone(hours.timezone).date()
        expected = next_expected(Stage(application.status), as_utc(history[-1].created_at), moved)
        if expected is not None:
            lines.append(
                _("Next step expected by {date}.").format(date=translator.format_date(expected))
            )
    return "\n".join(lines)


HANDLERS: HandlerList = [
    CommandHandler("status", show_status, filters.ChatType.PRIVATE),
    CallbackQueryHandler(show_status, pattern=f"^{MENU_STATUS}$"),
]
