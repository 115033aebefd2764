"""Concurrent update processing that keeps each client's updates in order."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseUpdateProcessor

from bot.scope import UnitOfWork
from bot.services.flood import FloodDecision, FloodGuard

FloodNotice = Callable[[Update], Awaitable[None]]


class ClientOrderedProcessor(BaseUpdateProcessor):
    """Handles many clients at once, but one update at a time per client; a client who floods
    the bot is paused (their extra updates are dropped at once, so others never wait)."""

    def __init__(
        self,
        max_concurrent_updates: int,
        unit_of_work: UnitOfWork,
        flood: FloodGuard | None = None,
        on_flood: FloodNotice | None = None,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self.unit_of_work = unit_of_work
        self.flood = flood
        self.on_flood = on_flood
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the client's previous update, then run this one in a unit of work."""
        key = ordering_key(update)
        if self.flood is not None and key is not None and _from_private_chat(update):
            verdict = self.flood.check(key)
            if verdict is not FloodDecision.HANDLE:
                if inspect.iscoroutine(coroutine):
                    coroutine.close()
                if verdict is FloodDecision.PAUSE_NOTICE and self.on_flood is not None:
                    assert isinstance(update, Update)
                    await self.on_flood(update)
                return
        async with self._turn_of(key):
            if key is None:
                await self.unit_of_work.run(update, coroutine)
                return
            # Other bot processes sharing the database wait for this client's update too; the
            # update's session works on the lock's connection (one connection per update).
            async with self.unit_of_work.database.exclusive(key) as connection:
                await self.unit_of_work.run(update, coroutine, connection)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    @asynccontextmanager
    async def _turn_of(self, key: int | None) -> AsyncIterator[None]:
        if key is None:
            yield
            return
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


def _from_private_chat(update: object) -> bool:
    return (
        isinstance(update, Update)
        and update.effective_chat is not None
        and update.effective_chat.type == ChatType.PRIVATE
    )


def ordering_key(update: object) -> int | None:
    """Updates with the same key are handled in arrival order: per user, else per chat."""
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    if update.effective_chat is not None:
        return update.effective_chat.id
    return None
