"""The guided application: one step at a time, with progress, checklist, review and submit; a
typed answer corrected by editing the message that gave it."""

from __future__ import annotations

import html
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from bot.callbacks import CONTINUE_APPLICATION as CONTINUE
from bot.callbacks import END_CONVERSATION
from bot.context import BotContext, HandlerList
from bot.filing.applications import (
    ApplicationService,
    ProvinceMatch,
    ProvinceReading,
    StepStatus,
)
from bot.filing.catalogue import FILING_TYPE_STEP, PROVINCE_STEP, Item, ItemKind
from bot.filing.checked import Checked, Note, Problem
from bot.filing.eligibility import APPLICANT, PROVINCE, EligibilityService
from bot.filing.stages import OPEN_TO_CLIENT, StageService, changes_answered
from bot.i18n import N_
from bot.names import name_of
from bot.services.conversations import opened_note
from handlers import faq
from handlers.application_view import (
    BACK,
    CHECKLIST,
    CHOOSE_PREFIX,
    GOTO_PREFIX,
    PAUSE,
    REVIEW_BUTTON,
    SKIP,
    START,
    SUBMIT,
    TYPE_PREFIX,
    applications,
    describe_value,
    filing_type_lines,
    open_application,
    show_current,
    show_review,
    stale_button,
)
from handlers.common import (
    MENU_APPLY,
    MENU_STAFF,
    answer_button,
    back_to_menu_button,
    button_data,
    reply,
    reply_to_message,
    retire_card,
    show,
)
from handlers.guards import with_open_application
from handlers.status import show_status
from storage.models import FilingApplication, as_utc, utcnow

log = logging.getLogger(__name__)


