"""A progress bar in text, for application steps and broadcasts."""

from __future__ import annotations

BAR_LENGTH = 10


def progress_bar(done: int, total: int) -> str:
    """A bar like ▰▰▰▱▱▱▱▱▱▱."""
    filled = round(BAR_LENGTH * done / total) if total else 0
    return "▰" * filled + "▱" * (BAR_LENGTH - filled)
