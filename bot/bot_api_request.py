"""The Bot API request object: counts live messages against the shared sending budget, retries
dropped connections for live replies, and waits out Telegram's 429 answers.

It also keeps the rule of ``bot.scope`` in one place: the current unit of work is committed
before every call, so that no client is told something that is not stored and no database lock
waits for Telegram; a call that tells someone something is journaled in that commit and cleared
by Telegram's answer (``bot.unsent_replies``). Every outgoing text is made sendable here too, in
one place, not at each call site (``sendable``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable
from functools import partial
from http import HTTPStatus
from typing import Any

from telegram import InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot.aiohttp_request import AiohttpRequest
from bot.scope import call_answered, commit_before_call
from bot.services.send_budget import BULK, SendBudget
from bot.unsent_replies import journal_entry
from storage.models import clean_text

LIVE_RETRIES = 3


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
        """Commit the work so far (journaling a call that tells someone something), then make
        the call within the sending budget, with text that can be sent as UTF-8."""
        request_data = sendable(request_data)
        name = url.rsplit("/", 1)[-1]
        parameters = journal_entry(name, request_data)
        entry = await commit_before_call((name, parameters) if parameters is not None else None)
        send = partial(
            self.inner.do_request,
            url,
            method,
            request_data,
            read_timeout,
            write_timeout,
            connect_timeout,
            pool_timeout,
        )
        try:
            answer = await self._call(url, request_data, send)
        except Exception:
            call_answered(entry)  # a failed call is its caller's to handle, not a crash's
            raise
        call_answered(entry)
        return answer

    async def _call(
        self,
        url: str,
        request_data: RequestData | None,
        send: Callable[[], Awaitable[tuple[int, bytes]]],
    ) -> tuple[int, bytes]:
        """Make the call (``send``) within the sending budget: live replies retry dropped
        connections and wait out 429 answers."""
        live = not BULK.get()
        if self.budget is not None and _sends_a_message(url):
            group = _group_chat(request_data)
            if group is not None:
                await self.budget.wait_for_group(group)  # a group's 20 messages a minute
            if live:
                self.budget.spend_now()  # live replies go first; broadcasts wait for a slot
        for attempt in range(LIVE_RETRIES + 1):
            try:
                code, payload = await send()
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


_SURROGATE = re.compile("[\ud800-\udfff]")


def sendable(request_data: RequestData | None) -> RequestData | None:
    """The request with text that cannot travel as UTF-8 made safe (a lone surrogate, e.g. from
    a name or message Telegram gave us, becomes "?", as in storage); the same object when there
    is none, which is nearly always."""
    if request_data is None or not any(
        _has_surrogates(value) for value in request_data.parameters.values()
    ):
        return request_data
    parameters = [
        RequestParameter(name, _cleaned(value), None)
        for name, value in request_data.parameters.items()
    ]
    for name, (file_name, content, _mime_type) in request_data.multipart_data.items():
        upload = InputFile(content, filename=clean_text(file_name) if file_name else None)
        parameters.append(RequestParameter(name, None, [upload]))
    return RequestData(parameters)


def _has_surrogates(value: object) -> bool:
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_surrogates(key) or _has_surrogates(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(_has_surrogates(item) for item in value)
    return False


def _cleaned(value: object) -> object:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {_cleaned(key): _cleaned(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_cleaned(item) for item in value]
    return value


def _sends_a_message(url: str) -> bool:
    method = url.rsplit("/", 1)[-1]
    return method.startswith(("send", "copy", "forward")) and method != "sendChatAction"


def _group_chat(request_data: RequestData | None) -> int | None:
    """The group a message goes to (group and channel ids are negative), else None."""
    if request_data is None:
        return None
    try:
        chat_id = int(str(request_data.parameters.get("chat_id", "")))
    except ValueError:
        return None  # a @username: a channel or group, but not one of ours
    return chat_id if chat_id < 0 else None


def _retry_after(code: int, payload: bytes) -> float | None:
    """Seconds Telegram asks us to wait (a 429 answer), else None."""
    if code != HTTPStatus.TOO_MANY_REQUESTS:
        return None
    try:
        return float(json.loads(payload)["parameters"]["retry_after"])
    except (ValueError, KeyError, TypeError):
        return 1.0
