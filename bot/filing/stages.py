"""The stages an application moves through after submission, who may move it, and dates.

Every move is recorded (who, when, from, to, note); the client is told what it means.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.filing.icp_numbers import parse_icp_number, parse_public_security_number
from bot.filing.working_days import add_working_days
from storage.models import FilingApplication, StageChange, as_utc, utcnow


class Outcome(StrEnum):
    """What the approval of a kind of filing records."""

    ICP_NUMBER = "icp_number"  # a first filing, a new website, an app …
    PSB_NUMBER = "psb_number"  # the public-security filing
    DONE = "done"  # a change or a cancellation: nothing new to record


class Stage(StrEnum):
    """Where an application stands."""

    COLLECTING = "collecting"
    SUBMITTED = "submitted"  # waiting for the agency's review
    CHANGES_REQUESTED = "changes_requested"
    WITH_PROVIDER = "with_provider"
    AT_BUREAU = "at_bureau"  # submitted to the bureau by the provider
    SMS_DUE = "sms_due"
    BUREAU_REVIEW = "bureau_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    RESUBMITTED = "resubmitted"


# Moves staff may make from each stage.
STAFF_MOVES: dict[Stage, tuple[Stage, ...]] = {
    Stage.SUBMITTED: (Stage.CHANGES_REQUESTED, Stage.WITH_PROVIDER),
    Stage.WITH_PROVIDER: (Stage.AT_BUREAU, Stage.CHANGES_REQUESTED, Stage.REJECTED),
    Stage.AT_BUREAU: (Stage.SMS_DUE, Stage.BUREAU_REVIEW, Stage.REJECTED),
    Stage.SMS_DUE: (Stage.BUREAU_REVIEW, Stage.REJECTED),
    Stage.BUREAU_REVIEW: (Stage.APPROVED, Stage.REJECTED),
    Stage.REJECTED: (Stage.RESUBMITTED, Stage.CHANGES_REQUESTED),
    Stage.RESUBMITTED: (Stage.WITH_PROVIDER, Stage.AT_BUREAU),
    Stage.CHANGES_REQUESTED: (Stage.SUBMITTED,),
    Stage.COLLECTING: (),
    Stage.APPROVED: (),
}
OPEN_TO_CLIENT = (Stage.COLLECTING, Stage.CHANGES_REQUESTED)
SMS_WINDOW = timedelta(hours=24)

# Working days until the next expected step (the regulation's and providers' figures).
EXPECTED_WORKING_DAYS: dict[Stage, int] = {
    Stage.SUBMITTED: 2,
    Stage.WITH_PROVIDER: 2,
    Stage.AT_BUREAU: 1,
    Stage.BUREAU_REVIEW: 20,
    Stage.RESUBMITTED: 3,
}


def staff_moves(current: Stage, stages: Collection[Stage] | None = None) -> tuple[Stage, ...]:
    """The stages staff may move to from ``current``. With a filing type's ``stages``, a stage
    that type does not go through is passed over to the stages after it (a cancellation of
    access goes from the provider straight to approval: no bureau, no SMS)."""
    direct = STAFF_MOVES.get(current, ())
    if stages is None:
        return direct
    found: list[Stage] = []
    seen: set[Stage] = {current}
    queue = list(direct)
    while queue:
        stage = queue.pop(0)
        if stage in seen:
            continue
        seen.add(stage)
        if stage in stages:
            found.append(stage)
        else:
            queue.extend(STAFF_MOVES.get(stage, ()))
    return tuple(found)


class MoveError(ValueError):
    """A move that is not allowed, or is missing what it needs."""


@dataclass(frozen=True)
class Move:
    """A recorded stage change."""

    application: FilingApplication
    change: StageChange


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded move as staff and clients see it."""

    when: datetime  # aware, UTC
    stage: str
    note: str

    @classmethod
    def of(cls, change: StageChange) -> HistoryEntry:
        """The entry for a recorded change."""
        return cls(as_utc(change.created_at), change.to_stage, change.note or "")


def is_icp_number(text: str) -> bool:
    """Whether the text is an ICP number of any form (京ICP备12345678号-1, …-1A, …-1X,
    粤B2-20090059-1626X)."""
    return parse_icp_number(text) is not None


