"""Broadcasts from the staff desk: preview, then Send or Cancel; the sending is a background job
(``bot.jobs.broadcasts``).

``/broadcast <segment> | <English text> | <中文>`` – segments: ``all``, ``stage:<stage>``,
``lang:en|zh_Hans|zh_Hant``, ``approved:YYYY-MM-DD..YYYY-MM-DD``.
"""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import BotContext, HandlerList
from bot.jobs.schedule import launch_broadcast
from bot.services.broadcast_desk import BroadcastDesk, BroadcastRequest, Preview
from handlers.common import answer_button, parse_id, reply
from handlers.guards import staff_only

SEND_PREFIX = "bc:send:"
CANCEL_PREFIX = "bc:cancel:"


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
    request = preview.request
    return context.i18n.gettext(
        "📣 <b>Broadcast preview</b> – {count} recipients ({segment})\n\n"
        "<b>English:</b>\n{english}\n\n<b>中文:</b>\n{chinese}"
    ).format(
        count=preview.recipients,
        segment=html.escape(request.segment_text, quote=False),
        english=html.escape(request.english, quote=False),
        chinese=html.escape(request.chinese, quote=False),
    )


def _preview_buttons(preview: Preview, context: BotContext) -> InlineKeyboardMarkup:
    _ = context.i18n.gettext
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("📤 Send"), callback_data=f"{SEND_PREFIX}{preview.broadcast_id}"
                ),
                InlineKeyboardButton(
                    _("✖️ Cancel"), callback_data=f"{CANCEL_PREFIX}{preview.broadcast_id}"
                ),
            ]
        ]
    )


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
]
