"""Which reminders are due: SMS deadlines, unfinished applications, and staff who keep a client
waiting. Each is recorded when sent, so none goes out twice, even across restarts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.filing.stages import OPEN_TO_CLIENT, Stage
from bot.services.footer import PUBLIC_SECURITY_KEY
from storage.models import Client, FilingApplication, ReminderSent, as_utc, utcnow

SMS_REMIND_BEFORE = timedelta(hours=12)
UNFINISHED_AFTER = timedelta(days=3)
STAFF_WAITING_AFTER = timedelta(days=2)
# The public-security filing is due within 30 days of launch (about the approval): a reminder
# 20 days after approval while no 公网安备 number is recorded; none once the time is long past.
PUBLIC_SECURITY_REMIND_AFTER = timedelta(days=20)
PUBLIC_SECURITY_GIVE_UP_AFTER = timedelta(days=60)
WAITING_ON_STAFF = (Stage.SUBMITTED, Stage.RESUBMITTED)


class Kind(StrEnum):
    """What a reminder is about."""

    SMS_DEADLINE = "sms_deadline"
    UNFINISHED = "unfinished"
    STAFF_WAITING = "staff_waiting"
    PUBLIC_SECURITY = "public_security"


@dataclass(frozen=True)
class Due:
    """A reminder to send now."""

    kind: Kind
    key: str
    application: FilingApplication
    client: Client


class ReminderService:
    """Finds due reminders and records the ones sent."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def due(self, now: datetime | None = None) -> list[Due]:
        """Every reminder that should go out now and has not yet."""
        now = now or utcnow()
        result = await self.session.execute(
            select(FilingApplication, Client)
            .join(Client, Client.id == FilingApplication.client_id)
            .where(
                or_(
                    FilingApplication.status.in_(
                        [*OPEN_TO_CLIENT, *WAITING_ON_STAFF, Stage.SMS_DUE]
                    ),
                    and_(
                        FilingApplication.status == Stage.APPROVED,
                        FilingApplication.updated_at <= now - PUBLIC_SECURITY_REMIND_AFTER,
                        FilingApplication.updated_at > now - PUBLIC_SECURITY_GIVE_UP_AFTER,
                    ),
                )
            )
        )
        candidates = [
            (application, client, reminder)
            for application, client in result.all()
            if (reminder := _reminder_for(application, now)) is not None
        ]
        if not candidates:
            return []
        ids = [application.id for application, _client, _reminder in candidates]
        sent = {
            (row.application_id, row.kind, row.key)
            for row in await self.session.scalars(
                select(ReminderSent).where(ReminderSent.application_id.in_(ids))
            )
        }
        return [
            Due(reminder[0], reminder[1], application, client)
            for application, client, reminder in candidates
            if (application.id, *reminder) not in sent
        ]

    async def mark_sent(self, due: Due) -> bool:
        """Record a reminder before sending it; False if another process already did."""
        try:
            async with self.session.begin_nested():
                self.session.add(
                    ReminderSent(application_id=due.application.id, kind=due.kind, key=due.key)
                )
        except IntegrityError:
            return False
        return True


def _reminder_for(application: FilingApplication, now: datetime) -> tuple[Kind, str] | None:
    status = application.status
    updated = as_utc(application.updated_at)
    if status == Stage.SMS_DUE and application.sms_due_at is not None:
        deadline = as_utc(application.sms_due_at)
        if deadline - SMS_REMIND_BEFORE <= now < deadline:
            return Kind.SMS_DEADLINE, deadline.isoformat()
    elif status in OPEN_TO_CLIENT and now - updated >= UNFINISHED_AFTER:
        return Kind.UNFINISHED, updated.isoformat()
    elif status in WAITING_ON_STAFF and now - updated >= STAFF_WAITING_AFTER:
        return Kind.STAFF_WAITING, updated.isoformat()
    elif (
        status == Stage.APPROVED
        and PUBLIC_SECURITY_KEY not in (application.answers or {})
        and PUBLIC_SECURITY_REMIND_AFTER <= now - updated < PUBLIC_SECURITY_GIVE_UP_AFTER
    ):
        return Kind.PUBLIC_SECURITY, updated.isoformat()
    return None
