"""Visits to the office for the verification photo: the address as text and on the map, what to
bring, change and cancel from the confirmation and from the reminder (also once the application
is submitted), and the provider's own face check offered only where the provider has one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select
from telegram.ext import CallbackContext

from bot.config import ConfigError, Settings, load_settings
from bot.context import services_of
from bot.filing.catalogue import load_catalogue
from bot.i18n import Translations
from bot.jobs.schedule import send_visit_reminders
from bot.services.office import office_for
from storage.models import Booking, FilingApplication, StepState, utcnow
from storage.statuses import BookingStatus
from tests.conftest import TEST_TOKEN
from tests.support.fake_bot_api import ApiCall
from tests.support.harness import Client, Harness, last_reply, replies, running_bot

ADDRESS = "Room 1203, 88 Century Avenue, Pudong, Shanghai"


def places(calls: list[ApiCall]) -> list[ApiCall]:
    return [call for call in calls if call.method in ("sendVenue", "sendLocation")]


async def book_first_free(client: Client, days: ApiCall) -> list[ApiCall]:
    slots = last_reply(await client.press_on(days, days.buttons[0][0]))
    return await client.press_on(slots, slots.buttons[0][0])


async def bookings_of(harness: Harness) -> list[Booking]:
    async with services_of(harness.application).database.sessions() as session:
        return list(await session.scalars(select(Booking).order_by(Booking.id)))


async def test_a_visit_with_address_map_and_what_to_bring_changed_and_cancelled_in_english(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(office_address=ADDRESS, office_location="31.2397,121.4998")
    async with running_bot(settings) as harness:
        client = Client(harness, user_id=6201, language_code="en")
        await client.press("app:start")
        await client.press("app:type:mainland_individual")
        await client.press("app:choose:filing_type:first")
        await client.press("app:choose:province:beijing")
        await client.press("app:choose:hosting_provider:aliyun")
        card = last_reply(await client.press("app:goto:verification"))
        assert "face check in the Alibaba Cloud app" in card.text
        assert card.button("face check is done") == "verify:face"

        booked = await book_first_free(client, last_reply(await client.press_on(card, "Book")))
        [confirmation] = [c for c in replies(booked) if "is booked for" in c.text]
        assert ADDRESS in confirmation.seen and "Please bring" in confirmation.seen
        assert "ID card or passport" in confirmation.seen
        assert confirmation.button("Change the time") == "book:days"
        assert confirmation.button("Cancel the visit") == "book:cancel"
        [venue] = places(booked)
        assert venue.method == "sendVenue" and venue.params["address"] == ADDRESS
        assert (float(venue.params["latitude"]), float(venue.params["longitude"])) == (
            31.2397,
            121.4998,
        )
        # Change the time from the confirmation.
        days = last_reply(await client.press_on(confirmation, "Change the time"))
        slots = last_reply(await client.press_on(days, days.buttons[-2][0]))  # last row: Back
        await client.press_on(slots, slots.buttons[-2][0])
        first, second = await bookings_of(harness)
        assert first.status == BookingStatus.CANCELLED and second.status == BookingStatus.BOOKED

        # The application is submitted; the reminder the day before still changes and cancels.
        services = services_of(harness.application)
        async with services.database.sessions() as session:
            application = await session.scalar(select(FilingApplication))
            booking = await session.get(Booking, second.id)
            assert application is not None and booking is not None
            application.status = "submitted"
            booking.starts_at = utcnow() + timedelta(hours=20)
            await session.commit()
        before = len(harness.api.calls)
        await send_visit_reminders(CallbackContext(harness.application))
        sent = harness.api.calls[before:]
        [reminder] = [c for c in replies(sent) if "Reminder" in c.text]
        assert ADDRESS in reminder.seen and "Please bring" in reminder.seen
        assert reminder.button("Change the time") == "book:days"
        assert [c.method for c in places(sent)] == ["sendVenue"]

        days = last_reply(await client.press_on(reminder, "Change the time"))
        assert "Which day" in days.text  # not "out of date": the visit can still move
        moved = await book_first_free(client, days)
        assert any("is booked for" in c.text for c in replies(moved))
        assert not any("Review your application" in c.text for c in replies(moved))
        latest = (await bookings_of(harness))[-1]
        async with services.database.sessions() as session:
            state = await session.scalar(
                select(StepState).where(StepState.step_id == "verification")
            )
            assert state is not None and state.value is not None
            assert state.value.endswith(latest.starts_at.strftime("%H:%M:00+00:00"))

        cancelled = last_reply(await client.press_on(reminder, "Cancel the visit"))
        assert "Your visit is cancelled" in cancelled.text
        assert cancelled.button("Book a visit") == "book:days"
        assert all(b.status == BookingStatus.CANCELLED for b in await bookings_of(harness))
        stale = await client.press("book:cancel")
        assert any("out of date" in str(c.params.get("text", "")) for c in stale)
        again = await book_first_free(client, last_reply(await client.press_on(cancelled, "Book")))
        assert any("is booked for" in c.text for c in replies(again))
        assert (await bookings_of(harness))[-1].status == BookingStatus.BOOKED


async def test_a_provider_without_face_check_books_a_visit_in_chinese(harness: Harness) -> None:
    client = Client(harness, user_id=6202, first_name="李雷", language_code="zh-hans")
    await client.press("app:start")
    await client.press("app:type:mainland_individual")
    await client.press("app:choose:filing_type:first")
    await client.press("app:choose:province:beijing")
    await client.press("app:choose:hosting_provider:other")
    card = last_reply(await client.press("app:goto:verification"))
    assert "需要到我们办公室" in card.text
    assert not any(data == "verify:face" for _label, data in card.buttons)
    forged = await client.press("verify:face")
    assert any("已过期" in str(c.params.get("text", "")) for c in forged)

    booked = await book_first_free(client, last_reply(await client.press_on(card, "预约")))
    [confirmation] = [c for c in replies(booked) if "已预约" in c.text]
    assert "到访前告知" in confirmation.seen  # no address configured: staff send it
    assert "身份证或护照原件" in confirmation.seen  # what to bring, from the data file
    assert "更改时间" in confirmation.buttons[0][0] and "取消预约" in confirmation.buttons[1][0]
    assert places(booked) == []  # no place configured: no map


async def test_tencent_clients_are_told_where_their_face_check_is(harness: Harness) -> None:
    client = Client(harness, user_id=6203, language_code="zh-hans")
    await client.press("app:start")
    await client.press("app:type:mainland_individual")
    await client.press("app:choose:filing_type:first")
    await client.press("app:choose:province:beijing")
    await client.press("app:choose:hosting_provider:tencent")
    card = last_reply(await client.press("app:goto:verification"))
    assert "腾讯云网站备案" in card.text and "verify:face" in [d for _l, d in card.buttons]


def test_the_office_comes_from_the_configuration_then_the_data_file(
    make_settings: Callable[..., Settings],
) -> None:
    catalogue = load_catalogue()
    english = Translations.load("en").get("en")
    office = office_for(make_settings(), catalogue, english)
    assert office.address is None and office.location is None and "passport" in office.bring
    configured = office_for(
        make_settings(office_address=ADDRESS, office_location=" 31.2, 121.5 "), catalogue, english
    )
    assert configured.address == ADDRESS and configured.location == (31.2, 121.5)
    with pytest.raises(ConfigError, match="OFFICE_LOCATION"):
        load_settings(bot_token=TEST_TOKEN, office_location="Shanghai", _env_file=None)
