"""Bot API calls over aiohttp.

PTB's default request object uses httpx, which spends about 1.8 ms of CPU per call against
aiohttp's 0.6 ms (``bench/http_clients.py``). Every update costs one or two calls, so this is
the bot's cheapest large saving. ``BaseRequest`` is PTB's documented way to bring another HTTP
library; errors are mapped the way PTB's own ``HTTPXRequest`` maps them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit
from urllib.request import getproxies_environment, proxy_bypass

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

DEFAULT_POOL_SIZE = 256
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_READ_TIMEOUT = 5.0
DEFAULT_MEDIA_WRITE_TIMEOUT = 20.0


class AiohttpRequest(BaseRequest):
    """A pooled aiohttp client session behind PTB's ``BaseRequest`` interface.

    Timeouts follow PTB's meaning: ``connect_timeout`` to open a connection, ``pool_timeout``
    to wait for a free one, ``read_timeout`` between bytes of the answer, and, since aiohttp has
    no write timeout, ``write_timeout`` bounds a whole file upload. Proxies come from the usual
    environment variables (``HTTPS_PROXY``, ``NO_PROXY``), as with httpx; they are looked up
    once per host (aiohttp's own ``trust_env`` reads them, and ``.netrc``, on every call).
    """

    def __init__(
        self,
        pool_size: int = DEFAULT_POOL_SIZE,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        media_write_timeout: float = DEFAULT_MEDIA_WRITE_TIMEOUT,
    ) -> None:
        self.pool_size = pool_size
        self.connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self.media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        """The read timeout used when a call names none."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (it must be made inside the running event loop)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

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
        """Make one call; answer the HTTP status and the body."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        has_files = request_data is not None and request_data.contains_files
        timeout = self._timeout(
            has_files,
            _given(read_timeout, self._read_timeout),
            _given(write_timeout, self.media_write_timeout if has_files else None),
            _given(connect_timeout, self.connect_timeout),
            _given(pool_timeout, None),
        )
        try:
            async with self._session.request(
                method, url, data=_body(request_data), timeout=timeout, proxy=_proxy_for(url)
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:  # aiohttp's own timeouts are TimeoutErrors too
            if isinstance(error, aiohttp.ConnectionTimeoutError):
                raise TimedOut("Timed out connecting: the request was not sent") from error
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error

    def _timeout(
        self,
        has_files: bool,
        read: float | None,
        write: float | None,
        connect: float | None,
        pool: float | None,
    ) -> aiohttp.ClientTimeout:
        waiting_for_connection = None if pool is None or connect is None else pool + connect
        whole_upload = None
        if has_files and write is not None:
            whole_upload = write + (read or 0) + (waiting_for_connection or connect or 0)
        return aiohttp.ClientTimeout(
            total=whole_upload,
            connect=waiting_for_connection,
            sock_connect=connect,
            sock_read=read,
        )


def _proxy_for(url: str) -> str | None:
    parts = urlsplit(url)
    return _proxy_for_host(parts.scheme, parts.netloc)


@lru_cache(maxsize=64)
def _proxy_for_host(scheme: str, host: str) -> str | None:
    """The proxy the environment names for ``scheme://host``, if any."""
    if proxy_bypass(host.rsplit(":", 1)[0]):  # on Linux: the no_proxy variables
        return None
    return getproxies_environment().get(scheme)


def _given(value: Any, default: float | None) -> float | None:
    """A timeout the caller named, else ``default``."""
    return default if isinstance(value, type(BaseRequest.DEFAULT_NONE)) else value


def _body(request_data: RequestData | None) -> aiohttp.FormData | dict[str, str] | None:
    """Form fields, or a multipart form when files go with them."""
    if request_data is None:
        return None
    fields = {name: str(value) for name, value in request_data.json_parameters.items()}
    if not request_data.contains_files:
        return fields
    form = aiohttp.FormData(fields)
    for name, (file_name, content, mime_type) in request_data.multipart_data.items():
        form.add_field(name, content, filename=file_name, content_type=mime_type)
    return form
