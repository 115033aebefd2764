"""Telling a client who floods the bot to slow down, and the staff chat once per episode."""

from __future__ import annotations

import html
import logging

from telegram import Update
from telegram.error import TelegramError

from bot.i18n import language_for_telegram_code
from bot.services.container import Services

log = logging.getLogger(__name__)


async def notify_flood(services: Services, update: Update) -> None:
    """The first dropped update of a flood: one polite message, one staff alert."""
    user = update.effective_user
    if user is None:
        return
    settings = services.settings
    translator = services.translations.get(
        language_for_telegram_code(user.language_code, settings.default_language)
    )
    bot = update.get_bot()
    try:
        await bot.send_message(
            user.id,
            translator.gettext(
                "You are sending messages very fast, so I'm pausing for a few seconds and "
                "skipping what arrives meanwhile. Please wait a moment, then send your message "
                "again."
            ),
        )
        if settings.staff_chat_id is not None:
            staff = services.translations.get(None)
            await bot.send_message(
                settings.staff_chat_id,
                staff.gettext(
                    "⚠️ {name} (id <code>{telegram_id}</code>) is sending messages very fast; "
                    "their messages are paused for a few seconds."
                ).format(name=html.escape(user.full_name, quote=False), telegram_id=user.id),
            )
    except TelegramError as error:
        log.warning("Could not send the flood notice: %s", error)
