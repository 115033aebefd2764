"""Polling mode answers GET /healthz on its own port, on loopback unless configured otherwise."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import httpx
import pytest
from telegram.ext import Application

from bot.__main__ import poll
from bot.app import build_application, on_startup
from bot.config import Settings
from bot.health import HEALTH_PATH, HealthListenError, serve_health_checks
from tests.support.fake_bot_api import FakeBotApi
from tests.test_webhook import free_port

T = TypeVar("T")
START_SECONDS = 30


def poll_while(settings: Settings, check: Callable[[Application], T]) -> tuple[T, FakeBotApi]:
    """Run the bot as ``python -m bot`` does in polling mode (``poll``), against FakeBotApi,
    until ``check`` has run in another thread once the bot is running; return what it returned."""
    api = FakeBotApi()
    application = build_application(settings, request=api)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)  # run_polling takes the current loop and closes it at the end
    outcome: dict[str, T] = {}
    failure: list[BaseException] = []

    async def stop_once_started() -> None:
        # A stop that lands while run_polling still runs the loop for start() is lost (it stops
        # that run, not run_forever's): wait until start() is over and run_forever has begun.
        starting = [task for task in asyncio.all_tasks() if _is_start(task)]
        if starting:
            await asyncio.wait(starting)
        await asyncio.sleep(0.1)
        application.stop_running()

    def check_then_stop() -> None:
        try:
            deadline = time.monotonic() + START_SECONDS
            while not application.running and time.monotonic() < deadline:
                time.sleep(0.05)
            outcome["value"] = check(application)
        except BaseException as error:
            failure.append(error)
        finally:
            with contextlib.suppress(RuntimeError):  # the loop is closed: poll already ended
                asyncio.run_coroutine_threadsafe(stop_once_started(), loop)

    checker = threading.Thread(target=check_then_stop)
    checker.start()
    try:
        poll(application, settings)
    finally:
        checker.join()
        asyncio.set_event_loop(None)
    if failure:
        raise failure[0]
    return outcome["value"], api


def _is_start(task: asyncio.Task[object]) -> bool:
    """Whether a task runs Application.start()."""
    return getattr(task.get_coro(), "__qualname__", "") == "Application.start"


def refuses(host: str, port: int) -> bool:
    """Whether nothing accepts TCP connections on host:port."""
    try:
        socket.create_connection((host, port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


def test_polling_mode_answers_healthz_on_loopback_by_default(
    make_settings: Callable[..., Settings],
) -> None:
    port = free_port()
    settings = make_settings(health_port=port)
    assert settings.health_listen == "127.0.0.1"

    def probe(application: Application) -> tuple[int, dict[str, object], bool]:
        health = httpx.get(f"http://127.0.0.1:{port}{HEALTH_PATH}", timeout=5)
        # Bound to 127.0.0.1 only: another loopback address (which 0.0.0.0 would accept) is not.
        return health.status_code, health.json(), refuses("127.0.0.2", port)

    (status, body, loopback_only), api = poll_while(settings, probe)
    assert status == 200 and body == {"ok": True, "running": True}
    assert loopback_only
    assert api.of_method("getUpdates")  # it was polling
    assert refuses("127.0.0.1", port)  # and the server stopped with the bot


def test_health_listen_and_port_are_configurable(make_settings: Callable[..., Settings]) -> None:
    port = free_port()
    settings = make_settings(health_listen="127.0.0.2", health_port=port)

    def probe(application: Application) -> int:
        return httpx.get(f"http://127.0.0.2:{port}{HEALTH_PATH}", timeout=5).status_code

    status, _ = poll_while(settings, probe)
    assert status == 200


def test_health_port_zero_turns_the_server_off(make_settings: Callable[..., Settings]) -> None:
    hook, _ = poll_while(make_settings(health_port=0), lambda app: app.post_init)
    assert hook is on_startup  # not wrapped by serve_health_checks: nothing listens


def test_a_busy_health_port_fails_before_the_bot_starts(
    make_settings: Callable[..., Settings],
) -> None:
    application = build_application(make_settings(), request=FakeBotApi())
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(HealthListenError, match=f"127.0.0.1:{port}.*HEALTH_PORT"):
            serve_health_checks(application, "127.0.0.1", port)
    assert application.post_init is on_startup
