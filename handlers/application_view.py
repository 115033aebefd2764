"""Showing an application: the current step with progress, the review, and shared helpers
for the application, booking and status handlers."""

from __future__ import annotations

import html
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot.callbacks import CANCEL_VISIT, CHANGE_VISIT
from bot.context import BotContext
from bot.filing.applications import ApplicationService, StepStatus
from bot.filing.booking import BookingService
from bot.filing.catalogue import PROVINCE_STEP, Item, ItemKind, OfflineRule, SmsCheck
from bot.filing.province_notes import province_notes
from bot.filing.provinces import expected_review_days
from bot.filing.verification import face_check_of
from bot.i18n import N_, Translator
from bot.progress import progress_bar
from bot.services.forms import offered_forms
from bot.services.situation import situation_of
from handlers.common import answer_button, edit_buttons, send_card, show
from storage.models import FilingApplication, as_utc

START = "app:start"
TYPE_PREFIX = "app:type:"
CHOOSE_PREFIX = "app:choose:"
GOTO_PREFIX = "app:goto:"
BACK = "app:back"
SKIP = "app:skip"
CHECKLIST = "app:list"
REVIEW_BUTTON = "app:review"
SUBMIT = "app:submit"
PAUSE = "app:pause"
DAYS = CHANGE_VISIT
DAY_PREFIX = "book:day:"
SLOT_PREFIX = "book:at:"
CANCEL = CANCEL_VISIT
FACE_CHECK = "verify:face"
FORM_PREFIX = "form:"
VERIFICATION_STEP = "verification"
GRID_FROM = 8  # choices with this many options are shown three to a row

OFFLINE = {
    OfflineRule.UNTIL_APPROVAL: N_(
        "🔌 Keep the website offline (DNS resolution off) until the filing is approved."
    ),
    OfflineRule.MAY_STAY_ONLINE: N_("🌐 Your website may stay online meanwhile."),
}


def applications(context: BotContext) -> ApplicationService:
    """The application service for this update."""
    return ApplicationService(context.session, context.services.catalogue)


def bookings(context: BotContext) -> BookingService:
    """The booking service for this update."""
    settings = context.services.settings
    return BookingService(context.session, settings.hours(), settings.booking_days_ahead)


def nav_rows(translator: Translator, *, done: bool = False) -> list[list[InlineKeyboardButton]]:
    """Back / skip (or next, on a step that is done) / checklist / pause buttons under a step."""
    _ = translator.gettext
    onward = _("Next ➡️") if done else _("⏭ Skip for now")
    return [
        [
            InlineKeyboardButton(_("⬅️ Back"), callback_data=BACK),
            InlineKeyboardButton(onward, callback_data=SKIP),
        ],
        [
            InlineKeyboardButton(_("📋 Checklist"), callback_data=CHECKLIST),
            InlineKeyboardButton(_("⏸ Pause"), callback_data=PAUSE),
        ],
    ]


def filing_type_lines(
    context: BotContext, application: FilingApplication, *, summary: bool = False
) -> list[str]:
    """The application's kind of filing and province, and what they mean: offline rule,
    SMS check and (with ``summary``) what the kind is and the bureau's review time."""
    translator = context.i18n
    _ = translator.gettext
    catalogue = context.services.catalogue
    answers = application.answers or {}
    kind = catalogue.filing_type_of(answers)
    province = catalogue.provinces.find(answers.get(PROVINCE_STEP))
    lines = []
    if kind is not None:
        title = html.escape(kind.title.get(translator.language), quote=False)
        lines.append(_("Kind of filing: <b>{kind}</b>").format(kind=title))
        if summary:
            lines.append(kind.summary.get(translator.language))
    name = province.name.get(translator.language) if province else _("not chosen yet")
    lines.append(_("Province: <b>{province}</b>").format(province=html.escape(name, quote=False)))
    if kind is not None:
        if kind.offline in OFFLINE:
            lines.append(_(OFFLINE[kind.offline]))
        if kind.sms is SmsCheck.REQUIRED and kind.sms_who is not None:
            lines.append(
                _(
                    "📱 MIIT sends a verification SMS to {who} a few minutes after the provider "
                    "submits the filing; the code must be entered within 24 hours."
                ).format(who=kind.sms_who.get(translator.language))
            )
        else:
            lines.append(_("📱 No MIIT SMS check for this kind of filing."))
    if summary and province is not None:
        days = expected_review_days(province.id, catalogue.provinces)
        lines.append(
            _("⏳ The bureau in {province} reviews within {days} working days.").format(
                province=html.escape(name, quote=False), days=days
            )
        )
    return lines


