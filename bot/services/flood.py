"""Flood control: a client who sends too much too fast is paused for a moment, politely.

Counts each client's updates in a sliding window. Above the limit their updates are dropped
until the window clears; the first drop of an episode is reported so the client (and staff) can
be told once.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

TIDY_EVERY = 1000  # checks between clean-ups of idle clients' counters


class FloodDecision(StrEnum):
    """What to do with one update."""

    HANDLE = "handle"
    PAUSE_NOTICE = "pause_notice"  # the first dropped update: tell the client (and staff)
    DROP = "drop"


@dataclass
class FloodGuard:
    """Per-client sliding-window counter."""

    limit: int = 20
    window_seconds: float = 10.0
    clock: Callable[[], float] = time.monotonic
    _seen: dict[int, deque[float]] = field(default_factory=dict)
    _paused: set[int] = field(default_factory=set)
    _checks: int = 0

    def check(self, key: int) -> FloodDecision:
        """Count an update from ``key`` and say whether to handle it."""
        self._checks += 1
        if self._checks % TIDY_EVERY == 0:
            self.forget_idle()
        now = self.clock()
        seen = self._seen.setdefault(key, deque())
        while seen and now - seen[0] > self.window_seconds:
            seen.popleft()
        if len(seen) < self.limit:
            seen.append(now)
            self._paused.discard(key)
            return FloodDecision.HANDLE
        if key in self._paused:
            return FloodDecision.DROP
        self._paused.add(key)
        return FloodDecision.PAUSE_NOTICE

    def forget_idle(self) -> None:
        """Drop the counters of clients who have been quiet for a window (bounded memory)."""
        now = self.clock()
        idle = [
            key
            for key, seen in self._seen.items()
            if not seen or now - seen[-1] > self.window_seconds
        ]
        for key in idle:
            self._seen.pop(key, None)
            self._paused.discard(key)
