"""Shared fixtures: settings for a throw-away data directory, and a running bot."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.config import Settings
from tests.support.harness import Client, Harness, running_bot

TEST_TOKEN = "123456:TEST-token-not-real"
STAFF_CHAT_ID = -1001234567890


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep the developer's environment and .env file out of the tests."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)


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
        }
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
