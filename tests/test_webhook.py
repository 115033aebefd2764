"""Webhook mode: the secret is checked, updates are handled before they are acknowledged, and
the health endpoint answers."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable

import httpx
import pytest
from tornado.httpserver import HTTPServer

from bot.config import Settings
from bot.webhook import HEALTH_PATH, SECRET_HEADER, web_app
from tests.support.harness import running_bot

SECRET = "a-very-secret-token-123"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_update(update_id: int) -> dict:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": 8801, "type": "private", "first_name": "Web"},
            "from": {"id": 8801, "is_bot": False, "first_name": "Web", "language_code": "en"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def test_webhook_checks_the_secret_and_acknowledges_after_handling(
    make_settings: Callable[..., Settings],
) -> None:
    async with running_bot(make_settings()) as harness:
        port = free_port()
        server = HTTPServer(web_app(harness.application, "tg/hook", SECRET))
        server.listen(port, address="127.0.0.1")
        url = f"http://127.0.0.1:{port}"
        try:
            async with httpx.AsyncClient() as http:
                missing = await http.post(f"{url}/tg/hook", json=start_update(1))
                wrong = await http.post(
                    f"{url}/tg/hook", json=start_update(2), headers={SECRET_HEADER: "nope"}
                )
                assert (missing.status_code, wrong.status_code) == (403, 403)
                assert not harness.api.messages_to(8801)  # nothing happened
                garbage = await http.post(
                    f"{url}/tg/hook", content=b"{not json", headers={SECRET_HEADER: SECRET}
                )
                assert garbage.status_code == 400
                ok = await http.post(
                    f"{url}/tg/hook", json=start_update(3), headers={SECRET_HEADER: SECRET}
                )
                assert ok.status_code == 200
                assert "Hello, Web" in harness.api.messages_to(8801)[-1].text  # before the 200
                again = await http.post(
                    f"{url}/tg/hook", json=start_update(3), headers={SECRET_HEADER: SECRET}
                )
                assert again.status_code == 200 and len(harness.api.messages_to(8801)) == 1
                health = await http.get(f"{url}{HEALTH_PATH}")
                assert health.status_code == 200 and health.json()["ok"] is True
        finally:
            server.stop()


async def test_webhook_acknowledges_an_update_it_cannot_read(
    make_settings: Callable[..., Settings], caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(make_settings()) as harness:
        port = free_port()
        server = HTTPServer(web_app(harness.application, "tg/hook", SECRET))
        server.listen(port, address="127.0.0.1")
        url = f"http://127.0.0.1:{port}/tg/hook"
        headers = {SECRET_HEADER: SECRET}
        unreadable = {"update_id": 40, "poll": {"id": "1"}}  # a poll without its fields
        try:
            async with httpx.AsyncClient() as http:
                with caplog.at_level(logging.WARNING):
                    answer = await http.post(url, json=unreadable, headers=headers)
                # Acknowledged: any other answer makes Telegram deliver it again and again.
                assert answer.status_code == 200
                skipped = [r.getMessage() for r in caplog.records if "update 40" in r.getMessage()]
                assert len(skipped) == 1 and "cannot be read" in skipped[0]
                ok = await http.post(url, json=start_update(41), headers=headers)
                assert ok.status_code == 200
                assert "Hello, Web" in harness.api.messages_to(8801)[-1].text
        finally:
            server.stop()
