"""Conversations with a real PTB Application: what clients actually receive, in each language."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.context import services_of
from storage.models import Client as ClientRow
from storage.models import FilingApplication, Question
from tests.conftest import POSTGRES_URL, STAFF_CHAT_ID
from tests.support.fake_bot_api import ApiCall
from tests.support.harness import Client, Harness, last_reply, replies, running_bot


async def _questions(harness: Harness) -> list[Question]:
    async with services_of(harness.application).database.sessions() as session:
        return list((await session.scalars(select(Question).order_by(Question.id))).all())


async def _client_row(harness: Harness, telegram_id: int) -> ClientRow:
    async with services_of(harness.application).database.sessions() as session:
        row = await session.scalar(select(ClientRow).where(ClientRow.telegram_id == telegram_id))
        assert row is not None
        return row


async def test_start_greets_by_name_and_shows_the_menu(client: Client) -> None:
    reply = last_reply(await client.say("/start"))
    assert "Hello, Anna!" in reply.text
    labels = [label for label, _ in reply.buttons]
    for expected in (
        "FAQ",
        "Check eligibility",
        "Start my application",
        "My status",
        "Talk to staff",
    ):
        assert any(expected in label for label in labels), labels


async def test_issue_walkthrough_chinese_then_english_then_unrelated(harness: Harness) -> None:
    client = Client(harness, user_id=5002, first_name="Max", language_code="de")
    menu = last_reply(await client.say("/start"))
    assert "Hello, Max!" in menu.text  # German Telegram → English

    language_menu = last_reply(await client.press_on(menu, "Language"))
    chosen = last_reply(await client.press_on(language_menu, "简体中文"))
    assert "简体中文" in chosen.text

    answer = last_reply(await client.say("外国人可以申请吗？"))
    assert "外国" in answer.text
    assert any("有帮助" in label for label, _ in answer.buttons)
    assert any("人工" in label for label, _ in answer.buttons)

    english = last_reply(await client.say("how long does it take?"))
    assert "working days" in english.text or "weeks" in english.text
    assert any("Helpful" in label for label, _ in english.buttons)

    calls = await client.say("what's the best hotpot restaurant in Chengdu?")
    told = [c.text for c in replies(calls) if int(c.params["chat_id"]) == client.user_id]
    assert len(told) == 1 and "outside what I can help with" in told[0]  # a person if asked

    outcomes = [(q.language, q.outcome, q.entry_id) for q in await _questions(harness)]
    assert outcomes[0] == ("zh_Hans", "answer", "foreigners")
    assert outcomes[1] == ("en", "answer", "duration")
    assert outcomes[2][1] == "unsupported"  # off-topic: the bot cannot serve it (issue 11)


async def test_telegram_language_code_picks_the_chinese_variant(harness: Harness) -> None:
    hant = Client(harness, user_id=5003, first_name="Wing", language_code="zh-hk")
    hans = Client(harness, user_id=5004, first_name="Li", language_code="zh-hans")
    assert "您好" in last_reply(await hant.say("/start")).text
    assert (
        "歡迎" in last_reply(await hant.say("/help")).text
        or "常見問題" in last_reply(await hant.say("/help")).text
    )
    assert "常见问题" in last_reply(await hans.say("/help")).text


async def test_traditional_question_is_answered_in_traditional(client: Client) -> None:
    answer = last_reply(await client.say("香港人可以辦理備案嗎？"))
    assert "香港" in answer.text
    assert "有幫助" in " ".join(label for label, _ in answer.buttons)


async def test_browsing_topics_and_feedback(client: Client, harness: Harness) -> None:
    topics = last_reply(await client.say("/faq"))
    topic = last_reply(await client.press(topics.buttons[0][1]))
    answer = last_reply(await client.press(topic.buttons[0][1]))
    assert answer.text.startswith("<b>")
    calls = await client.press_on(answer, "Helpful")
    assert any(
        c.method == "answerCallbackQuery" and "Thank" in c.params.get("text", "") for c in calls
    )
    edited = [c for c in calls if c.method == "editMessageReplyMarkup"]
    assert edited and all("Helpful" not in label for label, _ in edited[0].buttons)
    assert (await _questions(harness))[-1].helpful is True


async def test_feedback_on_another_clients_answer_is_refused(harness: Harness) -> None:
    owner = Client(harness, user_id=5010)
    intruder = Client(harness, user_id=5011)
    answer = last_reply(await owner.say("how much does it cost?"))
    forged = answer.button("Not helpful")
    calls = await intruder.press(forged)
    assert any("out of date" in c.params.get("text", "") for c in calls)
    assert (await _questions(harness))[-1].helpful is None
    assert all(int(c.params.get("chat_id", intruder.user_id)) == intruder.user_id for c in calls)


async def test_unanswerable_question_offers_a_person_and_alerts_once(
    client: Client, harness: Harness
) -> None:
    # (not "on the Chinese app stores": APP filing is covered now)
    calls = await client.say(
        "can my wordpress plugin be sold to Chinese customers through a reseller?"
    )
    offer = last_reply(calls)
    assert "not sure I understood" in offer.text and offer.button("Talk to staff")
    assert not harness.api.messages_to(STAFF_CHAT_ID)  # nothing opened unasked
    connected = last_reply(await client.press_on(offer, "Talk to staff"))
    assert "talking with our team" in connected.text
    assert "hello@agency.example" in connected.text
    alerts = harness.api.messages_to(STAFF_CHAT_ID)
    assert len(alerts) == 1
    assert "wordpress plugin" in alerts[0].text and "English" in alerts[0].text
    reply = last_reply(await client.press("menu:staff"))
    assert "talking with our team" in reply.text and reply.button("End chat")
    await client.say("/human")
    assert len(harness.api.messages_to(STAFF_CHAT_ID)) == 1  # no second alert


async def test_a_question_nearly_understood_offers_staff_first_then_the_closest_answers(
    client: Client, harness: Harness
) -> None:
    offer = last_reply(await client.say("what if the server sits in our office in Shenzhen"))
    assert "not sure I understood" in offer.text and "open it right away" in offer.text
    labels = [label for label, _ in offer.buttons]
    assert "Talk to staff" in labels[0] and "Browse the FAQ" in labels[-1]
    closest = offer.buttons[1:-1]
    assert 1 <= len(closest) <= 2 and all(data.startswith("faq:e:") for _, data in closest)
    title, _ = closest[0]
    opened = last_reply(await client.press_on(offer, title))
    assert title in opened.text and "Helpful" in " ".join(label for label, _ in opened.buttons)
    assert not harness.api.messages_to(STAFF_CHAT_ID)  # nothing opened unasked


async def test_typed_request_for_a_person_hands_off(client: Client, harness: Harness) -> None:
    reply = last_reply(await client.say("I want to talk to a real person please"))
    assert "talking with our team" in reply.text
    assert harness.api.messages_to(STAFF_CHAT_ID)


async def test_unexpected_input_gets_a_pointer_to_the_menu(client: Client) -> None:
    sticker = {
        "file_id": "s1",
        "file_unique_id": "u1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    calls = await client.harness.feed(client.message_update(sticker=sticker))
    assert "only read text" in last_reply(calls).text
    voice = {"file_id": "v1", "file_unique_id": "u2", "duration": 3}
    calls = await client.harness.feed(client.message_update(voice=voice))
    assert "only read text" in last_reply(calls).text
    reply = last_reply(await client.say("/frobnicate now"))
    assert "/frobnicate" in reply.text and any("FAQ" in label for label, _ in reply.buttons)
    calls = await client.press("no-such-button:42")
    assert any("out of date" in c.params.get("text", "") for c in calls)
    assert "Main menu" not in last_reply(calls).text or last_reply(calls).buttons


async def test_removed_faq_entry_button_is_stale(client: Client) -> None:
    calls = await client.press("faq:e:entry_that_was_deleted")
    assert any("out of date" in c.params.get("text", "") for c in calls)
    assert last_reply(calls).buttons  # the current topics are offered instead


async def test_a_button_of_a_merged_faq_entry_opens_the_entry_that_replaced_it(
    client: Client,
) -> None:
    reply = last_reply(await client.press("faq:e:timeline_number"))  # merged into "duration"
    assert "out of date" not in reply.text
    assert "1–4 weeks" in reply.text and "When do I see the number?" in reply.text


async def test_status_without_an_application_offers_the_way_in(client: Client) -> None:
    reply = last_reply(await client.press("menu:status"))
    assert "no application yet" in reply.text
    labels = " ".join(label for label, _ in reply.buttons)
    assert "Check eligibility" in labels and "Start my application" in labels


async def test_question_is_stored_before_the_answer_is_sent(
    client: Client, harness: Harness
) -> None:
    stored_when_sent: list[int] = []

    async def check(call: ApiCall) -> None:
        if call.method == "sendMessage":
            stored_when_sent.append(len(await _questions(harness)))

    harness.api.observers.append(check)
    await client.say("what documents does an individual need?")
    assert stored_when_sent == [1]


async def test_update_delivered_twice_is_handled_once(client: Client, harness: Harness) -> None:
    update = client.message_update(text="how long does the filing take?")
    first = await harness.feed(update)
    second = await harness.feed(update)
    assert replies(first) and not replies(second)
    assert len(await _questions(harness)) == 1


@pytest.mark.skipif(
    bool(POSTGRES_URL),
    reason="on PostgreSQL the client's advisory lock makes the second bot wait for the first, "
    "so this race cannot happen (tests/test_two_processes.py); here the test would wait forever",
)
async def test_an_update_another_process_handled_first_is_dropped_in_silence(
    make_settings: Callable[..., Settings],
) -> None:
    """Two bots wrongly share one SQLite file, and both get the same button press: the one
    that stores its work first answers; the other drops its work instead of telling the client
    (and staff) that something went wrong."""
    settings = make_settings()
    async with running_bot(settings) as first, running_bot(settings) as second:
        client = Client(second, user_id=5077)
        await client.say("/start")
        await client.press("menu:apply")
        press = {
            "update_id": 880001,
            "callback_query": {
                "id": "880001",
                "from": client.user,
                "chat_instance": "5077",
                "data": "app:type:mainland_individual",
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": client.chat,
                    "from": {"id": 700000001, "is_bot": True, "first_name": "ICP Assistant"},
                    "text": "Who will apply?",
                },
            },
        }
        overtaken: list[str] = []

        async def overtake(call: ApiCall) -> None:  # the other bot finishes while this one waits
            if call.method == "answerCallbackQuery" and not overtaken:
                overtaken.append(call.method)
                await first.feed(press)

        second.api.observers.append(overtake)
        dropped = await second.feed(press)
        answered = first.api.calls
        assert overtaken and replies(answered), [call.method for call in answered]
        assert not [call for call in dropped if call.method == "sendMessage"]  # no error, no alert
        async with services_of(first.application).database.sessions() as session:
            stored = (await session.scalars(select(FilingApplication))).all()
        assert len(stored) == 1


async def test_client_record_and_blocking(client: Client, harness: Harness) -> None:
    await client.say("/start")
    row = await _client_row(harness, client.user_id)
    assert row.first_name == "Anna" and row.telegram_language == "en" and not row.blocked_bot
    blocked = {
        "update_id": 900001,
        "my_chat_member": {
            "chat": client.chat,
            "from": client.user,
            "date": 0,
            "old_chat_member": {
                "status": "member",
                "user": {"id": 700000001, "is_bot": True, "first_name": "Bot"},
            },
            "new_chat_member": {
                "status": "kicked",
                "until_date": 0,
                "user": {"id": 700000001, "is_bot": True, "first_name": "Bot"},
            },
        },
    }
    await harness.feed(blocked)
    assert (await _client_row(harness, client.user_id)).blocked_bot


async def test_sending_to_a_client_who_blocked_the_bot_marks_them(
    client: Client, harness: Harness
) -> None:
    harness.api.fail(
        "sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=client.user_id
    )
    await client.say("/start")
    assert (await _client_row(harness, client.user_id)).blocked_bot


async def test_handler_failure_gets_a_polite_reply(client: Client, harness: Harness) -> None:
    harness.api.fail("sendMessage", 400, "Bad Request: something odd", chat_id=client.user_id)
    calls = await client.say("/start")
    assert "something went wrong" in last_reply(calls).text
    report = harness.api.messages_to(STAFF_CHAT_ID)[-1].text
    assert re.search(r"BadRequest in \w+\.py:\d+", report)
    assert "Anna" not in report and "something odd" not in report  # no personal data


async def test_a_dropped_connection_is_retried(client: Client, harness: Harness) -> None:
    harness.api.fail("sendMessage", 0, "connection reset", chat_id=client.user_id)
    assert "Hello, Anna" in last_reply(await client.say("/start")).text


async def test_language_choice_survives_a_restart(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings()
    async with running_bot(settings) as first:
        client = Client(first, user_id=5020, language_code="en")
        await client.press("lang:zh_Hant")
    async with running_bot(settings) as second:
        client = Client(second, user_id=5020, language_code="en")
        reply = last_reply(await client.say("/start"))
        assert "您好" in reply.text and "常見問題" in " ".join(label for label, _ in reply.buttons)


async def test_live_reply_waits_out_a_flood_limit(client: Client, harness: Harness) -> None:
    harness.api.fail(
        "sendMessage",
        429,
        "Too Many Requests: retry after 1",
        chat_id=client.user_id,
        retry_after=1,
    )
    calls = await client.say("/start")
    assert [c.method for c in calls].count("sendMessage") == 2  # refused once, then delivered
    assert "Hello, Anna" in last_reply(calls).text


async def test_a_flooding_client_is_paused_and_others_are_not(make_settings) -> None:  # type: ignore[no-untyped-def]
    async with running_bot(make_settings(flood_limit=5, flood_window_seconds=60)) as harness:
        flooder = Client(harness, user_id=5301, first_name="Spam", language_code="en")
        calm = Client(harness, user_id=5302, language_code="en")
        answered = 0
        for _ in range(12):
            calls = await flooder.say("how long does it take?")
            answered += any("weeks" in c.text for c in replies(calls))
        assert answered == 5
        to_flooder = [c.text for c in harness.api.messages_to(5301)]
        assert sum("pausing for a few seconds" in text for text in to_flooder) == 1
        alerts = [c.text for c in harness.api.messages_to(STAFF_CHAT_ID) if "very fast" in c.text]
        assert len(alerts) == 1 and "5301" in alerts[0]
        assert "weeks" in last_reply(await calm.say("how long does it take?")).text


async def test_a_request_the_bot_cannot_serve_is_told_so_and_offered_a_person(
    harness: Harness,
) -> None:
    client = Client(harness, user_id=5090, language_code="en")
    answer = replies(await client.say("Please book me a flight to Shenzhen"))
    assert len(answer) == 1 and "outside what I can help with" in answer[0].text
    assert any("Talk to staff" in label for label, _ in answer[0].buttons)
    assert harness.api.messages_to(STAFF_CHAT_ID) == []  # a person only if the client asks

    chinese = Client(harness, user_id=5091, language_code="zh-hans")
    answer = last_reply(await chinese.say("帮我订一张去深圳的机票"))
    assert "超出了我能帮忙的范围" in answer.text
    assert any("人工" in label for label, _ in answer.buttons)


async def test_a_question_with_two_parts_gets_both_answers_in_one_message(
    harness: Harness,
) -> None:
    client = Client(harness, user_id=5092, language_code="en")
    answer = replies(await client.say("How long does the filing take? And how much does it cost?"))
    assert len(answer) == 1
    assert "How long does it take?" in answer[0].text and "cost" in answer[0].text.lower()
    assert "working days" in answer[0].text and "free" in answer[0].text.lower()


async def test_an_answer_close_to_another_entry_offers_it_as_a_button(
    harness: Harness,
) -> None:
    client = Client(harness, user_id=5094, language_code="en")
    answer = last_reply(await client.say("is the ICP licence the same as an ICP number?"))
    titles = {"What is an ICP filing (ICP number)?", "ICP filing or commercial ICP licence?"}
    shown = next(title for title in titles if title in answer.text)
    (other,) = titles - {shown}
    assert any(label == f"📖 {other}" for label, _ in answer.buttons), answer.buttons
    opened = replies(await client.press_on(answer, other))
    assert opened and opened[-1].method == "sendMessage"  # a new message: the first one stays
    assert opened[-1].text.startswith(f"<b>{other}</b>") or other in opened[-1].text

    chinese = Client(harness, user_id=5095, language_code="zh-hant")
    answer = last_reply(await chinese.say("icp備案跟icp證差在哪"))
    assert any(label.startswith("📖 ") for label, _ in answer.buttons), answer.buttons


async def test_a_domain_typed_by_a_chinese_client_is_answered_in_chinese(
    harness: Harness,
) -> None:
    client = Client(harness, user_id=5093, language_code="zh-hans")
    told = [c.text for c in replies(await client.say("example.com"))]
    assert told and all(re.search(r"[\u4e00-\u9fff]", text) for text in told), told
