"""Telling a client who floods the bot to slow down, and the staff chat, once per episode."""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass

from bot.config import Settings
from bot.i18n import Translations, language_for_telegram_code
from bot.messenger import Messenger, MessengerError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Flooder:
    """The Telegram user whose updates are being dropped."""

    telegram_id: int
    full_name: str
    language_code: str | None


class FloodNotice:
    """The first dropped update of a flood: one polite message, one staff alert."""

    def __init__(
        self, messenger: Messenger, translations: Translations, settings: Settings
    ) -> None:
        self.messenger = messenger
        self.translations = translations
        self.settings = settings

    async def send(self, flooder: Flooder) -> None:
        """Tell the client, then staff (nothing is stored: there is nothing to commit)."""
        settings = self.settings
        translator = self.translations.get(
            language_for_telegram_code(flooder.language_code, settings.default_language)
        )
        try:
            await self.messenger.send(
                flooder.telegram_id,
                translator.gettext(
                    "You are sending messages very fast, so I'm pausing for a few seconds and "
                    "skipping what arrives meanwhile. Please wait a moment, then send your "
                    "message again."
                ),
            )
            if settings.staff_chat_id is not None:
                staff = self.translations.get(None)
                await self.messenger.send(
                    settings.staff_chat_id,
                    staff.gettext(
                        "⚠️ {name} (id <code>{telegram_id}</code>) is sending messages very "
                        "fast; their messages are paused for a few seconds."
                    ).format(
                        name=html.escape(flooder.full_name, quote=False),
                        telegram_id=flooder.telegram_id,
                    ),
                )
        except MessengerError as error:
            log.warning("Could not send the flood notice: %s", error)
