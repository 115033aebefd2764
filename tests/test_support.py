"""Talking to staff through the bot: alerts, topics, messages both ways, claim and close."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import pytest
from PIL import ImageFilter
from sqlalchemy import select

from bot.config import Settings
from bot.context import services_of
from bot.filing.applications import ApplicationService
from bot.jobs.conversations import close_quiet_conversations
from bot.telegram_messenger import TelegramMessenger
from storage.models import Client as ClientRow
from storage.models import utcnow
from tests.conftest import STAFF_CHAT_ID
from tests.support.fake_bot_api import ApiCall
from tests.support.harness import Client, Harness, last_reply, replies, running_bot
from tests.support.image_samples import encode
from tests.support.image_scenes import id_card_photo

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


def staff_press_on(harness: Harness, call: ApiCall, label: str, user_id: int = 9001) -> object:
    """A staff member presses a button on a message the bot posted in the staff group."""
    member = Client(harness, user_id=user_id, first_name="Wang")
    return member.press(call.button(label), call.result)


def to_client(calls: list[ApiCall], client: Client) -> list[ApiCall]:
    return [c for c in calls if int(c.params.get("chat_id", 0)) == client.user_id]


async def test_forum_topic_conversation_both_ways(make_settings: Callable[..., Settings]) -> None:
    async with running_bot(make_settings(office_hours=ALWAYS_OPEN)) as harness:
        api = harness.api
        client = Client(harness, user_id=8101, first_name="Lena", language_code="en")
        await client.say("which server do I need? can you help me choose a server?")
        connected = last_reply(await client.say("/human"))
        assert "talking with our team" in connected.text
        assert "closed right now" not in connected.text
        assert connected.button("End chat") == "sup:end"
        topics = api.of_method("createForumTopic")
        assert len(topics) == 1 and topics[0].params["name"] == "🆕 Lena · 8101"
        alert = api.messages_to(STAFF_CHAT_ID)[-1]
        assert alert.params["message_thread_id"] == 1001
        assert "Lena" in alert.text and "English" in alert.text and "choose a server" in alert.text
        assert {label for label, _ in alert.buttons} == {"✋ Claim", "✅ Close"}

        # The client writes: copied into the topic and marked delivered with a quiet 👌.
        update = client.message_update(text="I sent the papers to your office yesterday")
        calls = await harness.feed(update)
        copies = [c for c in calls if c.method == "copyMessage"]
        assert len(copies) == 1 and copies[0].params["message_thread_id"] == 1001
        [mark] = [c for c in calls if c.method == "setMessageReaction"]
        assert mark.params["message_id"] == update["message"]["message_id"]
        assert "👌" in str(mark.params["reaction"]) and int(mark.params["chat_id"]) == 8101
        assert not replies(calls)
        # A question the FAQ is sure of goes to staff and is answered at once as well.
        calls = await client.say("how long does it take?")
        assert [c.method for c in calls if c.method == "copyMessage"] == ["copyMessage"]
        answer = last_reply(calls)
        assert "weeks" in answer.text and "also went to our team" in answer.text
        again = await client.say("/human")  # a burst does not open another topic
        assert "talking with our team" in last_reply(again).text
        assert len(api.of_method("createForumTopic")) == 1

        # Staff answer in the topic: the client is told once who joined, then gets the reply;
        # the alert now says who claimed it and the topic's icon changes.
        calls = await harness.feed(staff_message(harness, "Hi Lena, 2–3 weeks.", topic=1001))
        told = to_client(calls, client)
        assert "Wang from our team has joined" in told[0].text
        assert told[1].method == "copyMessage"
        assert any(c.method == "setMessageReaction" for c in to_client_or_staff(calls))
        [edited] = [c for c in calls if c.method == "editMessageText"]
        assert edited.params["message_id"] == alert.result["message_id"]
        assert "Claimed by Wang" in edited.text and "Lena" in edited.text
        assert [label for label, _ in edited.buttons] == ["✅ Close"]
        [renamed] = [c for c in calls if c.method == "editForumTopic"]
        assert renamed.params["name"] == "💬 Lena · 8101"
        calls = await harness.feed(staff_message(harness, "random chatter", topic=None))
        assert not to_client(calls, client)
        calls = await harness.feed(staff_message(harness, "more", topic=1001))
        assert [c.method for c in to_client(calls, client)] == ["copyMessage"]  # no 2nd join

        # Claim once more: nobody is told again.
        calls = await staff_press(harness, "sup:claim:1")
        assert not to_client(calls, client)
        assert any("already taken" in c.params.get("text", "") for c in calls)

        calls = await staff_press(harness, "sup:close:1")
        assert any("closed" in c.text for c in replies(to_client(calls, client)))
        [edited] = [c for c in calls if c.method == "editMessageText"]
        assert "Closed (Wang)" in edited.text and "Claimed by Wang" in edited.text
        assert [label for label, _ in edited.buttons] == ["🔄 Reopen"]
        assert [c.params["name"] for c in calls if c.method == "editForumTopic"] == [
            "✅ Lena · 8101"
        ]
        assert [c.params["message_thread_id"] for c in calls if c.method == "closeForumTopic"] == [
            1001
        ]
        answer = last_reply(await client.say("how long does it take?"))
        assert "weeks" in answer.text and "also went" not in answer.text  # the FAQ again

        # Staff write in the closed topic: nothing is sent, Reopen is offered; pressing it
        # reopens the conversation and delivers the message.
        written = staff_message(harness, "One more thing, Lena", topic=1001)
        calls = await harness.feed(written)
        assert not to_client(calls, client)
        offer = last_reply(calls)
        assert "closed" in offer.text and offer.params["message_thread_id"] == 1001
        calls = await staff_press_on(harness, offer, "Reopen")
        told = to_client(calls, client)
        assert "back in the conversation" in told[0].text and told[0].button("End chat")
        assert told[1].method == "copyMessage"
        assert told[1].params["message_id"] == written["message"]["message_id"]
        assert [c.method for c in calls if "ForumTopic" in c.method] == [
            "editForumTopic",
            "reopenForumTopic",
        ]

        # The client ends it with /cancel; staff see who ended it.
        calls = await client.say("/cancel")
        assert "Chat ended" in last_reply(to_client(calls, client)).text
        assert any("Closed (the client)" in c.text for c in replies(calls))


def to_client_or_staff(calls: list[ApiCall]) -> list[ApiCall]:
    return [c for c in calls if int(c.params.get("chat_id", 0)) == STAFF_CHAT_ID]


async def test_the_client_ends_the_chat_with_the_button(harness: Harness) -> None:
    client = Client(harness, user_id=8110, first_name="伟", language_code="zh-hans")
    client_row_last = {"last_name": "王"}
    update = client.message_update(text="/human")
    update["message"]["from"].update(client_row_last)
    update["message"]["entities"] = [{"type": "bot_command", "offset": 0, "length": 6}]
    calls = await harness.feed(update)
    connected = last_reply(calls)
    assert "您正在与我们的团队交谈" in connected.text  # in the client's language
    assert [c.params["name"] for c in calls if c.method == "createForumTopic"] == [
        "🆕 王伟 · 8110"
    ]
    calls = await client.press_on(connected, "结束")
    assert "已结束" in last_reply(to_client(calls, client)).text
    staff_side = [c.text for c in replies(calls) if int(c.params["chat_id"]) == STAFF_CHAT_ID]
    assert any("Closed (the client)" in text for text in staff_side)
    calls = await client.press_on(connected, "结束")  # the old button again
    assert "已经结束" in last_reply(to_client(calls, client)).text
    assert [c.method for c in await client.say("你好")] != ["copyMessage"]  # not relayed


async def test_an_unsure_question_offers_a_person_instead_of_opening_a_chat(
    harness: Harness,
) -> None:
    client = Client(harness, user_id=8111, first_name="Li", language_code="zh-hans")
    calls = await client.say("可以把我的wordpress插件通过经销商卖给中国客户吗")
    answer = last_reply(calls)
    assert not [c for c in calls if int(c.params.get("chat_id", 0)) == STAFF_CHAT_ID]
    assert "人工" in answer.text or any("人工" in label for label, _ in answer.buttons)
    calls = await client.press_on(answer, "人工")
    assert "您正在与我们的团队交谈" in last_reply(calls).text
    assert any(int(c.params.get("chat_id", 0)) == STAFF_CHAT_ID for c in calls)


async def test_a_quiet_conversation_closes_by_itself(harness: Harness) -> None:
    client = Client(harness, user_id=8112, first_name="Ana", language_code="en")
    await client.say("/human")
    services = services_of(harness.application)
    arguments = (
        services.database,
        TelegramMessenger(harness.application.bot),
        services.settings,
        services.translations,
        services.catalogue,
        services.staff_forum,
    )
    before = len(harness.api.calls)
    assert await close_quiet_conversations(*arguments) == 0  # not quiet long enough
    later = utcnow() + timedelta(minutes=services.settings.conversation_quiet_minutes + 1)
    assert await close_quiet_conversations(*arguments, now=later) == 1
    assert await close_quiet_conversations(*arguments, now=later) == 0  # once
    calls = harness.api.calls[before:]
    told = [c.text for c in replies(calls) if int(c.params["chat_id"]) == client.user_id]
    assert len(told) == 1 and "quiet while" in told[0]
    assert any(c.method == "closeForumTopic" for c in calls)


async def test_queue_lists_open_conversations_with_their_waiting_time(harness: Harness) -> None:
    first = Client(harness, user_id=8113, first_name="Ana", language_code="en")
    second = Client(harness, user_id=8114, first_name="Bo", language_code="en")
    await first.say("/human")
    await second.say("/human")
    await harness.feed(staff_message(harness, "hello Bo", topic=1002))
    member = Client(harness, user_id=9001, first_name="Wang")
    update = member.message_update(text="/queue")
    update["message"]["chat"] = {"id": STAFF_CHAT_ID, "type": "supergroup", "title": "Staff"}
    update["message"]["entities"] = [{"type": "bot_command", "offset": 0, "length": 6}]
    listing = last_reply(await harness.feed(update)).seen
    assert "Open conversations: 2" in listing
    assert listing.index("Ana") < listing.index("Bo")  # unclaimed first
    assert "unclaimed, waiting 0 min" in listing and "Wang, last message 0 min ago" in listing
    refused = await Client(harness, user_id=8115).say("/queue")
    assert "staff only" in last_reply(refused).text


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
    for data in ("sup:close:1", "sup:claim:1", "sup:reopen:1:5"):
        calls = await intruder.press(data)
        assert any("staff only" in c.params.get("text", "") for c in calls)
        assert not [c for c in calls if int(c.params.get("chat_id", 0)) == client.user_id]
        assert not [c for c in calls if "ForumTopic" in c.method or c.method == "editMessageText"]
    calls = await client.say("still there?")
    assert [c.method for c in calls] == ["copyMessage", "setMessageReaction"]  # still open
    calls = await intruder.say("/queue")
    assert "staff only" in last_reply(calls).text


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


async def test_a_submission_opens_a_conversation_that_closes_when_the_case_moves_on(
    harness: Harness,
) -> None:
    client = Client(harness, user_id=8116, first_name="Ana", language_code="en")
    await client.say("/start")
    services = services_of(harness.application)
    async with services.database.sessions() as session:
        row = await session.scalar(select(ClientRow).where(ClientRow.telegram_id == 8116))
        applications = ApplicationService(session, services.catalogue)
        application = await applications.start(row, "mainland_individual")
        for item in await applications.missing(application):
            await applications.accept_text(application, item, "x")
        await applications.review(application)
        await session.commit()
        number = application.id
    calls = await client.press("app:submit")
    [told] = [c for c in replies(calls) if int(c.params["chat_id"]) == 8116]
    assert "submitted" in told.text  # one message: submitted, and talking with our team
    assert "opened a conversation with our team" in told.text and told.button("End chat")
    alert = [c for c in replies(calls) if int(c.params["chat_id"]) == STAFF_CHAT_ID][-1]
    assert f"Application #{number} submitted" in alert.text and alert.button("Claim")

    calls = await staff_press(harness, f"stage:{number}:with_provider")
    told = [c.text for c in replies(calls) if int(c.params["chat_id"]) == 8116]
    assert len(told) == 2 and "about your application is closed" in told[1]
    edited = [c for c in calls if c.method == "editMessageText"]
    assert any("Closed (the application moved on)" in c.text for c in edited)
    assert any(c.method == "closeForumTopic" for c in calls)
    calls = await client.say("how long does it take?")
    assert not [c for c in calls if c.method == "copyMessage"]  # the FAQ answers again


@pytest.fixture
async def staffed(make_settings: Callable[..., Settings]) -> AsyncIterator[Harness]:
    """A running bot whose staff are always in."""
    async with running_bot(make_settings(office_hours=ALWAYS_OPEN)) as harness:
        yield harness


def _edited(update: dict, text: str) -> dict:
    """The update Telegram sends when the sender of ``update``'s message edits it."""
    message = {**update["message"], "text": text, "edit_date": 1}
    return {"update_id": update["update_id"] + 500_000, "edited_message": message}


