"""The unit of work around each update: one database session, the client, their language.

``UnitOfWork.run`` wraps the processing of one update: it skips updates already handled,
records the client, picks the reply language and runs the handlers.

**Commit before speaking.** Whatever tells a client or staff member something first stores it:
the Bot API request object (``bot.bot_api_request``) commits the current unit of work before
every call, and so do the background jobs. The update's first commit that stores any of its
effects also stores its "handled" mark, in the same transaction (``storage.tracking`` tells a
transaction that wrote from one that only read): a crash after it cannot make a redelivered
update repeat its effects, and a crash before it leaves nothing behind, so the redelivered
update is simply handled again. No transaction stays open while the bot waits for Telegram.

**Handled elsewhere.** If another process marked the same update first (two bots wrongly
sharing one SQLite file, or a redelivery racing the first delivery), the mark's insert clashes:
this process's work is dropped and it says nothing more (``HandledElsewhereError``), since the
other one has stored and answered it.

**Journal before speaking.** Once the update is marked, the commit before a call that says
something also journals that call (``bot.unsent_replies``), and Telegram's answer removes it
again: a crash while Telegram answers leaves the call in the journal, and the redelivered update,
skipped as handled, makes it again. So no client is left without the reply to what was stored.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from telegram import Update
from telegram.constants import ChatType

from bot.i18n import Translations, Translator
from bot.services.clients import Arrival, ClientService, TelegramPerson, language_of
from bot.unsent_replies import send_again
from storage.database import Database
from storage.models import Client
from storage.repositories import ProcessedUpdateRepository, UnsentReplyRepository
from storage.tracking import has_writes

log = logging.getLogger(__name__)


class HandledElsewhereError(Exception):
    """Another process marked this update as handled first: this one's work is dropped."""


@dataclass
class UpdateScope:
    """What the handlers of one update share."""

    session: AsyncSession
    i18n: Translator
    update_id: int
    arrival: Arrival = field(default_factory=Arrival)
    failed: bool = False
    marked: bool = False
    superseded: bool = False  # another process handled the update (``HandledElsewhereError``)
    answered: list[int] = field(default_factory=list)  # journaled calls Telegram has answered

    @property
    def client(self) -> Client | None:
        """The client who sent the update (private chats only)."""
        return self.arrival.client

    def forget_client(self) -> None:
        """The client's records were deleted: nothing of theirs may be written again."""
        self.arrival = Arrival()

    async def commit(self, call: tuple[str, str] | None = None) -> int | None:
        """Store the update's work so far. The first commit that stores any of it also marks
        the update as handled; one after reads only just ends the transaction.

        ``call`` (method, parameters as JSON): a call about to tell someone something, journaled
        in this commit once the update is marked; the journal entry's id.

        Raises ``HandledElsewhereError`` (now and at every later commit, so that nothing more is
        said) when another process marked the update first."""
        if self.superseded:
            raise HandledElsewhereError(self.update_id)
        if self.failed:  # the handler's work was rolled back; the mark comes at the end
            return None
        marking = not self.marked and has_writes(self.session)
        if marking:
            await self._claim()
        journal = UnsentReplyRepository(self.session)
        if self.answered:
            await journal.remove(self.answered)
        entry = None
        if call is not None and (self.marked or marking):
            entry = await journal.add(self.update_id, *call)
        await self.session.commit()
        self.answered = []
        self.marked = self.marked or marking
        return entry

    async def _claim(self) -> None:
        """Insert the update's mark, or give the update up if another process has it."""
        try:
            await ProcessedUpdateRepository(self.session).mark(self.update_id)
        except IntegrityError:
            await self.session.rollback()
            if not await ProcessedUpdateRepository(self.session).seen(self.update_id):
                raise  # a clash in the update's own work, not over its mark
            self.superseded = self.failed = True
            log.info("Update %s was handled by another process; dropping it", self.update_id)
            raise HandledElsewhereError(self.update_id) from None

    async def _mark(self) -> None:
        await self._claim()
        await self.session.commit()
        self.marked = True

    async def rollback(self) -> None:
        """Drop the work not yet committed (a handler failed)."""
        self.failed = True
        await self.session.rollback()

    async def finish(self) -> None:
        """At the end of the update: store what is left and make sure it is marked handled."""
        if self.superseded:
            return
        self.failed = False  # any failed work is gone by now; what remains is to be stored
        with suppress(HandledElsewhereError):  # the other process has stored and answered it
            await self.commit()
            if not self.marked:
                await self._mark()


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


async def commit_work() -> None:
    """Commit the current unit of work — the background task's session, else the update's —
    before a wait (a download, a long check). The Bot API request object commits before every
    call itself (``commit_before_call``)."""
    await commit_before_call(None)


async def commit_before_call(call: tuple[str, str] | None) -> int | None:
    """Commit the current unit of work before a Bot API call (see the module docstring).
    ``call``: (method, parameters as JSON) of a call that tells someone something, journaled
    with an update's work; the journal entry's id."""
    background = _background_session.get()
    if background is not None:
        await background.commit()
        return None
    scope = _current_scope.get()
    if scope is not None:
        return await scope.commit(call)
    return None


def call_answered(entry: int | None) -> None:
    """Telegram answered a journaled call: its entry goes with the update's next commit."""
    scope = _current_scope.get()
    if entry is not None and scope is not None:
        scope.answered.append(entry)


def uncommitted_work() -> bool:
    """Whether the current unit of work has a transaction open (it should not, mid-call)."""
    background = _background_session.get()
    if background is not None:
        return background.in_transaction()
    scope = _current_scope.get()
    return scope is not None and not scope.failed and scope.session.in_transaction()


@asynccontextmanager
async def background_session(database: Database) -> AsyncIterator[AsyncSession]:
    """A session for work outside an update (jobs, broadcasts); commit it before each Bot API
    call, as updates do."""
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

    def __init__(self, database: Database, translations: Translations) -> None:
        self.database = database
        self.translations = translations

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
            arrival = await _arrival(session, update)
            if arrival.seen:
                log.info("Update %s was already handled; skipping it", update.update_id)
                if inspect.iscoroutine(handlers):
                    handlers.close()
                await send_again(session, update.get_bot(), update.update_id)
                return
            if has_writes(session):  # a new or refreshed client record: stored on its own, so it
                await session.commit()  # stays if a handler fails and never carries the mark
            language = language_of(arrival.client, self.translations.default)
            scope = UpdateScope(
                session, self.translations.get(language), update.update_id, arrival
            )
            token = _current_scope.set(scope)
            try:
                await handlers
            finally:
                _current_scope.reset(token)
            await scope.finish()


async def _arrival(session: AsyncSession, update: Update) -> Arrival:
    """Whether the update was handled before and, in a private chat, who sent it and what they
    have open — read in one statement for a known client."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or user.is_bot or chat.type != ChatType.PRIVATE:
        return Arrival(seen=await ProcessedUpdateRepository(session).seen(update.update_id))
    person = TelegramPerson(
        telegram_id=user.id,
        first_name=user.first_name,
        last_name=user.last_name,
        username=user.username,
        language_code=user.language_code,
    )
    return await ClientService(session).arrive(person, update.update_id)
