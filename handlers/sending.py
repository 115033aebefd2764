"""More ways for handlers to speak, committing the update's work first like
``handlers.common``'s reply helpers: files, and a ``Messenger`` for the services."""

from __future__ import annotations

from telegram import InputFile, Update

from bot.context import BotContext
from bot.scope import commit_work
from bot.telegram_messenger import TelegramMessenger


async def send_file(update: Update, data: bytes, file_name: str, caption: str) -> None:
    """Commit the update's work, then send a file to the chat the update came from."""
    chat = update.effective_chat
    if chat is not None:
        await commit_work()
        await chat.send_document(InputFile(data, filename=file_name), caption=caption)


def messenger(context: BotContext) -> TelegramMessenger:
    """The ``Messenger`` services use to speak to Telegram during this update."""
    return TelegramMessenger(context.bot)
