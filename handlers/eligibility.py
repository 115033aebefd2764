"""The eligibility check: four questions with buttons, then a verdict with next steps."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.context import BotContext, HandlerList
from bot.filing import eligibility as rules
from bot.filing.eligibility import EligibilityService, Finding, Verdict
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
        "<b>1/4 · Who will apply?</b>\n"
        "The filing is made in the name of a person or an organisation."
    ),
    rules.HOSTING: N_("<b>2/4 · Where will the website be hosted?</b>"),
    rules.DOMAIN: N_(
        "<b>3/4 · Your domain</b>\nIs it registered with a registrar approved by MIIT "
        "(for example "
        "Alibaba Cloud, Tencent Cloud) and real-name verified in the applicant's name?"
    ),
    rules.CONTENT: N_(
        "<b>4/4 · Content</b>\nWill the site offer news, publishing, medicine or medical devices, "
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
    Verdict.CAN_APPLY: N_("✅ <b>Good news: you can file.</b>"),
    Verdict.CAN_APPLY_AFTER: N_("🟡 <b>You can file once these points are sorted out:</b>"),
    Verdict.NEEDS_ENTITY: N_("🟠 <b>Not with an overseas company – but there are ways:</b>"),
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
        "Documents issued outside the mainland are not accepted. File through a mainland "
        "subsidiary, branch or representative office, or let a mainland resident be the website's "
        "person in charge. Then choose “Mainland company” or “Mainland individual”."
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
}


def question_markup(
    context: BotContext, question: str, translator: Translator
) -> InlineKeyboardMarkup:
    """The answer buttons of one question."""
    _ = translator.gettext
    if question == rules.APPLICANT:
        options = [
            (applicant.id, applicant.title.get(translator.language))
            for applicant in context.services.catalogue.applicants
        ]
    else:
        options = [(value, _(label)) for value, label in OPTIONS[question]]
    rows = [
        [InlineKeyboardButton(label, callback_data=f"{ANSWER_PREFIX}{question}:{value}")]
        for value, label in options
    ]
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
    applicants = {a.id for a in context.services.catalogue.applicants}
    if context.client is None or not rules.is_valid_answer(question, value, applicants):
        await stale_faq_button(update, context)
        return
    await answer_button(query)
    answered = await EligibilityService(context.session).answer(context.client, question, value)
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
    _ = context.i18n.gettext
    lines = [_(VERDICTS[assessment.verdict])]
    lines += [f"• {_(FINDINGS[finding])}" for finding in assessment.findings]
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
