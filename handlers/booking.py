"""The verification step: book a visit to the office, or confirm the in-app face check; and the
staff's list of the day's visits. (The reminder the day before is a job: ``bot.jobs.reminders``.)
"""

from __future__ import annotations

import html
from datetime import date, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import BotContext, HandlerList
from bot.filing.applications import ApplicationService
from bot.filing.catalogue import ItemKind
from handlers.application_view import (
    CANCEL,
    DAY_PREFIX,
    DAYS,
    FACE_CHECK,
    SLOT_PREFIX,
    VERIFICATION_STEP,
    VISIT_PREFIX,
    applications,
    bookings,
    show_current,
    stale_button,
)
from handlers.common import answer_button, reply
from handlers.guards import staff_only
from storage.models import FilingApplication, as_utc, utcnow


def local(value: datetime, context: BotContext) -> datetime:
    """A stored time in the office's time zone."""
    return as_utc(value).astimezone(context.services.settings.hours().timezone)


async def choose_day(update: Update, context: BotContext) -> None:
    """Offer the days that still have free slots."""
    application = await _application_at_verification(context)
    if application is None:
        await stale_button(update, context)
        return
    await answer_button(update.callback_query)
    _ = context.i18n.gettext
    days = await bookings(context).free_days()
    if not days:
        await reply(
            update, _("Sorry, there are no free times in the next days. Please talk to our staff.")
        )
        return
    buttons = [
        InlineKeyboardButton(
            context.i18n.format_day(day), callback_data=f"{DAY_PREFIX}{day.strftime('%Y%m%d')}"
        )
        for day in days[:10]
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    await reply(
        update, _("📅 Which day suits you? (office time, Beijing)"), InlineKeyboardMarkup(rows)
    )


async def choose_slot(update: Update, context: BotContext) -> None:
    """Offer the free times of a day."""
    application = await _application_at_verification(context)
    day = _parse_day((update.callback_query.data or "").removeprefix(DAY_PREFIX))
    service = bookings(context)
    if application is None or day is None or not service.offers_day(day):
        await stale_button(update, context)
        return
    await answer_button(update.callback_query)
    _ = context.i18n.gettext
    slots = await service.free_slots(day)
    if not slots:
        await reply(update, _("That day is fully booked now – please pick another day."))
        return
    buttons = [
        InlineKeyboardButton(
            slot.strftime("%H:%M"), callback_data=f"{SLOT_PREFIX}{slot.strftime('%Y%m%dT%H%M')}"
        )
        for slot in slots
    ]
    rows = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    rows.append([InlineKeyboardButton(_("⬅️ Other days"), callback_data=DAYS)])
    await reply(
        update,
        _("🕘 {day}: choose a time").format(day=context.i18n.format_day(day)),
        InlineKeyboardMarkup(rows),
    )


async def book_slot(update: Update, context: BotContext) -> None:
    """Book the chosen time and complete the step."""
    application = await _application_at_verification(context)
    starts_at = _parse_slot((update.callback_query.data or "").removeprefix(SLOT_PREFIX), context)
    service = bookings(context)
    if application is None or starts_at is None or not service.is_offered(starts_at):
        await stale_button(update, context)
        return
    _ = context.i18n.gettext
    booking = await service.book(application, starts_at)
    if booking is None:
        await answer_button(update.callback_query, _("Sorry, that time was just taken."))
        await choose_day_again(update, context)
        return
    await answer_button(update.callback_query, _("Booked!"))
    when = context.i18n.format_datetime(
        as_utc(booking.starts_at), context.services.settings.office_timezone
    )
    await reply(
        update,
        _("✅ Your visit is booked for {when}. We will remind you the day before.").format(
            when=when
        ),
    )
    await _complete_step(
        context, application, f"{VISIT_PREFIX}{as_utc(booking.starts_at).isoformat()}"
    )
    await show_current(update, context, application)


async def choose_day_again(update: Update, context: BotContext) -> None:
    """After a clash, offer the days again."""
    await choose_day(update, context)


async def cancel_visit(update: Update, context: BotContext) -> None:
    """Cancel the booked visit; the step is open again."""
    application = await _application_at_verification(context)
    if application is None or not await bookings(context).cancel(application):
        await stale_button(update, context)
        return
    _ = context.i18n.gettext
    await answer_button(update.callback_query, _("Visit cancelled."))
    service = applications(context)
    item = context.services.catalogue.find_item(VERIFICATION_STEP)
    if item is not None:
        await service.mark_pending(application, item)
    await service.go_to(application, VERIFICATION_STEP)
    await show_current(update, context, application)


async def face_check_done(update: Update, context: BotContext) -> None:
    """The client confirms the hosting provider's in-app face check."""
    application = await _application_at_verification(context)
    if application is None:
        await stale_button(update, context)
        return
    _ = context.i18n.gettext
    await answer_button(update.callback_query, _("Noted, thank you."))
    await bookings(context).cancel(application)
    await _complete_step(context, application, "face_check")
    await show_current(update, context, application)


async def _complete_step(context: BotContext, application: FilingApplication, value: str) -> None:
    service = applications(context)
    item = context.services.catalogue.find_item(VERIFICATION_STEP)
    if item is not None:
        await service.accept_text(application, item, value)


async def _application_at_verification(context: BotContext) -> FilingApplication | None:
    if context.client is None:
        return None
    service: ApplicationService = applications(context)
    application = await service.open_for(context.client)
    if application is None:
        return None
    has_step = any(item.kind is ItemKind.VERIFICATION for item in service.steps(application))
    return application if has_step else None


def _parse_day(text: str) -> date | None:
    try:
        return datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        return None


def _parse_slot(text: str, context: BotContext) -> datetime | None:
    try:
        naive = datetime.strptime(text, "%Y%m%dT%H%M")
    except ValueError:
        return None
    return naive.replace(tzinfo=context.services.settings.hours().timezone)


@staff_only
async def todays_visits(update: Update, context: BotContext) -> None:
    """/bookings [YYYY-MM-DD] for staff: the day's visits."""
    _ = context.i18n.gettext
    settings = context.services.settings
    hours = settings.hours()
    day = utcnow().astimezone(hours.timezone).date()
    if context.args:
        parsed = _parse_day(context.args[0].replace("-", ""))
        if parsed is None:
            await reply(update, _("Please give the date as YYYY-MM-DD."))
            return
        day = parsed
    visits = await bookings(context).on_day(day)
    lines = [_("📅 <b>Visits on {day}</b>").format(day=context.i18n.format_date(day))]
    for booking, client in visits:
        time_text = local(booking.starts_at, context).strftime("%H:%M")
        name = html.escape(client.full_name or str(client.telegram_id), quote=False)
        lines.append(f'{time_text} · <a href="tg://user?id={client.telegram_id}">{name}</a>')
    if not visits:
        lines.append(_("No visits booked."))
    await reply(update, "\n".join(lines))


HANDLERS: HandlerList = [
    CallbackQueryHandler(choose_day, pattern=f"^{DAYS}$"),
    CallbackQueryHandler(choose_slot, pattern=f"^{DAY_PREFIX}"),
    CallbackQueryHandler(book_slot, pattern=f"^{SLOT_PREFIX}"),
    CallbackQueryHandler(cancel_visit, pattern=f"^{CANCEL}$"),
    CallbackQueryHandler(face_check_done, pattern=f"^{FACE_CHECK}$"),
    CommandHandler("bookings", todays_visits),
]
