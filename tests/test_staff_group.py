"""Following the staff group to its new id (bot.services.staff_group), without Telegram."""

from __future__ import annotations

from collections.abc import Callable

from bot.config import Settings
from bot.services.conversations import ForumFlag
from bot.services.staff_group import StaffGroupMoves
from storage.database import Database
from tests.conftest import STAFF_CHAT_ID

MOVED, MOVED_AGAIN = -1009990011, -1009990012


async def test_moves_are_followed_after_a_restart_even_twice_over(
    make_settings: Callable[..., Settings], database: Database
) -> None:
    forum = ForumFlag(value=False)
    first = StaffGroupMoves(make_settings(), database, forum)
    assert await first(STAFF_CHAT_ID, MOVED)
    assert first.settings.staff_chat_id == MOVED
    assert forum.value is None, "the new group may have topics: asked again"
    assert await first(STAFF_CHAT_ID, MOVED), "a later call to the old id still follows"
    assert await first(MOVED, MOVED_AGAIN)

    restarted = StaffGroupMoves(make_settings(), database, ForumFlag())
    assert restarted.settings.staff_chat_id == STAFF_CHAT_ID
    await restarted.resume()
    assert restarted.settings.staff_chat_id == MOVED_AGAIN


async def test_only_the_staff_group_is_followed(
    make_settings: Callable[..., Settings], database: Database
) -> None:
    moves = StaffGroupMoves(make_settings(), database, ForumFlag())
    assert not await moves(-1005550001, MOVED)
    assert not await moves(STAFF_CHAT_ID, STAFF_CHAT_ID)
    configured_elsewhere = StaffGroupMoves(
        make_settings(staff_chat_id=None), database, ForumFlag()
    )
    await configured_elsewhere.resume()
    assert configured_elsewhere.settings.staff_chat_id is None
    assert moves.settings.staff_chat_id == STAFF_CHAT_ID


async def test_a_loop_of_recorded_moves_ends(
    make_settings: Callable[..., Settings], database: Database
) -> None:
    """Ids are never reused, but a hand-edited table must not hang the start."""
    moves = StaffGroupMoves(make_settings(), database, ForumFlag())
    assert await moves(STAFF_CHAT_ID, MOVED)
    assert await moves(MOVED, STAFF_CHAT_ID)
    restarted = StaffGroupMoves(make_settings(), database, ForumFlag())
    await restarted.resume()
    assert restarted.settings.staff_chat_id in (STAFF_CHAT_ID, MOVED)