def choice_rows(
    item: Item, translator: Translator, chosen: str | None = None
) -> list[list[InlineKeyboardButton]]:
    """A choice step's buttons, the ``chosen`` one ticked: one per row, or three per row for
    long lists (provinces)."""
    buttons = [
        InlineKeyboardButton(
            ("✅ " if option.value == chosen else "") + option.label.get(translator.language),
            callback_data=f"{CHOOSE_PREFIX}{item.id}:{option.value}",
        )
        for option in item.options
    ]
    width = 3 if len(buttons) >= GRID_FROM and item.id == PROVINCE_STEP else 1
    return [buttons[start : start + width] for start in range(0, len(buttons), width)]


async def show_current(
    update: Update,
    context: BotContext,
    application: FilingApplication,
    *,
    lead: str = "",
    new: bool = False,
) -> None:
    """Show the step the client is on (or the review when all are done) as the chat's card,
    after a ``lead`` paragraph (what just happened); ``new``: as a new message, never an edit.
    The client is back at their application, so a pause ends."""
    service = applications(context)
    service.resume(application)
    item = service.current(application)
    if item is None:
        await show_review(update, context, application, lead=lead, new=new)
        return
    translator = context.i18n
    _ = translator.gettext
    progress = await service.progress(application)
    header = _("Step {position} of {total}").format(
        position=progress.position, total=progress.total
    )
    text = (
        (f"{lead}\n\n" if lead else "")
        + f"{header}  {progress_bar(progress.done, progress.total)}\n\n"
        f"<b>{item.title.get(translator.language)}</b>\n{item.instructions.get(translator.language)}"
    )
    answers = application.answers or {}
    table = context.services.catalogue.provinces
    hints = province_notes(item.province_hints, answers.get(PROVINCE_STEP), table, translator)
    if hints:
        text += "\n" + "".join(f"\n📍 {hint}" for hint in hints)
    if item.staff_confirm:
        text += "\n\n" + _(
            "ℹ️ Not every bureau asks for this: our staff will confirm whether yours does. "
            "Send it if you have it, or skip it for now."
        )
    states = await service.states(application)
    state = states.get(item.id)
    done = state is not None and state.state == StepStatus.ACCEPTED
    if done and item.kind is ItemKind.CHOICE:
        text += "\n\n" + _("✅ Already done – choose again to change it, or press Next.")
    elif done:
        text += "\n\n" + _("✅ Already done – send a new one to replace it, or press Next.")
    rows: list[list[InlineKeyboardButton]] = []
    if item.kind is ItemKind.CHOICE:
        chosen = state.value if done and state is not None else None
        rows = choice_rows(item, translator, chosen)
    elif item.kind is ItemKind.VERIFICATION:
        text_extra, rows = await verification_rows(context, application, translator)
        text += text_extra
    forms = offered_forms(context.services.catalogue, application, item)
    if forms:
        text += "\n\n" + _(
            "📄 The form to sign is below, filled in with what you have given so far."
        )
        rows += [
            [
                InlineKeyboardButton(
                    "📄 " + form.title.get(translator.language),
                    callback_data=f"{FORM_PREFIX}{form.id}",
                )
            ]
            for form in forms
        ]
    markup = InlineKeyboardMarkup(rows + nav_rows(translator, done=done))
    await (send_card if new else show)(update, context, text, markup)


