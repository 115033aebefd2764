"""/language: the client picks English, Simplified or Traditional Chinese."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.commands import publish_chat_menu
from bot.context import BotContext, HandlerList
from bot.i18n import SUPPORTED_LANGUAGES
from bot.scope import commit_work
from bot.services.clients import ClientService
from bot.services.handoff import LANGUAGE_NAMES
from handlers.common import MENU_LANGUAGE, answer_button, main_menu, show

CHOOSE_PREFIX = "lang:"


def language_keyboard() -> InlineKeyboardMarkup:
    """One button per language, each named in its own language."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(LANGUAGE_NAMES[code], callback_data=f"{CHOOSE_PREFIX}{code}")
                for code in SUPPORTED_LANGUAGES
            ]
        ]
    )


async def ask_language(update: Update, context: BotContext) -> None:
    """Show the language buttons."""
    await answer_button(update.callback_query)
    text = context.i18n.gettext("🌐 Choose your language:")
    await show(update, context, text, language_keyboard())


async def choose_language(update: Update, context: BotContext) -> None:
    """Store the chosen language and confirm in it."""
    query = update.callback_query
    if query is None:
        return
    language = (query.data or "").removeprefix(CHOOSE_PREFIX)
    if language not in SUPPORTED_LANGUAGES or context.client is None:
        await answer_button(query)
        return
    ClientService.choose_language(context.client, language)
    translator = context.services.translations.get(language)
    context.scope.i18n = translator
    await answer_button(query, translator.gettext("Language saved."))
    text = translator.gettext("From now on I'll write to you in English.")
    await show(update, context, text, main_menu(translator))
    await refresh_chat_menu(update, context)


async def refresh_chat_menu(update: Update, context: BotContext) -> None:
    """Show this chat's command menu in the client's language (their choice may differ from
    their app's language, and Telegram has no Traditional Chinese menu of its own)."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    await commit_work()
    admin = user.id in context.services.settings.admin_ids
    await publish_chat_menu(context.bot, chat.id, context.i18n, admin=admin)


HANDLERS: HandlerList = [
    CommandHandler("language", ask_language, filters.ChatType.PRIVATE),
    CallbackQueryHandler(ask_language, pattern=f"^{MENU_LANGUAGE}$"),
    CallbackQueryHandler(choose_language, pattern=f"^{CHOOSE_PREFIX}"),
]
