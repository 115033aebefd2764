"""Names and texts from Telegram reach every HTML message exactly as they were typed.

Replies use parse_mode HTML. The fake Bot API refuses what Telegram refuses ("can't parse
entities"), and ``seen_in`` gives each message as its recipient reads it.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.config import Settings
from tests.conftest import STAFF_CHAT_ID
from tests.support.harness import Client, Harness, running_bot
from tests.test_broadcast import finished
from tests.test_staff_stages import StaffChat, submitted_application
from tests.test_support import ALWAYS_OPEN, staff_message

NASTY = '<i>Sam & "Co"'


def refused(harness: Harness) -> list[str]:
    """Every message Telegram refused because of its HTML."""
    return [
        call.error for call in harness.api.calls if call.error and "parse entities" in call.error
    ]


def seen_anywhere(harness: Harness, chat_id: int, part: str) -> list[str]:
    return [text for text in harness.api.seen_in(chat_id) if part in text]


async def test_a_staff_name_with_markup_is_shown_as_typed(
    make_settings: Callable[..., Settings],
) -> None:
    async with running_bot(make_settings(office_hours=ALWAYS_OPEN)) as harness:
        client = Client(harness, user_id=8301, first_name="Lena", language_code="en")
        await client.say("/human")
        staff = Client(harness, user_id=9002, first_name=NASTY, language_code="en")
        message = {"message_id": 1, "date": 0, "chat": {"id": STAFF_CHAT_ID, "type": "supergroup"}}
        await staff.press("sup:claim:1", {**message, "text": "alert"})
        assert seen_anywhere(harness, 8301, "from our team has joined") == [
            f"👋 {NASTY} from our team has joined the conversation."
        ]
        [edited] = seen_anywhere(harness, STAFF_CHAT_ID, "Claimed by")  # the alert, edited
        assert f"✋ Claimed by {NASTY}, " in edited
        await staff.press("sup:close:1", {**message, "text": "alert"})
        closed = seen_anywhere(harness, STAFF_CHAT_ID, "✅ Closed (")
        assert closed and all(f"Closed ({NASTY})" in text for text in closed)
        assert refused(harness) == []


async def test_a_staff_reply_that_cannot_be_delivered_is_explained(
    make_settings: Callable[..., Settings],
) -> None:
    async with running_bot(make_settings(office_hours=ALWAYS_OPEN)) as harness:
        client = Client(harness, user_id=8302, first_name="Lena", language_code="en")
        await client.say("/human")
        harness.api.fail("copyMessage", 400, "Bad Request: message <text> & caption are empty")
        await harness.feed(staff_message(harness, "hello", topic=1001))
        assert seen_anywhere(harness, STAFF_CHAT_ID, "Could not deliver") == [
            "Could not deliver this to the client: Message <text> & caption are empty"
        ]
        assert refused(harness) == []


async def test_client_names_and_answers_with_markup_reach_staff_as_typed(
    make_settings: Callable[..., Settings],
) -> None:
    async with running_bot(make_settings(office_hours=ALWAYS_OPEN, admin_ids=[9001])) as harness:
        client = Client(harness, user_id=8303, first_name=NASTY, username="sam_co")
        greeting = (await client.say("/start"))[-1]
        assert harness.api.seen_in(8303)[-1].startswith(f"Hello, {NASTY}! 👋"), greeting
        await client.say("what is <b>this</b> & that?")
        await client.say("/human")
        alert = seen_anywhere(harness, STAFF_CHAT_ID, "would like to talk")
        assert len(alert) == 1
        assert f"{NASTY} (@sam_co" in alert[0] and "what is <b>this</b> & that?" in alert[0]

        number = await submitted_application(harness, client)
        staff = StaffChat(harness)
        await staff.say(f"/app {number}")
        assert seen_anywhere(harness, STAFF_CHAT_ID, f"Application #{number} – {NASTY}")
        await staff.say(f"/changes {number} email: use <your> own & not ours")
        notice = seen_anywhere(harness, 8303, "We need a few changes")
        assert notice and "use <your> own & not ours" in notice[-1]
        assert refused(harness) == []


async def test_a_broadcast_reaches_recipients_exactly_as_staff_typed_it(
    harness: Harness,
) -> None:
    for user_id, code in ((8311, "en"), (8312, "zh-hans")):
        await Client(harness, user_id=user_id, language_code=code).say("/start")
    english, chinese = "Fish & chips <3 at <b>5pm</b>", "鱼 & 薯条 <3"
    calls = await StaffChat(harness).say(f"/broadcast all | {english} | {chinese}")
    preview = [c for c in calls if c.method == "sendMessage"][-1]
    assert english in preview.seen and chinese in preview.seen
    await StaffChat(harness).press(preview.button("Send"))
    await finished(harness)
    assert harness.api.seen_in(8311)[-1] == f"📣 Notice from REDSTAR Works\n\n{english}"
    assert harness.api.seen_in(8312)[-1] == f"📣 REDSTAR Works 通知\n\n{chinese}"
    assert refused(harness) == []
