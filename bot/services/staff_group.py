"""Following the staff group to its new id when Telegram makes it a supergroup.

A basic group becomes a supergroup, with a new id, when its owner turns on Topics or another
supergroup-only setting. Telegram says so with a service message in both chats (Bot API:
``migrate_to_chat_id`` / ``migrate_from_chat_id``), and a call to the old id fails with the
new one (``ChatMigrated``). Either way the bot follows the staff group at once — handoff
alerts, conversations and staff commands go to the new id — and records the move, so a restart
on the old STAFF_CHAT_ID still follows it. Only the staff group is followed: another group's
move changes nothing.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.services.conversations import ForumFlag
from storage.database import Database
from storage.models import ChatMove, utcnow

log = logging.getLogger(__name__)


class StaffGroupMoves:
    """The staff group's moves: followed in memory at once, recorded in the database."""

    def __init__(self, settings: Settings, database: Database, forum: ForumFlag) -> None:
        self.settings = settings
        self.database = database
        self.forum = forum
        self._followed: dict[int, int] = {}  # old id → new id, this process

    async def follow(self, session: AsyncSession, old_id: int, new_id: int) -> bool:
        """Staff work in `new_id` from now on if `old_id` is the staff group (recorded in
        `session`, which the caller commits); False for any other group or a move already
        followed."""
        if old_id == new_id or self.settings.staff_chat_id != old_id:
            return False
        await session.merge(ChatMove(old_chat_id=old_id, new_chat_id=new_id, moved_at=utcnow()))
        self._move(old_id, new_id)
        return True

    async def __call__(self, old_id: int, new_id: int) -> bool:
        """Whether a call that bounced off `old_id` belongs in `new_id`, the staff group's new
        id (followed now, in a session of its own, if it was not yet)."""
        if self._followed.get(old_id) == new_id:
            return True
        async with self.database.sessions() as session:
            followed = await self.follow(session, old_id, new_id)
            await session.commit()
        return followed

    async def resume(self) -> None:
        """At start: follow the moves recorded from the configured STAFF_CHAT_ID."""
        configured = self.settings.staff_chat_id
        if configured is None:
            return
        async with self.database.sessions() as session:
            rows = await session.execute(select(ChatMove.old_chat_id, ChatMove.new_chat_id))
            moves = {old_id: new_id for old_id, new_id in rows.all()}
        current, seen = configured, {configured}
        while (following := moves.get(current)) is not None and following not in seen:
            self._move(current, following)
            current = following
            seen.add(current)

    def _move(self, old_id: int, new_id: int) -> None:
        self._followed[old_id] = new_id
        self.settings.staff_chat_id = new_id
        self.forum.value = None  # the new group may have topics: ask again
        log.warning(
            "The staff group %s is now the supergroup %s: the bot follows it; set "
            "STAFF_CHAT_ID=%s to say so in the configuration too",
            old_id,
            new_id,
            new_id,
        )
