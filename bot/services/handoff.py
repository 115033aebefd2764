"""What staff see when a client needs a person: who, language, application stage, last question."""

from __future__ import annotations

import html

from bot.i18n import Translator
from bot.names import name_of
from storage.models import Client

LANGUAGE_NAMES = {"en": "English", "zh_Hans": "简体中文", "zh_Hant": "繁體中文"}
MAX_QUOTED_QUESTION = 500


def staff_alert(
    client: Client,
    language: str,
    last_question: str | None,
    application_line: str,
    translator: Translator,
) -> str:
    """The handoff alert, in the staff's language."""
    _ = translator.gettext
    who = html.escape(name_of(client) or str(client.telegram_id), quote=False)
    handle = (
        f"@{html.escape(client.username, quote=False)}" if client.username else _("no username")
    )
    question = (
        html.escape(last_question[:MAX_QUOTED_QUESTION], quote=False)
        if last_question
        else _("(none yet)")
    )
    return _(
        "🙋 <b>A client would like to talk to a person</b>\n"
        '<a href="tg://user?id={telegram_id}">{name}</a> ({handle}, id <code>{telegram_id}'
        "</code>)\nLanguage: {language}\nApplication: {application}\nLast question: {question}\n\n"
        "Write in this topic, or reply to this message, to answer through the bot."
    ).format(
        telegram_id=client.telegram_id,
        name=who,
        handle=handle,
        language=LANGUAGE_NAMES.get(language, language),
        application=application_line,
        question=question,
    )
