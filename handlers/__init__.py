"""Telegram-facing handlers, one module per feature.

``register_handlers`` adds them in this order, which matters: PTB gives an update to the first
matching handler of each group.

group 0, in order:
1. membership – my_chat_member updates (client blocked / unblocked the bot)
2. start, language, faq, support, eligibility, application, booking, status, staff –
   commands and their buttons (staff ones check the caller); support also copies staff
   messages in the staff chat to clients
3. application.TEXT_HANDLER – text while a text step is open answers that step (and stops);
   otherwise it passes the text on to group 1
4. uploads – photos and files
5. fallback – unknown commands, other messages and stale buttons (must come last)

group 1:
6. support.CLIENT_RELAY – while a client talks to staff, their messages are copied to staff
   (and stop there)

group 2:
7. faq.QUESTION_HANDLER – any other text in a private chat is a question for the FAQ
"""

from __future__ import annotations

from telegram.ext import Application

from handlers import (
    application,
    booking,
    broadcast,
    eligibility,
    errors,
    fallback,
    faq,
    language,
    membership,
    privacy,
    staff,
    start,
    status,
    support,
    uploads,
)

FEATURES = (
    membership,
    start,
    language,
    faq,
    support,
    eligibility,
    application,
    booking,
    status,
    staff,
    broadcast,
    privacy,
)


def register_handlers(app: Application) -> None:
    """Add every handler and the error handler to the application."""
    for module in FEATURES:
        app.add_handlers(module.HANDLERS)
    app.add_handler(application.TEXT_HANDLER)
    app.add_handlers(uploads.HANDLERS)
    app.add_handlers(fallback.HANDLERS)
    app.add_handler(support.CLIENT_RELAY, group=1)
    app.add_handler(faq.QUESTION_HANDLER, group=2)
    app.add_error_handler(errors.on_error)
