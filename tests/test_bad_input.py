"""Bad input: forged updates and callback data, odd messages and file names. The bot answers or
ignores each one, never crashes, never leaks another client's data, stores no garbage."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.app import build_application, on_shutdown, on_startup
from bot.config import Settings
from bot.context import services_of
from storage.models import Question, utcnow
from tests.conftest import STAFF_CHAT_ID
from tests.support.fake_bot_api import FakeBotApi
from tests.support.harness import Client, Harness, last_reply, replies, running_bot
from tests.test_staff_stages import StaffChat

FORGED_CALLBACKS = [
    "",
    ":",
    "faq:fb:",
    "faq:fb:1",
    "faq:fb:999999999999999999999999:y",
    "faq:fb:-1:y",
    "faq:fb:1:maybe",
    "faq:e:../../etc/passwd",
    "faq:t:' OR 1=1 --",
    "lang:xx",
    "lang:",
    "elig:applicant:mainland_individual'; DROP TABLE clients; --",
    "elig:hosting:",
    "app:type:nope",
    "app:choose:hosting_provider",
    "app:goto:",
    "book:day:99999999",
    "book:at:20261301T9999",
    "stage:1:approved",
    "stage:abc:with_provider",
    "sup:claim:1",
    "sup:close:abc",
    "bc:send:1",
    "privacy:delete:extra",
    "x" * 64,
    "你好",
]


@pytest.mark.parametrize("data", FORGED_CALLBACKS)
async def test_forged_callback_data_never_crashes_or_leaks(harness: Harness, data: str) -> None:
    victim = Client(harness, user_id=9601, first_name="Victim", language_code="en")
    await victim.say("secret question about my passport number E12345678")
    attacker = Client(harness, user_id=9602, first_name="Eve", language_code="en")
    calls = await attacker.press(data)
    for call in calls:
        assert "something went wrong" not in call.params.get("text", "")
        assert "E12345678" not in str(call.params)
        assert int(call.params.get("chat_id", attacker.user_id)) in (
            attacker.user_id,
            STAFF_CHAT_ID,
        )
    assert any(c.method == "answerCallbackQuery" for c in calls)  # the spinner always stops


ODD_MESSAGES = [
    {"text": "x" * 4096},
    {"text": "'; DROP TABLE questions; --"},
    {"text": "\u202e\u0000\ufffd 🤖" * 50},
    {"text": "/start " + "a" * 4000},
    {"text": "/" + "x" * 60},
    {"text": "99999999999999999999999999999999999999"},
    {"text": "   "},
    {
        "document": {
            "file_id": "d1",
            "file_unique_id": "u1",
            "file_name": "../../../etc/passwd",
            "mime_type": "image/jpeg",
            "file_size": 10,
        }
    },
    {"document": {"file_id": "d2", "file_unique_id": "u2", "file_name": "\udcff\udcfe.jpg"}},
    {"document": {"file_id": "d3", "file_unique_id": "u3", "file_size": 2**62}},
    {"photo": []},
    {"location": {"latitude": 39.9, "longitude": 116.4}},
    {"contact": {"phone_number": "+8613800138000", "first_name": "X"}},
    {"dice": {"emoji": "🎲", "value": 6}},
    {"venue": {"location": {"latitude": 1, "longitude": 2}, "title": "x", "address": "y"}},
]


@pytest.mark.parametrize("content", ODD_MESSAGES, ids=lambda c: next(iter(c)))
async def test_odd_messages_get_an_answer_or_are_ignored(harness: Harness, content: dict) -> None:
    client = Client(harness, user_id=9603, language_code="en")
    await client.press("app:start")
    await client.press("app:type:mainland_individual")
    await client.press("app:choose:filing_type:first")
    await client.press("app:choose:province:beijing")
    await client.press("app:choose:hosting_provider:aliyun")
    calls = await harness.feed(client.message_update(**content))
    assert not any("something went wrong" in c.params.get("text", "") for c in calls)
    assert all(len(c.params.get("text", "")) <= 4096 for c in replies(calls))
    async with services_of(harness.application).database.sessions() as session:
        longest = await session.scalar(select(func.max(func.length(Question.text))))
    assert longest is None or longest <= 4000


async def test_an_update_with_neither_user_nor_chat_is_ignored_without_error(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    # A kind of update this PTB version does not know yet: nothing but its id.
    unknown = {"update_id": 990002, "some_future_update": {"id": 1}}
    with caplog.at_level(logging.ERROR):
        assert await harness.feed(unknown) == []
    errors = [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
    assert errors == []


async def test_updates_without_a_user_or_from_channels_are_ignored(harness: Harness) -> None:
    channel_post = {
        "update_id": 990001,
        "channel_post": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": -100999, "type": "channel"},
            "text": "/start",
        },
    }
    assert await harness.feed(channel_post) == []
    group = Client(harness, user_id=9604, language_code="en")
    update = group.message_update(text="how long does it take?")
    update["message"]["chat"] = {"id": -100555, "type": "group", "title": "Random group"}
    assert replies(await harness.feed(update)) == []


@pytest.mark.parametrize(
    "hours",
    [
        {},
        # Slots up to midnight, or an office west of UTC: 9999-12-31 has no end in datetime.
        {"office_hours": "mon-sun 08:00-24:00"},
        {"office_hours": "mon-fri 09:00-18:00", "office_timezone": "America/Los_Angeles"},
    ],
)
async def test_a_day_outside_the_booking_window_is_a_stale_button(
    make_settings: Callable[..., Settings],
    caplog: pytest.LogCaptureFixture,
    hours: dict[str, str],
) -> None:
    async with running_bot(make_settings(**hours)) as harness:
        await _press_days_outside_the_window(harness, caplog)


async def _press_days_outside_the_window(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client(harness, user_id=9605, language_code="en")
    await client.press("app:start")
    await client.press("app:type:mainland_individual")
    await client.press("app:choose:filing_type:first")
    await client.press("app:choose:province:beijing")
    await client.press("app:choose:hosting_provider:aliyun")
    await client.press("app:goto:verification")
    settings = services_of(harness.application).settings
    today = utcnow().astimezone(settings.hours().timezone).date()
    too_late = today + timedelta(days=settings.booking_days_ahead + 1)
    days = ["99991231", "00010101", too_late.strftime("%Y%m%d"), "20000101"]
    for day in days:
        with caplog.at_level(logging.ERROR):
            calls = await client.press(f"book:day:{day}")
        answers = [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"]
        assert answers == ["This button is out of date."], day
        assert not any(int(c.params.get("chat_id", 0)) == STAFF_CHAT_ID for c in calls), day
        assert "Step" in replies(calls)[-1].text  # back to the verification step
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    days_offered = [data for _label, data in replies(await client.press("book:days"))[-1].buttons]
    first_day = days_offered[0]
    slots = replies(await client.press(first_day))[-1]  # a day the bot offered still works
    assert "choose a time" in slots.text


async def test_lone_surrogates_in_names_and_answers_do_not_break_replies(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client(harness, user_id=9606, first_name="Sam\ud800", language_code="en")
    with caplog.at_level(logging.ERROR):
        await client.say("/start")
        await client.press("app:start")
        await client.press("app:type:mainland_individual")
        await client.press("app:choose:filing_type:first")
        await client.press("app:choose:province:beijing")
        await client.press("app:goto:website_name")
        await client.say("\ud800")
        await client.say("星辰设计\udc00作品集")
        await client.press("app:goto:description")
        await client.say("A portfolio of \ud800 design work")
        await client.press("app:pause")
        await client.say("how long does \ud800 the filing take?")
        await client.say("/human")
    seen = harness.api.seen_in(9606)
    assert seen[0].startswith("Hello, Sam?! 👋")  # replaced, as in storage
    symbols = [text for text in seen if "only Chinese characters, letters and digits" in text]
    assert len(symbols) == 2  # the website name steps answered
    assert any(text.startswith("✅ Saved: A portfolio of ? design work") for text in seen)
    assert any("working days" in text for text in seen)  # the FAQ answered the question
    assert any("talking with our team" in text for text in seen)
    assert harness.api.of_method("createForumTopic")[-1].params["name"].startswith("🆕 Sam? ·")
    assert any("Sam?" in text for text in harness.api.seen_in(STAFF_CHAT_ID))
    assert not [text for text in seen if "something went wrong" in text]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


# A poll update without the fields PTB requires (question, options, counts…).
UNREADABLE = {"update_id": 990100, "poll": {"id": "1"}}


async def test_polling_skips_an_update_it_cannot_read_and_answers_the_next(
    make_settings: Callable[..., Settings], caplog: pytest.LogCaptureFixture
) -> None:
    api = FakeBotApi()
    application = build_application(make_settings(), request=api)
    good = {
        "update_id": 990101,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": 9607, "type": "private", "first_name": "Poll"},
            "from": {"id": 9607, "is_bot": False, "first_name": "Poll", "language_code": "en"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    api.pending_updates = [UNREADABLE, good]
    await application.initialize()
    await on_startup(application)
    await application.start()
    assert application.updater is not None
    try:
        with caplog.at_level(logging.WARNING):
            await application.updater.start_polling(poll_interval=0, timeout=1)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(5):
                    while True:
                        if api.messages_to(9607):
                            break
                        await asyncio.sleep(0.01)
        handed_out = [c for c in api.of_method("getUpdates") if UNREADABLE in (c.result or [])]
        api.pending_updates.clear()  # the updater fetches once more as it stops
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        await on_shutdown(application)
    assert len(handed_out) <= 2, f"the unreadable update was fetched {len(handed_out)} times"
    assert "Hello, Poll" in api.messages_to(9607)[0].text
    skipped = [r.getMessage() for r in caplog.records if "990100" in r.getMessage()]
    assert len(skipped) == 1 and "cannot be read" in skipped[0]


async def test_a_listing_of_visits_for_an_impossible_year_shows_the_date_format(
    harness: Harness,
) -> None:
    staff = StaffChat(harness)
    for day in ("9999-12-31", "0001-01-01"):
        answer = last_reply(await staff.say(f"/bookings {day}"))
        assert "YYYY-MM-DD" in answer.text, day
    assert not any("hit an error" in c.text for c in harness.api.messages_to(STAFF_CHAT_ID))
