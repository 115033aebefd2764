"""The floor for ``bench/throughput.py``: a bare python-telegram-bot webhook bot, no database.

It does for each update only what any bot must: parse it, and make the Bot API calls a reply
needs (a text is answered, a button press is acknowledged and answered, a document is fetched
and answered). Served the same way as the real bot (tornado, answered after handling), so the
real bot's CPU per update divided by this one's is the cost of everything the assistant adds.

Configured from the same environment variables as the bot: BOT_TOKEN, BOT_API_BASE_URL,
BOT_API_FILE_URL, WEBHOOK_PORT, WEBHOOK_SECRET.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import os

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from tornado.httpserver import HTTPServer
from tornado.web import Application as WebApplication
from tornado.web import RequestHandler

SECRET = os.environ.get("WEBHOOK_SECRET", "")


async def answer_text(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply to a text."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(update.effective_message.text or "")


async def answer_press(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """Acknowledge a button press and answer it."""
    query = update.callback_query
    assert query is not None and query.message is not None
    await query.answer()
    await query.message.chat.send_message(query.data or "")


async def answer_document(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """Fetch a document and answer with its size."""
    message = update.effective_message
    assert message is not None and message.document is not None
    file = await message.document.get_file()
    data = await file.download_as_bytearray()
    await message.reply_text(f"{len(data)} bytes")


class UpdateHandler(RequestHandler):
    """POST /tg: handle the update, then answer 200."""

    def initialize(self, bot_app: Application) -> None:
        self.bot_app = bot_app

    async def post(self) -> None:
        """Check the secret, handle the update, answer."""
        given = self.request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not hmac.compare_digest(given.encode(), SECRET.encode()):
            self.set_status(403)
            return
        update = Update.de_json(json.loads(self.request.body), self.bot_app.bot)
        await self.bot_app.process_update(update)


class HealthHandler(RequestHandler):
    """GET /healthz."""

    async def get(self) -> None:
        """Always healthy."""
        self.finish({"ok": True})


async def main() -> None:
    """Serve until killed."""
    application = (
        Application.builder()
        .token(os.environ["BOT_TOKEN"])
        .base_url(os.environ["BOT_API_BASE_URL"])
        .base_file_url(os.environ["BOT_API_FILE_URL"])
        .updater(None)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, answer_text))
    application.add_handler(MessageHandler(filters.Document.ALL, answer_document))
    application.add_handler(CallbackQueryHandler(answer_press))
    async with application:
        server = HTTPServer(
            WebApplication(
                [("/tg", UpdateHandler, {"bot_app": application}), ("/healthz", HealthHandler)]
            )
        )
        server.listen(int(os.environ["WEBHOOK_PORT"]), address="127.0.0.1")
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
