"""Drive a real PTB Application with updates, the way Telegram would, against FakeBotApi."""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.app import build_application, on_shutdown, on_startup
from bot.config import Settings
from tests.support.fake_bot_api import ApiCall, FakeBotApi

_update_ids = itertools.count(1)


@dataclass
class Harness:
    """A running bot and the fake Bot API it talks to."""

    application: Application
    api: FakeBotApi
    _message_ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    async def feed(self, update: dict[str, Any]) -> list[ApiCall]:
        """Deliver one update and return the requests the bot made while handling it."""
        before = len(self.api.calls)
        await self.application.update_queue.put(Update.de_json(update, self.application.bot))
        await self.application.update_queue.join()
        return self.api.calls[before:]

    def next_message_id(self) -> int:
        """A fresh message id for an incoming message."""
        return next(self._message_ids)


@dataclass
class Client:
    """A Telegram user talking to the bot in a private chat."""

    harness: Harness
    user_id: int
    first_name: str = "Anna"
    language_code: str | None = "en"
    username: str | None = None

    @property
    def user(self) -> dict[str, Any]:
        """The user object Telegram sends."""
        user: dict[str, Any] = {"id": self.user_id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            user["language_code"] = self.language_code
        if self.username:
            user["username"] = self.username
        return user

    @property
    def chat(self) -> dict[str, Any]:
        """The private chat with the bot."""
        return {"id": self.user_id, "type": "private", "first_name": self.first_name}

    def message_update(self, **content: Any) -> dict[str, Any]:
        """An update carrying a new message with the given content."""
        message = {
            "message_id": self.harness.next_message_id(),
            "date": int(time.time()),
            "chat": self.chat,
            "from": self.user,
            **content,
        }
        return {"update_id": next(_update_ids), "message": message}

    async def say(self, text: str) -> list[ApiCall]:
        """Send a text message (a /command when it starts with a slash)."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return await self.harness.feed(self.message_update(**content))

    def _register_file(self, data: bytes) -> str:
        file_id = f"file{self.harness.next_message_id()}x{len(self.harness.api.files)}"
        self.harness.api.files[file_id] = data
        return file_id

    async def send_document(
        self,
        data: bytes,
        file_name: str = "scan.jpg",
        mime_type: str = "image/jpeg",
        size: int | None = None,
    ) -> list[ApiCall]:
        """Send a file (a picture sent "as a file", or any other document)."""
        file_id = self._register_file(data)
        document = {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(data) if size is None else size,
        }
        return await self.harness.feed(self.message_update(document=document))

    async def send_photo(self, data: bytes, width: int, height: int) -> list[ApiCall]:
        """Send a photo (Telegram's compressed kind)."""
        file_id = self._register_file(data)
        sizes = [
            {"file_id": f"{file_id}-thumb", "file_unique_id": "t", "width": 90, "height": 60},
            {
                "file_id": file_id,
                "file_unique_id": f"u-{file_id}",
                "width": width,
                "height": height,
                "file_size": len(data),
            },
        ]
        return await self.harness.feed(self.message_update(photo=sizes))

    async def press(self, data: str, message: dict[str, Any] | None = None) -> list[ApiCall]:
        """Press an inline button with this callback data, on ``message`` (as the bot sent it)."""
        message = message or {
            "message_id": 1,
            "date": int(time.time()),
            "chat": self.chat,
            "from": {"id": 700000001, "is_bot": True, "first_name": "ICP Assistant"},
            "text": "…",
        }
        update = {
            "update_id": next(_update_ids),
            "callback_query": {
                "id": str(next(_update_ids)),
                "from": self.user,
                "chat_instance": str(self.user_id),
                "data": data,
                "message": message,
            },
        }
        return await self.harness.feed(update)

    async def press_on(self, call: ApiCall, label_part: str) -> list[ApiCall]:
        """Press the button labelled ``label_part`` on a message the bot sent."""
        message = call.result if isinstance(call.result, dict) else None
        return await self.press(call.button(label_part), message)


def replies(calls: list[ApiCall]) -> list[ApiCall]:
    """The messages among a list of requests."""
    return [call for call in calls if call.method in ("sendMessage", "editMessageText")]


def last_reply(calls: list[ApiCall]) -> ApiCall:
    """The last message the bot sent."""
    messages = replies(calls)
    assert messages, f"the bot sent no message; it called {[c.method for c in calls]}"
    return messages[-1]


@asynccontextmanager
async def running_bot(settings: Settings) -> AsyncIterator[Harness]:
    """Build, start and finally stop the bot against a fresh FakeBotApi."""
    api = FakeBotApi()
    application = build_application(settings, request=api)
    await application.initialize()
    await on_startup(application)
    await application.start()
    try:
        yield Harness(application, api)
    finally:
        await application.stop()
        await application.shutdown()
        await on_shutdown(application)
