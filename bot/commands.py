"""The command menu Telegram shows, set in every language at start."""

from __future__ import annotations

from telegram import BotCommand

from bot.context import BotApplication
from bot.i18n import ENGLISH, N_, SIMPLIFIED, Translations

COMMANDS = (
    ("start", N_("Main menu")),
    ("faq", N_("Common questions about ICP filing")),
    ("language", N_("Change language")),
    ("human", N_("Talk to a member of staff")),
    ("status", N_("Where my application stands")),
    ("cancel", N_("Stop and go back to the menu")),
    ("delete_my_data", N_("Delete everything you hold about me")),
    ("help", N_("What this bot can do")),
)

# Telegram keys command lists by two-letter code, so "zh" cannot tell Simplified from
# Traditional; Simplified serves both. Clients in any other language get the default list.
MENU_LANGUAGES = {None: ENGLISH, "zh": SIMPLIFIED}


def commands_in(translations: Translations, language: str) -> list[BotCommand]:
    """The command list in one language."""
    translator = translations.get(language)
    return [BotCommand(name, translator.gettext(description)) for name, description in COMMANDS]


async def publish_commands(application: BotApplication, translations: Translations) -> None:
    """Set the command menu for every language Telegram can distinguish."""
    for language_code, language in MENU_LANGUAGES.items():
        await application.bot.set_my_commands(
            commands_in(translations, language), language_code=language_code
        )
