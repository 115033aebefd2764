"""The eligibility check: five questions with buttons, then a verdict that explains itself:
why, the province's rules, the conditions and the next steps."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.context import BotContext, HandlerList
from bot.filing import eligibility as rules
from bot.filing.eligibility import Condition, EligibilityService, Finding, NextStep, Verdict
from bot.filing.province_notes import province_notes
from bot.filing.provinces import UNSURE
from bot.i18n import N_, Translator
from handlers.common import (
    MENU_ELIGIBILITY,
    MENU_STAFF,
    answer_button,
    back_to_menu_button,
    button_data,
    show,
)
from handlers.faq import stale_faq_button

ANSWER_PREFIX = "elig:"
BACK_PREFIX = "eligback:"  # + the question (or VERDICT) to step back from
VERDICT = "verdict"
APPLY = "app:start"

QUESTIONS = {
    rules.APPLICANT: N_(
        "<b>1/5 · Who will apply?</b>\n"
        "The filing is made in the name of a person or an organisation."
    ),
    rules.PROVINCE: N_(
        "<b>2/5 · In which province?</b>\nOrganisations file where their business licence was "
        "issued, individuals where their ID card was issued (or where they hold a residence "
        "permit, if the bureau allows it). Each province's bureau has its own rules."
    ),
    rules.HOSTING: N_("<b>3/5 · Where will the website be hosted?</b>"),
    rules.DOMAIN: N_(
        "<b>4/5 · Your domain</b>\nIs it registered with a registrar approved by MIIT "
        "(for example "
        "Alibaba Cloud, Tencent Cloud) and real-name verified in the applicant's name?"
    ),
    rules.CONTENT: N_(
        "<b>5/5 · Content</b>\nWill the site offer news, publishing, medicine or medical devices, "
        "culture or games, audio-video or live streaming, or financial services?"
    ),
}

OPTIONS = {
    rules.HOSTING: (
        ("mainland", N_("On a server in mainland China")),
        ("outside", N_("Outside the mainland (e.g. Hong Kong, abroad)")),
        ("unsure", N_("Not sure yet")),
    ),
    rules.DOMAIN: (
        ("ready", N_("Yes, approved registrar and verified")),
        ("abroad", N_("Registered with a registrar outside China")),
        ("unverified", N_("Not real-name verified yet")),
        ("none", N_("I have no domain yet")),
    ),
    rules.CONTENT: (
        ("none", N_("No, none of these")),
        ("regulated", N_("Yes, some of these")),
        ("unsure", N_("Not sure")),
    ),
}

VERDICTS = {
    Verdict.CAN_APPLY: N_(
        "✅ <b>Good news: you can file</b>, provided the conditions below hold."
    ),
    Verdict.CAN_APPLY_AFTER: N_("🟡 <b>You can file once these points are sorted out:</b>"),
    Verdict.NEEDS_ENTITY: N_("🟠 <b>Not with an overseas company – but there are ways:</b>"),
    Verdict.NOT_IN_PROVINCE: N_("🟠 <b>Not in this province as things stand:</b>"),
    Verdict.NOT_NEEDED: N_("ℹ️ <b>You do not need an ICP filing.</b>"),
}

FINDINGS = {
    Finding.HOSTED_OUTSIDE: N_(
        "Sites hosted outside the mainland (Hong Kong included) need no filing and cannot "
        "get one. "
        "If you later move to a mainland server or a CDN with mainland nodes, you will need it."
    ),
    Finding.HOSTING_UNSURE: N_(
        "Decide on the hosting first: a filing is only needed (and only possible) for a server in "
        "mainland China, bought on a yearly or monthly plan for at least 3 months."
    ),
    Finding.FOREIGN_COMPANY: N_(
        "Documents issued outside the mainland are not accepted, so the company itself cannot "
        "file. A company's business site is filed by a mainland entity: a subsidiary, a branch "
        "or a representative office, with its licence or registration certificate. A personal "
        "filing cannot carry a company's site."
    ),
    Finding.NON_MAINLAND_PERSON: N_(
        "You can apply with your passport or Mainland Travel Permit, but provinces differ "
        "and some "
        "refuse non-mainland applicants; the person in charge must pass a face check. We check "
        "your province before submitting."
    ),
    Finding.PERSONAL_SITES_ONLY: N_(
        "A personal filing covers personal, non-commercial sites only (blog, portfolio); a "
        "company website must be filed by the company."
    ),
    Finding.DOMAIN_ABROAD: N_(
        "Transfer the domain to a registrar approved by MIIT first (e.g. your hosting provider), "
        "then complete its real-name verification."
    ),
    Finding.DOMAIN_UNVERIFIED: N_(
        "Complete the domain's real-name verification in the applicant's name, then wait about "
        "3–5 working days for the data to reach the bureau."
    ),
    Finding.DOMAIN_MISSING: N_(
        "Register a domain with a fileable suffix (e.g. .com, .cn, .net) at an approved registrar "
        "and real-name verify it in the applicant's name."
    ),
    Finding.PRE_APPROVAL: N_(
        "This content needs a sector permit (pre-approval) before the filing can be submitted – "
        "obtain it first, or leave that content out of the site."
    ),
    Finding.PRE_APPROVAL_UNSURE: N_(
        "If the site touches news, publishing, medicine, culture, audio-video or finance, a "
        "pre-approval may be needed first; tell us about the content and we will check."
    ),
    Finding.PROVINCE_REFUSES_PASSPORTS: N_(
        "This province's bureau does not accept passports or foreign applicants, so you cannot "
        "file there in your own name."
    ),
}

CONDITIONS = {
    Condition.LICENCE_PROVINCE: N_(
        "The business licence is issued in {province}: an organisation files where its licence "
        "was issued (no cross-province filing; a local branch can file instead)."
    ),
    Condition.ID_PROVINCE: N_(
        "Your ID card is issued in {province} – or, where the bureau accepts it, you hold a "
        "residence permit there."
    ),
    Condition.TRAVEL_DOCUMENT: N_(
        "Your passport or travel permit is valid for at least 3 more months, and {province} "
        "accepts it."
    ),
    Condition.SERVER_TERM: N_(
        "The server is in mainland China with the provider you file through, on a monthly or "
        "yearly plan bought for at least 3 months (pay-as-you-go does not count)."
    ),
    Condition.DOMAIN_HOLDER: N_(
        "The domain is real-name verified in the applicant's own name – a different holder is "
        "the most common reason for rejection."
    ),
    Condition.OFFLINE: N_(
        "The site stays offline (DNS resolution off) until the filing is approved; sites already "
        "filed stay online with their number in the footer."
    ),
}

NEXT_STEPS = {
    NextStep.START: N_(
        "Start your application below: it asks the kind of filing, then collects the documents "
        "one step at a time and checks each one as it arrives; our staff review everything "
        "before it goes to the provider."
    ),
    NextStep.FIX_FIRST: N_(
        "Sort out the points above first (each says how); you can already start the "
        "application and send documents meanwhile."
    ),
    NextStep.MAINLAND_ENTITY: N_(
        "Set up (or use) a mainland subsidiary, branch or representative office, then answer "
        "again as “Mainland company or organisation” with its licence. Our staff can advise."
    ),
    NextStep.OTHER_PROVINCE: N_(
        "Talk to our staff: a filing by a mainland entity, or in a province that accepts your "
        "document, may be possible."
    ),
    NextStep.MOVE_LATER: N_(
        "Nothing to do now. If you move to a mainland server later, come back for the check."
    ),
}


def question_markup(
    context: BotContext, question: str, translator: Translator
) -> InlineKeyboardMarkup:
    """The answer buttons of one question."""
    _ = translator.gettext
    catalogue = context.services.catalogue
    width = 1
    if question == rules.APPLICANT:
        options = [
            (applicant.id, applicant.title.get(translator.language))
            for applicant in catalogue.applicants
        ]
    elif question == rules.PROVINCE:
        provinces = catalogue.provinces
        options = [(p.id, p.name.get(translator.language)) for p in provinces.province]
        options.append((UNSURE, provinces.unsure.title.get(translator.language)))
        width = 3
    else:
        options = [(value, _(label)) for value, label in OPTIONS[question]]
    buttons = [
        InlineKeyboardButton(label, callback_data=f"{ANSWER_PREFIX}{question}:{value}")
        for value, label in options
    ]
    rows = [buttons[start : start + width] for start in range(0, len(buttons), width)]
    position = rules.QUESTIONS.index(question)
    last_row = [back_to_menu_button(translator)]
    if position > 0:
        back = InlineKeyboardButton(_("⬅️ Back"), callback_data=f"{BACK_PREFIX}{question}")
        last_row.insert(0, back)
    rows.append(last_row)
    return InlineKeyboardMarkup(rows)


async def start_check(update: Update, context: BotContext) -> None:
    """Begin (or begin again) the questionnaire."""
    await answer_button(update.callback_query)
    if context.client is None:
        return
    await EligibilityService(context.session).restart(context.client)
    await _ask(update, context, rules.APPLICANT)


async def answer(update: Update, context: BotContext) -> None:
    """Store an answer, then ask the next question or give the verdict."""
    query = update.callback_query
    if query is None:
        return
    question, _sep, value = (query.data or "").removeprefix(ANSWER_PREFIX).partition(":")
    catalogue = context.services.catalogue
    applicants = {a.id for a in catalogue.applicants}
    provinces = {p.id for p in catalogue.provinces.province}
    if context.client is None or not rules.is_valid_answer(question, value, applicants, provinces):
        await stale_faq_button(update, context)
        return
    await answer_button(query)
    answered = await EligibilityService(context.session).answer(
        context.client, question, value, catalogue.provinces
    )
    if answered.next_question is not None:
        await _ask(update, context, answered.next_question)
    elif answered.assessment is not None:
        await _verdict(update, context, answered.assessment)


async def back(update: Update, context: BotContext) -> None:
    """⬅️ Back: ask the question before this one again."""
    query = update.callback_query
    after = button_data(update, BACK_PREFIX)
    known = after == VERDICT or after in rules.QUESTIONS[1:]
    if context.client is None or not known:
        await stale_faq_button(update, context)
        return
    await answer_button(query)
    question = await EligibilityService(context.session).back(
        context.client, None if after == VERDICT else after
    )
    await _ask(update, context, question)


async def _ask(update: Update, context: BotContext, question: str) -> None:
    _ = context.i18n.gettext
    markup = question_markup(context, question, context.i18n)
    await show(update, context, _(QUESTIONS[question]), markup)


async def _verdict(update: Update, context: BotContext, assessment: rules.Assessment) -> None:
    translator = context.i18n
    _ = translator.gettext
    table = context.services.catalogue.provinces
    found = table.find(assessment.province)
    province = (
        html.escape(found.name.get(translator.language), quote=False)
        if found
        else _("your province")
    )
    lines = [_(VERDICTS[assessment.verdict])]
    if assessment.findings:
        lines.append(
            _("<b>Why</b>")
            + "".join(f"\n• {_(FINDINGS[finding])}" for finding in assessment.findings)
        )
    notes = province_notes(assessment.province_rules, assessment.province, table, translator)
    if notes:
        heading = _("<b>In {province}</b>").format(province=province)
        lines.append(heading + "".join(f"\n• {note}" for note in notes))
    if assessment.conditions:
        conditions = [_(CONDITIONS[c]).format(province=province) for c in assessment.conditions]
        lines.append(_("<b>Conditions</b>") + "".join(f"\n• {c}" for c in conditions))
    if assessment.next_steps:
        steps = [_(NEXT_STEPS[step]) for step in assessment.next_steps]
        lines.append(_("<b>Next steps</b>") + "".join(f"\n• {step}" for step in steps))
    rows = []
    if assessment.verdict in (Verdict.CAN_APPLY, Verdict.CAN_APPLY_AFTER):
        lines.append(_("Your answers are saved and fill in your application."))
        rows.append([InlineKeyboardButton(_("📝 Start my application"), callback_data=APPLY)])
    rows.append([InlineKeyboardButton(_("🙋 Talk to staff"), callback_data=MENU_STAFF)])
    rows.append([InlineKeyboardButton(_("🔁 Answer again"), callback_data=MENU_ELIGIBILITY)])
    rows.append(
        [
            InlineKeyboardButton(_("⬅️ Back"), callback_data=f"{BACK_PREFIX}{VERDICT}"),
            back_to_menu_button(context.i18n),
        ]
    )
    await show(update, context, "\n\n".join(lines), InlineKeyboardMarkup(rows))


HANDLERS: HandlerList = [
    CommandHandler("eligibility", start_check, filters.ChatType.PRIVATE),
    CallbackQueryHandler(start_check, pattern=f"^{MENU_ELIGIBILITY}$"),
    CallbackQueryHandler(answer, pattern=f"^{ANSWER_PREFIX}"),
    CallbackQueryHandler(back, pattern=f"^{BACK_PREFIX}"),
]
