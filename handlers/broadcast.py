"""Broadcasts from the staff desk: a preview in every language, a test sent to oneself, then
Send or Cancel; the sending is a background job (``bot.jobs.broadcasts``).

``/broadcast <segment> | <English text> | <中文>`` – segments: ``all``, ``stage:<stage>``,
``lang:en|zh_Hans|zh_Hant``, ``approved:YYYY-MM-DD..YYYY-MM-DD``.
"""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import BotContext, HandlerList
from bot.i18n import ENGLISH, SIMPLIFIED, TRADITIONAL
from bot.jobs.schedule import launch_broadcast
from bot.messenger import MessengerError
from bot.services.broadcast_desk import BroadcastDesk, BroadcastRequest, Preview
from bot.telegram_messenger import TelegramMessenger
from handlers.common import answer_button, parse_id, reply
from handlers.guards import staff_only

SEND_PREFIX = "bc:send:"
CANCEL_PREFIX = "bc:cancel:"
TEST_PREFIX = "bc:test:"


def desk(context: BotContext) -> BroadcastDesk:
    """The broadcast desk for this update."""
    return BroadcastDesk(context.session, context.services.settings.default_language)


@staff_only
async def prepare(update: Update, context: BotContext) -> None:
    """/broadcast: check the request and show a preview with Send / Cancel."""
    _ = context.i18n.gettext
    message = update.effective_message
    request = BroadcastRequest.parse((message.text or "") if message else "")
    if request is None:
        usage = _(
            "Usage: /broadcast <segment> | <English text> | <中文>\n"
            "Segments: all, stage:approved, lang:zh_Hans, approved:2026-01-01..2026-03-31"
        )
        await reply(update, html.escape(usage, quote=False))
        return
    chat, user = update.effective_chat, update.effective_user
    preview = await desk(context).preview(
        request, staff_id=user.id if user else 0, staff_chat_id=chat.id if chat else 0
    )
    await reply(update, _preview_text(preview, context), _preview_buttons(preview, context))


def _preview_text(preview: Preview, context: BotContext) -> str:
    translator = context.i18n
    recipients = translator.ngettext(
        "{count} recipient", "{count} recipients", preview.recipients
    ).format(count=preview.recipients)
    texts = {
        language: html.escape(preview.texts.get(language, ""), quote=False)
        for language in (ENGLISH, SIMPLIFIED, TRADITIONAL)
    }
    return translator.gettext(
        "📣 <b>Broadcast preview</b> – {recipients} ({segment})\n\n"
        "<b>English:</b>\n{english}\n\n<b>简体中文：</b>\n{simplified}\n\n"
        "<b>繁體中文（台灣）：</b>\n{traditional}"
    ).format(
        recipients=recipients,
        segment=html.escape(preview.request.segment_text, quote=False),
        english=texts[ENGLISH],
        simplified=texts[SIMPLIFIED],
        traditional=texts[TRADITIONAL],
    )


def _preview_buttons(preview: Preview, context: BotContext) -> InlineKeyboardMarkup:
    _ = context.i18n.gettext
    number = preview.broadcast_id
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("🧪 Test on me first"), callback_data=f"{TEST_PREFIX}{number}"
                )
            ],
            [
                InlineKeyboardButton(_("📤 Send"), callback_data=f"{SEND_PREFIX}{number}"),
                InlineKeyboardButton(_("✖️ Cancel"), callback_data=f"{CANCEL_PREFIX}{number}"),
            ],
        ]
    )


@staff_only
async def test_send(update: Update, context: BotContext) -> None:
    """The test button: the notice in every language, as clients will get it, to the staff
    member's private chat; nobody else gets anything and the draft stays a draft."""
    _ = context.i18n.gettext
    user = update.effective_user
    broadcast_id = _pressed_id(update, TEST_PREFIX)
    notices = None
    if broadcast_id is not None and user is not None:
        notices = await desk(context).test_notices(
            broadcast_id, context.services.translations, context.services.settings.agency_name
        )
    if notices is None or user is None:
        await _already_done(update, context)
        return
    messenger = TelegramMessenger(context.bot)
    try:
        for text in notices:
            await messenger.send(user.id, text)
    except MessengerError:
        await answer_button(
            update.callback_query,
            _(
                "I cannot write to you yet: open a private chat with me, press Start, "
                "then try again."
            ),
            alert=True,
        )
        return
    await answer_button(update.callback_query, _("Test sent to your private chat with me."))


@staff_only
async def confirm(update: Update, context: BotContext) -> None:
    """The Send button: record every recipient, then send in the background."""
    broadcast_id = _pressed_id(update, SEND_PREFIX)
    if broadcast_id is None or not await desk(context).start(broadcast_id):
        await _already_done(update, context)
        return
    await answer_button(update.callback_query, context.i18n.gettext("Sending…"))
    launch_broadcast(context.application, broadcast_id, announce=True)


@staff_only
async def cancel(update: Update, context: BotContext) -> None:
    """The Cancel button on a preview."""
    broadcast_id = _pressed_id(update, CANCEL_PREFIX)
    if broadcast_id is None or not await desk(context).cancel(broadcast_id):
        await _already_done(update, context)
        return
    await answer_button(
        update.callback_query, context.i18n.gettext("Cancelled – nothing was sent.")
    )


def _pressed_id(update: Update, prefix: str) -> int | None:
    """The broadcast a Send/Cancel button refers to."""
    query = update.callback_query
    return parse_id((query.data or "").removeprefix(prefix)) if query else None


async def _already_done(update: Update, context: BotContext) -> None:
    await answer_button(
        update.callback_query,
        context.i18n.gettext("This broadcast was already sent or cancelled."),
    )


HANDLERS: HandlerList = [
    CommandHandler("broadcast", prepare),
    CallbackQueryHandler(confirm, pattern=f"^{SEND_PREFIX}"),
    CallbackQueryHandler(cancel, pattern=f"^{CANCEL_PREFIX}"),
    CallbackQueryHandler(test_send, pattern=f"^{TEST_PREFIX}"),
]
