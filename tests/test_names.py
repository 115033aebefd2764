"""Names as people write them: Chinese family name first, Western names as Telegram shows."""

from __future__ import annotations

from typing import Any

import pytest

from bot.names import full_name, greeting_name
from tests.conftest import STAFF_CHAT_ID
from tests.support.harness import Client, Harness, last_reply


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        ("伟", "王", "王伟"),  # Telegram's fields filled the Western way
        ("王伟", None, "王伟"),  # the whole name in one field
        ("小明", " 李 ", "李小明"),
        ("Lena", "Schmidt", "Lena Schmidt"),
        ("Wei", "Wang", "Wei Wang"),  # romanised: left as written
        ("Anna", None, "Anna"),
        ("", "王", "王"),
        ("Tom", "王", "Tom 王"),  # mixed: nothing to reorder with confidence
    ],
)
def test_full_name(first: str, last: str | None, expected: str) -> None:
    assert full_name(first, last) == expected


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        ("伟", "王", "王伟"),
        ("王伟", None, "王伟"),
        ("Lena", "Schmidt", "Lena"),
        ("", "Schmidt", "Schmidt"),
        ("", "王", "王"),
        (None, None, ""),
    ],
)
def test_greeting_name(first: str | None, last: str | None, expected: str) -> None:
    assert greeting_name(first, last) == expected


async def test_a_chinese_client_is_greeted_and_named_family_name_first(harness: Harness) -> None:
    client = Client(harness, user_id=8120, first_name="伟", language_code="zh-hans")

    def command(text: str) -> dict[str, Any]:
        update = client.message_update(text=text)
        update["message"]["from"]["last_name"] = "王"  # Telegram's fields, filled the Western way
        update["message"]["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
        return update

    greeting = last_reply(await harness.feed(command("/start")))
    assert "您好，王伟！" in greeting.text and "伟 王" not in greeting.text
    calls = await harness.feed(command("/human"))
    [topic] = [c for c in calls if c.method == "createForumTopic"]
    assert topic.params["name"] == "🆕 王伟 · 8120"
    alert = [c for c in calls if int(c.params.get("chat_id", 0)) == STAFF_CHAT_ID][-1]
    assert "王伟" in alert.seen
