"""The Bot API request object: commits the update's (or background task's) database work before
every API call, and counts live messages against the shared sending budget.

Committing before the bot speaks means a client is never told something that is not stored,
and no database lock is held while waiting for Telegram.
"""

from __future__ import annotations

import asyncio
import json
from http import HTTPStatus
from typing import Any

from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.aiohttp_request import AiohttpRequest
from bot.scope import session_to_commit
from bot.services.send_budget import BULK, SendBudget

LIVE_RETRIES = 3


class CommitBeforeSending(BaseRequest):
    """Wraps another request object; commits the current update's session before each call."""

    def __init__(self, inner: BaseRequest | None = None, budget: SendBudget | None = None) -> None:
        self.inner = inner or AiohttpRequest()
        self.budget = budget

    @property
    def read_timeout(self) -> float | None:
        """The wrapped request's read timeout."""
        return self.inner.read_timeout

    async def initialize(self) -> None:
        """Open the wrapped request's connections."""
        await self.inner.initialize()

    async def shutdown(self) -> None:
        """Close the wrapped request's connections."""
        await self.inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Commit what the handler stored so far, then make the call."""
        session = session_to_commit()
        if session is not None and session.in_transaction():
            await session.commit()
        live = not BULK.get()
        if self.budget is not None and live and _sends_a_message(url):
            self.budget.spend_now()  # live replies go first; broadcasts wait for a free slot
        for attempt in range(LIVE_RETRIES + 1):
            try:
                code, payload = await self.inner.do_request(
                    url,
                    method,
                    request_data,
                    read_timeout,
                    write_timeout,
                    connect_timeout,
                    pool_timeout,
                )
            except TimedOut:
                raise  # it may have arrived: sending again could repeat it
            except NetworkError:
                if not live or attempt == LIVE_RETRIES:
                    raise
                await asyncio.sleep(0.5 * 2**attempt)  # connection trouble: back off, retry
                continue
            wait = _retry_after(code, payload)
            if wait is None or not live or attempt == LIVE_RETRIES:
                return code, payload
            await asyncio.sleep(wait)  # a live reply waits its turn rather than failing
        raise NetworkError("no answer from the Bot API")


def _sends_a_message(url: str) -> bool:
    method = url.rsplit("/", 1)[-1]
    return method.startswith(("send", "copy", "forward"))


def _retry_after(code: int, payload: bytes) -> float | None:
    """Seconds Telegram asks us to wait (a 429 answer), else None."""
    if code != HTTPStatus.TOO_MANY_REQUESTS:
        return None
    try:
        return float(json.loads(payload)["parameters"]["retry_after"])
    except (ValueError, KeyError, TypeError):
        return 1.0