class StageService:
    """Moves applications between stages and keeps their history."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, application_id: int) -> FilingApplication | None:
        """An application by its number."""
        return await self.session.get(FilingApplication, application_id)

    async def move(
        self,
        application: FilingApplication,
        to: Stage,
        actor_id: int | None,
        note: str = "",
        *,
        by_staff: bool = True,
        stages: Collection[Stage] | None = None,
        outcome: Outcome = Outcome.ICP_NUMBER,
        sms_received_at: datetime | None = None,
    ) -> StageChange:
        """Record a move; staff moves must follow STAFF_MOVES (within the filing type's
        ``stages``), and an approval must record what the ``outcome`` needs. The SMS
        deadline counts from ``sms_received_at`` (when the client got the SMS), else from
        the move."""
        current = Stage(application.status)
        if by_staff and to not in staff_moves(current, stages):
            raise MoveError(f"cannot move from {current.value} to {to.value}")
        if to is Stage.APPROVED and outcome is Outcome.ICP_NUMBER:
            number = parse_icp_number(note)
            if number is None:
                raise MoveError(
                    "approval needs an ICP number like 京ICP备12345678号-1 (app: …号-1A, "
                    "mini-program: …号-1X, licence: 粤B2-20090059)"
                )
            note = application.icp_number = number.text
        if to is Stage.APPROVED and outcome is Outcome.PSB_NUMBER:
            psb = parse_public_security_number(note)
            if psb is None:
                raise MoveError("approval needs a number like 京公网安备11010502030143号")
            note = psb.text
        if to in (Stage.REJECTED, Stage.CHANGES_REQUESTED) and not note.strip():
            raise MoveError("a rejection or change request needs a reason")
        change = StageChange(
            application_id=application.id,
            from_stage=current.value,
            to_stage=to.value,
            actor_telegram_id=actor_id,
            note=note.strip()[:2000],
            created_at=utcnow(),
        )
        self.session.add(change)
        application.status = to.value
        application.updated_at = change.created_at
        received = sms_received_at.astimezone(UTC) if sms_received_at else change.created_at
        application.sms_due_at = received + SMS_WINDOW if to is Stage.SMS_DUE else None
        await self.session.flush()
        return change

    def sms_received(self, application: FilingApplication, received_at: datetime) -> None:
        """The client got the SMS at ``received_at`` (their or staff's report): the 24 hours
        count from then. Only while the SMS is due."""
        if application.status != Stage.SMS_DUE:
            raise MoveError("the SMS time can be set only while the SMS is due")
        if received_at > utcnow():
            raise MoveError("the SMS cannot have come in the future")
        application.sms_due_at = received_at.astimezone(UTC) + SMS_WINDOW

    async def history(self, application: FilingApplication) -> list[StageChange]:
        """Every recorded move, oldest first."""
        result = await self.session.scalars(
            select(StageChange)
            .where(StageChange.application_id == application.id)
            .order_by(StageChange.created_at, StageChange.id)
        )
        return list(result)

    async def entries(self, application: FilingApplication) -> tuple[HistoryEntry, ...]:
        """Every recorded move as plain entries, oldest first."""
        return tuple(HistoryEntry.of(change) for change in await self.history(application))


def changes_answered(history: tuple[HistoryEntry, ...]) -> list[str] | None:
    """For an application submitted again after staff asked for changes: the steps they named
    in their last request (what the client changed); None for a first submission."""
    requests = [entry for entry in history if entry.stage == Stage.CHANGES_REQUESTED]
    if not requests:
        return None
    steps = []
    for part in filter(None, (p.strip() for p in requests[-1].note.split(";"))):
        step, separator, _reason = part.partition(":")
        if separator and step.strip():
            steps.append(step.strip())
    return steps


def next_expected(
    stage: Stage,
    since: datetime,
    timezone_today: date | None = None,
    review_days: int | None = None,
) -> date | None:
    """When the next step is expected, in China's working days from the move (None if it
    depends). ``review_days`` is the province bureau's review length (e.g. 30 in Zhejiang);
    without it the regulation's 20 days are used."""
    days = EXPECTED_WORKING_DAYS.get(stage)
    if stage is Stage.BUREAU_REVIEW and review_days is not None:
        days = review_days
    if days is None:
        return None
    return add_working_days(timezone_today or since.date(), days)
