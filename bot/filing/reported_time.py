"""A time staff type for something that already happened (“the SMS came at 14:05”)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

_TIME = re.compile(
    r"^(?:(?:(?P<year>\d{4})-)?(?P<month>\d{1,2})-(?P<day>\d{1,2})\s+)?"
    r"(?P<hour>\d{1,2})[:：](?P<minute>\d{2})$"
)


def parse_reported_time(text: str, now: datetime) -> datetime | None:
    """``HH:MM`` (today, or yesterday when that is still to come), ``MM-DD HH:MM`` or
    ``YYYY-MM-DD HH:MM`` in ``now``'s time zone; None when unreadable or in the future."""
    match = _TIME.match(text.strip())
    if match is None:
        return None
    parts = {key: int(value) for key, value in match.groupdict().items() if value is not None}
    try:
        when = now.replace(
            year=parts.get("year", now.year),
            month=parts.get("month", now.month),
            day=parts.get("day", now.day),
            hour=parts["hour"],
            minute=parts["minute"],
            second=0,
            microsecond=0,
        )
    except ValueError:
        return None
    if when > now and "day" not in parts:
        when -= timedelta(days=1)
    return when if when <= now else None
