"""Replies that a crash may have cut off: which Bot API calls are journaled before they are
made (``bot.scope``), and making them again when Telegram delivers their update again.

The journal closes the gap between storing an update's effects and telling the client about
them: the update is marked handled in the commit that stores its effects, so a process killed
while Telegram was still answering would otherwise leave the client without the reply, and the
redelivered update is skipped as already handled. A call Telegram had in fact received before
the crash is made twice; no client is left without an answer.
"""

from __future__ import annotations

import json
import logging

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot
from telegram.error import BadRequest, Forbidden
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from storage.repositories import UnsentReplyRepository

log = logging.getLogger(__name__)

# Calls that tell someone something and mean the same when made again. Not journaled: button
# answers (their query has expired by the time an update is delivered again), taking the buttons
# off an old card and reactions (a stale button still answers "out of date"; each journaled
# call costs the update a database write), chat actions, reads, and uploads of new files (their
# bytes are not kept).
JOURNALED = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "copyMessage",
        "forwardMessage",
        "editMessageText",
        "editMessageCaption",
    }
)


def journal_entry(method: str, request_data: RequestData | None) -> str | None:
    """The call's parameters as JSON when it is journaled, else None."""
    if method not in JOURNALED or request_data is None or request_data.contains_files:
        return None
    return json.dumps(request_data.parameters, ensure_ascii=False)


async def send_again(session: AsyncSession, bot: Bot, update_id: int) -> int:
    """Make the calls of a redelivered update that Telegram never answered; how many.

    A call Telegram refuses (the message is gone, the client blocked the bot) is dropped; any
    other failure is raised, so that the update is not acknowledged and comes again."""
    journal = UnsentReplyRepository(session)
    unsent = await journal.of_update(update_id)
    await session.commit()  # no transaction stays open while Telegram answers
    for reply in unsent:
        parameters = json.loads(reply.parameters)
        request = RequestData(
            [RequestParameter(name, value, None) for name, value in parameters.items()]
        )
        try:
            await bot.request.post(f"{bot.base_url}/{reply.method}", request)
        except (BadRequest, Forbidden) as error:
            log.info("A reply cut off by a crash could not be sent again: %s", error)
        await journal.remove([reply.id])
        await session.commit()
    if unsent:
        log.warning("Update %s: sent %d reply(s) a crash had cut off", update_id, len(unsent))
    return len(unsent)
