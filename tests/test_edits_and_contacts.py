"""What Telegram lets clients do besides typing: edit what they sent, share a contact card.
An edited typed answer corrects the stored answer (a client who fixes a typo that way must not
file the typo); an edit the step refuses, or one made after submitting, is answered, never
silently dropped; a refused text fixed by editing is the step's answer; an edited question is
answered again. A contact card answers a phone number's step;
a video or a voice message at a step is told what the step needs."""

from __future__ import annotations

import itertools
import time
from typing import Any

from sqlalchemy import select, update

from bot.context import services_of
from bot.filing.stages import Stage
from storage.models import FilingApplication, StepState
from tests.support.fake_bot_api import ApiCall
from tests.support.harness import Client, Harness, last_reply, replies


async def _at_step(client: Client, step: str = "website_name") -> None:
    """An individual's new application, opened at `step`."""
    await client.press("app:start")
    await client.press("app:type:mainland_individual")
    await client.press(f"app:goto:{step}")


async def _answer(client: Client, text: str) -> dict[str, Any]:
    """Type an answer; returns the message as Telegram delivered it (to edit it later)."""
    update = client.message_update(text=text)
    await client.harness.feed(update)
    message: dict[str, Any] = update["message"]
    return message


_EDIT_UPDATES = itertools.count(10**9)  # each edit is an update of its own


async def _edit(client: Client, message: dict[str, Any], text: str) -> list[ApiCall]:
    edited = {**message, "text": text, "edit_date": int(time.time())}
    return await client.harness.feed({"update_id": next(_EDIT_UPDATES), "edited_message": edited})


async def _stored(harness: Harness, step: str) -> str | None:
    async with services_of(harness.application).database.sessions() as session:
        value: str | None = await session.scalar(
            select(StepState.value).where(StepState.step_id == step)
        )
        return value


async def test_an_edited_answer_replaces_the_stored_one_and_the_flow_stays_put(
    harness: Harness, client: Client
) -> None:
    await _at_step(client)
    typo = await _answer(client, "星辰设记作品集")
    assert await _stored(harness, "website_name") == "星辰设记作品集"
    calls = await _edit(client, typo, "星辰设计作品集")
    confirmation = last_reply(calls)
    assert "changed to: 星辰设计作品集" in confirmation.text
    assert confirmation.params["reply_parameters"]["message_id"] == typo["message_id"]
    assert len(replies(calls)) == 1  # no step shown again: the client is where they were
    assert await _stored(harness, "website_name") == "星辰设计作品集"
    # The next typed text still answers the step after the website name.
    assert await _stored(harness, "domain") is None
    await client.say("example.cn")
    assert await _stored(harness, "domain") == "example.cn"


async def test_an_edit_the_step_refuses_keeps_the_answer_and_says_why(
    harness: Harness, client: Client
) -> None:
    await _at_step(client)
    typo = await _answer(client, "星辰设计作品集")
    refused = last_reply(await _edit(client, typo, "http://example.cn")).text
    assert "Your edit was not saved" in refused
    assert "The answer stays: 星辰设计作品集" in refused
    assert await _stored(harness, "website_name") == "星辰设计作品集"


async def test_an_edit_after_submitting_changes_nothing_and_points_to_staff(
    harness: Harness,
) -> None:
    client = Client(harness, user_id=5102, language_code="zh-hans")
    await _at_step(client)
    answer = await _answer(client, "星辰设计作品集")
    async with services_of(harness.application).database.sessions() as session:
        await session.execute(update(FilingApplication).values(status=Stage.SUBMITTED.value))
        await session.commit()
    told = last_reply(await _edit(client, answer, "月亮设计"))
    assert "已经提交" in told.text
    assert any(label == "🙋 联系人工客服" for label, _ in told.buttons)
    assert await _stored(harness, "website_name") == "星辰设计作品集"


