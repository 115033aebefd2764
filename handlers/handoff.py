"""“Talk to staff” and /human: alert the staff chat and tell the client what happens next."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import BotContext
from bot.i18n import Translator
from handlers.common import MENU_STAFF, back_to_menu_button, reply
from storage.repositories import QuestionRepository

log = logging.getLogger(__name__)


async def hand_off(
    update: Update, context: BotContext, translator: Translator, last_question: str | None = None
) -> None:
    """Alert staff (once per cooldown) and tell the client how they will be helped."""
    services = context.services
    client = context.client
    if client is None:
        return
    _ = translator.gettext
    if last_question is None:
        latest = await QuestionRepository(context.session).latest_of_client(client.id)
        last_question = latest.text if latest else None
    staff_chat = services.settings.staff_chat_id
    alerted = False
    if staff_chat is not None and services.handoff.should_alert(client):
        staff_text = services.handoff.staff_alert(
            client, translator.language, last_question, services.catalogs.get(None)
        )
        try:
            await context.bot.send_message(staff_chat, staff_text)
            alerted = True
        except TelegramError as error:
            services.handoff.forget(client)
            log.warning("Could not alert the staff chat: %s", error)
    elif staff_chat is not None:
        alerted = True  # staff were told a moment ago
    agency = services.agency
    if alerted:
        text = _("I've let our team know. A member of staff will contact you as soon as possible.")
        if agency.has_contact:
            text += (
                "\n\n"
                + _("You can also reach us directly:")
                + "\n"
                + agency.contact_lines(translator)
            )
    elif agency.has_contact:
        text = _("You can reach our team directly:") + "\n" + agency.contact_lines(translator)
    else:
        text = _(
            "I'm sorry, I can't reach our team from here at the moment. "
            "Please try again later, or contact {agency} directly."
        ).format(agency=agency.escaped_name)
    await reply(update, text, InlineKeyboardMarkup([[back_to_menu_button(translator)]]))


async def talk_to_staff(update: Update, context: BotContext) -> None:
    """The “Talk to staff” button and the /human command."""
    if update.callback_query:
        await update.callback_query.answer()
    await hand_off(update, context, context.i18n)


HANDLERS: list[BaseHandler] = [
    CommandHandler("human", talk_to_staff, filters.ChatType.PRIVATE),
    CallbackQueryHandler(talk_to_staff, pattern=f"^{MENU_STAFF}$"),
]