PROBLEMS = {
    Problem.EMPTY: N_("Please type an answer."),
    Problem.NAME_TOO_FEW_CHINESE: N_(
        "The website name needs at least three Chinese characters, e.g. 星辰设计作品集."
    ),
    Problem.NAME_IS_DOMAIN: N_(
        "The website name cannot be the domain itself – use a Chinese name, e.g. 星辰设计作品集."
    ),
    Problem.NAME_RESERVED_PREFIX: N_(
        "Names starting with {prefix} are reserved for state bodies – please choose another "
        "name, e.g. 星辰设计作品集."
    ),
    Problem.NAME_SENSITIVE_WORD: N_(
        "The name contains “{word}”, which the bureau does not accept. Please choose another, "
        "e.g. 星辰设计作品集."
    ),
    Problem.NAME_SYMBOLS: N_(
        "Please use only Chinese characters, letters and digits – no symbols, e.g. 星辰设计作品集."
    ),
    Problem.NAME_TOO_LONG: N_("That name is too long – please keep it under 30 characters."),
    Problem.DOMAIN_INVALID: N_(
        "That does not look like a domain. Please type it like example.com."
    ),
    Problem.DOMAIN_IS_SUFFIX: N_(
        "{suffix} is a registry's suffix, not a domain you can register. Please type your whole "
        "domain, e.g. example{suffix}."
    ),
    Problem.DOMAIN_SUFFIX: N_(
        "Domains ending in {suffix} cannot be filed in China. Fileable suffixes include .com, .cn "
        "and .net, e.g. example.cn."
    ),
    Problem.MOBILE_INVALID: N_(
        "That is not a mainland mobile number in use: 11 digits starting with 13–19 in an "
        "allocated range, e.g. 13912345678."
    ),
    Problem.MOBILE_PLACEHOLDER: N_(
        "That is an example number, not a real one. Please type the mobile the person in charge "
        "really answers, e.g. 13912345678."
    ),
    Problem.MOBILE_SHARED: N_(
        "That mobile is already given for the other person in charge. Each person needs their "
        "own number, e.g. 13912345678 and 13612345678."
    ),
    Problem.PHONE_INVALID: N_(
        "Please type a mainland mobile or a landline with its area code, e.g. 13612345678 or "
        "010-12345678."
    ),
    Problem.PHONE_SAME_AS_MOBILE: N_(
        "The emergency phone must be another number than the contact mobile, e.g. a colleague's "
        "mobile or the office landline 010-12345678."
    ),
    Problem.EMAIL_INVALID: N_("That does not look like an e-mail address, e.g. name@example.com."),
    Problem.DESCRIPTION_TOO_SHORT: N_(
        "Please describe the website in at least 10 characters, e.g. “A portfolio of my "
        "interior design work.”"
    ),
    Problem.DESCRIPTION_TOO_LONG: N_("Please keep the description under 500 characters."),
    Problem.ENTITY_NAME_INVALID: N_(
        "Please type the name exactly as on the licence or ID, e.g. 星辰科技（北京）有限公司 or "
        "张三."
    ),
    Problem.CREDIT_CODE_INVALID: N_(
        "A Unified Social Credit Code has 18 digits and capital letters (no I, O, S, V or Z), "
        "e.g. 91110000600037341L. It is printed at the top of the business licence."
    ),
    Problem.RESIDENT_ID_INVALID: N_(
        "A resident ID number has 18 characters: 17 digits and a digit or X, e.g. "
        "11010519491231002X."
    ),
    Problem.RESIDENT_ID_CHECKSUM: N_(
        "The last character of that ID number does not match the others – please check it "
        "against the card, e.g. 11010519491231002X."
    ),
    Problem.RESIDENT_ID_BIRTH_DATE: N_(
        "The date of birth in that ID number (characters 7–14) is not a real date – please "
        "check it against the card, e.g. 11010519491231002X."
    ),
    Problem.PERSON_TOO_YOUNG: N_(
        "The person in charge must be at least 16 (18 in many provinces); this ID says {age}. "
        "Please name an adult as the person in charge."
    ),
    Problem.TRAVEL_DOCUMENT_INVALID: N_(
        "Please type the document number as printed: a passport like E12345678, a permit like "
        "H12345678 or 12345678, or an 18-digit residence permit number."
    ),
    Problem.VALIDITY_INVALID: N_(
        "Please type the date the document expires, e.g. 2030-05-01, or 长期 if it is long-term."
    ),
    Problem.VALIDITY_TOO_SHORT: N_(
        "The document expires on {until}: providers need at least 3 more months (until "
        "{earliest} or later). Please renew it first, then type the new date, e.g. 2036-05-01."
    ),
    Problem.ADDRESS_TOO_SHORT: N_(
        "Please type the full address down to the house number, e.g. "
        "北京市朝阳区建国路88号1栋101室."
    ),
    Problem.ADDRESS_TOO_LONG: N_("Please keep the address under 120 characters."),
    Problem.ADDRESS_NO_NUMBER: N_(
        "The address needs the house or room number, e.g. 北京市朝阳区建国路88号1栋101室."
    ),
    Problem.ICP_NUMBER_INVALID: N_(
        "That is not a filing number. It looks like 京ICP备12345678号-1 (an app: …-1A, a "
        "mini-program: …-1X)."
    ),
}
NOTES = {
    Note.DOMAIN_SUFFIX_UNCONFIRMED: N_(
        "ℹ️ We are not sure {suffix} domains can be filed in your province: our team will "
        "confirm it before submitting."
    ),
    Note.CREDIT_CODE_CHECKSUM: N_(
        "ℹ️ The check character of this code does not match – some early codes are like that. "
        "Please compare it with the licence once more; our team will check it too."
    ),
    Note.PERSON_UNDER_18: N_(
        "ℹ️ The person is under 18: several provinces require 18. Our team will confirm the "
        "rule of your province."
    ),
    Note.DOMAIN_HOLDER_DIFFERS: N_(
        "⚠️ The domain holder is not the applicant ({entity}). This is the most common reason "
        "a filing is sent back: transfer the domain to {entity} at your registrar (and wait "
        "3–5 days for the real-name check), or tell us if the holder is the legal "
        "representative."
    ),
    Note.MOBILE_USED_ELSEWHERE: N_(
        "⚠️ This mobile is already given in another client's application. MIIT allows one "
        "mobile per entity: our team will check it with you."
    ),
}


