"""A local fake Bot API server for benchmarks: enforces Telegram's sending limits.

About 30 messages a second overall and one a second per chat: above that it answers
429 "retry after"; a share of chats have "blocked the bot" (403). It records every message it
accepted, and serves updates that the benchmark queues (long polling, like Telegram).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field

from tornado.httpserver import HTTPServer
from tornado.web import Application, RequestHandler

BOT = {"id": 1, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}


@dataclass
class Limits:
    """Telegram's published limits (approximate)."""

    per_second: float = 30.0
    burst: float = 5.0
    per_chat_seconds: float = 1.0
    latency: float = 0.0  # seconds before each answer (Telegram's own take tens of ms)


@dataclass
class FakeTelegram:
    """State shared by the request handler."""

    limits: Limits = field(default_factory=Limits)
    blocked: set[int] = field(default_factory=set)
    accepted: list[tuple[float, int, str]] = field(default_factory=list)
    rejected_429: int = 0
    updates: list[dict] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    new_update: asyncio.Event = field(default_factory=asyncio.Event)
    # The next message to this chat gets no answer until `release` is set (then it fails, never
    # stored): a test can kill the bot while Telegram "is still answering".
    stall_chat: int | None = None
    stalled: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    _tokens: float = 5.0
    _refilled: float = field(default_factory=time.monotonic)
    _last_per_chat: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _update_ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def queue(self, update: dict) -> None:
        """Make an update available to getUpdates."""
        update["update_id"] = next(self._update_ids)
        self.updates.append(update)
        self.new_update.set()

    def take_token(self, chat_id: int, now: float) -> float | None:
        """None when the message may go now, else how long to wait."""
        self._tokens = min(
            self.limits.burst, self._tokens + (now - self._refilled) * self.limits.per_second
        )
        self._refilled = now
        chat_wait = self._last_per_chat[chat_id] + self.limits.per_chat_seconds - now
        if chat_wait > 0:
            return chat_wait
        if self._tokens < 1:
            return (1 - self._tokens) / self.limits.per_second
        self._tokens -= 1
        self._last_per_chat[chat_id] = now
        return None

    def message(self, chat_id: int, text: str) -> dict:
        """The Message object Telegram returns."""
        return {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "from": BOT,
            "text": text,
        }


class BotApiHandler(RequestHandler):
    """POST /bot<token>/<method>."""

    def initialize(self, state: FakeTelegram) -> None:
        self.state = state

    async def post(self, token: str, method: str) -> None:
        params = self._params()
        state = self.state
        if state.limits.latency and method != "getUpdates":
            await asyncio.sleep(state.limits.latency)
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            timeout = float(params.get("timeout") or 0)
            deadline = time.monotonic() + min(timeout, 2.0)
            while True:
                ready = [u for u in state.updates if u["update_id"] >= offset]
                if ready or time.monotonic() >= deadline:
                    return self._ok(ready[:100])
                state.new_update.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(state.new_update.wait(), deadline - time.monotonic())
        if method == "getMe":
            return self._ok(BOT)
        if method in ("sendMessage", "copyMessage"):
            chat_id = int(params["chat_id"])
            if chat_id in state.blocked:
                return self._error(403, "Forbidden: bot was blocked by the user")
            if chat_id == state.stall_chat:
                state.stall_chat = None
                state.stalled.set()
                await state.release.wait()
                return self._error(502, "Bad Gateway")
            wait = state.take_token(chat_id, time.monotonic())
            if wait is not None:
                state.rejected_429 += 1
                return self._error(429, "Too Many Requests", retry_after=max(1, round(wait)))
            state.accepted.append((time.monotonic(), chat_id, str(params.get("text", ""))))
            return self._ok(state.message(chat_id, str(params.get("text", ""))))
        if method in ("editMessageText", "editMessageReplyMarkup"):
            return self._ok(state.message(int(params.get("chat_id") or 0), ""))
        if method == "getFile":
            file_id = str(params["file_id"])
            size = len(state.files.get(file_id, b""))
            return self._ok(
                {
                    "file_id": file_id,
                    "file_unique_id": file_id,
                    "file_size": size,
                    "file_path": f"docs/{file_id}",
                }
            )
        if method == "getChat":
            return self._ok(
                {"id": int(params["chat_id"]), "type": "supergroup", "is_forum": False}
            )
        return self._ok(True)

    def _params(self) -> dict:
        if self.request.headers.get("Content-Type", "").startswith("application/json"):
            return json.loads(self.request.body or b"{}")
        return {key: values[-1].decode() for key, values in self.request.body_arguments.items()}

    def _ok(self, result: object) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"ok": True, "result": result}))

    def _error(self, code: int, description: str, retry_after: int | None = None) -> None:
        body: dict = {"ok": False, "error_code": code, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        self.set_status(code)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))


class FileHandler(RequestHandler):
    """GET /file/bot<token>/docs/<file_id>: a file's bytes."""

    def initialize(self, state: FakeTelegram) -> None:
        self.state = state

    def get(self, token: str, file_id: str) -> None:
        data = self.state.files.get(file_id)
        if data is None:
            self.set_status(404)
            return
        self.finish(data)


def serve(state: FakeTelegram, port: int) -> HTTPServer:
    """Start listening on 127.0.0.1 (inside the running asyncio loop)."""
    logging.getLogger("tornado.access").setLevel(logging.CRITICAL)
    app = Application(
        [
            (r"/bot([^/]+)/(\w+)", BotApiHandler, {"state": state}),
            (r"/file/bot([^/]+)/docs/([\w-]+)", FileHandler, {"state": state}),
        ]
    )
    server = HTTPServer(app)
    server.listen(port, address="127.0.0.1")
    return server
