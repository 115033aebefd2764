"""A ``Messenger`` for service tests: records what was sent, or fails the way it is told to."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.messenger import Keyboard


@dataclass(frozen=True)
class Sent:
    """One message a service sent."""

    chat_id: int
    text: str
    buttons: Keyboard | None


async def _nothing() -> None:
    return None


@dataclass
class FakeMessenger:
    """Commits the unit of work first, as the real one does, then records the send (or raises
    ``failure`` when set)."""

    commit: Callable[[], Awaitable[None]] = _nothing
    failure: Exception | None = None
    sent: list[Sent] = field(default_factory=list)

    async def send(
        self,
        chat_id: int,
        text: str,
        buttons: Keyboard | None = None,
        *,
        topic: int | None = None,
        reply_to: int | None = None,
    ) -> int:
        """Commit, then record the message (or fail); its message id."""
        await self.commit()
        if self.failure is not None:
            raise self.failure
        self.sent.append(Sent(chat_id, text, buttons))
        return len(self.sent)

    async def edit(
        self, chat_id: int, message_id: int, text: str, buttons: Keyboard | None = None
    ) -> None:
        """Editing is not used by these tests."""
        raise NotImplementedError

    async def copy(
        self,
        from_chat: int,
        message_id: int,
        to_chat: int,
        *,
        topic: int | None = None,
        reply_to: int | None = None,
    ) -> int:
        """Copying is not used by these tests."""
        raise NotImplementedError

    async def create_topic(self, chat_id: int, name: str) -> int:
        """Topics are not used by these tests."""
        raise NotImplementedError

    async def is_forum(self, chat_id: int) -> bool:
        """A plain group."""
        return False
