"""Running image checks off the event loop, a bounded number at a time."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from bot.images.checks import CheckResult, NormalisedImage, check_and_normalise
from bot.images.parts import Parts, split_upload
from bot.images.rules import ImageRules
from bot.images.storage import DocumentStore


class ImageService:
    """Checks and normalises images in worker threads; at most ``max_concurrent`` at once.

    Pillow, libjpeg and libheif release the GIL while decoding, resizing and encoding, so the
    event loop keeps answering messages meanwhile. The semaphore keeps waiting uploads out of
    the executor's queue; the executor's own size keeps the bound even when a caller is
    cancelled while its thread is still running.
    """

    def __init__(self, store: DocumentStore, max_concurrent: int = 2) -> None:
        if max_concurrent < 1:
            raise ValueError("max_concurrent must be at least 1")
        self.store = store
        self.max_concurrent = max_concurrent
        self._slots = asyncio.Semaphore(max_concurrent)
        self._executor = ThreadPoolExecutor(max_concurrent, thread_name_prefix="images")
        self._lock = threading.Lock()
        self._running = 0
        self.peak_running = 0  # the most checks ever run at once (for tests and monitoring)

    async def process(
        self, data: bytes, rules: ImageRules
    ) -> tuple[CheckResult, NormalisedImage | None]:
        """Check ``data`` and, when accepted, normalise it (see ``check_and_normalise``)."""
        async with self._slots:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, self._run, data, rules)

    async def split(self, data: bytes, most: int) -> Parts | None:
        """The parts of an upload for up to ``most`` steps (``bot.images.parts``), or None."""
        async with self._slots:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, split_upload, data, most)

    def close(self) -> None:
        """Stop the worker threads once the running checks finish; queued ones are dropped."""
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _run(self, data: bytes, rules: ImageRules) -> tuple[CheckResult, NormalisedImage | None]:
        with self._lock:
            self._running += 1
            self.peak_running = max(self.peak_running, self._running)
        try:
            return check_and_normalise(data, rules)
        finally:
            with self._lock:
                self._running -= 1
