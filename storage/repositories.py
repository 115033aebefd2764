"""Repositories: the queries the services need, one class per aggregate."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, exists, func, insert, select
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

from storage.models import (
    Base,
    Client,
    FilingApplication,
    ProcessedUpdate,
    Question,
    SupportConversation,
    UnsentReply,
    utcnow,
)

# The statements of every update, built once: a statement object caches its compiled form.
_SEEN = exists().where(ProcessedUpdate.update_id == bindparam("update_id"))
_LATEST_APPLICATION = (
    select(func.max(FilingApplication.id))
    .where(FilingApplication.client_id == Client.id)
    .correlate(Client)
    .scalar_subquery()
)
_CLIENT_WITH_SITUATION = (
    select(Client, SupportConversation, FilingApplication, _SEEN)
    .outerjoin(SupportConversation, SupportConversation.client_id == Client.id)
    .outerjoin(FilingApplication, FilingApplication.id == _LATEST_APPLICATION)
    .where(Client.telegram_id == bindparam("telegram_id"))
)
_WAS_SEEN = select(_SEEN)
_MARK = insert(Base.metadata.tables[ProcessedUpdate.__tablename__])
_UNSENT = Base.metadata.tables[UnsentReply.__tablename__]
_JOURNAL = insert(_UNSENT).returning(_UNSENT.c.id)
_ANSWERED = delete(_UNSENT).where(_UNSENT.c.id.in_(bindparam("ids", expanding=True)))
_ADD_QUESTION = insert(Base.metadata.tables[Question.__tablename__]).returning(
    Base.metadata.tables[Question.__tablename__].c.id
)


async def changed_rows(session: AsyncSession, statement: Executable) -> int:
    """Run an UPDATE or DELETE; how many rows it changed."""
    result = await session.execute(statement)
    assert isinstance(result, CursorResult), "only data-changing statements report rows"
    return result.rowcount


class ClientRepository:
    """Clients by Telegram id."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_telegram_id(self, telegram_id: int) -> Client | None:
        """The client with this Telegram user id, if known."""
        result = await self.session.execute(
            select(Client).where(Client.telegram_id == telegram_id)
        )
        return result.scalar_one_or_none()

    async def with_situation(
        self, telegram_id: int, update_id: int
    ) -> tuple[Client, SupportConversation | None, FilingApplication | None, bool] | None:
        """In one statement: the client, their conversation with staff, their latest
        application, and whether this update was handled before; None for an unknown client."""
        parameters = {"telegram_id": telegram_id, "update_id": update_id}
        row = (await self.session.execute(_CLIENT_WITH_SITUATION, parameters)).one_or_none()
        if row is None:
            return None
        client, conversation, application, was_seen = row
        return client, conversation, application, bool(was_seen)

    async def add(self, client: Client) -> Client:
        """Store a new client."""
        self.session.add(client)
        await self.session.flush()
        return client


class QuestionRepository:
    """Questions clients asked."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(
        self,
        client_id: int,
        text: str,
        language: str,
        outcome: str,
        entry_id: str | None,
        score: float,
    ) -> int:
        """Store a question (one INSERT, no unit-of-work flush); its id."""
        row = {
            "client_id": client_id,
            "text": text,
            "language": language,
            "outcome": outcome,
            "entry_id": entry_id,
            "score": score,
            "asked_at": utcnow(),
        }
        question_id = await self.session.scalar(_ADD_QUESTION, row)
        assert question_id is not None
        return int(question_id)

    async def of_client(self, question_id: int, client_id: int) -> Question | None:
        """The question with this id, only if it belongs to this client."""
        result = await self.session.execute(
            select(Question).where(Question.id == question_id, Question.client_id == client_id)
        )
        return result.scalar_one_or_none()

    async def latest_of_client(self, client_id: int) -> Question | None:
        """The client's most recent question."""
        result = await self.session.execute(
            select(Question)
            .where(Question.client_id == client_id)
            .order_by(Question.asked_at.desc(), Question.id.desc())
            .limit(1)
        )
        return result.scalar_one_or_none()


class ProcessedUpdateRepository:
    """Which Telegram updates were already handled."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def seen(self, update_id: int) -> bool:
        """Whether this update id was handled before."""
        return bool(await self.session.scalar(_WAS_SEEN, {"update_id": update_id}))

    async def mark(self, update_id: int, when: datetime | None = None) -> None:
        """Record the update id as handled."""
        await self.session.execute(
            _MARK, {"update_id": update_id, "processed_at": when or utcnow()}
        )

    async def prune(self, older_than: datetime) -> None:
        """Forget update ids handled before a moment Telegram no longer redelivers from."""
        await self.session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < older_than)
        )


class UnsentReplyRepository:
    """Bot API calls journaled before they are made (``bot.scope``).

    Journal entries are written on the session's connection, past the ORM, so that the session
    does not count them as the update's own effects (``storage.tracking``)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, update_id: int, method: str, parameters: str) -> int:
        """Journal a call about to be made; its entry's id."""
        connection = await self.session.connection()
        result = await connection.execute(
            _JOURNAL,
            {
                "update_id": update_id,
                "method": method,
                "parameters": parameters,
                "created_at": utcnow(),
            },
        )
        return int(result.scalar_one())

    async def remove(self, ids: list[int]) -> None:
        """Forget calls Telegram has answered."""
        connection = await self.session.connection()
        await connection.execute(_ANSWERED, {"ids": ids})

    async def of_update(self, update_id: int) -> list[UnsentReply]:
        """The calls of an update that Telegram never answered, in the order they were made."""
        found = await self.session.scalars(
            select(UnsentReply).where(UnsentReply.update_id == update_id).order_by(UnsentReply.id)
        )
        return list(found)

    async def prune(self, older_than: datetime) -> None:
        """Forget calls of updates Telegram no longer delivers again."""
        await self.session.execute(delete(UnsentReply).where(UnsentReply.created_at < older_than))
