"""The verification step's use cases: picking a day and a time for a visit to the office,
booking, cancelling, the provider's face check instead, and the staff's list of a day's visits.

Every client use case works on the client's open application, and only while its checklist has
the verification step; otherwise the answer is None (the button is out of date).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.filing.applications import ApplicationService
from bot.filing.booking import BookingService, OfficeHours
from bot.filing.catalogue import Catalogue, ItemKind
from bot.names import name_of
from storage.models import Client, FilingApplication, as_utc, utcnow

VERIFICATION_STEP = "verification"
VISIT_PREFIX = "visit "  # how a booked visit is stored as the step's value
FACE_CHECK_DONE = "face_check"


@dataclass(frozen=True)
class BookOutcome:
    """What became of a booking request."""

    application: FilingApplication
    starts_at: datetime | None  # the booked visit (UTC); None: the time was just taken
    free_days: tuple[date, ...] = ()  # when it was taken: the days still open


@dataclass(frozen=True)
class Visit:
    """A booked visit on the staff's list."""

    starts_at: datetime  # in the office's time zone
    client_name: str
    telegram_id: int


class VerificationDesk:
    """Books, changes and cancels visits, and records the face check."""

    def __init__(
        self, session: AsyncSession, catalogue: Catalogue, hours: OfficeHours, days_ahead: int
    ) -> None:
        self.catalogue = catalogue
        self.hours = hours
        self.applications = ApplicationService(session, catalogue)
        self.bookings = BookingService(session, hours, days_ahead)

    async def free_days(self, client: Client) -> list[date] | None:
        """Days with a free slot; None when the client is not at the verification step."""
        if await self._application(client) is None:
            return None
        return await self.bookings.free_days()

    async def free_slots(self, client: Client, day: date) -> list[datetime] | None:
        """A day's free slots; None when the client is not at the verification step or the day
        is outside the booking window (a stale or forged button)."""
        if not self.bookings.offers_day(day) or await self._application(client) is None:
            return None
        return await self.bookings.free_slots(day)

    async def book(self, client: Client, starts_at: datetime) -> BookOutcome | None:
        """Book a visit (replacing an earlier one) and complete the step; None when the client
        is not at the verification step or the time is not one we offer."""
        application = await self._application(client)
        if application is None or not self.bookings.is_offered(starts_at):
            return None
        booking = await self.bookings.book(application, starts_at)
        if booking is None:
            return BookOutcome(application, None, tuple(await self.bookings.free_days()))
        booked = as_utc(booking.starts_at)
        await self._complete(application, f"{VISIT_PREFIX}{booked.isoformat()}")
        return BookOutcome(application, booked)

    async def cancel(self, client: Client) -> FilingApplication | None:
        """Cancel the visit and open the step again; None when there was no visit to cancel."""
        application = await self._application(client)
        if application is None or not await self.bookings.cancel(application):
            return None
        item = self.catalogue.find_item(VERIFICATION_STEP)
        if item is not None:
            await self.applications.mark_pending(application, item)
        await self.applications.go_to(application, VERIFICATION_STEP)
        return application

    async def confirm_face_check(self, client: Client) -> FilingApplication | None:
        """The provider's in-app face check is done: any visit is cancelled, the step complete;
        None when the client is not at the verification step."""
        application = await self._application(client)
        if application is None:
            return None
        await self.bookings.cancel(application)
        await self._complete(application, FACE_CHECK_DONE)
        return application

    async def visits_on(self, day: date | None = None) -> tuple[date, list[Visit]]:
        """The day (today in the office by default) and its visits, earliest first."""
        day = day or utcnow().astimezone(self.hours.timezone).date()
        visits = [
            Visit(
                as_utc(booking.starts_at).astimezone(self.hours.timezone),
                name_of(client) or str(client.telegram_id),
                client.telegram_id,
            )
            for booking, client in await self.bookings.on_day(day)
        ]
        return day, visits

    async def _application(self, client: Client) -> FilingApplication | None:
        """The client's open application, if its checklist has the verification step."""
        application = await self.applications.open_for(client)
        if application is None:
            return None
        steps = self.applications.steps(application)
        return application if any(item.kind is ItemKind.VERIFICATION for item in steps) else None

    async def _complete(self, application: FilingApplication, value: str) -> None:
        item = self.catalogue.find_item(VERIFICATION_STEP)
        if item is not None:
            await self.applications.accept_text(application, item, value)
