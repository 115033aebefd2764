"""A scan sent as a PDF, as phones' scanner apps save it: taken as the picture it holds, or
refused in the client's language with what to send instead."""

from __future__ import annotations

from collections.abc import Callable

from bot.config import Settings
from tests.support.harness import Client, last_reply, running_bot
from tests.support.image_scenes import id_card_photo
from tests.support.pdf_samples import protected, scanned
from tests.test_enlarged_uploads import SIMPLIFIED, TRADITIONAL, reach_the_id_card_step

PDF = "application/pdf"


async def test_a_scanners_pdf_is_accepted_and_a_two_page_one_refused_in_chinese(
    make_settings: Callable[..., Settings],
) -> None:
    card = id_card_photo((2400, 1600))
    async with running_bot(make_settings()) as harness:
        client = Client(harness, user_id=6201, first_name="李<雷>", language_code="zh-hans")
        assert "第 4 步" in await reach_the_id_card_step(client, SIMPLIFIED)
        refused = last_reply(await client.send_document(scanned(card, card), "扫描.pdf", PDF))
        assert "多页" in refused.text and "单页 PDF" in refused.text, refused.text
        assert "第 5 步" not in refused.text
        accepted = last_reply(await client.send_document(scanned(card), "扫描.pdf", PDF))
        assert "2400×1600" in accepted.text and "第 5 步" in accepted.text, accepted.text


async def test_a_pdf_with_a_password_is_refused_in_taiwan_wording(
    make_settings: Callable[..., Settings],
) -> None:
    async with running_bot(make_settings()) as harness:
        client = Client(harness, user_id=6202, first_name="林", language_code="zh-hant")
        assert "第 4 步" in await reach_the_id_card_step(client, TRADITIONAL)
        refused = last_reply(await client.send_document(protected(), "身分證.pdf", PDF))
        assert "密碼" in refused.text and "檔" in refused.text, refused.text
        assert "第 5 步" not in refused.text