async def test_an_edit_reaches_the_other_side_of_a_conversation(staffed: Harness) -> None:
    harness = staffed
    client = Client(harness, user_id=8111, first_name="Lena", language_code="en")
    await client.say("/human")
    sent = client.message_update(text="My domian is lena-shop.cn <b>")
    [copy] = [c for c in await harness.feed(sent) if c.method == "copyMessage"]
    # The client fixes a typo: staff's copy shows the edit, nothing new is posted.
    calls = await harness.feed(_edited(sent, "My domain is lena-shop.cn <b>"))
    [edit] = [c for c in calls if c.method == "editMessageText"]
    assert int(edit.params["chat_id"]) == STAFF_CHAT_ID
    assert edit.params["message_id"] == copy.result["message_id"]
    assert edit.seen == "My domain is lena-shop.cn <b>"
    assert not [c for c in calls if c.method in ("sendMessage", "copyMessage")]

    # Staff edit their reply: the client's copy shows it.
    answer = staff_message(harness, "It takes 2–3 wekes.", topic=1001)
    calls = await harness.feed(answer)
    [reply] = [c for c in to_client(calls, client) if c.method == "copyMessage"]
    calls = await harness.feed(_edited(answer, "It takes 2–3 weeks."))
    [edit] = [c for c in calls if c.method == "editMessageText"]
    assert int(edit.params["chat_id"]) == client.user_id
    assert edit.params["message_id"] == reply.result["message_id"]
    assert edit.seen == "It takes 2–3 weeks."

    # Another client's message with the same id is not the relayed one.
    other = Client(harness, user_id=8112, language_code="en")
    forged = {**sent, "message": {**sent["message"], "chat": other.chat, "from": other.user}}
    calls = await harness.feed(_edited(forged, "hijack"))
    assert not [c for c in calls if c.method == "editMessageText"]


