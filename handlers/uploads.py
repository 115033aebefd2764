"""Uploaded photos and files: checked on arrival, normalised, stored, or refused with a reason."""

from __future__ import annotations

import logging

from sqlalchemy import func, select
from telegram import Document, InlineKeyboardButton, InlineKeyboardMarkup, PhotoSize, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, BaseHandler, MessageHandler, filters

from bot.context import BotContext
from bot.filing.catalogue import ItemKind
from bot.i18n import N_
from bot.images.checks import (
    CheckResult,
    Rejection,
    failed_only_because_compressed,
    precheck_size,
)
from bot.images.rules import ImageRules
from bot.services.support import SupportService
from handlers.application_view import START, applications, show_current
from handlers.common import reply
from handlers.support import hand_off
from storage.models import DocumentVersion, FilingApplication

log = logging.getLogger(__name__)

FAILURES_BEFORE_HANDOFF = 3
SUFFIXES = {"JPEG": ".jpg", "PNG": ".png", "HEIF": ".heic", "HEIC": ".heic", "WEBP": ".webp"}

REASONS = {
    Rejection.EMPTY: (N_("The file is empty."), N_("Please send the picture again.")),
    Rejection.TOO_BIG_TO_DOWNLOAD: (
        N_("The file is larger than 20 MB, the most a bot can receive."),
        N_("Send a smaller photo or scan (a few MB is plenty)."),
    ),
    Rejection.NOT_AN_IMAGE: (
        N_("This file is not a picture."),
        N_(
            "Please send a photo or scan as JPG or PNG "
            "(PDFs and other documents are not accepted)."
        ),
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
}


def _attachment(update: Update) -> tuple[Document | PhotoSize | None, str]:
    message = update.effective_message
    if message is None:
        return None, ""
    if message.document is not None:
        return message.document, "document"
    if message.photo:
        return message.photo[-1], "photo"
    return None, ""


async def receive_upload(update: Update, context: BotContext) -> None:
    """A photo or file: check it against the current step's rules."""
    attachment, source = _attachment(update)
    if attachment is None or context.client is None:
        return
    _ = context.i18n.gettext
    service = applications(context)
    application = await service.open_for(context.client)
    item = service.current(application) if application else None
    expecting = application is not None and item is not None and item.kind is ItemKind.IMAGE
    if not expecting and await SupportService(context.session).open_for(context.client):
        return  # talking to staff: the relay copies the file to them
    if application is None and await service.latest_for(context.client) is not None:
        text = _(
            "Your application is with our team for review, so it cannot be changed here. If we "
            "need another document, we will ask you in this chat."
        )
        await reply(update, text)
        return
    if application is None:
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(_("📝 Start my application"), callback_data=START)]]
        )
        await reply(
            update, _("Thanks! To send documents, please start your application first."), markup
        )
        return
    if item is None or item.kind is not ItemKind.IMAGE:
        await reply(update, _("I'm not expecting a picture at this step."))
        await show_current(update, context, application)
        return
    if await _over_limits(context, application, attachment.file_size or 0):
        await reply(
            update,
            _(
                "You have sent a lot of files for this application, more than it can hold. "
                "Please talk to our staff so we can sort it out together."
            ),
        )
        raise ApplicationHandlerStop
    provider = (application.answers or {}).get("hosting_provider")
    rules = context.services.catalogue.images.rules_for(item, provider)
    size_problem = precheck_size(attachment.file_size, rules)
    if size_problem is not None:
        await _refuse(
            update, context, application, item.id, source, attachment, size_problem, None, rules
        )
        return
    await context.session.commit()  # hold no database connection during download and checks
    try:
        telegram_file = await attachment.get_file()
        data = bytes(await telegram_file.download_as_bytearray())
    except TelegramError as error:
        log.warning("Could not download an upload: %s", error)
        await reply(update, _("Sorry, I could not download that file. Please send it again."))
        return
    result, normalised = await context.services.images.process(data, rules)
    if not result.accepted or normalised is None:
        await _refuse(
            update, context, application, item.id, source, attachment, result.reason, result, rules
        )
        return
    store = context.services.documents
    original = store.save(data, SUFFIXES.get(result.source_format or "", ".bin"))
    stored = store.save(normalised.data, ".jpg")
    version = _version(application, item.id, source, attachment, result)
    version.accepted = True
    version.original_sha256 = original.sha256
    version.original_suffix = original.path.suffix
    version.normalised_sha256 = stored.sha256
    version.normalised_bytes = stored.size
    await service.accept_document(application, item, version)
    text = _("✅ {step} accepted ({width}×{height} px, {size} KB, ready for submission).").format(
        step=item.title.get(context.i18n.language),
        width=normalised.width,
        height=normalised.height,
        size=context.i18n.format_number(round(len(normalised.data) / 1024)),
    )
    await reply(update, text)
    await show_current(update, context, application)
    raise ApplicationHandlerStop