async def test_edits_that_answered_nothing_or_come_from_another_client_change_nothing(
    harness: Harness, client: Client
) -> None:
    await _at_step(client)
    answer = await _answer(client, "星辰设计作品集")
    question = await _answer(client, "how long does it take?")
    assert await _edit(client, question, "how long does it take to file?") == []
    # Message ids count per chat: another client's message with the same id is theirs, and
    # what it gets (its edit read as a question) goes to that client only.
    other = Client(harness, user_id=5103, language_code="en")
    calls = await _edit(other, {**answer, "chat": other.chat, "from": other.user}, "Hijack")
    assert {int(call.params["chat_id"]) for call in calls} <= {other.user_id}
    assert await _stored(harness, "website_name") == "星辰设计作品集"


async def test_an_edited_question_is_answered_as_it_now_reads(client: Client) -> None:
    asked = await _answer(client, "Can a foreigner apply?")
    calls = await _edit(client, asked, "How long does the ICP filing take?")
    [answer] = replies(calls)
    assert "working days" in answer.text
    # In Chinese too, and an edit into a greeting gets a greeting, not a staff alert.
    chinese = Client(client.harness, user_id=5104, language_code="zh-hans")
    asked = await _answer(chinese, "外国人可以备案吗")
    assert "工作日" in last_reply(await _edit(chinese, asked, "备案需要多长时间？")).text
    assert "您好" in last_reply(await _edit(chinese, asked, "你好")).text


async def test_a_shared_contact_card_answers_a_phone_number_step(
    harness: Harness, client: Client
) -> None:
    await _at_step(client, "mobile")
    # Telegram gives a shared contact's number in international form without the "+".
    card = {"phone_number": "8613912345678", "first_name": "Anna", "user_id": client.user_id}
    saved = replies(await client.harness.feed(client.message_update(contact=card)))[0]
    assert "Saved: 13912345678" in saved.text
    assert await _stored(harness, "mobile") == "13912345678"
    # A foreign number is refused like a typed one, with the reason.
    await client.press("app:goto:emergency_phone")
    card = {"phone_number": "491701234567", "first_name": "Anna"}
    refused = last_reply(await client.harness.feed(client.message_update(contact=card)))
    assert "⚠️" in refused.text
    assert await _stored(harness, "emergency_phone") is None


VIDEO = {
    "video": {
        "file_id": "v1",
        "file_unique_id": "v1",
        "width": 1920,
        "height": 1080,
        "duration": 3,
    }
}
VOICE = {"voice": {"file_id": "v2", "file_unique_id": "v2", "duration": 4}}


async def test_a_video_or_voice_message_at_a_step_is_told_what_the_step_needs(
    client: Client,
) -> None:
    await _at_step(client, "id_card_front")
    told = last_reply(await client.harness.feed(client.message_update(**VIDEO)))
    assert "This step needs a photo or a scan" in told.text
    assert "ID card – portrait side" in told.text  # the step again, not the main menu
    await client.press("app:goto:website_name")
    told = last_reply(await client.harness.feed(client.message_update(**VOICE)))
    assert "Please type your answer" in told.text and "Website name" in told.text


async def test_a_voice_message_outside_an_application_gets_the_menu(client: Client) -> None:
    told = last_reply(await client.harness.feed(client.message_update(**VOICE)))
    assert "I can only read text messages" in told.text


async def test_a_refused_answer_fixed_by_editing_it_is_taken(
    harness: Harness, client: Client
) -> None:
    await _at_step(client)
    typed = await _answer(client, "http://x.cn")
    assert await _stored(harness, "website_name") is None
    fixed = await _edit(client, typed, "星辰设计作品集")
    assert any("Saved: 星辰设计作品集" in call.text for call in replies(fixed))
    assert await _stored(harness, "website_name") == "星辰设计作品集"
    # Later edits of it correct the stored answer as usual.
    assert "changed to" in last_reply(await _edit(client, typed, "星辰设计工作室")).text
    assert await _stored(harness, "website_name") == "星辰设计工作室"