async def _talking_to_staff_at(harness: Harness, step: str, user_id: int, name: str) -> Client:
    """A client at ``step`` of an application who asked for a person."""
    client = Client(harness, user_id=user_id, first_name=name, language_code="en")
    await client.press("app:start")
    await client.press("app:type:mainland_individual")
    await client.press(f"app:goto:{step}")
    await client.say("/human")
    return client


async def test_talking_to_staff_at_a_text_step_only_an_answer_is_taken_as_one(
    staffed: Harness,
) -> None:
    client = await _talking_to_staff_at(staffed, "website_name", 8113, "Lena")
    # Chat for staff is not refused as a bad website name: it reaches staff.
    calls = await client.say("I'll send the papers tomorrow, is that ok?")
    assert [c.method for c in calls if c.method == "copyMessage"] == ["copyMessage"]
    assert not any("Please use only" in c.text for c in replies(calls))
    # A text the step accepts is still its answer.
    calls = await client.say("星辰设计作品集")
    assert not [c for c in calls if c.method == "copyMessage"]
    assert "Saved: 星辰设计作品集" in replies(calls)[0].text


async def test_talking_to_staff_at_a_picture_step_staff_see_the_picture_and_it_is_checked(
    staffed: Harness,
) -> None:
    """After repeated refusals the bot fetches a person: the pictures the client sends next
    reach that person too, and are still checked and taken for the step."""
    client = await _talking_to_staff_at(staffed, "id_card_front", 8114, "Mei <&>")
    card = id_card_photo((2400, 1600))
    blurred = card.filter(ImageFilter.GaussianBlur(4))
    calls = await client.send_document(encode(blurred), "card.jpg", "image/jpeg")
    assert [c.method for c in calls if c.method == "copyMessage"] == ["copyMessage"]
    assert "blurred" in to_client(calls, client)[-1].text
    notes = [
        c.text for c in calls if c.method == "sendMessage" and c.params["chat_id"] == STAFF_CHAT_ID
    ]
    assert notes == [
        "🤖 The bot refused it for ID card – portrait side: The picture is blurred, "
        "so the text cannot be read reliably."
    ], notes
    calls = await client.send_document(encode(card), "card.jpg", "image/jpeg")
    assert [c.method for c in calls if c.method == "copyMessage"] == ["copyMessage"]
    assert "portrait side accepted" in to_client(calls, client)[-1].text
    notes = [
        c.text for c in calls if c.method == "sendMessage" and c.params["chat_id"] == STAFF_CHAT_ID
    ]
    assert notes == ["🤖 The bot accepted it as ID card – portrait side."], notes


