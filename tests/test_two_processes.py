"""Two real bot processes sharing one PostgreSQL database behave as one bot: every update is
handled once even when delivered to both, a broadcast is sent once, a reminder fires once.

Collected only when TEST_DATABASE_URL points at PostgreSQL (see conftest.py); .ci/run does.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from telegram import Update
from telegram.ext import TypeHandler

from bot.config import Settings
from bot.scope import current_scope
from bot.services.broadcasts import BroadcastService, Segment, texts_for
from storage.database import Database
from storage.models import Booking, Client, FilingApplication, utcnow
from tests.conftest import POSTGRES_URL
from tests.support.harness import Client as ChatClient
from tests.support.harness import running_bot
from tests.test_crash import kill_at_random_moments

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from bot_process import free_port, healthy, start_bot  # noqa: E402
from fake_bot_api import FakeTelegram, serve  # noqa: E402
from updates import message  # noqa: E402

# `collect_ignore` (tests/conftest.py) keeps these out of a plain `pytest`; named on the command
# line, they skip rather than fail without a server.
pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="needs TEST_DATABASE_URL (bash .ci/with-postgres starts a server)"
)
SECRET = "two-processes-secret-123"
STAFF = -100777


def bot_settings(port: int) -> dict[str, str]:
    return {
        "database_url": POSTGRES_URL,
        "staff_chat_id": str(STAFF),
        "webhook_url": "https://bot.example/tg",
        "webhook_secret": SECRET,
        "webhook_listen": "127.0.0.1",
        "webhook_port": str(port),
        "flood_limit": "1000",
    }


async def prepare(data_dir: Path) -> None:
    """Schema, 30 clients with a broadcast under way, and a visit due tomorrow."""
    database = Database(POSTGRES_URL)
    await database.migrate()
    async with database.sessions() as session:
        clients = [
            Client(telegram_id=70_000 + n, first_name=f"C{n}", telegram_language="en")
            for n in range(30)
        ]
        session.add_all(clients)
        await session.flush()
        service = BroadcastService(session)
        broadcast = await service.create(1, STAFF, "all", texts_for("Notice", "通知"))
        await service.start(broadcast, await service.recipients(Segment.parse("all"), "en"))
        application = FilingApplication(
            client_id=clients[0].id,
            applicant_type="mainland_individual",
            answers={},
            status="collecting",
        )
        session.add(application)
        await session.flush()
        session.add(
            Booking(
                application_id=application.id,
                starts_at=utcnow() + timedelta(hours=5),
                slot_key="twoproc",
                status="booked",
            )
        )
        await session.commit()
    await database.dispose()


async def test_two_processes_behave_as_one_bot(tmp_path: Path) -> None:
    state = FakeTelegram()
    state.limits.per_chat_seconds = 0  # this test is about correctness, not pacing
    state.limits.per_second = 1000
    state.limits.burst = 1000
    api_port = free_port()
    server = serve(state, api_port)
    await prepare(tmp_path)
    ports = [free_port(), free_port()]
    bots = [await start_bot(api_port, tmp_path, **bot_settings(port)) for port in ports]
    try:
        await asyncio.gather(*(healthy(port) for port in ports))
        # Every update reaches both processes at the same time: each must be handled once.
        async with httpx.AsyncClient(timeout=30) as http:
            posts = [
                http.post(
                    f"http://127.0.0.1:{port}/tg",
                    json=message(1000 + n, 80_000 + n % 3, text="how long does it take?"),
                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                )
                for n in range(12)
                for port in ports
            ]
            answers = await asyncio.gather(*posts)
        assert all(answer.status_code == 200 for answer in answers)
        replies = Counter(chat for _t, chat, text in state.accepted if "weeks" in text)
        assert replies == {80_000: 4, 80_001: 4, 80_002: 4}

        # The broadcast both processes resumed at start, and the reminder both jobs saw.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            notices = Counter(
                chat for _t, chat, text in state.accepted if text.endswith("\n\nNotice")
            )
            reminders = [chat for _t, chat, text in state.accepted if "Reminder" in text]
            if len(notices) == 30 and reminders:
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(6)  # give a second copy every chance to appear
        notices = Counter(chat for _t, chat, text in state.accepted if text.endswith("\n\nNotice"))
        reminders = [chat for _t, chat, text in state.accepted if "Reminder" in text]
        assert len(notices) == 30 and set(notices.values()) == {1}
        assert reminders == [70_000]
    finally:
        for bot in bots:
            bot.terminate()
        await asyncio.gather(*(bot.wait() for bot in bots))
        server.stop()


async def test_two_processes_killed_at_random_moments_lose_and_repeat_nothing(
    tmp_path: Path,
) -> None:
    """The crash test with two processes behind one URL: one is SIGKILLed while the other
    goes on, and Telegram's redelivery reaches whichever answers."""
    await kill_at_random_moments(tmp_path, POSTGRES_URL, processes=2)


async def test_an_update_holds_one_connection_its_lock_and_its_work(
    make_settings: Callable[..., Settings],
) -> None:
    """The client's lock and the update's session share one connection, so each update in
    flight takes one of PostgreSQL's connections, not two."""
    seen: list[int] = []

    async def count_locks_held_by_the_session(_update: Update, _context: object) -> None:
        held = await current_scope().session.scalar(
            text(
                "SELECT count(*) FROM pg_locks "
                "WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted"
            )
        )
        seen.append(held)

    async with running_bot(make_settings()) as harness:
        harness.application.add_handler(TypeHandler(Update, count_locks_held_by_the_session), -9)
        clients = [ChatClient(harness, user_id=86_000 + n) for n in range(5)]
        await asyncio.gather(*(client.say("how long does it take?") for client in clients))
    assert seen == [1] * 5
