"""Uploaded photos and files: checked on arrival, normalised, stored, or refused with a reason."""

from __future__ import annotations

import html
import logging

from telegram import Document, InlineKeyboardButton, InlineKeyboardMarkup, PhotoSize, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError

from bot.context import BotContext
from bot.i18n import N_, Translator
from bot.images.checks import Rejection
from bot.images.parts import PartKind
from bot.scope import commit_work
from bot.services.situation import Situation
from bot.services.uploads import (
    DownloadFailedError,
    IncomingFile,
    UploadOutcome,
    UploadResult,
    UploadService,
)
from handlers.application_view import START, show_current
from handlers.common import chat_action, reply
from handlers.support import hand_off

log = logging.getLogger(__name__)

REASONS = {
    Rejection.EMPTY: (N_("The file is empty."), N_("Please send the picture again.")),
    Rejection.TOO_BIG_TO_DOWNLOAD: (
        N_("The file is larger than 20 MB, the most a bot can receive."),
        N_("Send a smaller photo or scan (a few MB is plenty)."),
    ),
    Rejection.NOT_AN_IMAGE: (
        N_("This file is not a picture."),
        N_(
            "Please send a photo or scan as JPG, PNG or a one-page PDF "
            "(Word files and other documents are not accepted)."
        ),
    ),
    Rejection.PDF_SEVERAL_PAGES: (
        N_("This PDF has several pages, and each document here takes one picture."),
        N_(
            "Send the page this step asks for on its own: as a photo sent as a file, or as a "
            "one-page PDF from your scanner app."
        ),
    ),
    Rejection.PDF_PROTECTED: (
        N_("This PDF is protected by a password, so it cannot be opened."),
        N_("Send the scan without a password, or as a photo (JPG or PNG)."),
    ),
    Rejection.UNSUPPORTED_FORMAT: (
        N_(
            "This picture format is not accepted (animated pictures and formats other than JPG, "
            "PNG, HEIC or WebP)."
        ),
        N_("Take a normal photo or export the scan as JPG or PNG."),
    ),
    Rejection.CORRUPT: (
        N_("The picture is damaged or incomplete and cannot be opened."),
        N_("Please send it again; if it keeps failing, take a new photo."),
    ),
    Rejection.TOO_MANY_PIXELS: (
        N_("The picture has far too many pixels to be a normal photo."),
        N_("Please send an ordinary photo or scan."),
    ),
    Rejection.TOO_SMALL: (
        N_(
            "The picture is too small: {width}×{height} pixels, and this document needs at least "
            "{minimum} pixels on the short side."
        ),
        N_("Take the photo closer, in full resolution, or scan at 300 dpi."),
    ),
    Rejection.GREYSCALE: (
        N_(
            "The picture is black and white. The bureau only accepts colour pictures of the "
            "original – no photocopies."
        ),
        N_("Photograph or scan the original document in colour."),
    ),
    Rejection.BLURRY: (
        N_("The picture is blurred, so the text cannot be read reliably."),
        N_("Hold the phone steady, tap to focus on the text, and use good light."),
    ),
    Rejection.TOO_DARK: (
        N_("The picture is too dark."),
        N_("Take it again in daylight or under a bright lamp, without shadows on the document."),
    ),
    Rejection.OVEREXPOSED: (
        N_("The picture is too bright, washed out or has glare, so parts cannot be read."),
        N_("Avoid the flash and direct light; tilt the document slightly to remove reflections."),
    ),
    Rejection.LOW_DETAIL: (
        N_(
            "The picture has enough pixels but too little detail: it looks enlarged from a "
            "smaller picture or heavily zoomed, so fine print cannot be read."
        ),
        N_(
            "Take the photo closer with the normal camera (no digital zoom) and send the "
            "original, not an enlarged copy."
        ),
    ),
    Rejection.BLURRY_OR_ENLARGED: (
        N_(
            "The picture is too soft for fine print: it is slightly blurred, or enlarged from a "
            "smaller picture."
        ),
        N_(
            "Take a new photo: hold the phone steady, tap to focus on the text, use the normal "
            "camera (no digital zoom) and send the original, not an enlarged copy."
        ),
    ),
}


async def receive_upload(update: Update, context: BotContext, situation: Situation) -> None:
    """A photo or file: check it against the current step's rules and say what became of it."""
    message = update.effective_message
    if message is None or context.client is None:
        return
    attachment: Document | PhotoSize
    if message.document is not None:
        attachment = message.document
        incoming = IncomingFile(
            "document",
            attachment.file_unique_id,
            attachment.file_size,
            attachment.file_name,
            attachment.mime_type,
        )
    elif message.photo:
        attachment = message.photo[-1]
        incoming = IncomingFile("photo", attachment.file_unique_id, attachment.file_size)
    else:
        return

    async def download() -> bytes:
        try:
            telegram_file = await attachment.get_file()
            return bytes(await telegram_file.download_as_bytearray())
        except TelegramError as error:
            log.warning("Could not download an upload: %s", error)
            raise DownloadFailedError from error

    services = context.services
    service = UploadService(
        context.session,
        commit_work,
        services.settings,
        services.catalogue,
        services.images,
        services.documents,
    )
    async with chat_action(update, ChatAction.TYPING):  # while it is fetched and checked
        outcome = await service.receive(
            situation.application, situation.has_submitted, incoming, download
        )
    await _tell(update, context, situation, outcome)
    if situation.conversation is not None and outcome.step is not None:  # staff saw the copy
        verdict = staff_verdict(context, outcome)
        if verdict:
            await context.conversations.note_to_staff(
                situation.conversation, context.client, verdict
            )