def _version(
    application: FilingApplication,
    step_id: str,
    source: str,
    attachment: Document | PhotoSize,
    result: CheckResult | None,
) -> DocumentVersion:
    return DocumentVersion(
        application_id=application.id,
        step_id=step_id,
        source=source,
        file_name=getattr(attachment, "file_name", None),
        mime_type=getattr(attachment, "mime_type", None),
        telegram_file_unique_id=attachment.file_unique_id,
        size_bytes=attachment.file_size,
        accepted=False,
        rejection=None,
        checks=dict(result.measurements) if result else {},
        width=result.width if result else None,
        height=result.height if result else None,
    )


async def _refuse(
    update: Update,
    context: BotContext,
    application: FilingApplication,
    step_id: str,
    source: str,
    attachment: Document | PhotoSize,
    reason: Rejection | None,
    result: CheckResult | None,
    rules: ImageRules,
) -> None:
    _ = context.i18n.gettext
    version = _version(application, step_id, source, attachment, result)
    version.rejection = reason.value if reason else None
    await applications(context).record_rejected(version)
    problem, tip = REASONS.get(reason or Rejection.CORRUPT, REASONS[Rejection.CORRUPT])
    details = {
        "width": result.width if result else 0,
        "height": result.height if result else 0,
        "minimum": rules.min_short_side,
    }
    text = "❌ " + _(problem).format(**details) + "\n💡 " + _(tip)
    if source == "photo" and result is not None and failed_only_because_compressed(result):
        text += "\n\n" + _(
            "Telegram compressed this photo. Please send it <b>as a file</b> instead "
            "(📎 → File), so the original reaches us."
        )
    await reply(update, text)
    if await _failures_in_a_row(context, application, step_id) == FAILURES_BEFORE_HANDOFF:
        await reply(update, _("This seems difficult – let me get a person to help you."))
        await hand_off(update, context, context.i18n, reason="uploads_failing")
    raise ApplicationHandlerStop


async def _over_limits(context: BotContext, application: FilingApplication, incoming: int) -> bool:
    """Whether one more upload would exceed what a client may make the bot store."""
    settings = context.services.settings
    count, stored = (
        await context.session.execute(
            select(
                func.count(DocumentVersion.id),
                func.coalesce(func.sum(DocumentVersion.size_bytes), 0)
                + func.coalesce(func.sum(DocumentVersion.normalised_bytes), 0),
            )
            .join(FilingApplication, FilingApplication.id == DocumentVersion.application_id)
            .where(FilingApplication.client_id == application.client_id)
        )
    ).one()
    too_many = count >= settings.max_uploads_per_client
    return too_many or stored + incoming > settings.max_stored_mb_per_client * 1024 * 1024


async def _failures_in_a_row(
    context: BotContext, application: FilingApplication, step_id: str
) -> int:
    """How many uploads for this step were refused since the last accepted one."""
    versions = await context.session.scalars(
        select(DocumentVersion.accepted)
        .where(
            DocumentVersion.application_id == application.id, DocumentVersion.step_id == step_id
        )
        .order_by(DocumentVersion.id.desc())
        .limit(FAILURES_BEFORE_HANDOFF + 1)
    )
    count = 0
    for accepted in versions:
        if accepted:
            break
        count += 1
    return count


HANDLERS: list[BaseHandler] = [
    MessageHandler(
        filters.ChatType.PRIVATE
        & filters.UpdateType.MESSAGE
        & (filters.PHOTO | filters.Document.ALL),
        receive_upload,
    ),
]
