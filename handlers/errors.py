"""The error handler: log, keep the database consistent, and never leave a client in silence."""

from __future__ import annotations

import html
import logging
import traceback
from pathlib import Path

from telegram import Update
from telegram.constants import ChatType
from telegram.error import Forbidden, TelegramError

from bot.context import BotContext
from bot.scope import maybe_current_scope
from bot.services.clients import ClientService

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Handle an exception raised while processing an update."""
    error = context.error
    scope = maybe_current_scope()
    if scope is not None and scope.superseded:  # another process has answered this update
        return
    if isinstance(error, Forbidden) and scope is not None and scope.client is not None:
        log.info("Client %s blocked the bot", scope.client.telegram_id)
        ClientService.mark_blocked(scope.client, True)
        return
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("Error while handling update %s", update_id, exc_info=error)
    if scope is not None:
        await scope.rollback()  # the half-done work goes, and frees the connection
    await _report_to_staff(context, error, update_id)
    if scope is None:
        return
    chat = update.effective_chat if isinstance(update, Update) else None
    if chat is None or chat.type != ChatType.PRIVATE:
        return
    text = scope.i18n.gettext(
        "Sorry, something went wrong on our side. Please try again in a moment – "
        "nothing you sent us before is lost."
    )
    try:
        await context.bot.send_message(chat.id, text)
    except TelegramError as send_error:
        log.warning("Could not tell the client about the error: %s", send_error)


async def _report_to_staff(
    context: BotContext, error: BaseException | None, update_id: int | None
) -> None:
    """Tell the staff chat what failed and where – the exception's type and place only, never
    its message or the update, which may hold a client's personal data."""
    staff_chat = context.services.settings.staff_chat_id
    if staff_chat is None or error is None:
        return
    where = "?"
    frames = traceback.extract_tb(error.__traceback__)
    project = [frame for frame in frames if "site-packages" not in frame.filename]
    if project or frames:
        frame = (project or frames)[-1]
        where = f"{Path(frame.filename).name}:{frame.lineno} ({frame.name})"
    text = (
        context.services.translations.get(None)
        .gettext(
            "⚠️ The bot hit an error: {kind} in {where} (update {update_id}). "
            "Details are in the log."
        )
        .format(kind=type(error).__name__, where=where, update_id=update_id or "–")
    )
    try:
        await context.bot.send_message(staff_chat, html.escape(text, quote=False))
    except TelegramError as send_error:
        log.warning("Could not report the error to staff: %s", send_error)
