"""Telegram-facing handlers, one module per feature.

``register_handlers`` adds them in this order, which matters: PTB gives an update to the first
matching handler (one group only).

1. membership – my_chat_member updates (client blocked / unblocked the bot)
2. start, language, faq, support, eligibility, application, forms, booking, status, staff,
   broadcast, privacy – commands and their buttons (staff ones are ``@staff_only``); support
   also copies staff messages in the staff group to clients
3. private_chat – the one router for everything else a client types or sends in the private
   chat: a step's answer, an upload, a message for staff or an FAQ question
4. fallback – unknown commands and stale buttons (must come last)
"""

from __future__ import annotations

from bot.context import BotApplication
from handlers import (
    application,
    booking,
    broadcast,
    eligibility,
    errors,
    fallback,
    faq,
    forms,
    language,
    membership,
    privacy,
    private_chat,
    staff,
    start,
    status,
    support,
)

FEATURES = (
    membership,
    start,
    language,
    faq,
    support,
    eligibility,
    application,
    forms,
    booking,
    status,
    staff,
    broadcast,
    privacy,
)


def register_handlers(app: BotApplication) -> None:
    """Add every handler and the error handler to the application."""
    for module in FEATURES:
        app.add_handlers(module.HANDLERS)
    app.add_handlers(private_chat.HANDLERS)
    app.add_handlers(fallback.HANDLERS)
    app.add_error_handler(errors.on_error)
