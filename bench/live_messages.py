#!/usr/bin/env python
"""How many messages the bot sends a client, and how many it edits in place instead.

Usage:
    python bench/live_messages.py [--transcript]

Drives the real bot in-process against the tests' offline Bot API (``tests/support``), the
way a client would, pressing buttons on the very messages the bot sent (their latest version):

1. **A complete application**, in English (a mainland individual, the provider's face check)
   and in Simplified Chinese (a mainland company whose person in charge is someone else, with a
   booked office visit): /start, the eligibility check with buttons, every step of the
   application (choices pressed, documents uploaded, answers typed), review and submit. It
   counts every message the client's chat received: new ones (sendMessage, sendDocument,
   copyMessage…) and edits (editMessageText, editMessageReplyMarkup…). The steps are read from
   the application as it goes, so the flow follows the data file.
2. **Every button a client can reach**, per language: starting from /start, it presses each
   button of each screen (a message's text and a button's callback data, pressed once) on the
   newest message that shows it; with nothing new in sight it sends /start, and it ends when
   even that shows nothing new (or after 400 presses). It counts the presses that edited the
   message the button belongs to, the presses that
   only sent new messages, and those that did neither (a notice on the button only). Language
   buttons other than the client's own are left out (they would switch the rest of the walk to
   another language).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.fernet import Fernet  # noqa: E402
from pydantic import SecretStr  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.context import services_of  # noqa: E402
from bot.filing.applications import ApplicationService  # noqa: E402
from bot.filing.catalogue import Item, ItemKind  # noqa: E402
from storage.models import Client as ClientRow  # noqa: E402
from tests.support.fake_bot_api import ApiCall  # noqa: E402
from tests.support.harness import Client, Harness, running_bot  # noqa: E402
from tests.support.image_samples import encode, make_document  # noqa: E402

NEW_METHODS = frozenset(
    {
        "sendMessage",
        "sendDocument",
        "sendPhoto",
        "sendMediaGroup",
        "copyMessage",
        "forwardMessage",
    }
)
EDIT_METHODS = frozenset({"editMessageText", "editMessageReplyMarkup", "editMessageCaption"})
TEXT_ANSWERS = {
    "en": {
        "website_name": "星辰设计作品集",
        "domain": "anna-design.com",
        "mobile": "13912345678",
        "email": "anna@example.com",
        "description": "A portfolio of my interior design work.",
        "entity_name": "Anna Li 李安娜",
        "resident_id": "11010519491231002X",
        "travel_document": "E12345678",
        "document_validity": "2016.05.01-2036.05.01",
        "address": "北京市朝阳区建国路88号1栋101室",
        "phone": "010 6512 3456",
        "domain_holder": "Anna Li 李安娜",
    },
    "zh_Hans": {
        "website_name": "星辰科技官网",
        "domain": "xingchen-tech.cn",
        "mobile": "13912345678",
        "email": "hr@xingchen-tech.cn",
        "description": "星辰科技公司的官方网站，介绍产品和服务。",
        "entity_name": "星辰科技（北京）有限公司",
        "credit_code": "91440300MA5FXX1234",
        "identity_number": "11010519491231002X",
        "document_validity": "长期",
        "address": "北京市朝阳区建国路88号1栋101室",
        "entity_mobile": "13612345678",
        "phone": "0755-12345678",
        "domain_holder": "星辰科技（北京）有限公司",
    },
}
MAX_PRESSES = 400


@dataclass
class Chat:
    """What a client's private chat shows: every bot message in its latest version."""

    client: Client
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    new: int = 0
    edited: int = 0
    edit_counts: dict[int, int] = field(default_factory=dict)
    typed: int = 0  # messages and files the client sent (each may get a new reply below it)

    def take(self, calls: Iterable[ApiCall]) -> tuple[set[int], int]:
        """Record the calls of one update: (ids of edited messages, new messages)."""
        edited: set[int] = set()
        new = 0
        for call in calls:
            if int(call.params.get("chat_id", 0)) != self.client.user_id or not call.delivered:
                continue
            if call.method in NEW_METHODS:
                new += 1
                if isinstance(call.result, dict):
                    self.messages[int(call.result["message_id"])] = dict(call.result)
            elif call.method in EDIT_METHODS:
                message_id = int(call.params["message_id"])
                edited.add(message_id)
                self.edited += 1
                self.edit_counts[message_id] = self.edit_counts.get(message_id, 0) + 1
                message = self.messages.setdefault(message_id, {"message_id": message_id})
                if "text" in call.params:
                    message["text"] = call.params["text"]
                markup = call.params.get("reply_markup")
                if isinstance(markup, str):
                    markup = json.loads(markup)
                message["reply_markup"] = markup or None
        self.new += new
        return edited, new

    def transcript(self) -> list[str]:
        """The chat as it reads in the end: each message's first line, its edits and buttons."""
        lines = []
        for message_id in sorted(self.messages):
            message = self.messages[message_id]
            first = str(message.get("text", "")).strip().split("\n")[0][:70]
            markup = message.get("reply_markup") or {}
            buttons = sum(len(row) for row in markup.get("inline_keyboard", []))
            edits = self.edit_counts.get(message_id, 0)
            notes = (f" [edited {edits}×]" if edits else "") + (
                f" [{buttons} buttons]" if buttons else ""
            )
            lines.append(f"  {first}{notes}")
        return lines

    def buttons(self) -> list[tuple[int, str, str]]:
        """(message id, label, data) of every live button, newest message first."""
        found = []
        for message_id in sorted(self.messages, reverse=True):
            markup = self.messages[message_id].get("reply_markup") or {}
            for row in markup.get("inline_keyboard", []):
                for button in row:
                    found.append((message_id, button["text"], button.get("callback_data", "")))
        return found

    def screen(self, message_id: int) -> str:
        """What a message shows now (its text), which tells one screen from another."""
        return str(self.messages[message_id].get("text", ""))

    def find(self, prefix: str) -> tuple[int, str] | None:
        """The newest live button whose data starts with ``prefix``."""
        return next(
            ((mid, data) for mid, _l, data in self.buttons() if data.startswith(prefix)), None
        )

    async def press(self, message_id: int, data: str) -> tuple[set[int], int]:
        """Press a button on a message as it is now."""
        message = {
            "date": int(time.time()),
            "chat": self.client.chat,
            "from": {"id": 700000001, "is_bot": True, "first_name": "ICP Assistant"},
            "text": "…",
            **self.messages[message_id],
        }
        message.pop("reply_markup", None) if not message.get("reply_markup") else None
        return self.take(await self.client.press(data, message))

    async def press_prefix(self, prefix: str) -> tuple[set[int], int]:
        """Press the newest live button whose data starts with ``prefix``."""
        found = self.find(prefix)
        if found is None:
            labels = [(label, data) for _m, label, data in self.buttons()]
            raise AssertionError(f"no live button {prefix!r} among {labels}")
        return await self.press(*found)

    async def say(self, text: str) -> None:
        """Type a message."""
        self.typed += 1
        self.take(await self.client.say(text))

    async def upload(self, seed: int) -> None:
        """Send a good scan as a file."""
        scan = encode(make_document((1800, 1150), seed=seed), quality=92)
        self.typed += 1
        self.take(await self.client.send_document(scan, f"scan{seed}.jpg"))