async def _tell(
    update: Update, context: BotContext, situation: Situation, outcome: UploadOutcome
) -> None:
    """The reply for an upload's outcome."""
    _ = context.i18n.gettext
    match outcome.result:
        case UploadResult.UNDER_REVIEW:
            await reply(
                update,
                _(
                    "Your application is with our team for review, so it cannot be changed "
                    "here. If we need another document, we will ask you in this chat."
                ),
            )
        case UploadResult.NO_APPLICATION:
            markup = InlineKeyboardMarkup(
                [[InlineKeyboardButton(_("📝 Start my application"), callback_data=START)]]
            )
            await reply(
                update,
                _("Thanks! To send documents, please start your application first."),
                markup,
            )
        case UploadResult.NOT_EXPECTED:
            lead = _("I'm not expecting a picture at this step.")
            if situation.application is not None:
                await show_current(update, context, situation.application, lead=lead)
            else:
                await reply(update, lead)
        case UploadResult.OVER_LIMITS:
            await reply(
                update,
                _(
                    "You have sent a lot of files for this application, more than it can hold. "
                    "Please talk to our staff so we can sort it out together."
                ),
            )
        case UploadResult.DOWNLOAD_FAILED:
            await reply(update, _("Sorry, I could not download that file. Please send it again."))
        case UploadResult.REFUSED:
            text = _which_part(context, outcome) + refusal_text(context, outcome)
            if outcome.earlier and situation.application is not None:  # the client moved on
                receipts = "\n".join(_receipt(context, part) for part in outcome.earlier)
                lead = _cut_notice(context, outcome) + receipts + "\n\n" + text
                await show_current(update, context, situation.application, lead=lead)
            else:
                await reply(update, _cut_notice(context, outcome) + text)
            if outcome.hand_off:
                await reply(update, _("This seems difficult – let me get a person to help you."))
                await hand_off(update, context, context.i18n, reason="uploads_failing")
        case UploadResult.ACCEPTED:
            parts = (*outcome.earlier, outcome)
            text = _cut_notice(context, outcome) + "\n".join(
                _receipt(context, part) for part in parts
            )
            if situation.application is not None:  # one message: the receipt and the next step
                await show_current(update, context, situation.application, lead=text)
            else:
                await reply(update, text)


def _cut_notice(context: BotContext, outcome: UploadOutcome) -> str:
    """For a card's two sides cut out of one page: a line saying so; else nothing."""
    if outcome.parts is not PartKind.SIDES:
        return ""
    return (
        "✂️ "
        + context.i18n.gettext(
            "Your picture shows both sides of the card, so each side was cut out for its own step."
        )
        + "\n"
    )


def _which_part(context: BotContext, outcome: UploadOutcome) -> str:
    """For a part of an upload of several: which one it is, and for which step."""
    _ = context.i18n.gettext
    step = _step_title(context, outcome)
    if outcome.parts is PartKind.PAGES:
        return (
            "📄 "
            + _("Page {page} of your PDF, for {step}:").format(page=outcome.part, step=step)
            + "\n"
        )
    if outcome.parts is PartKind.SIDES:
        return (
            "📄 "
            + _("Side {number} in your picture, for {step}:").format(
                number=outcome.part, step=step
            )
            + "\n"
        )
    return ""


def _step_title(context: BotContext, outcome: UploadOutcome) -> str:
    return outcome.step.title.get(context.i18n.language) if outcome.step else ""


def _receipt(context: BotContext, outcome: UploadOutcome) -> str:
    """The line that says an upload (or a part of one) was accepted, and as what file."""
    return context.i18n.gettext(
        "✅ {step} accepted ({width}×{height} px, {size} KB, ready for submission)."
    ).format(
        step=_step_title(context, outcome),
        width=outcome.width,
        height=outcome.height,
        size=context.i18n.format_number(round(outcome.stored_bytes / 1024)),
    )


def staff_verdict(context: BotContext, outcome: UploadOutcome) -> str | None:
    """For staff talking with the client: what the checks made of the picture just copied to
    them, in the staff's language; None when it was not checked."""
    staff = context.conversations.staff_language
    _ = staff.gettext

    def title(part: UploadOutcome) -> str:
        return html.escape(part.step.title.get(staff.language) if part.step else "", quote=False)

    accepted = [*outcome.earlier, outcome] if outcome.result is UploadResult.ACCEPTED else []
    lines = [
        _("🤖 The bot accepted it as {step}.").format(step=title(part))
        for part in accepted or outcome.earlier
    ]
    if outcome.result is UploadResult.REFUSED:
        problem, _tip = _reason(staff, outcome)
        lines.append(
            _("🤖 The bot refused it for {step}: {problem}").format(
                step=title(outcome), problem=html.escape(problem, quote=False)
            )
        )
    return "\n".join(lines) or None


def _reason(translator: Translator, outcome: UploadOutcome) -> tuple[str, str]:
    """A refusal's problem and how to fix it, in ``translator``'s language."""
    problem, tip = REASONS.get(outcome.rejection or Rejection.CORRUPT, REASONS[Rejection.CORRUPT])
    details = {
        "width": outcome.width,
        "height": outcome.height,
        "minimum": outcome.minimum_short_side,
    }
    return translator.gettext(problem).format(**details), translator.gettext(tip)


def refusal_text(context: BotContext, outcome: UploadOutcome) -> str:
    """The problem, how to fix it, and for a compressed photo: send it as a file."""
    _ = context.i18n.gettext
    problem, tip = _reason(context.i18n, outcome)
    text = "❌ " + problem + "\n💡 " + tip
    if outcome.compressed_by_telegram:
        text += "\n\n" + _(
            "Telegram compressed this photo. Please send it <b>as a file</b> instead "
            "(📎 → File), so the original reaches us."
        )
    return text