async def start_application(update: Update, context: BotContext) -> None:
    """“Start my application”: continue the open one, or begin a new one."""
    await answer_button(update.callback_query)
    client = context.client
    if client is None:
        return
    service = applications(context)
    latest = await service.latest_for(client)
    if latest is not None and latest.status in OPEN_TO_CLIENT:
        await show_current(update, context, latest)
        return
    if latest is not None and latest.status not in OPEN_TO_CLIENT:
        await show_status(update, context)
        return
    check = await EligibilityService(context.session).of(client)
    answers = (check.answers or {}) if check is not None else {}
    applicant = answers.get(APPLICANT)
    catalogue = context.services.catalogue
    if applicant and applicant in {a.id for a in catalogue.fileable_applicants}:
        prefill = {f"eligibility_{key}": value for key, value in answers.items()}
        if catalogue.provinces.find(answers.get(PROVINCE)) is not None:
            prefill[PROVINCE_STEP] = answers[PROVINCE]  # asked once: the step is done
        application = await service.start(client, applicant, prefill)
        await show_current(update, context, application)
        return
    await show_applicants(update, context)


async def show_applicants(
    update: Update, context: BotContext, current: FilingApplication | None = None
) -> None:
    """Who applies: one button per applicant type (the current one ticked)."""
    _ = context.i18n.gettext
    chosen = current.applicant_type if current is not None else None
    rows = [
        [
            InlineKeyboardButton(
                ("✅ " if applicant.id == chosen else "")
                + applicant.title.get(context.i18n.language),
                callback_data=f"{TYPE_PREFIX}{applicant.id}",
            )
        ]
        for applicant in context.services.catalogue.fileable_applicants
    ]
    rows.append([back_to_menu_button(context.i18n)])
    await show(
        update, context, _("Who will apply? The steps depend on it."), InlineKeyboardMarkup(rows)
    )


async def choose_applicant(update: Update, context: BotContext) -> None:
    """The applicant type was chosen: open the application."""
    query = update.callback_query
    applicant = button_data(update, TYPE_PREFIX)
    fileable = {a.id for a in context.services.catalogue.fileable_applicants}
    if context.client is None or applicant not in fileable:
        await stale_button(update, context)
        return
    await answer_button(query)
    service = applications(context)
    application = await service.open_for(context.client)
    if application is None:
        application = await service.start(context.client, applicant)
    elif application.applicant_type != applicant:
        await service.change_applicant(application, applicant)
    await show_current(update, context, application)


async def choose_option(update: Update, context: BotContext) -> None:
    """An answer to a choice step."""
    query = update.callback_query
    step_id, _sep, value = button_data(update, CHOOSE_PREFIX).partition(":")
    application, service = await open_application(context)
    item = _step(service, application, step_id)
    if (
        application is None
        or item is None
        or item.kind is not ItemKind.CHOICE
        or not item.option(value)
    ):
        await stale_button(update, context)
        return
    await answer_button(query)
    await service.choose(application, item, value)
    lead = ""
    if item.id in (FILING_TYPE_STEP, PROVINCE_STEP):  # what the choice means for the client
        lead = "\n".join(filing_type_lines(context, application, summary=True))
    await show_current(update, context, application, lead=lead)


@with_open_application
async def navigate(update: Update, context: BotContext, application: FilingApplication) -> None:
    """Back, skip, continue and go-to buttons."""
    query = update.callback_query
    service = applications(context)
    data = button_data(update)
    if data == BACK and service.is_first_step(application):
        await answer_button(query)
        await show_applicants(update, context, application)
        return
    if data == BACK:
        await service.back(application)
    elif data == SKIP:
        await service.skip(application)
    elif data.startswith(GOTO_PREFIX) and not await service.go_to(
        application, data.removeprefix(GOTO_PREFIX)
    ):
        await stale_button(update, context)
        return
    await answer_button(query)
    await show_current(update, context, application)


