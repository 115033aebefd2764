"""A scan sent as a PDF, as phones' scanner apps save it: taken as the picture it holds, or
refused in the client's language with what to send instead."""

from __future__ import annotations

from collections.abc import Callable

from bot.config import Settings
from tests.support.harness import Client, last_reply, running_bot
from tests.support.image_scenes import id_card_photo
from tests.support.pdf_samples import protected, scanned
from tests.test_enlarged_uploads import SIMPLIFIED, TRADITIONAL, reach_the_id_card_step

ENGLISH = {
    "individual": "Mainland individual",
    "mainland": "server in mainland",
    "verified": "verified",
    "no": "No, none",
    "beijing": "Beijing",
    "start": "Start my application",
    "first": "First filing",
    "provider": "Alibaba Cloud",
}

PDF = "application/pdf"


async def test_a_scanners_pdf_is_accepted_and_one_of_more_pages_than_steps_refused_in_chinese(
    make_settings: Callable[..., Settings],
) -> None:
    card = id_card_photo((2400, 1600))
    async with running_bot(make_settings()) as harness:
        client = Client(harness, user_id=6201, first_name="李<雷>", language_code="zh-hans")
        assert "第 4 步" in await reach_the_id_card_step(client, SIMPLIFIED)
        # three pages, and only the card's two sides come next: nothing is taken
        three = scanned(card, card, card)
        refused = last_reply(await client.send_document(three, "扫描.pdf", PDF))
        assert "多页" in refused.text and "单页 PDF" in refused.text, refused.text
        assert "第 5 步" not in refused.text
        accepted = last_reply(await client.send_document(scanned(card), "扫描.pdf", PDF))
        assert "2400×1600" in accepted.text and "第 5 步" in accepted.text, accepted.text


async def test_a_scan_of_the_cards_two_sides_fills_both_steps_in_one_reply(
    make_settings: Callable[..., Settings],
) -> None:
    """iPhone's scanner keeps the pages of one scan in one PDF: the front, then the back."""
    front, back = id_card_photo((2400, 1600)), id_card_photo((2200, 1500))
    async with running_bot(make_settings()) as harness:
        client = Client(harness, user_id=6203, first_name="Ann <&>", language_code="en")
        assert "4" in await reach_the_id_card_step(client, ENGLISH)
        calls = await client.send_document(scanned(front, back), "Scan <1>.pdf", PDF)
        step = last_reply(calls)
        assert "portrait side accepted (2400×1600" in step.text, step.text
        assert "emblem side accepted (2200×1500" in step.text, step.text
        assert "Step 6" in step.text, step.text  # the ID card's province, after both sides
        assert len([call for call in calls if call.method == "sendMessage"]) == 1
        certificate = last_reply(await client.press_on(step, "Yes, issued there"))
        assert "Domain certificate" in certificate.text, certificate.text
        # two pages here are not two documents: the signed form that follows is not filled
        calls = await client.send_document(scanned(front, back), "certificate.pdf", PDF)
        refused = last_reply(calls)
        assert "several pages" in refused.text and "accepted" not in refused.text, refused.text


async def test_when_the_second_page_is_refused_the_first_is_kept_and_the_page_named(
    make_settings: Callable[..., Settings],
) -> None:
    front = id_card_photo((2400, 1600))
    photocopy = id_card_photo((2400, 1600)).convert("L").convert("RGB")
    async with running_bot(make_settings()) as harness:
        client = Client(harness, user_id=6204, first_name="林", language_code="zh-hant")
        assert "第 4 步" in await reach_the_id_card_step(client, TRADITIONAL)
        reply = last_reply(await client.send_document(scanned(front, photocopy), "掃描.pdf", PDF))
        assert "人像面" in reply.text and "2400×1600" in reply.text, reply.text
        assert "PDF 第 2 頁" in reply.text and "黑白" in reply.text, reply.text
        assert "第 5 步" in reply.text, reply.text  # now at the emblem side, with its buttons
        accepted = last_reply(await client.send_document(scanned(front), "背面.pdf", PDF))
        assert "第 6 步" in accepted.text, accepted.text


async def test_a_pdf_with_a_password_is_refused_in_taiwan_wording(
    make_settings: Callable[..., Settings],
) -> None:
    async with running_bot(make_settings()) as harness:
        client = Client(harness, user_id=6202, first_name="林", language_code="zh-hant")
        assert "第 4 步" in await reach_the_id_card_step(client, TRADITIONAL)
        refused = last_reply(await client.send_document(protected(), "身分證.pdf", PDF))
        assert "密碼" in refused.text and "檔" in refused.text, refused.text
        assert "第 5 步" not in refused.text
