"""Working days in mainland China: weekdays that are not public holidays, plus the weekends
the State Council turns into working days around long holidays (调休).

The calendar is the ``holidays`` library's China calendar, which carries each year's
published schedule; keep the package current each December when the next year is announced.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays
from holidays import HolidayBase


@cache
def _calendar(year: int) -> HolidayBase:
    return holidays.country_holidays("CN", years=(year - 1, year, year + 1))


def is_working_day(day: date) -> bool:
    """Whether government offices (and the bureaus) work on this day."""
    return _calendar(day.year).is_working_day(day)


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted)."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            days -= 1
    return current
