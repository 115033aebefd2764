"""Talking to staff through the bot: alerts, topics, messages both ways, claim and close."""

from __future__ import annotations

from collections.abc import Callable

from bot.config import Settings
from tests.conftest import STAFF_CHAT_ID
from tests.support.harness import Client, Harness, last_reply, replies, running_bot

ALWAYS_OPEN = "mon-sun 00:00-24:00"


def staff_message(
    harness: Harness, text: str, *, topic: int | None = None, reply_to: int | None = None
) -> dict:
    member = Client(harness, user_id=9001, first_name="Wang", language_code="zh-hans")
    update = member.message_update(text=text)
    message = update["message"]
    message["chat"] = {
        "id": STAFF_CHAT_ID,
        "type": "supergroup",
        "title": "Staff",
        "is_forum": topic is not None,
    }
    if topic is not None:
        message["message_thread_id"] = topic
        message["is_topic_message"] = True
    if reply_to is not None:
        message["reply_to_message"] = {
            "message_id": reply_to,
            "date": 0,
            "chat": {"id": STAFF_CHAT_ID, "type": "supergroup"},
            "text": "…",
        }
    return update


def staff_press(harness: Harness, data: str) -> object:
    member = Client(harness, user_id=9001, first_name="Wang")
    message = {
        "message_id": 1,
        "date": 0,
        "chat": {"id": STAFF_CHAT_ID, "type": "supergroup"},
        "text": "alert",
    }
    return member.press(data, message)


async def test_forum_topic_conversation_both_ways(make_settings: Callable[..., Settings]) -> None:
    async with running_bot(make_settings(office_hours=ALWAYS_OPEN)) as harness:
        client = Client(harness, user_id=8101, first_name="Lena", language_code="en")
        # A question the FAQ answers: one it is unsure about is handed off at once.
        await client.say("which server do I need? can you help me choose a server?")
        connected = last_reply(await client.say("/human"))
        assert (
            "connected you with our team" in connected.text
            and "closed right now" not in connected.text
        )
        topics = harness.api.of_method("createForumTopic")
        assert len(topics) == 1 and "Lena" in topics[0].params["name"]
        alert = harness.api.messages_to(STAFF_CHAT_ID)[-1]
        assert alert.params["message_thread_id"] == 1001
        assert "Lena" in alert.text and "English" in alert.text and "choose a server" in alert.text
        assert {label for label, _ in alert.buttons} >= {"✋ Claim", "✅ Close"}

        # The client writes: copied into the topic, not answered by the FAQ.
        calls = await client.say("how long does it take?")
        copies = [c for c in calls if c.method == "copyMessage"]
        assert len(copies) == 1 and copies[0].params["message_thread_id"] == 1001
        assert not replies(calls)
        again = await client.say("/human")  # a burst does not open another topic
        assert "already connected" in last_reply(again).text
        assert len(harness.api.of_method("createForumTopic")) == 1

        # Staff answer in the topic: the client is told who joined, then gets the reply.
        calls = await harness.feed(staff_message(harness, "Hi Lena, 2–3 weeks.", topic=1001))
        to_client = [c for c in calls if int(c.params.get("chat_id", 0)) == client.user_id]
        assert "Wang from our team has joined" in to_client[0].text
        assert to_client[1].method == "copyMessage"
        calls = await harness.feed(staff_message(harness, "random chatter", topic=None))
        assert not [c for c in calls if int(c.params.get("chat_id", 0)) == client.user_id]

        # A photo from the client goes to staff too.
        photo = [{"file_id": "p1", "file_unique_id": "pu1", "width": 800, "height": 600}]
        calls = await harness.feed(client.message_update(photo=photo))
        assert [c.method for c in calls if c.method == "copyMessage"] == ["copyMessage"]

        calls = await staff_press(harness, "sup:claim:1")
        assert any("Wang took this conversation" in c.text for c in replies(calls))
        calls = await staff_press(harness, "sup:close:1")
        assert any(
            "closed" in c.text
            for c in replies(calls)
            if int(c.params["chat_id"]) == client.user_id
        )
        answer = last_reply(await client.say("how long does it take?"))
        assert "weeks" in answer.text  # the FAQ answers again


async def test_plain_group_threads_by_replies_and_outside_hours(
    make_settings: Callable[..., Settings],
) -> None:
    async with running_bot(make_settings(office_hours="mon 09:00-09:30")) as harness:
        harness.api.forum = False
        client = Client(harness, user_id=8102, first_name="Bo", language_code="zh-hans")
        connected = last_reply(await client.press("menu:staff"))
        assert "我们" in connected.text and "北京时间" in connected.text  # closed: when to expect
        assert not harness.api.of_method("createForumTopic")
        alert = harness.api.messages_to(STAFF_CHAT_ID)[-1]
        calls = await client.say("我的域名在国外注册的")
        copy = next(c for c in calls if c.method == "copyMessage")
        assert copy.params["reply_parameters"]["message_id"] == alert.result["message_id"]
        copied_id = copy.result["message_id"]
        calls = await harness.feed(
            staff_message(harness, "请先转入国内注册商", reply_to=copied_id)
        )
        assert [c.method for c in calls if int(c.params.get("chat_id", 0)) == client.user_id] == [
            "sendMessage",
            "copyMessage",
        ]


async def test_staff_buttons_are_refused_to_clients(harness: Harness) -> None:
    client = Client(harness, user_id=8103, language_code="en")
    await client.say("/human")
    intruder = Client(harness, user_id=8104, language_code="en")
    calls = await intruder.press("sup:close:1")
    assert any("staff only" in c.params.get("text", "") for c in calls)
    assert not [c for c in calls if int(c.params.get("chat_id", 0)) == client.user_id]
    calls = await client.say("still there?")
    assert [c.method for c in calls] == ["copyMessage"]  # the conversation is still open


async def test_deleted_topic_is_created_again(harness: Harness) -> None:
    client = Client(harness, user_id=8105, first_name="Ana", language_code="en")
    await client.say("/human")
    await harness.feed(staff_message(harness, "x", topic=1001))
    await staff_press(harness, "sup:close:1")
    harness.api.fail(
        "sendMessage", 400, "Bad Request: message thread not found", chat_id=STAFF_CHAT_ID
    )
    await client.say("/human")
    topics = harness.api.of_method("createForumTopic")
    assert len(topics) == 2
    assert harness.api.messages_to(STAFF_CHAT_ID)[-1].params["message_thread_id"] == 1002
