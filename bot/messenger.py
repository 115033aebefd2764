"""Speaking to Telegram from services and background jobs, behind a small interface.

Services and jobs never import ``telegram``: they are given a ``Messenger`` and use plain
``Button`` rows. ``bot.telegram_messenger.TelegramMessenger`` is the real one; tests pass a fake
that records what was said. Every real call first commits the current unit of work (the Bot API
request object does, ``bot.bot_api_request``), so nothing is said that is not stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Button:
    """An inline button: its label and its callback data (at most 64 bytes)."""

    text: str
    data: str


Keyboard = tuple[tuple[Button, ...], ...]


def keyboard(*rows: list[Button] | tuple[Button, ...]) -> Keyboard:
    """Rows of buttons as a ``Keyboard``."""
    return tuple(tuple(row) for row in rows)


class MessengerError(Exception):
    """Telegram did not do what was asked (one of the errors below)."""


class BlockedError(MessengerError):
    """The recipient blocked the bot or the chat is gone: do not try again."""


class RetryLaterError(MessengerError):
    """Telegram asked us to wait before sending again."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds:g} s")
        self.seconds = seconds


class UndeliveredError(MessengerError):
    """Telegram refused the message or could not be reached (the reason says which)."""


class UnreachableError(UndeliveredError):
    """Telegram could not be reached or did not answer: the same call may work later (and the
    first may have arrived after all)."""


class TopicGoneError(UndeliveredError):
    """The forum topic the message was meant for was deleted."""


class TopicClosedError(UndeliveredError):
    """The forum topic the message was meant for is closed."""


class Messenger(Protocol):
    """What services and jobs may ask of Telegram."""

    async def send(
        self,
        chat_id: int,
        text: str,
        buttons: Keyboard | None = None,
        *,
        topic: int | None = None,
        reply_to: int | None = None,
    ) -> int:
        """Send an HTML message; its message id."""
        ...

    async def send_place(
        self,
        chat_id: int,
        latitude: float,
        longitude: float,
        title: str,
        address: str | None = None,
    ) -> int:
        """Send a place on the map (a venue with its address when one is given); its id."""
        ...

    async def edit(
        self, chat_id: int, message_id: int, text: str, buttons: Keyboard | None = None
    ) -> None:
        """Replace a message's text and buttons."""
        ...

    async def edit_caption(self, chat_id: int, message_id: int, caption: str) -> None:
        """Replace a photo's or file's caption (HTML)."""
        ...

    async def copy(
        self,
        from_chat: int,
        message_id: int,
        to_chat: int,
        *,
        topic: int | None = None,
        reply_to: int | None = None,
    ) -> int:
        """Copy a message to another chat; the copy's message id."""
        ...

    async def create_topic(self, chat_id: int, name: str) -> int:
        """Open a forum topic; its thread id."""
        ...

    async def is_forum(self, chat_id: int) -> bool:
        """Whether a group has forum topics."""
        ...

    async def edit_topic(
        self, chat_id: int, topic: int, name: str, *, closed: bool | None = None
    ) -> None:
        """Rename a forum topic and, when ``closed`` is given, close or reopen it."""
        ...

    async def react(self, chat_id: int, message_id: int, emoji: str) -> None:
        """Put a quiet reaction on a message (no notification)."""
        ...

    async def send_album(
        self, chat_id: int, photos: list[tuple[bytes, str]], *, topic: int | None = None
    ) -> None:
        """Send up to 10 JPEG photos, each with its caption (HTML), as one album."""
        ...
