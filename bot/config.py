"""Configuration from environment variables or a ``.env`` file, validated at start."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.filing.booking import OfficeHours, OfficeHoursError
from bot.filing.catalogue import DEFAULT_CATALOGUE_PATH
from bot.filing.forms import SHIPPED_TEMPLATES, TemplateFolders
from bot.i18n import SUPPORTED_LANGUAGES, normalise_language
from bot.services.encryption import is_valid_key

TOKEN_PATTERN = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{1,128}$")
DEFAULT_FAQ_PATH = Path(__file__).with_name("knowledge") / "faq.toml"


class ConfigError(Exception):
    """The configuration is invalid; the message is safe to print (it never holds secrets)."""


class Settings(BaseSettings):
    """Everything the bot can be configured with. Field names are the variable names."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    bot_token: SecretStr
    data_dir: Path = Path("data")
    database_url: str = ""
    staff_chat_id: int | None = None
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    document_keys: Annotated[tuple[SecretStr, ...], NoDecode] = ()
    default_language: str = "en"

    bot_api_base_url: str = "https://api.telegram.org/bot"
    bot_api_file_url: str = "https://api.telegram.org/file/bot"
    bot_api_local_mode: bool = False

    webhook_url: str = ""
    webhook_secret: SecretStr = SecretStr("")
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    # Polling mode's GET /healthz (webhook mode answers it on the webhook's port). 0: off.
    health_listen: str = "127.0.0.1"
    health_port: int = Field(default=8080, ge=0, le=65535)

    agency_name: str = "REDSTAR Works"
    agency_email: str = ""
    agency_phone: str = ""
    agency_website: str = ""
    # The agency's prices as shown in the FAQ's {agency_prices}: lines separated by "|", shown
    # as written in every language (empty: clients are asked to request a quote).
    agency_prices: str = ""
    faq_path: Path = DEFAULT_FAQ_PATH
    application_path: Path = DEFAULT_CATALOGUE_PATH
    # The agency's own form templates (the data file's [[template]] files); a file missing
    # there is taken from the shipped defaults (bot/knowledge/templates).
    templates_dir: Path | None = None
    # The office clients visit for the verification photo (else the data file's [office]):
    # the address as written in every language, and "latitude,longitude" for the map.
    office_address: str = ""
    office_location: str = ""

    office_hours: str = "mon-fri 09:30-12:00,13:30-17:30"
    office_timezone: str = "Asia/Shanghai"
    booking_slot_minutes: int = Field(default=30, ge=5, le=240)
    booking_days_ahead: int = Field(default=14, ge=1, le=90)
    max_concurrent_images: int = Field(default=2, ge=1, le=16)
    messages_per_second: float = Field(default=30.0, gt=0, le=1000)
    group_messages_per_minute: int = Field(default=20, ge=1, le=1000)
    keep_documents_days_after_approval: int = Field(default=180, ge=1, le=3650)
    keep_abandoned_documents_days: int = Field(default=90, ge=1, le=3650)
    max_uploads_per_client: int = Field(default=200, ge=10, le=100_000)
    max_stored_mb_per_client: int = Field(default=300, ge=10, le=100_000)
    flood_limit: int = Field(default=20, ge=3, le=1000)
    flood_window_seconds: float = Field(default=10.0, gt=0, le=600)
    # An open conversation with staff closes by itself after this long without a message.
    conversation_quiet_minutes: int = Field(default=1440, ge=5, le=43_200)

    # Files not recorded in the database are removed at start once this old. None: at once on
    # SQLite (one process), after 15 minutes otherwise (another process may be mid-upload).
    orphaned_file_grace_minutes: int | None = Field(default=None, ge=0, le=10_080)

    max_concurrent_updates: int = Field(default=32, ge=1, le=1024)
    log_level: str = "INFO"

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        if not TOKEN_PATTERN.match(value.get_secret_value().strip()):
            raise ValueError(
                "does not look like a bot token (expected digits, a colon, then letters, "
                "e.g. 123456789:AA...); copy it again from @BotFather"
            )
        return SecretStr(value.get_secret_value().strip())

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(int(part) for part in re.split(r"[\s,]+", value) if part)
        return value

    @field_validator("document_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("document_keys")
    @classmethod
    def _fernet_keys(cls, value: tuple[SecretStr, ...]) -> tuple[SecretStr, ...]:
        if not all(is_valid_key(key.get_secret_value()) for key in value):
            raise ValueError(
                "must be Fernet keys (32 url-safe base64 bytes), separated by commas; create one "
                'with: python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())"'
            )
        return value

    @field_validator("default_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        language = normalise_language(value)
        if language is None:
            raise ValueError(f"must be one of {', '.join(SUPPORTED_LANGUAGES)}")
        return language

    @field_validator("bot_api_base_url", "bot_api_file_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/") if value.endswith("//") else value

    @field_validator("office_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("is not a known time zone (e.g. Asia/Shanghai)") from None
        return value

    @field_validator("office_location")
    @classmethod
    def _coordinates(cls, value: str) -> str:
        if value.strip() and parse_location(value) is None:
            raise ValueError("must be latitude,longitude in degrees, e.g. 31.2304,121.4737")
        return value.strip()

    @model_validator(mode="after")
    def _readable_office_hours(self) -> Settings:
        try:
            self.hours()
        except OfficeHoursError as error:
            raise ValueError(f"OFFICE_HOURS: {error}") from None
        return self

    def hours(self) -> OfficeHours:
        """The office's opening hours for booking visits."""
        return OfficeHours.parse(
            self.office_hours, self.booking_slot_minutes, self.office_timezone
        )

    def template_folders(self) -> TemplateFolders:
        """Where the forms clients sign are read from."""
        return TemplateFolders(self.templates_dir, SHIPPED_TEMPLATES)

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url:
            if not self.webhook_url.startswith("https://"):
                raise ValueError("WEBHOOK_URL must start with https://")
            secret = self.webhook_secret.get_secret_value()
            if not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", secret):
                raise ValueError(
                    "WEBHOOK_SECRET is required in webhook mode: 16-256 characters of "
                    "A-Z, a-z, 0-9, _ and -"
                )
        return self

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to an SQLite file under the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'icp_bot.sqlite3').resolve()}"

    @property
    def webhook_path(self) -> str:
        """The URL path the webhook server listens on (the path of WEBHOOK_URL)."""
        path = re.sub(r"^https://[^/]+", "", self.webhook_url).strip("/")
        return path or "telegram"


def parse_location(text: str) -> tuple[float, float] | None:
    """``"31.2304,121.4737"`` → (latitude, longitude); None when it is not a place."""
    match = re.fullmatch(r"\s*(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*", text)
    if match is None:
        return None
    latitude, longitude = float(match.group(1)), float(match.group(2))
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return latitude, longitude


def load_settings(**overrides: object) -> Settings:
    """Read and validate the settings, raising ConfigError with one readable line per problem."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise ConfigError(_describe(error)) from None


def _describe(error: ValidationError) -> str:
    problems = []
    for item in error.errors(include_input=False, include_url=False):
        name = "/".join(str(part).upper() for part in item["loc"])
        message = str(item["msg"]).removeprefix("Value error, ")
        if item["type"] == "missing" and name == "BOT_TOKEN":
            message = "is missing: create a bot with @BotFather and set BOT_TOKEN in .env"
        elif item["type"] == "missing":
            message = "is missing"
        problems.append(f"{name} {message}" if name else message)
    return "; ".join(problems)
