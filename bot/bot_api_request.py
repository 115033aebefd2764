"""The Bot API request object: counts live messages against the shared sending budget, retries
dropped connections for live replies, and waits out Telegram's 429 answers.

It also checks the rule of ``bot.scope``: work is committed before the bot speaks. A call made
with a transaction still open is logged as a mistake and the work is committed then, so that no
client is told something that is not stored and no database lock waits for Telegram.
"""

from __future__ import annotations

import asyncio
import json
import logging
from http import HTTPStatus
from typing import Any

from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.aiohttp_request import AiohttpRequest
from bot.scope import commit_work, uncommitted_work
from bot.services.send_budget import BULK, SendBudget

LIVE_RETRIES = 3
UNCOMMITTED_CALL = "Bot API call %s made with uncommitted work: commit before speaking"


log = logging.getLogger(__name__)


class BotApiRequest(BaseRequest):
    """Wraps another request object (aiohttp by default) with the bot's sending rules."""

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
        """Make the call within the sending budget (committing forgotten work first)."""
        if uncommitted_work():
            log.warning(UNCOMMITTED_CALL, url.rsplit("/", 1)[-1])
            await commit_work()
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
