"""The command menus and the bot's profile texts Telegram shows, set at start.

Menus per scope (Bot API "Determining list of commands"):

- every private chat: the client commands;
- the staff group (``BotCommandScopeChat``): the staff commands only, so clients' commands do
  not clutter it and staff find theirs (everyone in that group is staff, see
  ``handlers.guards.is_staff``);
- each admin's private chat (``ADMIN_IDS``): the client commands and the staff commands (but
  ``/close``, which belongs to a topic);
- the default scope (any other group) is emptied: the bot serves nobody there.

Telegram keys menus and descriptions by a two-letter ISO 639-1 ``language_code`` and matches
the user's IETF tag (``zh-hans``, ``zh-hant``, ``zh-hk``…) by its first part, so "zh" cannot
tell Simplified from Traditional: the "zh" lists are Simplified, and a client who reads
Traditional (their choice, or their app's language, see ``bot.i18n.language_for_telegram_code``)
gets a menu of their own in their private chat (``publish_chat_menu``). The descriptions have no
per-chat variant, so the "zh" ones carry the Simplified text and then the Traditional one when
both fit Telegram's limits.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Sequence

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
)
from telegram.constants import BotDescriptionLimit
from telegram.error import TelegramError

from bot.config import Settings
from bot.i18n import ENGLISH, N_, SIMPLIFIED, TRADITIONAL, Translations, Translator
from bot.services.agency import AgencyInfo

log = logging.getLogger(__name__)

Commands = Sequence[tuple[str, str]]

CLIENT_COMMANDS: Commands = (
    ("start", N_("Main menu")),
    ("faq", N_("Common questions about ICP filing")),
    ("eligibility", N_("Check whether you can file")),
    ("status", N_("Where my application stands")),
    ("human", N_("Talk to a member of staff")),
    ("language", N_("Change language")),
    ("cancel", N_("Stop and go back to the menu")),
    ("delete_my_data", N_("Delete everything you hold about me")),
    ("help", N_("What this bot can do")),
)

STAFF_COMMANDS: Commands = (
    ("app", N_("12 – an application: stage, history, next stages")),
    ("changes", N_("12 website_name: reason – ask the client for changes")),
    ("approve", N_("12 京ICP备12345678号-1 – record the approval")),
    ("reject", N_("12 reason – record a rejection")),
    ("sms", N_("12 14:05 – when the client got the MIIT SMS (24 hours from then)")),
    ("psb", N_("12 京公网安备…号 – record the public-security number")),
    ("queue", N_("Open conversations, unclaimed first")),
    ("export", N_("12 – the documents as a ZIP for submission")),
    ("bookings", N_("[YYYY-MM-DD] – the day's visits")),
    ("broadcast", N_("segment | English | 中文 – a notice to clients")),
    ("close", N_("End the conversation in this topic")),
)
GROUP_ONLY = {"close"}  # works in the staff group only, so not in an admin's private menu

# Telegram's language_code for each menu, and the language it is written in (None: everyone
# whose language has no list of its own).
MENU_LANGUAGES: dict[str | None, str] = {None: ENGLISH, "zh": SIMPLIFIED}


def command_list(translator: Translator, commands: Commands) -> list[BotCommand]:
    """Commands with their descriptions in one language."""
    return [BotCommand(name, translator.gettext(text)) for name, text in commands]


def description(translator: Translator, agency: AgencyInfo) -> str:
    """What an empty chat with the bot shows."""
    text = translator.gettext(
        "I'm the ICP filing assistant of {agency}. Ask me anything about China's ICP filing "
        "(ICP备案) in English or Chinese, check whether you can file, and prepare your "
        "application step by step: I check every document the moment you send it. Our team "
        "is one button away."
    ).format(agency=agency.name)
    return text


def short_description(translator: Translator, agency: AgencyInfo) -> str:
    """The bot's profile line and share text."""
    text = translator.gettext(
        "{agency}: answers about China's ICP filing (ICP备案) and help with your application."
    ).format(agency=agency.name)
    return text


def profile_texts(
    translations: Translations, language: str, agency: AgencyInfo
) -> tuple[str, str]:
    """The description and short description for one menu language, within Telegram's limits
    (the Simplified ones followed by the Traditional ones when both fit)."""
    texts = []
    for render, limit, joint in (
        (description, BotDescriptionLimit.MAX_DESCRIPTION_LENGTH, "\n\n"),
        (short_description, BotDescriptionLimit.MAX_SHORT_DESCRIPTION_LENGTH, " / "),
    ):
        text = render(translations.get(language), agency)
        if language == SIMPLIFIED:
            both = joint.join((text, render(translations.get(TRADITIONAL), agency)))
            text = both if len(both) <= limit else text
        texts.append(text[:limit])
    return texts[0], texts[1]


async def publish_commands(
    bot: Bot, translations: Translations, settings: Settings, agency: AgencyInfo
) -> None:
    """Set every menu and the descriptions in every language Telegram can distinguish.

    A menu Telegram refuses (an admin who never opened the bot, a staff group the bot is not
    in yet) is logged and the rest is still set: the bot starts regardless."""
    for code, language in MENU_LANGUAGES.items():
        translator = translations.get(language)
        clients = command_list(translator, CLIENT_COMMANDS)
        staff = command_list(translator, STAFF_COMMANDS)
        await _quietly(bot.delete_my_commands(BotCommandScopeDefault(), code), "default")
        await _set(bot, clients, BotCommandScopeAllPrivateChats(), code)
        if settings.staff_chat_id is not None:
            await _set(bot, staff, BotCommandScopeChat(settings.staff_chat_id), code)
        admins = clients + command_list(translator, _private(STAFF_COMMANDS))
        for admin in sorted(settings.admin_ids):
            await _set(bot, admins, BotCommandScopeChat(admin), code)
        long_text, short_text = profile_texts(translations, language, agency)
        await _quietly(bot.set_my_description(long_text, code), "text")
        await _quietly(bot.set_my_short_description(short_text, code), "text")


async def publish_staff_menu(bot: Bot, translations: Translations, chat_id: int) -> None:
    """Give the staff group the staff commands in every menu language (after it moved)."""
    for code, language in MENU_LANGUAGES.items():
        staff = command_list(translations.get(language), STAFF_COMMANDS)
        await _set(bot, staff, BotCommandScopeChat(chat_id), code)


async def publish_chat_menu(
    bot: Bot, chat_id: int, translator: Translator, *, admin: bool = False
) -> None:
    """Give one private chat the menu in the client's language (whatever their app's
    language), e.g. Traditional Chinese, which Telegram's "zh" lists cannot be."""
    commands = command_list(translator, CLIENT_COMMANDS)
    if admin:
        commands += command_list(translator, _private(STAFF_COMMANDS))
    for code in MENU_LANGUAGES:
        await _set(bot, commands, BotCommandScopeChat(chat_id), code)


def _private(commands: Commands) -> Commands:
    return [(name, text) for name, text in commands if name not in GROUP_ONLY]


async def _set(
    bot: Bot, commands: list[BotCommand], scope: BotCommandScope, code: str | None
) -> None:
    await _quietly(bot.set_my_commands(commands, scope, code), scope.type)


async def _quietly(call: Awaitable[object], what: str) -> None:
    """Await a profile call; Telegram refusing it is logged, not raised."""
    try:
        await call
    except TelegramError as error:
        log.warning("Could not set the bot's %s menu or profile: %s", what, error)
