"""Small things Chinese readers notice: full-width colons after Chinese labels, answers in
the form of their question."""

from __future__ import annotations

import re

from babel.messages.pofile import read_po

from bot.catalog_tools import po_path, texts_of
from bot.filing import eligibility as rules
from bot.filing.catalogue import load_catalogue
from bot.i18n import SIMPLIFIED, TRADITIONAL, Translations
from bot.services.notices import changes_notice
from handlers import eligibility
from tests.support.harness import Client, Harness, last_reply

ASCII_COLON_AFTER_CHINESE = re.compile(r"[\u4e00-\u9fff）](?:</?[a-z]+>)*:(?!//)")


def test_a_chinese_label_takes_a_full_width_colon() -> None:
    translations = Translations.load()
    catalogue = load_catalogue()
    for language in (SIMPLIFIED, TRADITIONAL):
        text = changes_notice("website_name: 名称太短", translations.get(language), catalogue)
        assert not ASCII_COLON_AFTER_CHINESE.search(text), text
        assert "</b>：名称太短" in text
    english = changes_notice("website_name: too short", translations.get("en"), catalogue)
    assert "</b>: too short" in english


async def test_the_review_screen_in_chinese_uses_full_width_colons(harness: Harness) -> None:
    client = Client(harness, user_id=6201, language_code="zh-hans")
    await client.press("app:start")
    await client.press("app:type:mainland_individual")
    review = last_reply(await client.press("app:review"))
    assert "：" in review.seen and not ASCII_COLON_AFTER_CHINESE.search(review.text), review.text


def test_no_chinese_translation_puts_an_ascii_colon_after_chinese() -> None:
    for language in (SIMPLIFIED, TRADITIONAL):
        with po_path(language).open("rb") as handle:
            catalog = read_po(handle, locale=language)
        wrong = [
            text
            for message in catalog
            for text in texts_of(message.string)
            if ASCII_COLON_AFTER_CHINESE.search(text)
        ]
        assert wrong == [], language


def test_eligibility_answers_take_the_form_of_their_question() -> None:
    simplified = Translations.load().get(SIMPLIFIED)
    question = simplified.gettext(eligibility.QUESTIONS[rules.CONTENT])
    assert "是否会" in question  # "will it…?" is answered 会 / 不会, not 有 / 没有
    labels = [simplified.gettext(label) for _, label in eligibility.OPTIONS[rules.CONTENT]]
    assert labels[0].startswith("不会") and labels[1].startswith("会"), labels


async def test_a_paused_application_is_not_prompted_by_small_talk(harness: Harness) -> None:
    client = Client(harness, user_id=6202, language_code="zh-hans")
    await client.press("app:start")
    await client.press("app:type:mainland_individual")
    await client.press("app:choose:filing_type:first")
    await client.press("app:choose:province:beijing")
    await client.press("app:goto:id_card_front")
    reminded = last_reply(await client.say("好的"))
    assert "身份证" in reminded.text  # not paused: the reply reminds of the step
    await client.press("app:pause")
    calm = last_reply(await client.say("好的"))
    assert "身份证" not in calm.text and "等待" not in calm.text, calm.text


async def test_a_paused_text_step_does_not_take_small_talk_as_its_answer(
    harness: Harness,
) -> None:
    client = Client(harness, user_id=6203, language_code="zh-hans")
    await client.press("app:start")
    await client.press("app:type:mainland_individual")
    await client.press("app:choose:filing_type:first")
    await client.press("app:choose:province:beijing")
    await client.press("app:goto:website_name")
    await client.say("/cancel")  # pauses too
    calls = await client.say("好的谢谢")  # three Chinese characters or more: a valid name
    assert not any("已保存" in c.text for c in calls), [c.text for c in calls]
    await client.press("app:continue")  # back at the step: the pause ends
    assert any("已保存" in c.text for c in await client.say("红星科技"))
