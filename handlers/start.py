"""/start (with the website's deep links), /help, /cancel and the main menu."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.callbacks import CONTINUE_APPLICATION as CONTINUE
from bot.commands import CLIENT_COMMANDS
from bot.context import BotContext, HandlerList
from bot.deep_links import DeepLink, Target, read_deep_link
from bot.i18n import TRADITIONAL
from bot.names import greeting_name
from bot.services.clients import is_returning
from bot.services.situation import situation_of
from handlers import application, eligibility, faq, status, support
from handlers.application_view import open_application
from handlers.common import (
    MENU_HOME,
    MENU_OPEN,
    answer_button,
    button_data,
    main_menu,
    send_card,
    show_menu,
)
from handlers.language import refresh_chat_menu
from handlers.support import end_chat


async def start(update: Update, context: BotContext) -> None:
    """Follow a deep link from the website, else greet the client and show the main menu."""
    link = read_deep_link(context.args[0] if context.args else None)
    if link is not None and await follow(update, context, link):
        return
    await greet(update, context)
    if context.i18n.language == TRADITIONAL:
        await refresh_chat_menu(update, context)  # Telegram's "zh" menu is Simplified


async def follow(update: Update, context: BotContext, link: DeepLink) -> bool:
    """Open what a deep link points at; False when it points at nothing (an old FAQ id)."""
    if link.target == Target.FAQ_ENTRY:
        return await faq.open_entry(update, context, link.entry_id)
    opened = {
        Target.APPLY: application.start_application,
        Target.ELIGIBILITY: eligibility.start_check,
        Target.FAQ: faq.browse,
        Target.STATUS: status.show_status,
        Target.HUMAN: support.talk_to_staff,
    }[link.target]
    await opened(update, context)
    return True


async def greet(update: Update, context: BotContext) -> None:
    """Greet the client by name and show the main menu."""
    _ = context.i18n.gettext
    client = context.client
    user = update.effective_user
    name = html.escape(greeting_name(user.first_name, user.last_name) if user else "", quote=False)
    agency = context.services.agency.escaped_name
    greeting = _("Hello, {name}! 👋").format(name=name)
    if client is not None and is_returning(client):
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
    markup = main_menu(context.i18n)
    application, service = await open_application(context)
    if application is not None:
        progress = await service.progress(application)
        text += "\n\n" + context.i18n.ngettext(
            "📝 Your application is waiting for you: {done} of {total} step done.",
            "📝 Your application is waiting for you: {done} of {total} steps done.",
            progress.total,
        ).format(done=progress.done, total=progress.total)
        continue_row = [
            InlineKeyboardButton(_("▶️ Continue my application"), callback_data=CONTINUE)
        ]
        markup = InlineKeyboardMarkup([continue_row, *markup.inline_keyboard])
    await send_card(update, context, text, markup)


async def help_command(update: Update, context: BotContext) -> None:
    """Explain what the bot does and list the commands of the menu (the same list)."""
    _ = context.i18n.gettext
    lines = [
        _(
            "<b>How I can help</b>\n"
            "Ask me anything about the ICP filing in your own words, in English or Chinese, "
            "for example “Can foreigners apply?” or “需要多长时间？”."
        ),
        "",
        *(f"/{name} – {_(description)}" for name, description in CLIENT_COMMANDS),
    ]
    text = "\n".join(lines)
    await send_card(update, context, text, main_menu(context.i18n))


async def cancel(update: Update, context: BotContext) -> None:
    """Stop whatever is going on and show the menu; nothing the client gave us is lost. An
    open conversation with staff is ended."""
    _ = context.i18n.gettext
    if situation_of(context.scope.arrival, context.services.catalogue).conversation is not None:
        await end_chat(update, context)
        return
    text = _("OK, stopped. Nothing you sent us is lost.")
    application, service = await open_application(context)
    if application is not None:
        service.pause(application)
        text = _(
            "⏸ Your application is paused and everything is saved. Continue any time with "
            "/start or “My status”."
        )
    await show_menu(update, context, text)


async def menu_home(update: Update, context: BotContext) -> None:
    """The “Main menu” button: in its message, or below a message to keep."""
    await answer_button(update.callback_query)
    await show_menu(update, context, new=button_data(update) == MENU_OPEN)


HANDLERS: HandlerList = [
    CommandHandler("start", start, filters.ChatType.PRIVATE),
    CommandHandler("help", help_command, filters.ChatType.PRIVATE),
    CommandHandler("cancel", cancel, filters.ChatType.PRIVATE),
    CallbackQueryHandler(menu_home, pattern=f"^({MENU_HOME}|{MENU_OPEN})$"),
]
