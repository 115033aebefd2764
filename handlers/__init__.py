"""Telegram-facing handlers, one module per feature.

``register_handlers`` adds them in this order, which matters: PTB gives an update to the first
matching handler of each group.

group 0, in order:
1. membership – my_chat_member updates (client blocked / unblocked the bot)
2. start, language, faq, handoff – commands and their buttons
3. faq.QUESTION_HANDLER – any other text in a private chat is a question
4. fallback – unknown commands, non-text messages and stale buttons (must come last)
"""

from __future__ import annotations

from telegram.ext import Application

from handlers import errors, fallback, faq, handoff, language, membership, start


def register_handlers(application: Application) -> None:
    """Add every handler and the error handler to the application."""
    for module in (membership, start, language, faq, handoff):
        application.add_handlers(module.HANDLERS)
    application.add_handler(faq.QUESTION_HANDLER)
    application.add_handlers(fallback.HANDLERS)
    application.add_error_handler(errors.on_error)