def migration_notice(harness: Harness, chat_id: int, **move: int) -> dict:
    """Telegram's service message about a group that became a supergroup: in the old group
    (migrate_to_chat_id) or in the new supergroup (migrate_from_chat_id)."""
    update = Client(harness, user_id=9001, first_name="Staff").message_update(**move)
    chat_type = "group" if "migrate_to_chat_id" in move else "supergroup"
    update["message"]["chat"] = {"id": chat_id, "type": chat_type, "title": "Staff"}
    return update


def alerts_about(calls: list[ApiCall], name: str) -> set[int]:
    """The chats that Telegram accepted a message naming a client in."""
    return {
        int(c.params["chat_id"])
        for c in calls
        if c.method == "sendMessage" and c.delivered and name in c.params.get("text", "")
    }


async def test_the_staff_group_is_followed_when_telegram_makes_it_a_supergroup(
    make_settings: Callable[..., Settings], caplog: pytest.LogCaptureFixture
) -> None:
    """Turning on Topics gives the group a new id: alerts, staff commands and the staff menu
    move there at once, staff are told once, and a restart on the old STAFF_CHAT_ID still
    follows it."""
    moved = -1009990001
    async with running_bot(make_settings(office_hours=ALWAYS_OPEN)) as harness:
        calls = await harness.feed(
            migration_notice(harness, STAFF_CHAT_ID, migrate_to_chat_id=moved)
        )
        notice = [c for c in replies(calls) if int(c.params["chat_id"]) == moved]
        assert len(notice) == 1 and f"STAFF_CHAT_ID={moved}" in notice[0].text
        menus = [c for c in calls if c.method == "setMyCommands"]
        assert menus and all(c.params["scope"]["chat_id"] == moved for c in menus)
        assert f"STAFF_CHAT_ID={moved}" in caplog.text
        # The same move, announced in the new supergroup, is not told twice.
        again = migration_notice(harness, moved, migrate_from_chat_id=STAFF_CHAT_ID)
        assert replies(await harness.feed(again)) == []

        await Client(harness, user_id=8120, first_name="Ana", language_code="en").say("/human")
        assert alerts_about(harness.api.calls, "Ana") == {moved}
        member = Client(harness, user_id=9001, first_name="Wang")
        entity = {"type": "bot_command", "offset": 0, "length": 4}
        command = member.message_update(text="/app 999", entities=[entity])
        command["message"]["chat"] = {"id": moved, "type": "supergroup", "title": "Staff"}
        answer = replies(await harness.feed(command))
        assert answer and "staff only" not in answer[0].text

    restarted = make_settings(office_hours=ALWAYS_OPEN)
    assert restarted.staff_chat_id == STAFF_CHAT_ID
    async with running_bot(restarted) as harness:
        await Client(harness, user_id=8121, first_name="Bea", language_code="en").say("/human")
        assert alerts_about(harness.api.calls, "Bea") == {moved}


