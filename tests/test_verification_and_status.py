"""Visits, the client's status and the eligibility answers, without Telegram."""

from __future__ import annotations

from datetime import UTC, date, timedelta

from bot.filing.applications import ApplicationService, StepStatus
from bot.filing.booking import OfficeHours
from bot.filing.catalogue import load_catalogue
from bot.filing.eligibility import EligibilityService, Verdict
from bot.filing.stages import Stage, StageService
from bot.filing.status import Collecting, InReview, NoApplication, StatusService
from bot.filing.verification import VISIT_PREFIX, VerificationDesk
from handlers import application_view
from storage.database import Database
from storage.models import Client

CATALOGUE = load_catalogue()
HOURS = OfficeHours.parse("mon-sun 00:00-23:30", 30)


def test_the_step_value_format_matches_the_view() -> None:
    assert application_view.VISIT_PREFIX == VISIT_PREFIX


async def test_booking_cancelling_and_the_face_check(database: Database) -> None:
    async with database.sessions() as session:
        anna, ben, carl = (
            Client(telegram_id=n, first_name=name)
            for n, name in ((1, "Anna"), (2, "Ben"), (3, "Carl"))
        )
        session.add_all([anna, ben, carl])
        await session.flush()
        applications = ApplicationService(session, CATALOGUE)
        first = await applications.start(anna, "mainland_individual")
        await applications.start(ben, "mainland_individual")
        desk = VerificationDesk(session, CATALOGUE, HOURS, days_ahead=3)
        assert await desk.free_days(carl) is None  # no application: the button is stale
        days = await desk.free_days(anna)
        assert days is not None and len(days) >= 3
        later = days[2]  # far enough ahead for its first slot to be offered
        slots = await desk.free_slots(anna, later)
        assert slots is not None and slots[0].hour == 0

        booked = await desk.book(anna, slots[0])
        assert booked is not None and booked.application is first
        assert booked.starts_at == slots[0].astimezone(UTC)
        states = await applications.states(first)
        assert (
            states["verification"].value == f"{VISIT_PREFIX}{slots[0].astimezone(UTC).isoformat()}"
        )
        taken = await desk.book(ben, slots[0])
        assert taken is not None and taken.starts_at is None and later in taken.free_days
        assert await desk.book(anna, slots[0] + timedelta(minutes=7)) is None  # not offered

        day, visits = await desk.visits_on(later)
        assert day == later and [(v.client_name, v.telegram_id) for v in visits] == [("Anna", 1)]
        assert visits[0].starts_at == slots[0]

        cancelled = await desk.cancel(anna)
        assert cancelled is not None and cancelled.application is first and cancelled.reopened
        assert first.current_step == "verification"
        assert (await applications.states(first))["verification"].state == StepStatus.PENDING
        assert await desk.cancel(anna) is None  # nothing left to cancel
        first.answers = {**first.answers, "hosting_provider": "other"}
        assert await desk.confirm_face_check(anna) is None  # no face check at this provider
        first.answers = {**first.answers, "hosting_provider": "aliyun"}
        assert await desk.confirm_face_check(anna) is first
        assert (await applications.states(first))["verification"].value == "face_check"
        assert await desk.confirm_face_check(carl) is None


async def test_the_status_follows_the_application(database: Database) -> None:
    async with database.sessions() as session:
        client = Client(telegram_id=1, first_name="A")
        session.add(client)
        await session.flush()
        service = StatusService(session, CATALOGUE, HOURS.timezone)
        assert await service.of(client) == NoApplication()
        applications = ApplicationService(session, CATALOGUE)
        application = await applications.start(client, "mainland_individual")
        collecting = await service.of(client)
        assert isinstance(collecting, Collecting) and collecting.progress.done == 0
        for item in await applications.missing(application):
            await applications.accept_text(application, item, "x")
        assert await applications.submit(application)
        await StageService(session).move(application, Stage.WITH_PROVIDER, 9)
        report = await service.of(client)
        assert isinstance(report, InReview) and report.stage == "with_provider"
        assert [entry.stage for entry in report.history] == ["submitted", "with_provider"]
        assert report.expected is not None and report.expected > date.today() - timedelta(days=1)
        assert report.history[-1].when.tzinfo is not None and report.icp_number is None


async def test_eligibility_answers_lead_to_a_verdict(database: Database) -> None:
    async with database.sessions() as session:
        client = Client(telegram_id=1, first_name="A")
        session.add(client)
        await session.flush()
        service = EligibilityService(session)
        await service.restart(client)
        answers = {
            "applicant": "mainland_company",
            "province": "beijing",
            "hosting": "mainland",
            "domain": "ready",
        }
        asked = [(await service.answer(client, q, v)).next_question for q, v in answers.items()]
        assert asked == ["province", "hosting", "domain", "content"]
        last = await service.answer(client, "content", "none")
        assert last.next_question is None and last.assessment is not None
        assert last.assessment.verdict is Verdict.CAN_APPLY
        check = await service.of(client)
        assert check is not None and check.verdict == Verdict.CAN_APPLY
