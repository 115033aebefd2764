"""The unit of work around each update: one database session, the client, their language.

``UnitOfWork.run`` wraps the processing of one update: it skips updates already handled,
records the client, picks the reply language, runs the handlers, then commits (or rolls back
when a handler failed).

Handlers commit before each Bot API call, so an update's effects may be stored in several
commits. The update is marked as handled in the first commit that stores any of them: a crash
after it cannot make a redelivered update repeat them, and a crash before it leaves nothing
behind, so the redelivered update is simply handled again.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session
from telegram import Update
from telegram.constants import ChatType

from bot.i18n import Catalogs, Translator
from bot.services.clients import ClientService, TelegramPerson
from storage.database import Database
from storage.models import Client, ProcessedUpdate, utcnow
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
_background_session: ContextVar[AsyncSession | None] = ContextVar(
    "background_session", default=None
)


def current_scope() -> UpdateScope:
    """The scope of the update being handled."""
    scope = _current_scope.get()
    if scope is None:
        raise RuntimeError("no update is being handled in this task")
    return scope


def maybe_current_scope() -> UpdateScope | None:
    """The scope of the update being handled, if any."""
    return _current_scope.get()


def session_to_commit() -> AsyncSession | None:
    """The session whose work must be stored before the bot speaks: the background task's, else
    the update's (none when the update's handler failed: that work is rolled back)."""
    background = _background_session.get()
    if background is not None:
        return background
    scope = _current_scope.get()
    return None if scope is None or scope.failed else scope.session


@asynccontextmanager
async def background_session(database: Database) -> AsyncIterator[AsyncSession]:
    """A session for work outside an update (jobs, broadcasts). Like an update's, it is
    committed before each Bot API call, so no transaction waits for Telegram."""
    async with database.sessions() as session:
        background = _background_session.set(session)
        update = _current_scope.set(None)  # a task started by an update is not that update
        try:
            yield session
        finally:
            _current_scope.reset(update)
            _background_session.reset(background)


class UnitOfWork:
    """Runs one update's handlers inside a database session."""

    def __init__(self, database: Database, catalogs: Catalogs) -> None:
        self.database = database
        self.catalogs = catalogs

    async def run(
        self, update: object, handlers: Awaitable[Any], connection: AsyncConnection | None = None
    ) -> None:
        """Process one update exactly once (on ``connection`` when given, else on one from the
        pool)."""
        if not isinstance(update, Update):
            await handlers
            return
        sessions = self.database.sessions
        async with sessions(bind=connection) if connection is not None else sessions() as session:
            processed = ProcessedUpdateRepository(session)
            if await processed.seen(update.update_id):
                log.info("Update %s was already handled; skipping it", update.update_id)
                if inspect.iscoroutine(handlers):
                    handlers.close()
                return
            client = await _record_client(session, update)
            language = ClientService.language_of(client, self.catalogs.default)
            scope = UpdateScope(session, self.catalogs.get(language), client)
            if _has_changes(session):  # kept even if a handler fails below
                await session.commit()
            session.info[_UNMARKED_UPDATE] = update.update_id
            token = _current_scope.set(scope)
            try:
                await handlers
            finally:
                _current_scope.reset(token)
            if scope.failed:
                await session.rollback()
            if session.info.pop(_UNMARKED_UPDATE, None) is not None:  # nothing stored so far
                await processed.mark(update.update_id)
                await session.commit()


_UNMARKED_UPDATE = "unmarked_update"  # session.info: the update id, until marked as handled
_WROTE = "wrote"  # session.info: the transaction flushed changes or ran INSERT/UPDATE/DELETE
_MARKING = "marking"  # session.info: the update id whose mark the committing transaction holds


@event.listens_for(Session, "do_orm_execute")
def _note_writes(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


def _has_changes(session: Session | AsyncSession) -> bool:
    """Whether the current transaction wrote, or is about to write, anything."""
    return bool(session.info.get(_WROTE) or session.new or session.dirty or session.deleted)


@event.listens_for(Session, "after_flush")
def _note_flushed_changes(session: Session, _flush_context: object) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "before_commit")
def _mark_with_first_effects(session: Session) -> None:
    """Store the "handled" mark in the same transaction as the update's first effects."""
    update_id = session.info.get(_UNMARKED_UPDATE)
    if update_id is not None and _has_changes(session):
        session.add(ProcessedUpdate(update_id=update_id, processed_at=utcnow()))
        session.info[_UNMARKED_UPDATE] = None
        session.info[_MARKING] = update_id


@event.listens_for(Session, "after_commit")
def _marked(session: Session) -> None:
    session.info.pop(_MARKING, None)
    session.info.pop(_WROTE, None)  # set again by the flush inside this very commit


@event.listens_for(Session, "after_rollback")
def _not_marked(session: Session) -> None:
    """A rolled-back transaction stored neither the effects nor the mark."""
    session.info.pop(_WROTE, None)
    marking = session.info.pop(_MARKING, None)
    if marking is not None:
        session.info[_UNMARKED_UPDATE] = marking


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
