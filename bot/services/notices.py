"""What a stage change means for the client, in their language."""

from __future__ import annotations

import html
from datetime import date
from zoneinfo import ZoneInfo

from bot.filing.catalogue import PROVINCE_STEP, Catalogue, SmsCheck
from bot.filing.icp_numbers import PublicSecurityNumber
from bot.filing.provinces import expected_review_days
from bot.filing.stages import Outcome, Stage
from bot.i18n import N_, Translator
from bot.services.footer import ICON_FILE, footer_snippet, public_security_due
from storage.models import FilingApplication, StageChange, as_utc

MIIT_URL = "https://beian.miit.gov.cn"

STAGE_NAMES = {
    Stage.COLLECTING: N_("collecting documents"),
    Stage.SUBMITTED: N_("submitted for our review"),
    Stage.CHANGES_REQUESTED: N_("changes requested"),
    Stage.WITH_PROVIDER: N_("with the hosting provider"),
    Stage.AT_BUREAU: N_("submitted to the bureau"),
    Stage.SMS_DUE: N_("SMS verification due"),
    Stage.BUREAU_REVIEW: N_("bureau review"),
    Stage.APPROVED: N_("approved"),
    Stage.REJECTED: N_("rejected"),
    Stage.RESUBMITTED: N_("resubmitted"),
}

NOTICES = {
    Stage.WITH_PROVIDER: N_(
        "📤 <b>Your application passed our review</b> and is now with your hosting provider for "
        "their check. They may phone the person in charge – please answer the call. "
        "Next step expected by {date}."
    ),
    Stage.AT_BUREAU: N_(
        "🏛 <b>Your filing was submitted to the Communications Administration.</b> MIIT usually "
        "sends a 6-digit SMS code to {who} within minutes; it must be entered within 24 hours – "
        "we will tell you here."
    ),
    Stage.SMS_DUE: N_(
        "📱 <b>Action needed within 24 hours</b> (by {deadline}): MIIT has sent an SMS code to "
        "the person in charge's mobile. Enter the code, the mobile number and the last 6 "
        'digits of the ID on <a href="{url}">beian.miit.gov.cn</a>. If it is not done in time, '
        "the filing is returned and must be submitted again."
    ),
    Stage.BUREAU_REVIEW: N_(
        "🔎 <b>The bureau is reviewing your filing.</b> In {province} this takes up to {days} "
        "working days and cannot be sped up; expect an answer by about {date}. Nothing to do now."
    ),
    Stage.REJECTED: N_(
        "❌ <b>The filing was rejected.</b> Reason: {reason}\nWe will fix it with you and submit "
        "it again – no need to start over."
    ),
    Stage.RESUBMITTED: N_(
        "🔁 <b>Your filing was submitted again.</b> Next step expected by {date}."
    ),
}

AT_BUREAU_NO_SMS = N_(
    "🏛 <b>Your application was submitted to the authority.</b> No SMS check is needed for "
    "this kind of filing – nothing to do now; we will tell you the outcome here."
)
BUREAU_REVIEW_NO_PROVINCE = N_(
    "🔎 <b>The bureau is reviewing your filing.</b> This takes up to {days} working days in most "
    "provinces and cannot be sped up; expect an answer by about {date}. Nothing to do now."
)


def stage_name(stage: str, translator: Translator) -> str:
    """A stage's name in the translator's language."""
    try:
        return translator.gettext(STAGE_NAMES[Stage(stage)])
    except (ValueError, KeyError):
        return stage


