"""Booking a visit to the agency's office for the verification photo."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from storage.models import Booking, Client, FilingApplication, utcnow
from storage.repositories import changed_rows
from storage.statuses import BookingStatus

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
REMINDER_BEFORE = timedelta(hours=24)
MIDNIGHT = time.max  # a period ending at 24:00 runs to the end of the day, its last minute too
LEAD_TIME = timedelta(hours=2)


class OfficeHoursError(ValueError):
    """OFFICE_HOURS cannot be read."""


@dataclass(frozen=True)
class OfficeHours:
    """When visits can be booked: opening periods per weekday, in the office's time zone."""

    periods: dict[int, tuple[tuple[time, time], ...]]
    slot_minutes: int
    timezone: ZoneInfo

    @classmethod
    @functools.cache
    def parse(
        cls, text: str, slot_minutes: int = 30, timezone: str = "Asia/Shanghai"
    ) -> OfficeHours:
        """Read e.g. ``mon-fri 09:30-12:00,13:30-17:30; sat 10:00-12:00``."""
        periods: dict[int, list[tuple[time, time]]] = {}
        for part in filter(None, (p.strip() for p in text.lower().split(";"))):
            match = re.fullmatch(r"([a-z]{3})(?:-([a-z]{3}))?\s+(.+)", part)
            if not match or match.group(1) not in WEEKDAYS:
                raise OfficeHoursError(
                    f"cannot read {part!r} (expected e.g. 'mon-fri 09:00-17:00')"
                )
            first = WEEKDAYS.index(match.group(1))
            last = WEEKDAYS.index(match.group(2)) if match.group(2) in WEEKDAYS else first
            spans = [_span(span) for span in match.group(3).split(",")]
            for day in range(first, last + 1):
                periods.setdefault(day, []).extend(spans)
        if not periods:
            raise OfficeHoursError("no opening hours given")
        return cls(
            {d: tuple(sorted(s)) for d, s in periods.items()}, slot_minutes, ZoneInfo(timezone)
        )

    def is_open(self, moment: datetime) -> bool:
        """Whether the office is open at this moment."""
        local = moment.astimezone(self.timezone)
        now = local.time()
        return any(
            opens <= now and (now < closes or closes == MIDNIGHT)
            for opens, closes in self.periods.get(local.weekday(), ())
        )

    def next_opening(self, moment: datetime) -> datetime | None:
        """When the office next opens after this moment (within two weeks)."""
        local = moment.astimezone(self.timezone)
        for offset in range(15):
            day = local.date() + timedelta(days=offset)
            for opens, _closes in self.periods.get(day.weekday(), ()):
                start = datetime.combine(day, opens, self.timezone)
                if start > local:
                    return start
        return None

    def slots_on(self, day: date) -> list[datetime]:
        """Every slot start on a day, as aware datetimes in the office's time zone."""
        slots = []
        step = timedelta(minutes=self.slot_minutes)
        for opens, closes in self.periods.get(day.weekday(), ()):
            start = datetime.combine(day, opens, self.timezone)
            end = (
                datetime.combine(day + timedelta(days=1), time(0), self.timezone)
                if closes == MIDNIGHT
                else datetime.combine(day, closes, self.timezone)
            )
            while start + step <= end:
                slots.append(start)
                start += step
        return slots


def _span(text: str) -> tuple[time, time]:
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", text)
    if not match:
        raise OfficeHoursError(f"cannot read the hours {text!r} (expected e.g. 09:30-12:00)")
    h1, m1, h2, m2 = (int(group) for group in match.groups())
    valid_end = h2 < 24 or (h2 == 24 and m2 == 0)
    if not (0 <= h1 < 24 and valid_end and m1 < 60 and m2 < 60) or (h1, m1) >= (h2, m2):
        raise OfficeHoursError(f"{text.strip()!r} is not a valid period")
    return time(h1, m1), MIDNIGHT if h2 == 24 else time(h2, m2)


def slot_key(starts_at: datetime) -> str:
    """A slot's unique key (its start in UTC)."""
    return starts_at.astimezone(UTC).strftime("%Y%m%dT%H%M")