@with_open_application
async def show_checklist(
    update: Update, context: BotContext, application: FilingApplication
) -> None:
    """Every step with its state; each can be opened to change it."""
    service = applications(context)
    await answer_button(update.callback_query)
    translator = context.i18n
    _ = translator.gettext
    states = await service.states(application)
    progress = await service.progress(application)
    lines = [
        _("<b>Your checklist</b>"),
        *filing_type_lines(context, application),
        context.i18n.ngettext(
            "{done} of {total} step done. Tap a step to open it.",
            "{done} of {total} steps done. Tap a step to open it.",
            progress.total,
        ).format(done=progress.done, total=progress.total),
    ]
    rows = []
    for item in service.steps(application):
        status = states[item.id].state if item.id in states else StepStatus.PENDING
        icon = {"accepted": "✅", "skipped": "⏭"}.get(status, "⬜")
        if item.id == application.current_step:
            icon = "➡️"
        optional = "" if item.required else _(" (optional)")
        if item.staff_confirm:
            optional = _(" (optional – our staff will confirm whether your bureau needs it)")
        title = item.title.get(translator.language)
        rows.append(
            [
                InlineKeyboardButton(
                    f"{icon} {title}{optional}", callback_data=f"{GOTO_PREFIX}{item.id}"
                )
            ]
        )
    rows.append([InlineKeyboardButton(_("📝 Review and submit"), callback_data=REVIEW_BUTTON)])
    rows.append([InlineKeyboardButton(_("▶️ Continue"), callback_data=CONTINUE)])
    await show(update, context, "\n".join(lines), InlineKeyboardMarkup(rows))


@with_open_application
async def review(update: Update, context: BotContext, application: FilingApplication) -> None:
    """The review button."""
    service = applications(context)
    await answer_button(update.callback_query)
    await service.review(application)
    await show_review(update, context, application)


@with_open_application
async def submit(update: Update, context: BotContext, application: FilingApplication) -> None:
    """Lock the application for review and tell the client and the staff."""
    query = update.callback_query
    service = applications(context)
    _ = context.i18n.gettext
    actor = context.client.telegram_id if context.client else None
    if not await service.submit(application, actor):
        await answer_button(query, _("Some steps are still missing."))
        await show_review(update, context, application)
        return
    await answer_button(query, _("Submitted!"))
    talking = await _alert_staff(context, application)
    submitted = context.i18n.format_datetime(
        as_utc(application.submitted_at or utcnow()), context.services.settings.office_timezone
    )
    text = _(
        "📨 <b>Your application was submitted</b> on {date}.\n\n"
        "What happens next: our team checks every document within 1–2 working days. If anything "
        "needs changing we tell you here; otherwise we submit it to your hosting provider and "
        "then to the bureau. You can see where it stands at any time under “My status”."
    ).format(date=submitted)
    rows = [[back_to_menu_button(context.i18n, keep=True)]]
    if talking:
        text += "\n\n" + opened_note(context.i18n)
        rows.insert(0, [InlineKeyboardButton(_("✖️ End chat"), callback_data=END_CONVERSATION)])
    if update.effective_chat is not None:  # the review stays as the record, without buttons
        await retire_card(context, update.effective_chat.id)
    await reply(update, text, InlineKeyboardMarkup(rows))


async def _alert_staff(context: BotContext, application: FilingApplication) -> bool:
    """Open the client's conversation with staff, the application summary as its alert;
    whether it is open now."""
    if context.client is None:
        return False
    summary = await _summary(context, application)
    return await context.conversations.open_with_alert(
        context.client, "submitted", summary, tell_client=False
    )


async def _summary(context: BotContext, application: FilingApplication) -> str:
    client = context.client
    if client is None:
        return ""
    translator = context.services.translations.get(None)
    _ = translator.gettext
    service = applications(context)
    states = await service.states(application)
    values = {step: state.value for step, state in states.items()}
    catalogue = context.services.catalogue
    applicant = catalogue.find_applicant(application.applicant_type)
    documents = await service.current_documents(application)
    timezone = context.services.settings.office_timezone

    def _answer(step_id: str) -> str:
        item = catalogue.find_item(step_id)
        value = values.get(step_id)
        return describe_value(item, value, translator, timezone) if item and value else "–"

    text = _(
        "📨 <b>Application #{number} submitted</b>\n"
        '<a href="tg://user?id={telegram_id}">{name}</a> (id <code>{telegram_id}</code>)\n'
        "Applicant: {applicant}\nWebsite: {website} ({domain})\nProvider: {provider}\n"
        "Contact: {mobile}, {email}\nDocuments: {documents}\nVerification: {verification}"
    ).format(
        number=application.id,
        telegram_id=client.telegram_id,
        name=html.escape(name_of(client) or str(client.telegram_id), quote=False),
        applicant=applicant.title.get(translator.language)
        if applicant
        else application.applicant_type,
        website=html.escape(values.get("website_name") or "–", quote=False),
        domain=html.escape(values.get("domain") or "–", quote=False),
        provider=_answer("hosting_provider"),
        mobile=html.escape(values.get("mobile") or "–", quote=False),
        email=html.escape(values.get("email") or "–", quote=False),
        documents=len(documents),
        verification=_answer("verification"),
    )
    changed = changes_answered(await StageService(context.session).entries(application))
    if changed is not None:
        titles = [
            html.escape(item.title.get(translator.language), quote=False)
            for item in (catalogue.find_item(step) for step in changed)
            if item is not None
        ]
        text = (
            _("🔁 <b>Resubmitted after changes</b> – changed: {steps}").format(
                steps=", ".join(titles) or "–"
            )
            + "\n"
            + text
        )
    return text


