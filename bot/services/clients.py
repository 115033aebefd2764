"""Clients: recording who talks to the bot, their language and whether they blocked it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import language_for_telegram_code
from storage.models import Client, FilingApplication, SupportConversation, as_utc, utcnow
from storage.repositories import ClientRepository, ProcessedUpdateRepository

LAST_SEEN_PRECISION = timedelta(minutes=1)  # a write per minute of activity, not per message
RETURNING_AFTER = timedelta(hours=1)  # greeted as returning once they first wrote this long ago


@dataclass(frozen=True)
class TelegramPerson:
    """What Telegram tells us about a user."""

    telegram_id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None


def language_of(client: Client | None, default: str) -> str:
    """The client's chosen language, else the one their Telegram app uses."""
    if client is None:
        return default
    return client.language or language_for_telegram_code(client.telegram_language, default)


def is_returning(client: Client, now: datetime | None = None) -> bool:
    """Whether the client first wrote to us long enough ago to be welcomed back."""
    return (now or utcnow()) - as_utc(client.first_seen_at) > RETURNING_AFTER


@dataclass(frozen=True)
class Arrival:
    """Who sent an update and what they have open, as read when it arrived."""

    client: Client | None = None
    seen: bool = False  # the update was handled before
    conversation: SupportConversation | None = None  # with staff, open or closed
    latest_application: FilingApplication | None = None


class ClientService:
    """Creates and updates client records."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.clients = ClientRepository(session)

    async def arrive(self, person: TelegramPerson, update_id: int) -> Arrival:
        """The client behind an update (recorded on first contact, names refreshed) and what
        they have open; one statement for a known client."""
        known = await self.clients.with_situation(person.telegram_id, update_id)
        if known is None:
            seen = await ProcessedUpdateRepository(self.session).seen(update_id)
            return Arrival(None if seen else await self.touch(person), seen)
        client, conversation, application, seen = known
        if not seen:
            self._refresh(client, person)
        return Arrival(client, seen, conversation, application)

    async def touch(self, person: TelegramPerson) -> Client:
        """Create the client on first contact, else refresh their names and last-seen time."""
        client = await self.clients.by_telegram_id(person.telegram_id)
        now = utcnow()
        if client is None:
            return await self.clients.add(
                Client(
                    telegram_id=person.telegram_id,
                    first_name=person.first_name[:128],
                    last_name=(person.last_name or None) and person.last_name[:128],
                    username=person.username,
                    telegram_language=person.language_code,
                    first_seen_at=now,
                    last_seen_at=now,
                )
            )
        self._refresh(client, person)
        return client

    @staticmethod
    def _refresh(client: Client, person: TelegramPerson) -> None:
        """Update the names Telegram gave and the last-seen time (only what changed)."""
        now = utcnow()
        fresh: dict[str, object] = {
            "first_name": person.first_name[:128],
            "last_name": (person.last_name or None) and person.last_name[:128],
            "username": person.username,
            "telegram_language": person.language_code or client.telegram_language,
        }
        if now - as_utc(client.last_seen_at) >= LAST_SEEN_PRECISION:
            fresh["last_seen_at"] = now
        for name, value in fresh.items():
            if getattr(client, name) != value:  # untouched attributes are not written
                setattr(client, name, value)

    @staticmethod
    def choose_language(client: Client, language: str) -> None:
        """Remember the language the client picked."""
        client.language = language

    @staticmethod
    def mark_blocked(client: Client, blocked: bool) -> None:
        """Record that the client blocked (or unblocked) the bot."""
        if blocked and not client.blocked_bot:
            client.blocked_at = utcnow()
        client.blocked_bot = blocked