class BookingService:
    """Free slots, booking, changing and cancelling visits, reminders and the staff's day list."""

    def __init__(self, session: AsyncSession, hours: OfficeHours, days_ahead: int = 14) -> None:
        self.session = session
        self.hours = hours
        self.days_ahead = days_ahead

    def offers_day(self, day: date, now: datetime | None = None) -> bool:
        """Whether the day is in the booking window: from today (office time) to
        ``days_ahead`` days ahead. Any other day comes from an old or forged button."""
        today = (now or utcnow()).astimezone(self.hours.timezone).date()
        return 0 <= (day - today).days <= self.days_ahead

    async def free_slots(self, day: date, now: datetime | None = None) -> list[datetime]:
        """Slots of a day in the booking window that are in the future and not taken."""
        now = now or utcnow()
        if not self.offers_day(day, now):
            return []
        candidates = [slot for slot in self.hours.slots_on(day) if slot >= now + LEAD_TIME]
        if not candidates:
            return []
        taken = set(
            await self.session.scalars(
                select(Booking.slot_key).where(
                    Booking.slot_key.in_([slot_key(slot) for slot in candidates])
                )
            )
        )
        return [slot for slot in candidates if slot_key(slot) not in taken]

    async def free_days(self, now: datetime | None = None) -> list[date]:
        """Days within the booking window that still have a free slot."""
        now = now or utcnow()
        today = now.astimezone(self.hours.timezone).date()
        days = [today + timedelta(days=offset) for offset in range(self.days_ahead + 1)]
        return [day for day in days if await self.free_slots(day, now)]

    def is_offered(self, starts_at: datetime, now: datetime | None = None) -> bool:
        """Whether this is a slot clients can book at all (in office hours and the window)."""
        now = now or utcnow()
        local_day = starts_at.astimezone(self.hours.timezone).date()
        return (
            self.offers_day(local_day, now)
            and starts_at >= now + LEAD_TIME
            and starts_at in self.hours.slots_on(local_day)
        )

    async def active_for(self, application: FilingApplication) -> Booking | None:
        """The application's current booking, if any."""
        result = await self.session.execute(
            select(Booking).where(
                Booking.application_id == application.id, Booking.status == BookingStatus.BOOKED
            )
        )
        return result.scalar_one_or_none()

    async def book(
        self, application: FilingApplication, starts_at: datetime, now: datetime | None = None
    ) -> Booking | None:
        """Book a free slot (replacing the application's earlier booking); None if not free."""
        day = starts_at.astimezone(self.hours.timezone).date()
        if starts_at not in await self.free_slots(day, now):
            return None
        previous = await self.active_for(application)
        booking = Booking(
            application_id=application.id,
            starts_at=starts_at.astimezone(UTC),
            slot_key=slot_key(starts_at),
            status=BookingStatus.BOOKED,
        )
        try:
            async with self.session.begin_nested():
                if previous is not None:
                    _cancel(previous)
                self.session.add(booking)
                await self.session.flush()
        except IntegrityError:
            return None  # someone took the slot a moment ago
        return booking

    async def cancel(self, application: FilingApplication) -> bool:
        """Cancel the application's booking; False if there was none."""
        booking = await self.active_for(application)
        if booking is None:
            return False
        _cancel(booking)
        await self.session.flush()
        return True

    async def on_day(self, day: date) -> list[tuple[Booking, Client]]:
        """The day's visits with the clients who booked them, earliest first."""
        start = datetime.combine(day, time(0), self.hours.timezone).astimezone(UTC)
        return await self._with_clients(
            Booking.starts_at >= start, Booking.starts_at < start + timedelta(days=1)
        )

    async def claim_reminder(self, booking: Booking) -> bool:
        """Mark the reminder as sent, atomically; False if someone else already did."""
        changed = await changed_rows(
            self.session,
            update(Booking)
            .where(Booking.id == booking.id, Booking.reminder_sent_at.is_(None))
            .values(reminder_sent_at=utcnow())
            .execution_options(synchronize_session=False),
        )
        if changed != 1:
            return False
        set_committed_value(booking, "reminder_sent_at", utcnow())
        return True

    async def due_reminders(self, now: datetime | None = None) -> list[tuple[Booking, Client]]:
        """Visits within the next day whose client has not been reminded yet."""
        now = now or utcnow()
        return await self._with_clients(
            Booking.reminder_sent_at.is_(None),
            Booking.starts_at > now,
            Booking.starts_at <= now + REMINDER_BEFORE,
        )

    async def _with_clients(
        self, *conditions: ColumnElement[bool]
    ) -> list[tuple[Booking, Client]]:
        """Active bookings matching the conditions, with their clients, earliest first."""
        result = await self.session.execute(
            select(Booking, Client)
            .join(FilingApplication, FilingApplication.id == Booking.application_id)
            .join(Client, Client.id == FilingApplication.client_id)
            .where(Booking.status == BookingStatus.BOOKED, *conditions)
            .order_by(Booking.starts_at)
        )
        return [(booking, client) for booking, client in result.all()]


def _cancel(booking: Booking) -> None:
    booking.status = BookingStatus.CANCELLED
    booking.slot_key = None
