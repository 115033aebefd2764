"""The case view staff work from: a full card in the client's topic, the documents as an
album, preset reasons in the client's language, resubmissions marked."""

from __future__ import annotations

import re

from bot.filing.catalogue import load_catalogue
from tests.conftest import STAFF_CHAT_ID
from tests.support.fake_bot_api import ApiCall
from tests.support.harness import Client, Harness, last_reply
from tests.support.image_samples import encode, make_document
from tests.test_staff_stages import StaffChat, submitted_application, to

CATALOGUE = load_catalogue()


def in_topic(calls: list[ApiCall]) -> list[ApiCall]:
    return [c for c in calls if c.method == "sendMessage" and c.params.get("message_thread_id")]


async def test_the_case_view_and_preset_reasons_in_the_clients_language(
    harness: Harness,
) -> None:
    client = Client(harness, user_id=7501, first_name="伟", language_code="zh-hans")
    number = await submitted_application(harness, client)
    staff = StaffChat(harness)
    calls = await staff.say(f"/app {number}")
    [card] = in_topic(calls)
    assert "Answers" in card.text and "星辰设计作品集" in card.text
    # The hint names only steps this application has.
    steps = {item.id for item in CATALOGUE.steps_for("mainland_individual", {})}
    hint = next(line for line in card.seen.splitlines() if line.startswith("/changes"))
    named = set(re.findall(r"(\w+): <reason>", hint))
    assert named and named <= steps, (named, steps)
    assert {label for label, _ in card.buttons} >= {"✏️ Changes", "→ with the hosting provider"}

    calls = await staff.member.press(card.button("Changes"), card.result)
    [listing] = [c for c in calls if c.method == "editMessageText"]
    website = listing.button("Website name")
    calls = await staff.member.press(website, listing.result)
    [reasons] = [c for c in calls if c.method == "editMessageText"]
    assert "/changes" in reasons.seen  # a reason of one's own is still possible
    calls = await staff.member.press(reasons.button("does not match"), reasons.result)
    [notice] = to(calls, client.user_id)
    assert "网站名称" in notice and "与您的证件不一致" in notice  # preset reason, in Chinese
    edits = [c for c in calls if c.method == "editMessageText"]
    assert any(c.params["message_id"] == card.result["message_id"] for c in edits)
    assert any("changes requested" in c.text.lower() for c in edits)
    assert not any("resubmitted" in c.text for c in edits)  # not yet

    # The client fixes it and submits again: staff see a resubmission and what changed.
    step = await client.press("app:continue")
    assert "网站名称" in last_reply(step).text
    review = last_reply(await client.say("星辰设计工作室"))
    calls = await client.press_on(review, "提交")
    alert = [c.text for c in calls if int(c.params.get("chat_id", 0)) == STAFF_CHAT_ID]
    assert any("Resubmitted after changes" in t and "Website name" in t for t in alert), alert

    # The card says so too; the reject button offers preset reasons.
    [card] = in_topic(await staff.say(f"/app {number}"))
    assert "resubmitted" in card.text


async def test_reject_and_approve_buttons(harness: Harness) -> None:
    client = Client(harness, user_id=7502, language_code="en")
    number = await submitted_application(harness, client)
    staff = StaffChat(harness)
    [card] = in_topic(await staff.say(f"/app {number}"))
    calls = await staff.member.press(card.button("with the hosting provider"), card.result)
    [card] = [c for c in calls if c.method == "editMessageText"]
    calls = await staff.member.press(card.button("Reject"), card.result)
    [reasons] = [c for c in calls if c.method == "editMessageText"]
    calls = await staff.member.press(reasons.button("licence"), reasons.result)
    [notice] = to(calls, client.user_id)
    assert "licence" in notice
    outsider = Client(harness, user_id=7503, language_code="en")
    for data in (f"chg:{number}", f"rej:{number}:0", f"apr:{number}", f"card:{number}"):
        calls = await outsider.press(data)
        assert any("staff only" in c.params.get("text", "") for c in calls)
        assert not to(calls, client.user_id)


async def test_app_sends_the_documents_as_an_album(harness: Harness) -> None:
    client = Client(harness, user_id=7504, language_code="en")
    await client.press("app:start")
    await client.press("app:type:mainland_individual")
    await client.press("app:choose:filing_type:first")
    await client.press("app:choose:province:beijing")
    await client.press("app:choose:hosting_provider:aliyun")
    await client.send_document(encode(make_document((1800, 1150), seed=1), quality=92), "a.jpg")
    await client.send_document(encode(make_document((1800, 1150), seed=2), quality=92), "b.jpg")
    calls = await StaffChat(harness).say("/app 1")
    [album] = [c for c in calls if c.method == "sendMediaGroup"]
    assert album.params["message_thread_id"] == 1001 and album.files and len(album.files) == 2
    assert "ID card" in str(album.params["media"])
