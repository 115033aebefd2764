"""/start, /help, /cancel and the main menu, including the parts that open in later releases."""

from __future__ import annotations

import html
from datetime import UTC, datetime

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import BotContext
from handlers.common import (
    MENU_APPLY,
    MENU_ELIGIBILITY,
    MENU_HOME,
    MENU_STATUS,
    back_to_menu_button,
    main_menu,
    reply,
    show_menu,
)
from storage.models import utcnow

RETURNING_AFTER_SECONDS = 3600


async def start(update: Update, context: BotContext) -> None:
    """Greet the client by name and show the main menu."""
    _ = context.i18n.gettext
    client = context.client
    name = html.escape(
        update.effective_user.first_name if update.effective_user else "", quote=False
    )
    agency = context.services.agency.escaped_name
    greeting = _("Hello, {name}! 👋").format(name=name)
    if client is not None and _is_returning(client.first_seen_at):
        greeting = _("Welcome back, {name}! 👋 You first wrote to us on {date}.").format(
            name=name, date=context.i18n.format_date(client.first_seen_at)
        )
    text = "\n\n".join(
        [
            greeting,
            _(
                "I'm the ICP filing assistant of {agency}. I answer questions about China's ICP "
                "filing (ICP备案) and guide you through your application."
            ).format(agency=agency),
            _("Type your question in English or Chinese, or choose below."),
        ]
    )
    await reply(update, text, main_menu(context.i18n))


def _is_returning(first_seen_at: datetime) -> bool:
    if first_seen_at.tzinfo is None:  # SQLite hands back naive UTC datetimes
        first_seen_at = first_seen_at.replace(tzinfo=UTC)
    return (utcnow() - first_seen_at).total_seconds() > RETURNING_AFTER_SECONDS


async def help_command(update: Update, context: BotContext) -> None:
    """Explain what the bot does and list the commands."""
    _ = context.i18n.gettext
    text = _(
        "<b>How I can help</b>\n"
        "Ask me anything about the ICP filing in your own words, in English or Chinese, "
        "for example “Can foreigners apply?” or “需要多长时间？”.\n\n"
        "/start – main menu\n"
        "/faq – browse common questions\n"
        "/language – choose English, 简体中文 or 繁體中文\n"
        "/human – talk to a member of staff\n"
        "/cancel – stop what you are doing and go back to the menu\n"
        "/help – this message"
    )
    await reply(update, text, main_menu(context.i18n))


async def cancel(update: Update, context: BotContext) -> None:
    """Stop whatever is going on and show the menu; nothing the client gave us is lost."""
    await show_menu(
        update, context.i18n, context.i18n.gettext("OK, stopped. Nothing you sent us is lost.")
    )


async def menu_home(update: Update, context: BotContext) -> None:
    """The “Main menu” button."""
    await update.callback_query.answer()
    await show_menu(update, context.i18n)


async def coming_soon(update: Update, context: BotContext) -> None:
    """Eligibility, applications and status are not open yet; offer staff and the FAQ instead."""
    _ = context.i18n.gettext
    await update.callback_query.answer()
    features = {
        MENU_ELIGIBILITY: _("The eligibility check"),
        MENU_APPLY: _("The guided application"),
        MENU_STATUS: _("Status tracking"),
    }
    feature = features.get(update.callback_query.data or "", _("This part"))
    text = _(
        "{feature} is coming soon in this assistant. Until then our team is happy to help: "
        "press “Talk to staff”, or browse the FAQ."
    ).format(feature=feature)
    keyboard = main_menu(context.i18n).inline_keyboard
    markup = InlineKeyboardMarkup(
        [keyboard[0], keyboard[3][1:], [back_to_menu_button(context.i18n)]]
    )
    await reply(update, text, markup)


HANDLERS: list[BaseHandler] = [
    CommandHandler("start", start, filters.ChatType.PRIVATE),
    CommandHandler("help", help_command, filters.ChatType.PRIVATE),
    CommandHandler("cancel", cancel, filters.ChatType.PRIVATE),
    CallbackQueryHandler(menu_home, pattern=f"^{MENU_HOME}$"),
    CallbackQueryHandler(
        coming_soon, pattern=f"^({MENU_ELIGIBILITY}|{MENU_APPLY}|{MENU_STATUS})$"
    ),
]
