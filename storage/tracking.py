"""A session that knows whether its current transaction has written anything.

The update's unit of work (``bot.scope``) stores the update's "handled" mark in the first commit
that stores any of its effects; a commit that only ends a read-only transaction (to free the
connection before a download, say) must not carry the mark, or a crash right after it would
make Telegram's redelivery of the update look already handled.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session


class TrackingSession(Session):
    """``wrote`` is true once the transaction flushed changes or ran INSERT/UPDATE/DELETE."""

    wrote: bool = False


def has_writes(session: AsyncSession) -> bool:
    """Whether the session's transaction wrote, or is about to write, anything."""
    sync = session.sync_session
    pending = bool(sync.new or sync.dirty or sync.deleted)
    return pending or bool(getattr(sync, "wrote", False))


@event.listens_for(TrackingSession, "after_flush")
def _flushed(session: Session, _context: object) -> None:
    if isinstance(session, TrackingSession):
        session.wrote = True


@event.listens_for(TrackingSession, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if (state.is_insert or state.is_update or state.is_delete) and isinstance(
        state.session, TrackingSession
    ):
        state.session.wrote = True


@event.listens_for(TrackingSession, "after_transaction_end")
def _ended(session: Session, transaction: object) -> None:
    if isinstance(session, TrackingSession) and not session.in_transaction():
        session.wrote = False
