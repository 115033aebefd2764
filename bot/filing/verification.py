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
from bot.filing.stages import OPEN_TO_CLIENT, Stage
from bot.localized import LocalizedText
from bot.names import name_of
from storage.models import Client, FilingApplication, as_utc, utcnow

VERIFICATION_STEP = "verification"
VISIT_PREFIX = "visit "  # how a booked visit is stored as the step's value
FACE_CHECK_DONE = "face_check"
PROVIDER_STEP = "hosting_provider"
DECIDED = (Stage.APPROVED, Stage.REJECTED)


@dataclass(frozen=True)
class BookOutcome:
    """What became of a booking request."""

    application: FilingApplication
    starts_at: datetime | None  # the booked visit (UTC); None: the time was just taken
    free_days: tuple[date, ...] = ()  # when it was taken: the days still open
    open: bool = True  # False: a submitted application's visit was moved (no step to show)


@dataclass(frozen=True)
class CancelOutcome:
    """A cancelled visit; ``reopened``: the verification step is open again."""

    application: FilingApplication
    reopened: bool


@dataclass(frozen=True)
class FaceCheck:
    """Whether the provider's own face check can replace the visit, and where it is done."""

    offered: bool
    where: LocalizedText | None = None  # None: the provider is not known yet


def face_check_of(catalogue: Catalogue, application: FilingApplication) -> FaceCheck:
    """The face check the application's hosting provider offers: the data file's
    ``[face_check]`` names the providers that have one; before the provider is known it is
    offered without a name."""
    provider = (application.answers or {}).get(PROVIDER_STEP)
    if provider is None:
        return FaceCheck(True)
    where = catalogue.face_check.get(provider)
    return FaceCheck(where is not None, where)


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
        """Days with a free slot; None when the client is not at the verification step and
        has no visit to change."""
        if await self._target(client) is None:
            return None
        return await self.bookings.free_days()

    async def free_slots(self, client: Client, day: date) -> list[datetime] | None:
        """A day's free slots; None when the client is not at the verification step (and has
        no visit to change) or the day is outside the booking window (a stale or forged
        button)."""
        if not self.bookings.offers_day(day) or await self._target(client) is None:
            return None
        return await self.bookings.free_slots(day)

    async def book(self, client: Client, starts_at: datetime) -> BookOutcome | None:
        """Book a visit (replacing an earlier one) and complete the step; None when the client
        is not at the verification step (and has no visit to change) or the time is not one
        we offer. A submitted application's visit can be moved, from the reminder."""
        application = await self._application(client)
        is_open = application is not None
        application = application or await self._booked(client)
        if application is None or not self.bookings.is_offered(starts_at):
            return None
        booking = await self.bookings.book(application, starts_at)
        if booking is None:
            free = tuple(await self.bookings.free_days())
            return BookOutcome(application, None, free, is_open)
        booked = as_utc(booking.starts_at)
        value = f"{VISIT_PREFIX}{booked.isoformat()}"
        if is_open:
            await self._complete(application, value)
        else:
            state = (await self.applications.states(application)).get(VERIFICATION_STEP)
            if state is not None:
                state.value = value  # the submitted answer follows the visit it names
        return BookOutcome(application, booked, open=is_open)

    async def cancel(self, client: Client) -> CancelOutcome | None:
        """Cancel the visit and open the step again (a submitted application only loses the
        visit); None when there was no visit to cancel."""
        application = await self._application(client)
        if application is None:
            booked = await self._booked(client)
            if booked is None or not await self.bookings.cancel(booked):
                return None
            return CancelOutcome(booked, reopened=False)
        if not await self.bookings.cancel(application):
            return None
        item = self.catalogue.find_item(VERIFICATION_STEP)
        if item is not None:
            await self.applications.mark_pending(application, item)
        await self.applications.go_to(application, VERIFICATION_STEP)
        return CancelOutcome(application, reopened=True)

    async def confirm_face_check(self, client: Client) -> FilingApplication | None:
        """The provider's in-app face check is done: any visit is cancelled, the step complete;
        None when the client is not at the verification step or the provider has no face
        check."""
        application = await self._application(client)
        if application is None or not face_check_of(self.catalogue, application).offered:
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

    async def _booked(self, client: Client) -> FilingApplication | None:
        """The client's latest application, once submitted and not yet decided, if it was
        submitted with a visit (the reminder's buttons move or cancel it, and a cancelled visit
        can be booked again)."""
        application = await self.applications.latest_for(client)
        if application is None or application.status in (*OPEN_TO_CLIENT, *DECIDED):
            return None
        state = (await self.applications.states(application)).get(VERIFICATION_STEP)
        chose_a_visit = state is not None and (state.value or "").startswith(VISIT_PREFIX)
        return application if chose_a_visit else None

    async def _target(self, client: Client) -> FilingApplication | None:
        return await self._application(client) or await self._booked(client)

    async def _complete(self, application: FilingApplication, value: str) -> None:
        item = self.catalogue.find_item(VERIFICATION_STEP)
        if item is not None:
            await self.applications.accept_text(application, item, value)
