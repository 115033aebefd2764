"""A ``Messenger`` for testing services and jobs without Telegram: it records what was said,
fails for the chats it is told to, and notes calls made with work left uncommitted."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.messenger import BlockedError, Keyboard, MessengerError
from bot.scope import uncommitted_work


@dataclass(frozen=True)
class Said:
    """One message sent, or edited."""

    chat_id: int
    text: str
    buttons: Keyboard | None = None
    message_id: int = 0


class FakeMessenger:
    """Records sends and edits; ``block`` and ``fail`` make chosen chats fail."""

    def __init__(self) -> None:
        self.sent: list[Said] = []
        self.edits: list[Said] = []
        self.places: list[tuple[int, float, float, str, str | None]] = []
        self.attempts: list[int] = []  # the chat of every send, failed ones included
        self.uncommitted_calls: list[str] = []
        self.before_send: Callable[[int], Awaitable[None]] | None = None
        self._blocked: set[int] = set()
        self._failures: dict[int, list[MessengerError]] = {}
        self._message_ids = itertools.count(1000)
        self.topics: list[tuple[int, str, bool | None]] = []
        self.reactions: list[tuple[int, int, str]] = []
        self.albums: list[tuple[int, list[str]]] = []

    def block(self, chat_id: int) -> None:
        """The chat blocked the bot: every send to it raises ``BlockedError``."""
        self._blocked.add(chat_id)

    def fail(self, chat_id: int, *errors: MessengerError) -> None:
        """The next sends to the chat raise these errors, one each, in order."""
        self._failures.setdefault(chat_id, []).extend(errors)

    def texts_to(self, chat_id: int) -> list[str]:
        """What was sent to a chat."""
        return [said.text for said in self.sent if said.chat_id == chat_id]

    async def send(
        self,
        chat_id: int,
        text: str,
        buttons: Keyboard | None = None,
        *,
        topic: int | None = None,
        reply_to: int | None = None,
    ) -> int:
        """Record the message (or raise what the chat was told to raise)."""
        self._check_committed("send")
        self.attempts.append(chat_id)
        if self.before_send is not None:
            await self.before_send(chat_id)
        if chat_id in self._blocked:
            raise BlockedError("Forbidden: bot was blocked by the user")
        if self._failures.get(chat_id):
            raise self._failures[chat_id].pop(0)
        said = Said(chat_id, text, buttons, next(self._message_ids))
        self.sent.append(said)
        return said.message_id

    async def send_place(
        self,
        chat_id: int,
        latitude: float,
        longitude: float,
        title: str,
        address: str | None = None,
    ) -> int:
        """Record the place."""
        self._check_committed("send_place")
        self.places.append((chat_id, latitude, longitude, title, address))
        return next(self._message_ids)

    async def edit(
        self, chat_id: int, message_id: int, text: str, buttons: Keyboard | None = None
    ) -> None:
        """Record the edit."""
        self._check_committed("edit")
        self.edits.append(Said(chat_id, text, buttons, message_id))

    async def edit_caption(self, chat_id: int, message_id: int, caption: str) -> None:
        """Record the edit of a caption."""
        self._check_committed("edit_caption")
        self.edits.append(Said(chat_id, caption, None, message_id))

    async def copy(
        self,
        from_chat: int,
        message_id: int,
        to_chat: int,
        *,
        topic: int | None = None,
        reply_to: int | None = None,
    ) -> int:
        """Record the copy as a message to ``to_chat``."""
        return await self.send(to_chat, f"copy of {from_chat}/{message_id}")

    async def create_topic(self, chat_id: int, name: str) -> int:
        """A new topic id."""
        self._check_committed("create_topic")
        return next(self._message_ids)

    async def is_forum(self, chat_id: int) -> bool:
        """Every group is a forum here."""
        return True

    async def edit_topic(
        self, chat_id: int, topic: int, name: str, *, closed: bool | None = None
    ) -> None:
        """Record the topic's new name and state."""
        self._check_committed("edit_topic")
        self.topics.append((topic, name, closed))

    async def react(self, chat_id: int, message_id: int, emoji: str) -> None:
        """Record the reaction."""
        self._check_committed("react")
        self.reactions.append((chat_id, message_id, emoji))

    async def send_album(
        self, chat_id: int, photos: list[tuple[bytes, str]], *, topic: int | None = None
    ) -> None:
        """Record the album's captions."""
        self._check_committed("send_album")
        self.albums.append((chat_id, [caption for _data, caption in photos]))

    def _check_committed(self, call: str) -> None:
        if uncommitted_work():
            self.uncommitted_calls.append(call)