async def _current_step(harness: Harness, user_id: int) -> tuple[bool, Item | None]:
    """(whether an application is open, its current step) as stored."""
    services = services_of(harness.application)
    async with services.database.sessions() as session:
        client = await session.scalar(select(ClientRow).where(ClientRow.telegram_id == user_id))
        if client is None:
            return False, None
        service = ApplicationService(session, services.catalogue)
        application = await service.open_for(client)
        if application is None:
            return False, None
        return True, service.current(application)


PREFERRED = {
    "en": {"elig:applicant:": "mainland_individual", "hosting_provider": "aliyun"},
    "zh_Hans": {
        "elig:applicant:": "mainland_company",
        "hosting_provider": "tencent",
        "legal_rep_in_charge": "no",
    },
}
ELIGIBILITY = {"hosting": "mainland", "domain": "ready", "content": "none"}


async def complete_application(harness: Harness, language: str, user_id: int) -> Chat:
    """One client from /start to a submitted application; the chat it leaves."""
    code = {"en": "en", "zh_Hans": "zh-hans"}[language]
    chat = Chat(Client(harness, user_id=user_id, first_name="Anna", language_code=code))
    # Count the flow's own messages: a reminder job firing mid-walk (the visit booked for
    # tomorrow) would add one depending on how fast the machine is.
    queue = harness.application.job_queue
    jobs = list(queue.jobs()) if queue is not None else []
    for job in jobs:
        job.enabled = False
    preferred = PREFERRED[language]
    await chat.say("/start")
    await chat.press_prefix("menu:eligibility")
    await chat.press_prefix(f"elig:applicant:{preferred['elig:applicant:']}")
    while chat.find("app:start") is None:
        question = (chat.find("elig:") or (0, "elig:?:"))[1].split(":")[1]
        choice = ELIGIBILITY.get(question)
        await chat.press_prefix(f"elig:{question}:{choice}" if choice else f"elig:{question}:")
    await chat.press_prefix("app:start")
    for seed in itertools.count(1):
        if seed > 60:
            raise AssertionError("the application did not end")
        is_open, item = await _current_step(harness, user_id)
        if not is_open:
            break
        if item is None:
            if chat.find("app:submit") is None:
                await chat.press_prefix("app:review")
            await chat.press_prefix("app:submit")
        elif item.kind is ItemKind.CHOICE:
            value = preferred.get(item.id, "")
            await chat.press_prefix(f"app:choose:{item.id}:{value}")
        elif item.kind is ItemKind.IMAGE:
            await chat.upload(seed)
        elif item.kind is ItemKind.VERIFICATION and language == "en":
            await chat.press_prefix("verify:face")
        elif item.kind is ItemKind.VERIFICATION:
            await chat.press_prefix("book:days")
            await chat.press_prefix("book:day:")
            await chat.press_prefix("book:at:")
        else:
            answers = TEXT_ANSWERS[language]
            key = item.validator or item.id
            if key not in answers:
                raise AssertionError(f"no answer for the text step {item.id} ({key})")
            await chat.say(answers[key])
    for job in jobs:
        job.enabled = True
    return chat


