"""Guards that handlers declare instead of repeating checks: ``@staff_only`` and
``@with_open_application``."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.constants import ChatType

from bot.context import BotContext
from handlers.application_view import open_application, stale_button
from handlers.common import answer_button, reply
from storage.models import FilingApplication

Callback = Callable[[Update, BotContext], Coroutine[Any, Any, None]]
ApplicationCallback = Callable[[Update, BotContext, FilingApplication], Coroutine[Any, Any, None]]


def is_staff(update: Update, context: BotContext) -> bool:
    """Anyone acting inside the staff chat (only members can), and admins in a private chat.

    Nobody in another group the bot sits in, admins included: a case card or a dossier shown
    there would reach every member of that group."""
    settings = context.services.settings
    user, chat = update.effective_user, update.effective_chat
    if (
        chat is not None
        and settings.staff_chat_id is not None
        and chat.id == settings.staff_chat_id
    ):
        return True
    private = chat is None or chat.type == ChatType.PRIVATE
    return private and user is not None and user.id in settings.admin_ids


async def refuse(update: Update, context: BotContext) -> None:
    """Tell a non-staff user (privately) that this is for staff; change nothing."""
    _ = context.i18n.gettext
    if update.callback_query:
        await answer_button(
            update.callback_query, _("Sorry, this is for the agency's staff only.")
        )
        return
    chat = update.effective_chat
    if chat is not None and chat.type == ChatType.PRIVATE:
        await reply(update, _("Sorry, this command is for the agency's staff only."))


def staff_only(callback: Callback) -> Callback:
    """The callback runs for staff; anyone else is refused and nothing happens."""

    @functools.wraps(callback)
    async def guarded(update: Update, context: BotContext) -> None:
        if not is_staff(update, context):
            await refuse(update, context)
            return
        await callback(update, context)

    return guarded


def with_open_application(callback: ApplicationCallback) -> Callback:
    """The callback gets the client's open application; without one the button is stale."""

    @functools.wraps(callback)
    async def guarded(update: Update, context: BotContext) -> None:
        application, _service = await open_application(context)
        if application is None:
            await stale_button(update, context)
            return
        await callback(update, context, application)

    return guarded
