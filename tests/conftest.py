"""Shared fixtures: settings for a throw-away data directory, and a running bot."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.config import Settings
from storage.database import Database
from tests.support.harness import Client, Harness, running_bot

TEST_TOKEN = "123456:TEST-token-not-real"
# Set by .ci/run to run the bot's tests against a real PostgreSQL server as well.
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
# Tests that need PostgreSQL itself (several processes on one database) run only in that run.
collect_ignore = [] if POSTGRES_URL else ["test_two_processes.py"]
STAFF_CHAT_ID = -1001234567890


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep the developer's environment and .env file out of the tests."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(autouse=True)
async def _fresh_postgres_schema() -> None:
    """On PostgreSQL, every test starts from an empty schema (on SQLite, from a new file)."""
    if not POSTGRES_URL:
        return
    engine = create_async_engine(POSTGRES_URL)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings for a bot whose data lives in the test's temporary directory."""

    def make(**overrides: object) -> Settings:
        values: dict[str, object] = {
            "bot_token": TEST_TOKEN,
            "data_dir": tmp_path / "data",
            "staff_chat_id": STAFF_CHAT_ID,
            "agency_email": "hello@agency.example",
            "flood_limit": 1000,  # tests talk fast; flood control has its own test
            # Tests write to the staff group fast; its 20 a minute has its own tests.
            "group_messages_per_minute": 1000,
        }
        if POSTGRES_URL:
            values["database_url"] = POSTGRES_URL
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    return make


@pytest.fixture
async def harness(make_settings: Callable[..., Settings]) -> AsyncIterator[Harness]:
    """A running bot with an empty database."""
    async with running_bot(make_settings()) as running:
        yield running


@pytest.fixture
def client(harness: Harness) -> Client:
    """An English-speaking client."""
    return Client(harness, user_id=5001, first_name="Anna", language_code="en")


@pytest.fixture
async def database(make_settings: Callable[..., Settings]) -> AsyncIterator[Database]:
    """An empty, migrated database for testing services without the bot or Telegram."""
    settings = make_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    database = Database(settings.resolved_database_url)
    await database.migrate()
    yield database
    await database.dispose()
