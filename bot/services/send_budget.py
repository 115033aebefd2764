"""Telegram's sending limits, shared by live replies and broadcasts.

- Overall, about 30 messages a second: live replies take their share at once; broadcast
  messages wait for a free slot, and every live reply pushes the broadcast back by one slot, so
  a broadcast never makes live conversations wait.
- In a group (the staff group), about 20 messages a minute (PTB's ``FloodLimit`` and
  ``AIORateLimiter`` use the same figure): a message to a group that already had its 20 in the
  last minute waits for the oldest to leave the window – it is delayed, never dropped, and
  messages to one group keep their order. Private chats are not held back by this.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

GROUP_WINDOW_SECONDS = 60.0

BULK: ContextVar[bool] = ContextVar("bulk_sending", default=False)


@contextmanager
def sending_in_bulk(bulk: bool = True) -> Iterator[None]:
    """Within the block, messages count as broadcast (``bulk``) or as live replies."""
    token = BULK.set(bulk)
    try:
        yield
    finally:
        BULK.reset(token)


class SendBudget:
    """A schedule of sending slots at a fixed rate, and a window per group chat."""

    def __init__(
        self,
        per_second: float = 30.0,
        group_per_minute: int = 20,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = 1.0 / per_second
        self.group_per_minute = group_per_minute
        self._next = 0.0
        self._lock = asyncio.Lock()
        self._clock = clock
        self._sleep = sleep
        self._group_sent: dict[int, deque[float]] = {}
        self._group_locks: dict[int, asyncio.Lock] = {}

    def spend_now(self) -> None:
        """A live message: sent immediately; later broadcast slots move back."""
        now = time.monotonic()
        self._next = max(self._next, now) + self.interval

    async def wait_turn(self) -> None:
        """A broadcast message: wait for the next free slot."""
        async with self._lock:
            now = time.monotonic()
            start = max(self._next, now)
            self._next = start + self.interval
        delay = start - now
        if delay > 0:
            await asyncio.sleep(delay)

    async def wait_for_group(self, chat_id: int) -> None:
        """A message to a group: wait until the group's last minute has room for it."""
        lock = self._group_locks.setdefault(chat_id, asyncio.Lock())
        async with lock:  # one group's messages leave in the order they asked
            sent = self._group_sent.setdefault(chat_id, deque())
            while True:
                now = self._clock()
                while sent and now - sent[0] >= GROUP_WINDOW_SECONDS:
                    sent.popleft()
                if len(sent) < self.group_per_minute:
                    break
                await self._sleep(sent[0] + GROUP_WINDOW_SECONDS - now)
            sent.append(now)