def notice(
    application: FilingApplication,
    change: StageChange,
    translator: Translator,
    catalogue: Catalogue,
    expected: date | None,
    timezone: str,
) -> str:
    """The message that tells the client about a move."""
    _ = translator.gettext
    stage = Stage(change.to_stage)
    answers = application.answers or {}
    kind = catalogue.filing_type_of(answers)
    province = catalogue.provinces.find(answers.get(PROVINCE_STEP))
    if stage is Stage.APPROVED:
        outcome = kind.outcome if kind else Outcome.ICP_NUMBER
        if outcome is Outcome.PSB_NUMBER:
            return psb_filing_notice(change.note, translator)
        if outcome is Outcome.DONE and kind is not None:
            return _("✅ <b>Done:</b> {kind} is complete.").format(
                kind=html.escape(kind.title.get(translator.language), quote=False)
            )
        approved = as_utc(change.created_at).astimezone(ZoneInfo(timezone)).date()
        return approval_notice(
            application.icp_number or change.note, translator, public_security_due(approved)
        )
    if stage is Stage.CHANGES_REQUESTED:
        return changes_notice(change.note, translator, catalogue)
    template = NOTICES.get(stage)
    if stage is Stage.AT_BUREAU and kind is not None and kind.sms is SmsCheck.NONE:
        template = AT_BUREAU_NO_SMS
    if stage is Stage.BUREAU_REVIEW and province is None:
        template = BUREAU_REVIEW_NO_PROVINCE
    if template is None:
        return _("ℹ️ Your application is now: {stage}.").format(stage=stage_name(stage, translator))
    who = kind.sms_who.get(translator.language) if kind and kind.sms_who else None
    return _(template).format(
        who=who or _("the person in charge's mobile"),
        province=html.escape(province.name.get(translator.language), quote=False)
        if province
        else "",
        days=expected_review_days(province.id if province else None, catalogue.provinces),
        date=translator.format_date(expected) if expected else "–",
        deadline=translator.format_datetime(as_utc(application.sms_due_at), timezone)
        if application.sms_due_at
        else "–",
        url=MIIT_URL,
        reason=html.escape(change.note, quote=False),
    )


def approval_notice(icp_number: str, translator: Translator, public_security_by: date) -> str:
    """The approval, the number, how to display it with a ready-to-paste snippet, and the
    public-security filing that is due next."""
    _ = translator.gettext
    return _(
        "🎉 <b>Approved!</b> Your ICP filing number is <b>{number}</b>.\n\n"
        "Show it centred in the footer of your home page, linked to beian.miit.gov.cn (required; "
        "a missing number can be fined). Paste this into your footer:\n<code>{snippet}</code>\n\n"
        "🛡 <b>Next: the public-security filing</b> (公安联网备案) on beian.mps.gov.cn, due within "
        "30 days of the site going live – by {deadline} if it goes live today. We can do it with "
        "you: press the button below. We will remind you."
    ).format(
        number=html.escape(icp_number, quote=False),
        snippet=html.escape(footer_snippet(icp_number), quote=False),
        deadline=translator.format_date(public_security_by),
    )


def public_security_notice(
    icp_number: str, public_security: PublicSecurityNumber, translator: Translator
) -> str:
    """The public-security number is recorded: the footer with both numbers."""
    _ = translator.gettext
    return _(
        "🛡 <b>Your public-security filing is recorded:</b> {number}.\n\n"
        "Show it in the footer beside the ICP number, with the filing icon: download the icon "
        "from your site's page on beian.mps.gov.cn, save it as {icon} next to your home page, "
        "and replace your footer with:\n<code>{snippet}</code>"
    ).format(
        number=html.escape(public_security.text, quote=False),
        icon=ICON_FILE,
        snippet=html.escape(footer_snippet(icp_number, public_security), quote=False),
    )


def psb_filing_notice(number: str, translator: Translator) -> str:
    """The public-security filing's approval, and where its number goes."""
    _ = translator.gettext
    return _(
        "🎉 <b>Your public-security filing is approved:</b> <b>{number}</b>.\n\n"
        "Show it in your site's footer beside the ICP number, with the public-security icon, "
        "linked to beian.mps.gov.cn."
    ).format(number=html.escape(number.strip(), quote=False))


def changes_notice(note: str, translator: Translator, catalogue: Catalogue) -> str:
    """The documents staff asked to change, each with its reason."""
    _ = translator.gettext
    lines = [_("✏️ <b>We need a few changes</b> before we can go on:")]
    for step_id, reason in parse_change_requests(note):
        item = catalogue.find_item(step_id)
        title = item.title.get(translator.language) if item else step_id
        label = f"<b>{html.escape(title, quote=False)}</b>"
        lines.append(f"• {translator.labelled(label, html.escape(reason, quote=False))}")
    lines.append(_("Press “Continue” to send them – everything else stays as it is."))
    return "\n".join(lines)


def parse_change_requests(note: str) -> list[tuple[str, str]]:
    """``step: reason; step: reason`` → pairs (unparseable parts become general remarks)."""
    pairs = []
    for part in filter(None, (p.strip() for p in note.split(";"))):
        step, separator, reason = part.partition(":")
        pairs.append(
            (step.strip(), reason.strip()) if separator and reason.strip() else ("", part)
        )
    return pairs
