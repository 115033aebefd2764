"""Handing a client over to a person: the staff alert and a cooldown against repeated alerts."""

from __future__ import annotations

import html
import time
from dataclasses import dataclass, field

from bot.i18n import Translator
from storage.models import Client

LANGUAGE_NAMES = {"en": "English", "zh_Hans": "简体中文", "zh_Hant": "繁體中文"}
ALERT_COOLDOWN_SECONDS = 600
MAX_QUOTED_QUESTION = 500


@dataclass
class HandoffService:
    """Decides when staff are alerted and what the alert says."""

    cooldown_seconds: float = ALERT_COOLDOWN_SECONDS
    _last_alert: dict[int, float] = field(default_factory=dict)

    def should_alert(self, client: Client, now: float | None = None) -> bool:
        """False when staff were alerted about this client a short while ago."""
        now = time.monotonic() if now is None else now
        last = self._last_alert.get(client.telegram_id)
        if last is not None and now - last < self.cooldown_seconds:
            return False
        self._last_alert[client.telegram_id] = now
        return True

    def forget(self, client: Client) -> None:
        """Allow the next alert for this client at once (e.g. when sending one failed)."""
        self._last_alert.pop(client.telegram_id, None)

    @staticmethod
    def staff_alert(
        client: Client, language: str, last_question: str | None, translator: Translator
    ) -> str:
        """The alert staff see, in the staff's language."""
        _ = translator.gettext
        who = html.escape(client.full_name or str(client.telegram_id), quote=False)
        handle = (
            f"@{html.escape(client.username, quote=False)}"
            if client.username
            else _("no username")
        )
        question = (
            html.escape(last_question[:MAX_QUOTED_QUESTION], quote=False)
            if last_question
            else _("(none yet)")
        )
        return _(
            "🙋 <b>A client would like to talk to a person</b>\n"
            '<a href="tg://user?id={telegram_id}">{name}</a> ({handle}, id <code>{telegram_id}'
            "</code>)\nLanguage: {language}\nLast question: {question}"
        ).format(
            telegram_id=client.telegram_id,
            name=who,
            handle=handle,
            language=LANGUAGE_NAMES.get(language, language),
            question=question,
        )