@dataclass
class Walk:
    """Every reachable button pressed once."""

    edited_own: int = 0
    new_only: int = 0
    neither: int = 0
    pressed: list[str] = field(default_factory=list)

    @property
    def presses(self) -> int:
        """How many buttons were pressed."""
        return self.edited_own + self.new_only + self.neither


def _walk_skips(data: str, language: str) -> bool:
    return data.startswith("lang:") and data != f"lang:{language}"


async def press_everything(harness: Harness, language: str, user_id: int) -> Walk:
    """Press every distinct button a client can reach from /start, newest message first."""
    code = {"en": "en", "zh_Hans": "zh-hans"}[language]
    chat = Chat(Client(harness, user_id=user_id, first_name="Anna", language_code=code))
    await chat.say("/start")
    walk, done, restarted = Walk(), set(), False
    while walk.presses < MAX_PRESSES:
        target = next(
            (
                (mid, data)
                for mid, _label, data in chat.buttons()
                if (chat.screen(mid), data) not in done and not _walk_skips(data, language)
            ),
            None,
        )
        if target is None and restarted:
            break
        if target is None:  # nothing new in sight: back to the main menu, as a client would
            await chat.say("/start")
            restarted = True
            continue
        restarted = False
        done.add((chat.screen(target[0]), target[1]))
        walk.pressed.append(target[1])
        edited, new = await chat.press(*target)
        if target[0] in edited:
            walk.edited_own += 1
        elif new:
            walk.new_only += 1
        else:
            walk.neither += 1
    return walk


def _settings(data_dir: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        bot_token="123456:local-bench-token",
        data_dir=data_dir,
        staff_chat_id=-1001234567890,
        document_keys=(SecretStr(Fernet.generate_key().decode()),),
        flood_limit=1000,
    )


async def measure(data_dir: Path, transcript: bool = False) -> dict[str, dict[str, int]]:
    """The figures, per language: the application's messages and the walk's presses."""
    figures: dict[str, dict[str, int]] = {}
    async with running_bot(_settings(data_dir)) as harness:
        for number, language in enumerate(("en", "zh_Hans")):
            chat = await complete_application(harness, language, 920_001 + number)
            if transcript:
                print(f"{language}: the chat after a complete application")
                print("\n".join(chat.transcript()))
            walk = await press_everything(harness, language, 930_001 + number)
            figures[language] = {
                "application_new": chat.new,
                "application_edited": chat.edited,
                "presses": walk.presses,
                "presses_editing": walk.edited_own,
                "presses_new_only": walk.new_only,
                "presses_neither": walk.neither,
            }
    return figures


def main() -> None:
    """Print the figures (``--transcript``: and the chats of the complete applications)."""
    with tempfile.TemporaryDirectory() as directory:
        figures = asyncio.run(measure(Path(directory), "--transcript" in sys.argv))
    for language, numbers in figures.items():
        share = numbers["presses_editing"] / max(numbers["presses"], 1)
        print(
            f"{language:8} application: {numbers['application_new']:3} new, "
            f"{numbers['application_edited']:3} edited | buttons: {numbers['presses']} pressed, "
            f"{numbers['presses_editing']} edited their message ({share:.0%}), "
            f"{numbers['presses_new_only']} only new, {numbers['presses_neither']} neither"
        )


if __name__ == "__main__":
    main()
