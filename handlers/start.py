"""/start, /help, /cancel and the main menu, including the parts that open in later releases."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.callbacks import CONTINUE_APPLICATION as CONTINUE
from bot.context import BotContext, HandlerList
from bot.services.clients import is_returning
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


async def start(update: Update, context: BotContext) -> None:
    """Greet the client by name and show the main menu."""
    _ = context.i18n.gettext
    client = context.client
    name = html.escape(
        update.effective_user.first_name if update.effective_user else "", quote=False
    )
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
        text += "\n\n" + _(
            "📝 Your application is waiting for you: {done} of {total} steps done."
        ).format(done=progress.done, total=progress.total)
        continue_row = [
            InlineKeyboardButton(_("▶️ Continue my application"), callback_data=CONTINUE)
        ]
        markup = InlineKeyboardMarkup([continue_row, *markup.inline_keyboard])
    await send_card(update, context, text, markup)


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
        "/eligibility – check whether you can file\n"
        "/status – where your application stands\n"
        "/human – talk to a member of staff\n"
        "/cancel – stop what you are doing and go back to the menu\n"
        "/delete_my_data – delete everything we hold about you\n"
        "/help – this message"
    )
    await send_card(update, context, text, main_menu(context.i18n))


async def cancel(update: Update, context: BotContext) -> None:
    """Stop whatever is going on and show the menu; nothing the client gave us is lost."""
    _ = context.i18n.gettext
    text = _("OK, stopped. Nothing you sent us is lost.")
    application, _service = await open_application(context)
    if application is not None:
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
