"""Services of the guided application, without Telegram: rules, validation, steps, bookings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.filing.applications import REVIEW, ApplicationService
from bot.filing.booking import BookingService, OfficeHours, OfficeHoursError
from bot.filing.catalogue import CatalogueError, Validator, load_catalogue
from bot.filing.eligibility import Finding, Verdict, assess
from bot.filing.validators import Problem, validate
from bot.services.flood import FloodDecision, FloodGuard
from storage.database import Database
from storage.models import Client

CATALOGUE = load_catalogue()


@pytest.mark.parametrize(
    ("validator", "text", "value", "problem"),
    [
        (Validator.WEBSITE_NAME, "星辰设计作品集", "星辰设计作品集", None),
        (Validator.WEBSITE_NAME, "Star Design", None, Problem.NAME_TOO_FEW_CHINESE),
        (Validator.WEBSITE_NAME, "12345", None, Problem.NAME_TOO_FEW_CHINESE),
        (Validator.WEBSITE_NAME, "stardesign.com", None, Problem.NAME_IS_DOMAIN),
        (Validator.WEBSITE_NAME, "國家設計中心", None, Problem.NAME_RESERVED_PREFIX),
        (Validator.WEBSITE_NAME, "星辰赌博游戏", None, Problem.NAME_SENSITIVE_WORD),
        (Validator.DOMAIN, "HTTPS://WWW.Example.com/about", "example.com", None),
        (Validator.DOMAIN, "shop.example.com.cn", "example.com.cn", None),
        (Validator.DOMAIN, "例子.中国", "例子.中国", None),
        (Validator.DOMAIN, "example.io", None, Problem.DOMAIN_SUFFIX),
        (Validator.DOMAIN, "not a domain", None, Problem.DOMAIN_INVALID),
        (Validator.MOBILE, "+86 139-1234-5678", "13912345678", None),
        (Validator.MOBILE, "12345678901", None, Problem.MOBILE_INVALID),
        (Validator.MOBILE, "+852 9123 4567", None, Problem.MOBILE_INVALID),
        (Validator.EMAIL, "a.b@example.cn", "a.b@example.cn", None),
        (Validator.EMAIL, "a@b", None, Problem.EMAIL_INVALID),
        (Validator.DESCRIPTION, "short", None, Problem.DESCRIPTION_TOO_SHORT),
        (Validator.DESCRIPTION, "   ", None, Problem.EMPTY),
    ],
)
def test_text_details_follow_the_filing_rules(
    validator: Validator, text: str, value: str | None, problem: Problem | None
) -> None:
    checked = validate(validator, text, CATALOGUE.domains)
    assert (checked.value, checked.problem) == (value, problem)


def test_eligibility_verdicts_explain_themselves() -> None:
    base = {
        "applicant": "mainland_company",
        "hosting": "mainland",
        "domain": "ready",
        "content": "none",
    }
    assert assess(base) == assess(base) and assess(base).verdict is Verdict.CAN_APPLY
    outside = assess({**base, "hosting": "outside"})
    assert outside.verdict is Verdict.NOT_NEEDED and outside.findings == (Finding.HOSTED_OUTSIDE,)
    foreign = assess({**base, "applicant": "foreign_company"})
    assert foreign.verdict is Verdict.NEEDS_ENTITY and Finding.FOREIGN_COMPANY in foreign.findings
    later = assess({**base, "domain": "abroad", "content": "regulated"})
    assert later.verdict is Verdict.CAN_APPLY_AFTER
    assert {Finding.DOMAIN_ABROAD, Finding.PRE_APPROVAL} <= set(later.findings)
    person = assess({**base, "applicant": "non_mainland_individual"})
    assert {Finding.NON_MAINLAND_PERSON, Finding.PERSONAL_SITES_ONLY} <= set(person.findings)


def test_checklist_depends_on_the_applicant_and_choices() -> None:
    individual = [item.id for item in CATALOGUE.steps_for("mainland_individual", {})]
    assert "id_card_front" in individual and "business_licence" not in individual
    company = [
        item.id for item in CATALOGUE.steps_for("mainland_company", {"legal_rep_in_charge": "yes"})
    ]
    assert "business_licence" in company and "authorisation_letter" not in company
    delegated = [
        item.id for item in CATALOGUE.steps_for("mainland_company", {"legal_rep_in_charge": "no"})
    ]
    assert {"authorisation_letter", "person_in_charge_id_front"} <= set(delegated)
    foreign = [item.id for item in CATALOGUE.steps_for("non_mainland_individual", {})]
    assert "travel_document" in foreign and "id_card_front" not in foreign


def test_catalogue_errors_are_clear(tmp_path: Path) -> None:
    path = tmp_path / "application.toml"
    path.write_text(
        '[domains]\nfileable_suffixes = ["com"]\n[[applicant]]\nid = "a"\n'
        'title = { en = "A", zh_Hans = "甲" }\n[[item]]\nid = "x"\nkind = "image"\n'
        'title = { en = "X", zh_Hans = "X" }\ninstructions = { en = "X", zh_Hans = "X" }\n',
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError, match="needs min_short_side"):
        load_catalogue(path)


def test_a_cards_other_side_must_follow_an_image_step(tmp_path: Path) -> None:
    text = (
        Path(__file__).resolve().parent.parent / "bot" / "knowledge" / "application.toml"
    ).read_text(encoding="utf-8")
    assert CATALOGUE.find_item("id_card_back").other_side_of == "id_card_front"
    path = tmp_path / "application.toml"
    for wrong in ("website_name", "verification_form"):  # a text step; a later step
        path.write_text(
            text.replace('other_side_of = "id_card_front"', f'other_side_of = "{wrong}"'),
            encoding="utf-8",
        )
        with pytest.raises(CatalogueError, match="other_side_of needs an earlier image step"):
            load_catalogue(path)


@pytest.fixture
async def database(tmp_path: Path) -> Database:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}")
    await database.migrate()
    yield database
    await database.dispose()


async def test_steps_advance_skip_back_and_submit(database: Database) -> None:
    async with database.sessions() as session:
        client = Client(telegram_id=1, first_name="A")
        session.add(client)
        await session.flush()
        service = ApplicationService(session, CATALOGUE)
        application = await service.start(client, "mainland_individual")
        assert application.current_step == "filing_type"
        assert await service.start(client, "mainland_company") is application  # one open at a time
        await service.choose(application, CATALOGUE.find_item("filing_type"), "first")
        assert application.current_step == "province"
        await service.choose(application, CATALOGUE.find_item("province"), "beijing")
        assert application.current_step == "hosting_provider"
        await service.choose(application, CATALOGUE.find_item("hosting_provider"), "huawei")
        assert application.current_step == "id_card_front"
        await service.skip(application)
        assert application.current_step == "id_card_back"
        await service.back(application)
        assert application.current_step == "id_card_front"
        progress = await service.progress(application)
        assert (progress.position, progress.total, progress.done) == (4, 23, 3)
        assert not await service.submit(application)
        for item in await service.missing(application):
            await service.accept_text(application, item, "x")
        assert application.current_step == "domain_certificate"  # the optional step is offered
        await service.skip(application)
        assert application.current_step == REVIEW
        assert await service.submit(application)
        assert application.status == "submitted" and await service.open_for(client) is None


def test_office_hours_and_slots() -> None:
    hours = OfficeHours.parse("mon-fri 09:30-12:00,13:30-17:30; sat 10:00-11:00", 30)
    monday = date(2026, 11, 30)
    slots = hours.slots_on(monday)
    assert len(slots) == 13 and slots[0].hour == 9 and slots[0].minute == 30
    assert [s.strftime("%H:%M") for s in hours.slots_on(date(2026, 12, 5))] == ["10:00", "10:30"]
    assert hours.slots_on(date(2026, 12, 6)) == []
    with pytest.raises(OfficeHoursError):
        OfficeHours.parse("weekdays 9-5")


def test_hours_until_24_00_stay_open_through_the_last_minute() -> None:
    # "00:00-24:00" was read as closing at 23:59: a client asking for staff at 23:59 Beijing
    # time was told the office is closed.
    hours = OfficeHours.parse("mon-sun 00:00-24:00", 30)
    beijing = hours.timezone
    assert hours.is_open(datetime(2026, 12, 3, 23, 59, 30, tzinfo=beijing))
    assert hours.is_open(datetime(2026, 12, 4, 0, 0, tzinfo=beijing))
    late = OfficeHours.parse("mon-sun 22:00-24:00", 30)
    assert [s.strftime("%H:%M") for s in late.slots_on(date(2026, 12, 3))] == [
        "22:00",
        "22:30",
        "23:00",
        "23:30",
    ]
    assert not late.is_open(datetime(2026, 12, 4, 0, 0, tzinfo=beijing))
    with pytest.raises(OfficeHoursError):
        OfficeHours.parse("mon 22:00-24:30")


async def test_booking_one_client_per_slot_and_reminders(database: Database) -> None:
    hours = OfficeHours.parse("mon-fri 09:30-12:00", 30)
    now = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)  # Saturday 10:00 in Beijing
    async with database.sessions() as session:
        first = Client(telegram_id=1, first_name="A")
        second = Client(telegram_id=2, first_name="B")
        session.add_all([first, second])
        await session.flush()
        apps = ApplicationService(session, CATALOGUE)
        a = await apps.start(first, "mainland_individual")
        b = await apps.start(second, "mainland_individual")
        service = BookingService(session, hours, days_ahead=7)
        days = await service.free_days(now)
        assert days[0] == date(2026, 11, 30)
        slot = (await service.free_slots(days[0], now))[0]
        assert await service.book(a, slot, now) is not None
        assert await service.book(b, slot, now) is None  # taken
        later = (await service.free_slots(days[0], now))[0]
        assert later > slot
        moved = await service.book(a, later, now)  # changing the time frees the first slot
        assert moved is not None and slot in await service.free_slots(days[0], now)
        due = await service.due_reminders(now)
        assert due == []  # more than a day ahead
        due = await service.due_reminders(now + timedelta(hours=30))
        assert [client.telegram_id for _, client in due] == [1]
        listing = await service.on_day(days[0])
        assert [client.first_name for _, client in listing] == ["A"]
        assert await service.cancel(a) and await service.active_for(a) is None


def test_image_rules_come_from_the_data_file(tmp_path: Path) -> None:
    licence = CATALOGUE.images.rules_for(CATALOGUE.find_item("business_licence"), "aliyun")
    assert (licence.min_short_side, licence.max_output_bytes) == (1100, 4_000_000)
    form = CATALOGUE.images.rules_for(CATALOGUE.find_item("verification_form"), "tencent")
    assert form.min_colourfulness == 0 and form.max_output_bytes == 2_000_000
    text = load_catalogue().model_dump_json()  # round-trips
    assert "verification_form" in text
    broken = (
        (Path(__file__).resolve().parent.parent / "bot" / "knowledge" / "application.toml")
        .read_text(encoding="utf-8")
        .replace("min_sharpness = 25", "min_sharpnes = 25")
    )
    path = tmp_path / "application.toml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(CatalogueError, match="unknown checks"):
        load_catalogue(path)


def test_flood_guard_pauses_then_recovers() -> None:
    now = [0.0]
    guard = FloodGuard(limit=3, window_seconds=10, clock=lambda: now[0])
    verdicts = [guard.check(1) for _ in range(6)]
    assert verdicts == [FloodDecision.HANDLE] * 3 + [
        FloodDecision.PAUSE_NOTICE,
        FloodDecision.DROP,
        FloodDecision.DROP,
    ]
    assert guard.check(2) is FloodDecision.HANDLE  # others are not affected
    now[0] = 11.0
    assert guard.check(1) is FloodDecision.HANDLE  # the window cleared
    now[0] = 30.0
    guard.forget_idle()
    assert guard._seen == {}