async def verification_rows(
    context: BotContext, application: FilingApplication, translator: Translator
) -> tuple[str, list[list[InlineKeyboardButton]]]:
    """Extra text and buttons for the verification step: the visit booked, or booking one and
    – where the hosting provider has one – its own face check instead."""
    _ = translator.gettext
    booking = await bookings(context).active_for(application)
    if booking is not None:
        when = translator.format_datetime(
            as_utc(booking.starts_at), context.services.settings.office_timezone
        )
        text = "\n\n" + _("📅 Your visit: {when}.").format(when=when)
        rows = [
            [InlineKeyboardButton(_("🔁 Change the time"), callback_data=DAYS)],
            [InlineKeyboardButton(_("❌ Cancel the visit"), callback_data=CANCEL)],
        ]
        return text, rows
    rows = [[InlineKeyboardButton(_("📅 Book a visit to our office"), callback_data=DAYS)]]
    face_check = face_check_of(context.services.catalogue, application)
    if not face_check.offered:
        return "\n\n" + _("📅 Your provider needs the photo at our office: book a visit."), rows
    text = ""
    if face_check.where is not None:
        text = "\n\n" + _(
            "📱 Or, instead of a visit, do the face check in {where}, then press the button."
        ).format(where=html.escape(face_check.where.get(translator.language), quote=False))
    rows.append(
        [InlineKeyboardButton(_("📱 My provider's face check is done"), callback_data=FACE_CHECK)]
    )
    return text, rows


async def show_review(
    update: Update,
    context: BotContext,
    application: FilingApplication,
    *,
    lead: str = "",
    new: bool = False,
) -> None:
    """Everything given so far, what is missing, and submit when complete."""
    service = applications(context)
    translator = context.i18n
    timezone = context.services.settings.office_timezone
    _ = translator.gettext
    states = await service.states(application)
    lines = [lead, ""] if lead else []
    lines.append(_("<b>Review your application</b>"))
    missing_word = "<i>" + _("missing") + "</i>"
    for item in service.steps(application):
        state = states.get(item.id)
        title = item.title.get(translator.language)
        if state is None or state.state != StepStatus.ACCEPTED:
            missing_text = translator.labelled(title, missing_word)
            lines.append(f"⬜ {missing_text}" if item.required else f"⏭ {title}")
        else:
            value = describe_value(item, state.value, translator, timezone)
            lines.append(f"✅ {translator.labelled(title, value)}")
    missing = await service.missing(application)
    rows = []
    if missing:
        lines.append(
            _("Still needed before you can submit: {steps}.").format(
                steps=translator.format_list(
                    [item.title.get(translator.language) for item in missing]
                )
            )
        )
        rows.append(
            [InlineKeyboardButton(_("▶️ Continue"), callback_data=f"{GOTO_PREFIX}{missing[0].id}")]
        )
    else:
        lines.append(_("Everything is here. Submit it for our review?"))
        rows.append([InlineKeyboardButton(_("✅ Submit"), callback_data=SUBMIT)])
    rows.append(
        [
            InlineKeyboardButton(_("⬅️ Back"), callback_data=BACK),
            InlineKeyboardButton(_("📋 Checklist"), callback_data=CHECKLIST),
        ]
    )
    await (send_card if new else show)(
        update, context, "\n".join(lines), InlineKeyboardMarkup(rows)
    )


VISIT_PREFIX = "visit "


def describe_value(item: Item, value: str | None, translator: Translator, timezone: str) -> str:
    """A step's stored answer as the client or staff should read it."""
    _ = translator.gettext
    if item.kind is ItemKind.CHOICE:
        option = item.option(value or "")
        return html.escape(option.label.get(translator.language), quote=False) if option else "–"
    if item.kind is ItemKind.IMAGE:
        return _("received")
    if item.kind is ItemKind.VERIFICATION:
        if value and value.startswith(VISIT_PREFIX):
            when = datetime.fromisoformat(value.removeprefix(VISIT_PREFIX))
            return _("visit on {when}").format(when=translator.format_datetime(when, timezone))
        return _("face check done")
    return html.escape((value or "")[:80], quote=False)


async def stale_button(update: Update, context: BotContext) -> None:
    """A button from an earlier step or a closed application: the pressed message shows the
    current step instead."""
    _ = context.i18n.gettext
    if update.callback_query:
        await answer_button(update.callback_query, _("This button is out of date."))
    application, _service = await open_application(context)
    message = update.callback_query.message if update.callback_query else None
    if application is not None:
        await show_current(update, context, application)
    elif isinstance(message, Message) and message.reply_markup is not None:
        await edit_buttons(message, None)  # nothing left to do there: no more live buttons


async def open_application(
    context: BotContext,
) -> tuple[FilingApplication | None, ApplicationService]:
    """The client's application while they can change it (as read on arrival, if it was)."""
    service = applications(context)
    client = context.client
    if client is None:
        return None, service
    known = situation_of(context.scope.arrival, context.services.catalogue).application
    return known or await service.open_for(client), service
