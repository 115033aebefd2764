"""Reading updates from Telegram: one that PTB cannot read is logged once and skipped.

PTB reads a whole ``getUpdates`` answer at once (``Update.de_list`` in ``Bot.get_updates``).
When one update in it cannot be read (e.g. a poll without its required fields), the Updater
logs the error and asks again with the same offset: Telegram sends the same batch, and the bot
loops on it, hundreds of times a second, answering nobody. Here each update is read on its
own, and one that cannot be read is replaced by an empty update with its id, so the offset
moves past it and no handler sees it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from telegram import Bot, Update
from telegram.ext import ExtBot
from telegram.request import BaseRequest

log = logging.getLogger(__name__)

JSONDict = dict[str, Any]


def read_update(data: JSONDict, bot: Bot | None) -> Update | None:
    """The update in Telegram's JSON, or None (logged, without its content, which may hold a
    client's personal data) when PTB cannot read it."""
    try:
        return Update.de_json(data, bot)
    except Exception as error:  # whatever PTB raises on data it does not expect
        log.warning(
            "Skipped update %s: it cannot be read (%s: %s)",
            data.get("update_id"),
            type(error).__name__,
            error,
        )
        return None


class UpdateReadingBot(ExtBot[None]):
    """PTB's ExtBot, reading each update of a ``getUpdates`` answer on its own."""

    async def get_updates(
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: int | timedelta | None = None,  # noqa: ASYNC109 - the name is PTB's
        allowed_updates: Sequence[str] | None = None,
        *,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
        api_kwargs: JSONDict | None = None,
    ) -> tuple[Update, ...]:
        """Like ``Bot.get_updates`` (the same request and timeouts), but an update that cannot
        be read becomes an empty update with its id instead of failing the whole answer."""
        data: JSONDict = {
            "timeout": timeout,
            "offset": offset,
            "limit": limit,
            "allowed_updates": allowed_updates,
        }
        # As PTB does: a long poll may take ``timeout`` seconds longer than a call's read timeout.
        base: float = (
            (self._request[0].read_timeout or 0)
            if isinstance(read_timeout, type(BaseRequest.DEFAULT_NONE))
            else (read_timeout or 0)
        )
        seconds = timeout.total_seconds() if isinstance(timeout, timedelta) else (timeout or 0)
        result: list[JSONDict] = await self._post(
            "getUpdates",
            data,
            read_timeout=base + seconds,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
            api_kwargs=api_kwargs,
        )
        updates: list[Update] = []
        for raw in result:
            update = read_update(raw, self) or _placeholder(raw)
            if update is not None:
                self.insert_callback_data(update)
                updates.append(update)
        return tuple(updates)


def _placeholder(raw: JSONDict) -> Update | None:
    """An update with only the id of one that cannot be read: it moves the offset on."""
    update_id: Any = raw.get("update_id")
    return Update(update_id) if isinstance(update_id, int) else None
