"""A photo enlarged in an editor and then sent through Telegram, as clients upload it: refused
with the reason and fix in the client's language, and the real photo accepted after it."""

from __future__ import annotations

from collections.abc import Callable

from PIL import Image

from bot.config import Settings
from tests.support.harness import Client, last_reply, running_bot
from tests.support.image_samples import encode
from tests.support.image_scenes import enlarge, id_card_photo
from tests.test_application_flow import eligibility, press


def enlarged_then_shrunk() -> bytes:
    """A 700-px photo of the card enlarged to 1800 px, then reduced to 1280 px as Telegram does."""
    big = enlarge(id_card_photo((2400, 1600)), 700, 1800)
    return encode(big.resize((1280, 853), Image.Resampling.LANCZOS), quality=80)


def real_photo() -> bytes:
    """The same scene photographed at full resolution, as Telegram sends it."""
    photo = id_card_photo((2400, 1600)).resize((1280, 853), Image.Resampling.LANCZOS)
    return encode(photo, quality=80)


async def reach_the_id_card_step(client: Client, labels: dict[str, str]) -> str:
    """Answer eligibility as a Beijing individual and start a first filing; the step's text."""
    verdict = last_reply(
        await eligibility(
            client,
            labels["individual"],
            [labels["mainland"], labels["verified"], labels["no"]],
            labels["beijing"],
        )
    )
    step = last_reply(await press(client, [verdict], labels["start"]))
    step = last_reply(await press(client, [step], labels["first"]))
    return last_reply(await press(client, [step], labels["provider"])).text


SIMPLIFIED = {
    "individual": "中国大陆个人",
    "mainland": "中国大陆",
    "verified": "已实名",
    "no": "不会",
    "beijing": "北京",
    "start": "开始我的申请",
    "first": "首次备案",
    "provider": "阿里云",
}
TRADITIONAL = {
    "individual": "中國大陸個人",
    "mainland": "中國大陸",
    "verified": "已實名",
    "no": "不會",
    "beijing": "北京",
    "start": "開始我的申請",
    "first": "首次備案",
    "provider": "阿里雲",
}


async def test_an_enlarged_photo_is_refused_in_chinese_and_the_real_one_accepted(
    make_settings: Callable[..., Settings],
) -> None:
    async with running_bot(make_settings()) as harness:
        client = Client(harness, user_id=6101, first_name="韩梅梅", language_code="zh-hans")
        assert "第 4 步" in await reach_the_id_card_step(client, SIMPLIFIED)
        refused = last_reply(await client.send_photo(enlarged_then_shrunk(), 1280, 853))
        assert "放大" in refused.text and "原图" in refused.text, refused.text
        assert "以文件形式" in refused.text  # the original file may have the detail
        assert "第 5 步" not in refused.text
        accepted = last_reply(await client.send_photo(real_photo(), 1280, 853))
        assert "第 5 步" in accepted.text, accepted.text


async def test_an_enlarged_photo_is_refused_in_taiwan_wording(
    make_settings: Callable[..., Settings],
) -> None:
    async with running_bot(make_settings()) as harness:
        client = Client(harness, user_id=6102, first_name="林", language_code="zh-hant")
        assert "第 4 步" in await reach_the_id_card_step(client, TRADITIONAL)
        refused = last_reply(await client.send_photo(enlarged_then_shrunk(), 1280, 853))
        assert "放大" in refused.text and "數位變焦" in refused.text, refused.text