async def pause(update: Update, context: BotContext) -> None:
    """Pause: everything is kept; /start or “My status” continues."""
    application, service = await open_application(context)
    if application is not None:
        service.pause(application)
    await answer_button(update.callback_query)
    _ = context.i18n.gettext
    text = _(
        "⏸ Paused. Everything you sent is saved – come back any time with /start or "
        "“My status” to continue where you left off."
    )
    await show(update, context, text, InlineKeyboardMarkup([[back_to_menu_button(context.i18n)]]))


REFUSED_ANSWER = "refused_answer"  # chat_data: (message id, step id) of the last refused text


async def answer_text_step(
    update: Update, context: BotContext, text: str, *, refuse: bool = True
) -> bool:
    """The private-chat router's choice at a text step: the text is that step's answer. A
    text the step does not accept is refused with the reason (a question is answered by the
    FAQ), or, with `refuse` off, left to the caller; whether the text was taken."""
    application, service = await open_application(context)
    item = service.current(application) if application else None
    if application is None or item is None or item.validator is None:
        return False
    _ = context.i18n.gettext
    today = utcnow().astimezone(context.services.settings.hours().timezone).date()
    message = update.effective_message
    message_id = message.message_id if message is not None else None
    checked, reading = await service.answer_text(application, item, text, today, message_id)
    if checked.ok and checked.value is not None:
        saved = html.escape(checked.value[:200], quote=False)
        lines = [_("✅ Saved: {value}").format(value=saved)]
        lines += _saved_notes(context, checked, reading)
        await show_current(update, context, application, lead="\n\n".join(lines))
        return True
    if not refuse:
        return False
    if text.rstrip().endswith(("?", "？")):
        # Not an answer but a question asked at a text step: the FAQ answers it and says
        # what the step still waits for.
        await faq.question(update, context, text, waiting_step=item)
    else:
        problem = _(PROBLEMS[checked.problem or Problem.EMPTY]).format(**checked.details)
        await reply(update, "⚠️ " + problem)
        if message_id is not None and context.chat_data is not None:
            # A client may fix the refused text by editing it: that edit is then the answer.
            context.chat_data[REFUSED_ANSWER] = (message_id, item.id)
    return True


def edits_refused_answer(update: Update, context: BotContext, step: Item) -> bool:
    """Whether an edited message is the answer the step refused last (fixed by editing)."""
    message = update.edited_message
    refused = context.chat_data.get(REFUSED_ANSWER) if context.chat_data is not None else None
    return message is not None and refused == (message.message_id, step.id)


async def cannot_read_at_step(
    update: Update, context: BotContext, application: FilingApplication, item: Item
) -> None:
    """The private-chat router's choice for what the bot cannot read (a video, a voice
    message, a sticker) while a step waits: say what the step needs, and show it again."""
    _ = context.i18n.gettext
    if item.kind is ItemKind.IMAGE:
        lead = _(
            "⚠️ I cannot check videos, voice messages or stickers. This step needs a photo or "
            "a scan: send it as a photo or as a file."
        )
    elif item.kind is ItemKind.TEXT:
        lead = _(
            "⚠️ I can only read typed text here, not voice messages, videos or stickers. "
            "Please type your answer."
        )
    else:
        lead = _("⚠️ I cannot read that here. Please choose one of the buttons below.")
    await show_current(update, context, application, lead=lead)


