"""An ID card's two sides on one page, as scanner apps lay them out: each side cut out for its
own step — and nothing else ever cut."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from PIL import Image

from bot.config import Settings
from bot.filing.catalogue import load_catalogue
from bot.images import check_and_normalise
from bot.images.parts import PartKind, split_upload
from tests.support import image_samples as samples
from tests.support import image_scenes as scenes
from tests.support import pdf_samples as pdfs
from tests.support.harness import Client, last_reply, running_bot
from tests.test_enlarged_uploads import TRADITIONAL, reach_the_id_card_step
from tests.test_pdf_uploads import ENGLISH, PDF

CATALOGUE = load_catalogue()
ID_CARD = CATALOGUE.images.rules_for(CATALOGUE.find_item("id_card_front"), None)


def _sides(data: bytes) -> list[Image.Image]:
    parts = split_upload(data, most=2)
    assert parts is not None and parts.kind is PartKind.SIDES
    return [Image.open(io.BytesIO(part)) for part in parts.files]


@pytest.mark.parametrize("side_by_side", [False, True])
def test_a_scanner_apps_id_card_page_is_cut_into_its_two_sides(side_by_side: bool) -> None:
    page = scenes.id_card_sides_page(
        (3508, 2480) if side_by_side else (2480, 3508), side_by_side=side_by_side
    )
    card_width = round(page.width * (0.42 if side_by_side else 0.56))
    for data in (samples.encode(page, quality=90), pdfs.scanned(page, dpi=300.0)):
        front, back = _sides(data)
        for side in (front, back):  # the whole card, corners included, and a thin margin
            assert card_width < side.width < card_width * 1.1, side.size
            result, _ = check_and_normalise(samples.encode(side, "PNG"), ID_CARD)
            assert result.accepted, result
        red, _, blue = front.getpixel((round(front.width * 0.79), round(front.height * 0.42)))
        assert red > blue + 30  # the portrait side, with its face, comes first


def test_nothing_else_is_cut() -> None:
    card = scenes.id_card_photo((2400, 1600))
    three = Image.new("RGB", (2480, 3508), (252, 252, 250))
    for index in range(3):  # three cards on one page: not a card's two sides
        three.paste(card.resize((1300, 820)), (590, 200 + index * 1100))
    uneven = Image.new("RGB", (2480, 3508), (252, 252, 250))
    uneven.paste(scenes.draw_card((1389, 876), scenes.drawn_portrait(), seed=4), (545, 420))
    uneven.paste(scenes.draw_card((960, 606), None, seed=5), (760, 1930))
    on_a_table = scenes.scene(
        scenes.drawn_table((1024, 768)), scenes.id_card_sides_page(), (3000, 4000), 0.8, seed=2
    )
    for name, image in {
        "a photo of one card": card,
        "a document on a table": samples.make_document((1600, 1000)),
        "an A4 scan": Image.open(io.BytesIO(samples.a4_scan(300, "JPEG"))),
        "three cards": three,
        "two cards of different sizes": uneven,
        "the page photographed on a table": on_a_table,
    }.items():
        assert split_upload(samples.encode(image, quality=90), most=2) is None, name
    page = samples.encode(scenes.id_card_sides_page(), quality=90)
    assert split_upload(page, most=1) is None  # only where the back's step follows
    # a PDF page that is not one upright photograph is drawn once, by the checks, and not cut
    turned = pdfs.rotated(pdfs.scanned(scenes.id_card_sides_page(), dpi=300.0), 90)
    assert split_upload(turned, most=2) is None
    assert split_upload(b"\xff\xd8\xff broken", most=2) is None
    # a PNG is decoded whole to be looked into: an A4 page is, a 30 MP one is left to the checks
    assert split_upload(samples.encode(scenes.id_card_sides_page(), "PNG"), most=2) is not None
    huge = samples.encode(scenes.id_card_sides_page((4600, 6500)), "PNG")
    assert split_upload(huge, most=2) is None


async def test_the_page_fills_both_sides_steps_in_one_reply(
    make_settings: Callable[..., Settings],
) -> None:
    page = samples.encode(scenes.id_card_sides_page(), quality=92)
    async with running_bot(make_settings()) as harness:
        client = Client(harness, user_id=6301, first_name="Ann <&>", language_code="en")
        await reach_the_id_card_step(client, ENGLISH)
        step = last_reply(await client.send_document(page, "ID <card>.jpg", "image/jpeg"))
        assert "both sides of the card" in step.text, step.text
        assert "portrait side accepted" in step.text and "emblem side accepted" in step.text
        assert "Step 6" in step.text, step.text


async def test_a_grey_back_is_named_as_the_second_side_in_taiwan_wording(
    make_settings: Callable[..., Settings],
) -> None:
    grey_back = scenes.draw_card((1389, 876), None, seed=5).convert("L").convert("RGB")
    page = pdfs.scanned(scenes.id_card_sides_page(back=grey_back), dpi=300.0)
    async with running_bot(make_settings()) as harness:
        client = Client(harness, user_id=6302, first_name="林", language_code="zh-hant")
        await reach_the_id_card_step(client, TRADITIONAL)
        reply = last_reply(await client.send_document(page, "身分證.pdf", PDF))
        assert "正反兩面" in reply.text and "人像面" in reply.text, reply.text
        assert "第 2 面" in reply.text and "黑白" in reply.text, reply.text
        assert "第 5 步" in reply.text, reply.text
