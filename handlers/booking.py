"""The verification step: book a visit to the office, or confirm the in-app face check; and the
staff's list of the day's visits. (The reminder the day before is a job: ``bot.jobs.reminders``.)
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from datetime import date, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import BotContext, HandlerList
from bot.filing.verification import VerificationDesk
from bot.messenger import MessengerError
from bot.services.office import Office, office_for
from handlers.application_view import (
    CANCEL,
    DAY_PREFIX,
    DAYS,
    FACE_CHECK,
    GOTO_PREFIX,
    SLOT_PREFIX,
    VERIFICATION_STEP,
    show_current,
    stale_button,
)
from handlers.common import answer_button, reply, settle, show
from handlers.guards import staff_only

log = logging.getLogger(__name__)


def desk(context: BotContext) -> VerificationDesk:
    """The verification desk for this update."""
    settings = context.services.settings
    return VerificationDesk(
        context.session, context.services.catalogue, settings.hours(), settings.booking_days_ahead
    )


async def choose_day(update: Update, context: BotContext) -> None:
    """Offer the days that still have free slots."""
    days = await desk(context).free_days(context.client) if context.client else None
    if days is None:
        await stale_button(update, context)
        return
    await answer_button(update.callback_query)
    await _offer_days(update, context, days)


def _back_row(context: BotContext) -> list[InlineKeyboardButton]:
    """⬅️ Back to the verification step."""
    return [
        InlineKeyboardButton(
            context.i18n.gettext("⬅️ Back"), callback_data=f"{GOTO_PREFIX}{VERIFICATION_STEP}"
        )
    ]


async def _offer_days(
    update: Update, context: BotContext, days: Sequence[date], lead: str = ""
) -> None:
    _ = context.i18n.gettext
    lead = f"{lead}\n\n" if lead else ""
    if not days:
        text = _("Sorry, there are no free times in the next days. Please talk to our staff.")
        await show(update, context, lead + text, InlineKeyboardMarkup([_back_row(context)]))
        return
    buttons = [
        InlineKeyboardButton(
            context.i18n.format_day(day), callback_data=f"{DAY_PREFIX}{day.strftime('%Y%m%d')}"
        )
        for day in days[:10]
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(_back_row(context))
    text = lead + _("📅 Which day suits you? (office time, Beijing)")
    await show(update, context, text, InlineKeyboardMarkup(rows))


async def choose_slot(update: Update, context: BotContext) -> None:
    """Offer the free times of a day."""
    day = _parse_day(_button_data(update).removeprefix(DAY_PREFIX))
    client = context.client
    slots = await desk(context).free_slots(client, day) if client and day else None
    if slots is None or day is None:
        await stale_button(update, context)
        return
    await answer_button(update.callback_query)
    _ = context.i18n.gettext
    if not slots:
        days = await desk(context).free_days(client) if client else None
        lead = _("That day is fully booked now – please pick another day.")
        await _offer_days(update, context, days or [], lead)
        return
    buttons = [
        InlineKeyboardButton(
            slot.strftime("%H:%M"), callback_data=f"{SLOT_PREFIX}{slot.strftime('%Y%m%dT%H%M')}"
        )
        for slot in slots
    ]
    rows = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    rows.append([InlineKeyboardButton(_("⬅️ Other days"), callback_data=DAYS)])
    await show(
        update,
        context,
        _("🕘 {day}: choose a time").format(day=context.i18n.format_day(day)),
        InlineKeyboardMarkup(rows),
    )


async def book_slot(update: Update, context: BotContext) -> None:
    """Book the chosen time and complete the step."""
    starts_at = _parse_slot(_button_data(update).removeprefix(SLOT_PREFIX), context)
    client = context.client
    outcome = await desk(context).book(client, starts_at) if client and starts_at else None
    if outcome is None:
        await stale_button(update, context)
        return
    _ = context.i18n.gettext
    if outcome.starts_at is None:
        await answer_button(update.callback_query, _("Sorry, that time was just taken."))
        await _offer_days(update, context, outcome.free_days)
        return
    await answer_button(update.callback_query, _("Booked!"))
    when = context.i18n.format_datetime(
        outcome.starts_at, context.services.settings.office_timezone
    )
    office = _office(context)
    # The picker becomes the booking's receipt (with change and cancel); the application goes
    # on in a new card.
    await settle(
        update,
        context,
        _("✅ Your visit is booked for {when}. We will remind you the day before.").format(
            when=when
        )
        + "\n\n"
        + office.lines(context.i18n),
        visit_buttons(context),
    )
    await send_office_place(update, context, office)
    if outcome.open:
        await show_current(update, context, outcome.application, new=True)


def _office(context: BotContext) -> Office:
    services = context.services
    return office_for(services.settings, services.catalogue, context.i18n)


def visit_buttons(context: BotContext) -> InlineKeyboardMarkup:
    """Change and cancel, under a booked visit."""
    _ = context.i18n.gettext
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("🔁 Change the time"), callback_data=DAYS)],
            [InlineKeyboardButton(_("❌ Cancel the visit"), callback_data=CANCEL)],
        ]
    )


async def send_office_place(update: Update, context: BotContext, office: Office) -> None:
    """The office on the map, when its place is known (the text above says it otherwise)."""
    chat = update.effective_chat
    if office.location is None or chat is None:
        return
    latitude, longitude = office.location
    try:
        await context.messenger.send_place(
            chat.id, latitude, longitude, office.name, office.address
        )
    except MessengerError as error:
        log.info("Could not send the office's place: %s", error)


async def cancel_visit(update: Update, context: BotContext) -> None:
    """Cancel the booked visit; the step is open again (a submitted application: book anew)."""
    outcome = await desk(context).cancel(context.client) if context.client else None
    if outcome is None:
        await stale_button(update, context)
        return
    _ = context.i18n.gettext
    await answer_button(update.callback_query, _("Visit cancelled."))
    if outcome.reopened:
        await show_current(update, context, outcome.application)
        return
    book = InlineKeyboardButton(_("📅 Book a visit to our office"), callback_data=DAYS)
    await reply(
        update,
        _("Your visit is cancelled. Book another time whenever it suits you."),
        InlineKeyboardMarkup([[book]]),
    )


async def face_check_done(update: Update, context: BotContext) -> None:
    """The client confirms the hosting provider's in-app face check."""
    client = context.client
    application = await desk(context).confirm_face_check(client) if client else None
    if application is None:
        await stale_button(update, context)
        return
    await answer_button(update.callback_query, context.i18n.gettext("Noted, thank you."))
    await show_current(update, context, application)


def _button_data(update: Update) -> str:
    query = update.callback_query
    return (query.data or "") if query is not None else ""


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


LISTED_YEARS = (2000, 2999)  # /bookings: beyond these no visit exists (and 9999-12-31 overflows)


@staff_only
async def todays_visits(update: Update, context: BotContext) -> None:
    """/bookings [YYYY-MM-DD] for staff: the day's visits."""
    _ = context.i18n.gettext
    asked = None
    if context.args:
        asked = _parse_day(context.args[0].replace("-", ""))
        if asked is None or not LISTED_YEARS[0] <= asked.year <= LISTED_YEARS[1]:
            await reply(update, _("Please give the date as YYYY-MM-DD."))
            return
    day, visits = await desk(context).visits_on(asked)
    lines = [_("📅 <b>Visits on {day}</b>").format(day=context.i18n.format_date(day))]
    for visit in visits:
        name = html.escape(visit.client_name, quote=False)
        lines.append(
            f"{visit.starts_at.strftime('%H:%M')} · "
            f'<a href="tg://user?id={visit.telegram_id}">{name}</a>'
        )
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