async def correct_answer(update: Update, context: BotContext) -> bool:
    """A client edited a message: if it gave a typed answer, the answer follows the edit;
    whether it did."""
    message = update.edited_message
    if message is None or message.text is None or context.client is None:
        return False
    _ = context.i18n.gettext
    today = utcnow().astimezone(context.services.settings.hours().timezone).date()
    correction = await applications(context).correct_text(
        context.client, message.message_id, message.text, today
    )
    if correction is None:
        return False  # a question or a chat message: no answer follows it
    step = html.escape(correction.item.title.get(context.i18n.language), quote=False)
    previous = html.escape((correction.previous or "")[:200], quote=False)
    checked = correction.checked
    if checked is None:
        text = _(
            "✏️ You edited your answer for <b>{step}</b>, but your application has been "
            "submitted, so the edit does not change it. If it needs correcting, tell our team."
        ).format(step=step)
        staff = InlineKeyboardButton(_("🙋 Talk to staff"), callback_data=MENU_STAFF)
        await reply_to_message(update, text, InlineKeyboardMarkup([[staff]]), quote=True)
        return True
    if not correction.saved or checked.value is None:
        problem = _(PROBLEMS[checked.problem or Problem.EMPTY]).format(**checked.details)
        text = _("⚠️ Your edit was not saved: {problem}\nThe answer stays: {value}").format(
            problem=problem, value=previous
        )
        await reply_to_message(update, text, quote=True)
        return True
    saved = html.escape(checked.value[:200], quote=False)
    lines = [_("✏️ <b>{step}</b> changed to: {value}").format(step=step, value=saved)]
    lines += _saved_notes(context, checked, correction.reading)
    # Quoting the edited message shows which answer changed.
    await reply_to_message(update, "\n\n".join(lines), quote=True)
    return True


def _saved_notes(
    context: BotContext, checked: Checked, reading: ProvinceReading | None
) -> list[str]:
    """What the bot adds to a saved answer: the check's notes and the number's province."""
    _ = context.i18n.gettext
    words = {key: html.escape(value, quote=False) for key, value in checked.details.items()}
    lines = [_(NOTES[note]).format(**words) for note in checked.notes]
    if reading is not None:
        lines.append(_province_reading(context, reading))
    return lines


def _province_reading(context: BotContext, reading: ProvinceReading) -> str:
    """What the number's region code says about the province, for the client."""
    _ = context.i18n.gettext
    table = context.services.catalogue.provinces
    language = context.i18n.language
    found = table.find(reading.province)
    chosen = table.find(reading.chosen)
    name = html.escape(found.name.get(language) if found else reading.province, quote=False)
    if reading.match is ProvinceMatch.FILLED:
        return _(
            "📍 This number was issued in {province}, so we set your province to {province}. "
            "If that is wrong, change it in the checklist."
        ).format(province=name)
    if reading.match is ProvinceMatch.MATCHES:
        return _("📍 Issued in {province}, the province you file in.").format(province=name)
    return _(
        "⚠️ This number was issued in {province}, but you chose {chosen}. An organisation files "
        "where its licence was issued, an individual where the ID card was issued (or with a "
        "residence permit there). Change the province in the checklist, or ask our staff."
    ).format(
        province=name,
        chosen=html.escape(chosen.name.get(language), quote=False) if chosen else "–",
    )


def _step(
    service: ApplicationService, application: FilingApplication | None, step_id: str
) -> Item | None:
    if application is None:
        return None
    return next((item for item in service.steps(application) if item.id == step_id), None)


HANDLERS: HandlerList = [
    CallbackQueryHandler(start_application, pattern=f"^({MENU_APPLY}|{START}|{CONTINUE})$"),
    CallbackQueryHandler(choose_applicant, pattern=f"^{TYPE_PREFIX}"),
    CallbackQueryHandler(choose_option, pattern=f"^{CHOOSE_PREFIX}"),
    CallbackQueryHandler(navigate, pattern=f"^({BACK}|{SKIP}|{GOTO_PREFIX}.+)$"),
    CallbackQueryHandler(show_checklist, pattern=f"^{CHECKLIST}$"),
    CallbackQueryHandler(review, pattern=f"^{REVIEW_BUTTON}$"),
    CallbackQueryHandler(submit, pattern=f"^{SUBMIT}$"),
    CallbackQueryHandler(pause, pattern=f"^{PAUSE}$"),
]
