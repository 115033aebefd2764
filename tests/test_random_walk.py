"""Random walks: clients who press any button the bot showed them (the newest or an old one),
type anything, edit what they typed, send any command or file, in any order and any language,
and staff and an outsider doing the same in the staff group. Whatever they do, nobody sees the
"something went wrong" apology, the bot logs no error, and Telegram accepts all the bot sends."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import Any

import pytest

from bot.config import Settings
from tests.conftest import STAFF_CHAT_ID
from tests.support import image_samples as samples
from tests.support import image_scenes as scenes
from tests.support import pdf_samples as pdfs
from tests.support.fake_bot_api import ApiCall
from tests.support.harness import Client, Harness, running_bot

STEPS = 250
TEXTS = [
    "how long does it take?",
    "备案要多久",
    "備案要多久？",
    "<b>bold</b> & <script>alert(1)</script>",
    "x" * 4096,
    "张三",
    "110101199003077777",
    "+86 138 0013 8000",
    "me@example.com",
    "例子.中国",
    "Beijing",
    "0",
    "2026-13-45",
    "北京市朝阳区建国路88号",
    "京ICP备12345678号-1",
    "noted, thanks",
    "I want to talk to a person",
    "取消",
    "\u202e\u200b\u0000 🤖",
    "&amp;&lt; < >",
]
COMMANDS = ["/start", "/help", "/menu", "/language", "/status", "/cancel", "/privacy", "/nope"]
STAFF_COMMANDS = ["/app 1", "/case 1", "/broadcast hello", "/stage 1 approved", "/help"]
ODD = [
    {"sticker": {"file_id": "s", "file_unique_id": "s", "width": 1, "height": 1,
                 "is_animated": False, "is_video": False, "type": "regular"}},
    {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 3}},
    {"location": {"latitude": 39.9, "longitude": 116.4}},
]  # fmt: skip
SENT: dict[int, list[dict[str, Any]]] = {}  # each client's text messages, to edit them later
APOLOGIES = ("something went wrong", "出了点问题", "出了點問題")


def _files() -> list[bytes]:
    card = samples.make_document((1200, 800))
    return [
        samples.encode(samples.make_document((1200, 800))),
        samples.screenshot((300, 600)),
        b"",
        b"\x89PNG\r\n\x1a\n" + b"0" * 50,
        b"%PDF-1.4 not really",
        pdfs.scanned(card, card),  # a scan of a card's two sides
        pdfs.scanned(card, card, card),
        pdfs.protected(),
        samples.encode(scenes.id_card_sides_page((1240, 1754)), quality=85),  # a card's sides
    ]


def _in_group(update: dict[str, Any]) -> dict[str, Any]:
    update["message"]["chat"] = {"id": STAFF_CHAT_ID, "type": "supergroup", "title": "Staff"}
    return update


def _command(client: Client, text: str) -> dict[str, Any]:
    entity = {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
    return client.message_update(text=text, entities=[entity])


def _with_buttons(harness: Harness, chat_id: int) -> list[ApiCall]:
    return [
        call
        for call in harness.api.calls
        if call.buttons
        and isinstance(call.result, dict)
        and int(call.params.get("chat_id", 0) or 0) == chat_id
    ]


async def _step(harness: Harness, rng: random.Random, actor: Client, group: bool) -> list[ApiCall]:
    """One random thing an actor does; returns what the bot called while handling it."""
    chat_id = STAFF_CHAT_ID if group else actor.user_id
    shown = _with_buttons(harness, chat_id)
    roll = rng.random()
    if roll < 0.6 and shown:
        message = shown[-1] if rng.random() < 0.7 else rng.choice(shown)  # an old card too
        data = rng.choice([data for _, data in message.buttons if data] or [""])
        return await actor.press(data, message.result)
    if roll < 0.75:
        update = actor.message_update(text=rng.choice(TEXTS))
        if not group:
            SENT.setdefault(actor.user_id, []).append(update["message"])
        return await harness.feed(_in_group(update) if group else update)
    if roll < 0.85:
        if group:
            return await harness.feed(_in_group(_command(actor, rng.choice(STAFF_COMMANDS))))
        return await harness.feed(_command(actor, rng.choice(COMMANDS)))
    if roll < 0.95:
        data = rng.choice(_files())
        if rng.random() < 0.5:
            return await actor.send_document(data, rng.choice(["a.jpg", "<x>.png", "id.pdf"]))
        return await actor.send_photo(data, 1280, 960)
    if rng.random() < 0.5 and SENT.get(actor.user_id):  # an earlier message, edited
        edited = {**rng.choice(SENT[actor.user_id]), "text": rng.choice(TEXTS), "edit_date": 1}
        return await harness.feed({"update_id": rng.randrange(10**9), "edited_message": edited})
    return await harness.feed(actor.message_update(**rng.choice(ODD)))


def _problems(calls: list[ApiCall]) -> list[str]:
    found = []
    for call in calls:
        if call.error and "not modified" not in call.error:
            found.append(f"{call.method} refused: {call.error}")
        text = str(call.params.get("text") or call.params.get("caption") or "")
        if any(apology in text for apology in APOLOGIES):
            found.append(f"apology: {text[:60]}")
        if len(text) > 4096:
            found.append(f"{call.method} of {len(text)} characters")
        found += [f"button data {data!r}" for _, data in call.buttons if len(data.encode()) > 64]
    return found


@pytest.mark.parametrize("seed", [11, 12])
async def test_random_walks_never_break_the_bot(
    make_settings: Callable[..., Settings], caplog: pytest.LogCaptureFixture, seed: int
) -> None:
    rng = random.Random(seed)
    SENT.clear()
    async with running_bot(make_settings(admin_ids=[9001])) as harness:
        clients = [
            Client(
                harness,
                user_id=8100 + number,
                first_name=rng.choice(["Anna", "<b>Eve&", "怡君"]),
                language_code=language,
            )
            for number, language in enumerate(["en", "zh-hans", "zh-hant", "zh-tw", None, "de"])
        ]
        staff = Client(harness, user_id=9001, first_name="Staff")
        outsider = Client(harness, user_id=9002, first_name="Mallory")
        problems: list[str] = []
        with caplog.at_level(logging.ERROR):
            for _ in range(STEPS):
                actor = rng.choice([*clients, staff, outsider] if rng.random() < 0.2 else clients)
                group = actor in (staff, outsider) and rng.random() < 0.7
                problems += _problems(await _step(harness, rng, actor, group))
        errors = [
            record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR
        ]
        assert problems == []
        assert errors == []
        # The walk went somewhere: every client got answers, most of them by buttons.
        assert all(harness.api.messages_to(client.user_id) for client in clients)
