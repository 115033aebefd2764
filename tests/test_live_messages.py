"""One live message per flow: buttons edit the message they belong to, old cards lose their
buttons, and the navigation a client expects (Back, Next, the checklist) is there."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

from bot.config import Settings
from tests.support.fake_bot_api import ApiCall
from tests.support.harness import Client, Harness, last_reply, replies, running_bot
from tests.support.image_samples import encode, make_document

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from live_messages import complete_application, press_everything

BEFORE = {"en": 28, "zh_Hans": 40}  # new messages per complete application before live cards
# (with the five text steps of then; issue 12 added ten more, each answered by typing)


def sent(calls: list[ApiCall], chat_id: int) -> list[ApiCall]:
    """The new messages among ``calls`` sent to a chat."""
    return [c for c in calls if c.method == "sendMessage" and int(c.params["chat_id"]) == chat_id]


def edits(calls: list[ApiCall]) -> list[ApiCall]:
    """The edits among ``calls``."""
    return [c for c in calls if c.method.startswith("editMessage")]


async def test_a_complete_application_takes_half_the_new_messages(
    make_settings: Callable[..., Settings],
) -> None:
    async with running_bot(make_settings()) as harness:
        for number, language in enumerate(("en", "zh_Hans")):
            chat = await complete_application(harness, language, 8100 + number)
            # A press never adds a message: a new one comes only under what the client typed
            # or sent (the next step's card), plus the submission receipt and its hand-off.
            assert chat.new <= chat.typed + 2, (language, chat.new, chat.typed)
            assert chat.edited >= chat.new, (language, chat.edited)
        receipts = harness.api.seen_in(8101)
        assert any("已提交" in text for text in receipts)  # nothing hidden: the receipt came


async def test_most_button_presses_edit_their_message(harness: Harness) -> None:
    walk = await press_everything(harness, "en", 8200)
    assert walk.presses >= 40
    assert walk.edited_own * 2 >= walk.presses, (walk.edited_own, walk.presses)


async def test_a_card_that_cannot_be_edited_comes_as_a_new_message(client: Client) -> None:
    menu = last_reply(await client.say("/start"))
    client.harness.api.fail("editMessageText", 400, "Bad Request: message can't be edited")
    calls = await client.press_on(menu, "FAQ")
    assert "Choose a topic" in sent(calls, client.user_id)[-1].text
    client.harness.api.fail(
        "editMessageText",
        400,
        "Bad Request: message is not modified: specified new message content and reply "
        "markup are exactly the same as a current content and reply markup of the message",
    )
    topics = last_reply(calls)
    again = await client.press_on(topics, "Main menu")
    assert sent(again, client.user_id) == []  # a double press: it already shows that
    gone = last_reply(await client.press_on(topics, "Main menu"))
    client.harness.api.fail("editMessageText", 400, "Bad Request: message to edit not found")
    calls = await client.press_on(gone, "Check eligibility")
    assert "Who will apply" in sent(calls, client.user_id)[-1].text


async def test_menus_faq_and_eligibility_edit_in_place(client: Client) -> None:
    menu = last_reply(await client.say("/start"))
    topics = last_reply(await client.press_on(menu, "FAQ"))
    assert topics.method == "editMessageText"
    assert topics.params["message_id"] == menu.result["message_id"]
    home = last_reply(await client.press_on(topics, "Main menu"))
    question = last_reply(await client.press_on(home, "Check eligibility"))
    assert question.method == "editMessageText" and "Who will apply" in question.text
    assert question.params["message_id"] == menu.result["message_id"]


async def test_the_previous_card_loses_its_buttons_when_the_flow_moves_on(
    client: Client,
) -> None:
    await client.press("app:start")
    await client.press("app:type:mainland_individual")
    await client.press("app:choose:filing_type:first")
    await client.press("app:choose:province:beijing")
    await client.press("app:goto:website_name")
    card = last_reply(await client.press("app:goto:website_name"))
    calls = await client.say("星辰设计作品集")
    bare = [c for c in calls if c.method == "editMessageReplyMarkup"]
    assert [c.params["message_id"] for c in bare] == [card.params["message_id"]]
    assert not bare[0].params.get("reply_markup")
    [step] = sent(calls, client.user_id)  # one message: what was saved and the next step
    assert "Saved: 星辰设计作品集" in step.text and "Domain" in step.text


async def test_an_upload_is_confirmed_in_the_next_steps_card(client: Client) -> None:
    await client.press("app:start")
    await client.press("app:type:mainland_individual")
    await client.press("app:choose:filing_type:first")
    await client.press("app:choose:province:beijing")
    await client.press("app:choose:hosting_provider:aliyun")
    scan = encode(make_document((1800, 1150), seed=3), quality=92)
    [message] = sent(await client.send_document(scan, "id.jpg"), client.user_id)
    assert "accepted" in message.text and "emblem side" in message.text


async def test_checklist_items_appear_once_as_buttons(client: Client) -> None:
    await client.press("app:start")
    await client.press("app:type:mainland_individual")
    checklist = last_reply(await client.press("app:list"))
    assert "Hosting provider" not in checklist.text
    labels = [label for label, _data in checklist.buttons]
    assert sum("Hosting provider" in label for label in labels) == 1
    assert any("Domain certificate (optional)" in label for label in labels)
    assert "▶️ Continue" in labels


async def test_a_finished_step_offers_next_not_skip(client: Client) -> None:
    await client.press("app:start")
    await client.press("app:type:mainland_individual")
    await client.press("app:choose:filing_type:first")
    await client.press("app:choose:province:beijing")
    await client.press("app:choose:hosting_provider:aliyun")
    done = last_reply(await client.press("app:goto:hosting_provider"))
    labels = [label for label, _data in done.buttons]
    assert "Next ➡️" in labels and not any("Skip" in label for label in labels)
    assert "✅ Alibaba Cloud" in labels
    waiting = last_reply(await client.press("app:skip"))
    assert any("Skip for now" in label for label, _data in waiting.buttons)


async def test_back_on_the_first_step_returns_to_the_applicant_type(client: Client) -> None:
    await client.press("app:start")
    step = last_reply(await client.press("app:type:mainland_individual"))
    individual_steps = re.search(r"Step 1 of (\d+)", step.text)
    assert individual_steps is not None
    picker = last_reply(await client.press_on(step, "Back"))
    assert "Who will apply" in picker.text
    assert any(label == "✅ Mainland individual" for label, _data in picker.buttons)
    company = last_reply(await client.press_on(picker, "Mainland company"))
    company_steps = re.search(r"Step 1 of (\d+)", company.text)
    assert company_steps is not None  # the steps follow the new applicant: a company has more
    assert int(company_steps.group(1)) > int(individual_steps.group(1))


async def test_eligibility_has_back(client: Client) -> None:
    first = last_reply(await client.press("menu:eligibility"))
    assert not any("Back" in label for label, _data in first.buttons)
    second = last_reply(await client.press_on(first, "Mainland individual"))
    assert "2/5" in second.text
    again = last_reply(await client.press_on(second, "Back"))
    assert "1/5" in again.text
    card = last_reply(await client.press_on(again, "Mainland company"))
    for label in ("Beijing", "mainland China", "approved registrar", "No, none"):
        card = last_reply(await client.press_on(card, label))
    assert "you can file" in card.text
    last_question = last_reply(await client.press_on(card, "Back"))
    assert "5/5" in last_question.text


async def test_the_day_picker_has_back(client: Client) -> None:
    await client.press("app:start")
    await client.press("app:type:mainland_individual")
    await client.press("app:choose:filing_type:first")
    await client.press("app:choose:province:beijing")
    step = last_reply(await client.press("app:goto:verification"))
    days = last_reply(await client.press_on(step, "Book a visit"))
    assert "Which day" in days.text
    back = last_reply(await client.press_on(days, "Back"))
    assert "Book a visit to our office" in back.buttons[0][0]
    days = last_reply(await client.press_on(back, "Book a visit"))
    slots = last_reply(await client.press_on(days, days.buttons[0][0]))
    booked = await client.press_on(slots, slots.buttons[0][0])
    receipt = [c for c in edits(booked) if "visit is booked" in c.text]
    # the picker became the booking's receipt: only its own change and cancel buttons remain
    assert receipt and "book:day:" not in str(receipt[0].params.get("reply_markup"))
    assert "book:cancel" in str(receipt[0].params.get("reply_markup"))
    assert "Website name" in sent(booked, client.user_id)[-1].text


async def test_the_review_speaks_chinese(harness: Harness) -> None:
    client = Client(harness, user_id=8300, language_code="zh-hans")
    await client.press("app:start")
    await client.press("app:type:mainland_individual")
    await client.press("app:choose:filing_type:first")
    await client.press("app:choose:province:beijing")
    await client.press("app:choose:hosting_provider:aliyun")
    review = last_reply(await client.press("app:review"))
    assert "missing" not in review.text and ": " not in review.text
    assert "身份证国徽面：<i>缺少</i>" in review.text
    assert "接入商（服务器提供商）：阿里云" in review.text


async def test_browse_the_faq_is_translated(harness: Harness) -> None:
    client = Client(harness, user_id=8400, language_code="zh-hans")
    unsure = replies(await client.say("qwerty zxcv"))[0]
    assert ("📚 浏览常见问题", "faq:topics") in unsure.buttons
    labels = [label for call in replies(harness.api.calls) for label, _data in call.buttons]
    assert not [label for label in labels if "Browse" in label or "FAQ" in label]
