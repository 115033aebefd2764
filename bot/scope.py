"""The unit of work around each update: one database session, the client, their language.

``UnitOfWork.run`` wraps the processing of one update: it skips updates already handled,
records the client, picks the reply language, runs the handlers, then commits (or rolls back
when a handler failed) and marks the update as handled in the same transaction.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.constants import ChatType

from bot.i18n import Catalogs, Translator
from bot.services.clients import ClientService, TelegramPerson
from storage.database import Database
from storage.models import Client
from storage.repositories import ProcessedUpdateRepository

log = logging.getLogger(__name__)


@dataclass
class UpdateScope:
    """What handlers of one update share."""

    session: AsyncSession
    i18n: Translator
    client: Client | None = None
    failed: bool = False


_current_scope: ContextVar[UpdateScope | None] = ContextVar("update_scope", default=None)


def current_scope() -> UpdateScope:
    """The scope of the update being handled."""
    scope = _current_scope.get()
    if scope is None:
        raise RuntimeError("no update is being handled in this task")
    return scope


def maybe_current_scope() -> UpdateScope | None:
    """The scope of the update being handled, if any."""
    return _current_scope.get()


class UnitOfWork:
    """Runs one update's handlers inside a database session."""

    def __init__(self, database: Database, catalogs: Catalogs) -> None:
        self.database = database
        self.catalogs = catalogs

    async def run(self, update: object, handlers: Awaitable[Any]) -> None:
        """Process one update exactly once."""
        if not isinstance(update, Update):
            await handlers
            return
        async with self.database.sessions() as session:
            processed = ProcessedUpdateRepository(session)
            if await processed.seen(update.update_id):
                log.info("Update %s was already handled; skipping it", update.update_id)
                if inspect.iscoroutine(handlers):
                    handlers.close()
                return
            client = await _record_client(session, update)
            language = ClientService.language_of(client, self.catalogs.default)
            scope = UpdateScope(session, self.catalogs.get(language), client)
            await session.commit()
            token = _current_scope.set(scope)
            try:
                await handlers
            finally:
                _current_scope.reset(token)
            if scope.failed:
                await session.rollback()
            await processed.mark(update.update_id)
            await session.commit()


async def _record_client(session: AsyncSession, update: Update) -> Client | None:
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or user.is_bot or chat.type != ChatType.PRIVATE:
        return None
    person = TelegramPerson(
        telegram_id=user.id,
        first_name=user.first_name,
        last_name=user.last_name,
        username=user.username,
        language_code=user.language_code,
    )
    return await ClientService(session).touch(person)
