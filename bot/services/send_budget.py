"""Telegram's overall sending limit (about 30 messages a second), shared by live replies and
broadcasts so that a broadcast never makes live conversations wait.

Live replies take their share at once; broadcast messages wait for a free slot, and every live
reply pushes the broadcast back by one slot.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

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
    """A schedule of sending slots at a fixed rate."""

    def __init__(self, per_second: float = 30.0) -> None:
        self.interval = 1.0 / per_second
        self._next = 0.0
        self._lock = asyncio.Lock()

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