async def test_an_alert_that_bounces_off_the_old_id_is_sent_to_the_new_one(
    harness: Harness,
) -> None:
    """The bot missed Telegram's notice: the first call to the old id bounces with the new id,
    and the bot follows the group there, sends the alert and keeps sending there."""
    moved = -1009990002
    for method in ("getChat", "createForumTopic", "sendMessage"):
        harness.api.fail(
            method,
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            chat_id=STAFF_CHAT_ID,
            migrate_to_chat_id=moved,
        )
    client = Client(harness, user_id=8122, first_name="Ana", language_code="en")
    calls = await client.say("/human")
    assert "talking with our team" in last_reply(to_client(calls, client)).text
    assert alerts_about(calls, "Ana") == {moved}
    calls = await Client(harness, user_id=8123, first_name="Bea", language_code="en").say("/human")
    assert alerts_about(calls, "Bea") == {moved}


async def test_another_groups_move_changes_nothing(harness: Harness) -> None:
    """Only the staff group is followed: another group the bot sits in may become a
    supergroup without taking the staff's alerts or commands."""
    stranger = -1005550001
    assert (
        await harness.feed(migration_notice(harness, -5550001, migrate_to_chat_id=stranger)) == []
    )
    joined = migration_notice(harness, stranger, migrate_from_chat_id=-5550001)
    assert await harness.feed(joined) == []
    await Client(harness, user_id=8124, first_name="Ana", language_code="en").say("/human")
    assert alerts_about(harness.api.calls, "Ana") == {STAFF_CHAT_ID}
