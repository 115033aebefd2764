"""The aiohttp request object, against a small local HTTP server playing the Bot API."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from telegram import Bot
from telegram.error import NetworkError, RetryAfter, TimedOut

from bot.aiohttp_request import AiohttpRequest
from bot.bot_api_request import BotApiRequest

TOKEN = "123456:TEST-token-not-real"
ME = {"id": 1, "is_bot": True, "first_name": "Test", "username": "test_bot"}


class BotApi:
    """Answers like the Bot API and remembers what it was sent."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str]]] = []
        self.files: dict[str, bytes] = {}
        self.delay = 0.0
        self.busy_answers = 0
        self.retry_after = 1

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        fields: dict[str, str] = {}
        form = await request.post()
        for name, value in form.items():
            if isinstance(value, web.FileField):
                self.files[name] = value.file.read()
            else:
                fields[name] = str(value)
        self.received.append((method, fields))
        await asyncio.sleep(self.delay)
        if self.busy_answers:
            self.busy_answers -= 1
            wait = {"retry_after": self.retry_after}
            body = {"ok": False, "error_code": 429, "parameters": wait}
            return web.json_response(body, status=429)
        if method == "getMe":
            return web.json_response({"ok": True, "result": ME})
        chat = json.loads(fields.get("chat_id", "0"))
        message = {"message_id": 7, "date": 0, "chat": {"id": chat, "type": "private"}}
        return web.json_response({"ok": True, "result": {**message, "text": fields.get("text")}})


@pytest.fixture
async def api() -> AsyncIterator[tuple[BotApi, str]]:
    fake = BotApi()
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", fake.handle)
    server = TestServer(app)
    await server.start_server()
    try:
        yield fake, str(server.make_url("/bot"))
    finally:
        await server.close()


def make_bot(base_url: str, request: AiohttpRequest) -> Bot:
    return Bot(TOKEN, base_url=base_url, request=request, get_updates_request=AiohttpRequest())


async def test_a_message_is_sent_and_the_answer_parsed(api: tuple[BotApi, str]) -> None:
    fake, base_url = api
    async with make_bot(base_url, AiohttpRequest()) as bot:
        message = await bot.send_message(42, "你好 – hello", parse_mode="HTML")
    assert message.text == "你好 – hello"
    assert message.chat.id == 42
    method, fields = fake.received[-1]
    assert method == "sendMessage"
    assert fields["text"] == "你好 – hello"
    assert fields["parse_mode"] == "HTML"


async def test_a_file_goes_as_multipart_with_its_bytes(api: tuple[BotApi, str]) -> None:
    fake, base_url = api
    content = bytes(range(256)) * 40
    async with make_bot(base_url, AiohttpRequest()) as bot:
        await bot.send_document(42, content, filename="scan.jpg", caption="ID card")
    method, fields = fake.received[-1]
    assert method == "sendDocument"
    assert fields["caption"] == "ID card"
    assert list(fake.files.values()) == [content]


async def test_a_slow_answer_is_a_timeout(api: tuple[BotApi, str]) -> None:
    fake, base_url = api
    async with make_bot(base_url, AiohttpRequest(read_timeout=0.2)) as bot:
        fake.delay = 1.0
        with pytest.raises(TimedOut):
            await bot.send_message(42, "hello")
        # A timeout named by the caller wins over the default.
        fake.delay = 0.4
        assert (await bot.send_message(42, "again", read_timeout=2)).text == "again"


async def test_no_server_is_a_network_error() -> None:
    async with AiohttpRequest(connect_timeout=1) as request:
        with pytest.raises(NetworkError) as raised:
            await request.post(f"http://127.0.0.1:9/bot{TOKEN}/getMe")
    assert not isinstance(raised.value, TimedOut)


async def test_retry_after_reaches_the_bot_as_a_retry_after_error(
    api: tuple[BotApi, str],
) -> None:
    fake, base_url = api
    async with make_bot(base_url, AiohttpRequest()) as bot:
        fake.busy_answers = 1
        with pytest.raises(RetryAfter):
            await bot.send_message(42, "hello")


async def test_live_replies_wait_out_a_retry_after(api: tuple[BotApi, str]) -> None:
    fake, base_url = api
    async with make_bot(base_url, BotApiRequest(AiohttpRequest())) as bot:
        fake.busy_answers, fake.retry_after = 2, 0
        assert (await bot.send_message(42, "hello")).text == "hello"
    assert [method for method, _ in fake.received] == ["getMe"] + ["sendMessage"] * 3


async def test_calls_before_initialize_or_after_shutdown_are_refused(
    api: tuple[BotApi, str],
) -> None:
    _fake, base_url = api
    request = AiohttpRequest()
    with pytest.raises(RuntimeError):
        await request.do_request(f"{base_url}{TOKEN}/getMe", "POST")
    await request.initialize()
    code, body = await request.do_request(f"{base_url}{TOKEN}/getMe", "POST")
    assert code == 200
    assert json.loads(body)["result"]["username"] == "test_bot"
    await request.shutdown()
    await request.shutdown()  # twice is harmless
    with pytest.raises(RuntimeError):
        await request.do_request(f"{base_url}{TOKEN}/getMe", "POST")
    await request.initialize()  # and it can be opened again
    code, _ = await request.do_request(f"{base_url}{TOKEN}/getMe", "POST")
    assert code == 200
    await request.shutdown()
