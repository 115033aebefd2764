"""Configuration: validated at start with clear messages that never contain the token."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings


def test_missing_token_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(_env_file=None)
    message = str(error.value)
    assert "BOT_TOKEN is missing" in message and "@BotFather" in message
    assert "\n" not in message


def test_malformed_token_is_reported_without_echoing_it() -> None:
    secret = "not-a-token-SECRETVALUE"
    with pytest.raises(ConfigError) as error:
        load_settings(_env_file=None, bot_token=secret)
    assert "BOT_TOKEN" in str(error.value)
    assert secret not in str(error.value)


def test_token_never_appears_in_repr() -> None:
    settings = load_settings(_env_file=None, bot_token="123456:SECRET-abc")
    assert "SECRET" not in repr(settings) and "SECRET" not in str(settings.model_dump())


def test_environment_and_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "BOT_TOKEN=123456:from-dotenv\nADMIN_IDS=1, 2,3\nDEFAULT_LANGUAGE=zh-hant\n"
        "STAFF_CHAT_ID=-100123\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "state"))
    settings = load_settings()
    assert settings.bot_token.get_secret_value() == "123456:from-dotenv"
    assert settings.admin_ids == {1, 2, 3}
    assert settings.default_language == "zh_Hant"
    assert settings.staff_chat_id == -100123
    assert settings.resolved_database_url == (
        f"sqlite+aiosqlite:///{(tmp_path / 'state' / 'icp_bot.sqlite3').resolve()}"
    )


def test_custom_bot_api_server() -> None:
    settings = load_settings(
        _env_file=None,
        bot_token="123456:abc",
        bot_api_base_url="http://127.0.0.1:9000/bot",
        bot_api_file_url="http://127.0.0.1:9000/file/bot",
    )
    assert settings.bot_api_base_url == "http://127.0.0.1:9000/bot"
    with pytest.raises(ConfigError, match="BOT_API_BASE_URL"):
        load_settings(_env_file=None, bot_token="123456:abc", bot_api_base_url="ftp://x")


def test_webhook_mode_requires_a_secret() -> None:
    with pytest.raises(ConfigError, match="WEBHOOK_SECRET"):
        load_settings(
            _env_file=None, bot_token="123456:abc", webhook_url="https://bot.example/hook"
        )
    settings = load_settings(
        _env_file=None,
        bot_token="123456:abc",
        webhook_url="https://bot.example/tg/hook",
        webhook_secret="s3cret-s3cret-s3cret",
    )
    assert settings.webhook_path == "tg/hook"


def test_unknown_default_language_is_rejected() -> None:
    with pytest.raises(ConfigError, match="DEFAULT_LANGUAGE"):
        load_settings(_env_file=None, bot_token="123456:abc", default_language="fr")
