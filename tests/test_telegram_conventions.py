"""Telegram conventions: command menus per scope and language, the bot's descriptions, /help
matching the menu, and the website's deep links."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from bot.config import Settings
from bot.deep_links import DeepLink, Target, read_deep_link
from handlers import common
from tests.conftest import STAFF_CHAT_ID
from tests.support.fake_bot_api import FakeBotApi
from tests.support.harness import Client, Harness, last_reply, running_bot
from tests.support.image_samples import encode, make_document
from tests.test_staff_stages import StaffChat

STAFF_COMMANDS = {"app", "approve", "reject", "changes", "export", "bookings", "broadcast"}
CLIENT_COMMANDS = {"start", "faq", "eligibility", "status", "human", "language", "help"}


def _scope_key(scope: Any) -> str:
    if scope is None:
        return "default"
    if isinstance(scope, str):
        scope = json.loads(scope)
    if "chat_id" in scope:
        return f"{scope['type']}:{scope['chat_id']}"
    return str(scope["type"])


def menu(api: FakeBotApi, chat_id: int, language_code: str | None) -> dict[str, str]:
    """The commands a user sees, as the Bot API picks them ("Determining list of commands"):
    the first scope with a list wins, in it the user's language before the list without one."""
    lists: dict[tuple[str, str], list[dict[str, str]]] = {}
    for call in api.calls:
        if call.method not in ("setMyCommands", "deleteMyCommands"):
            continue
        key = (_scope_key(call.params.get("scope")), call.params.get("language_code") or "")
        commands = call.params.get("commands") if call.method == "setMyCommands" else None
        if isinstance(commands, str):
            commands = json.loads(commands)
        if commands:
            lists[key] = list(commands)
        else:
            lists.pop(key, None)
    if chat_id > 0:
        chain = [f"chat:{chat_id}", "all_private_chats", "default"]
    else:
        chain = [f"chat:{chat_id}", "all_group_chats", "default"]
    language = (language_code or "").lower().split("-")[0]
    for scope in chain:
        for code in (language, ""):
            if (scope, code) in lists:
                return {c["command"]: c["description"] for c in lists[(scope, code)]}
    return {}


def profile_text(api: FakeBotApi, method: str, field: str, language_code: str | None) -> str:
    """A description as a user of that language reads it (falling back to the default)."""
    texts = {
        call.params.get("language_code") or "": call.params.get(field, "")
        for call in api.of_method(method)
    }
    language = (language_code or "").lower().split("-")[0]
    return str(texts.get(language) or texts.get("", ""))


async def test_clients_and_staff_each_see_their_own_menu(harness: Harness) -> None:
    english = menu(harness.api, 5101, "en")
    assert set(english) >= CLIENT_COMMANDS and not set(english) & STAFF_COMMANDS
    simplified = menu(harness.api, 5102, "zh-hans")
    assert "常见问题" in simplified["faq"] and set(simplified) == set(english)

    staff_group = menu(harness.api, STAFF_CHAT_ID, "en")
    assert set(staff_group) >= STAFF_COMMANDS
    assert not set(staff_group) & {"start", "faq", "delete_my_data", "human"}
    assert "申请" in menu(harness.api, STAFF_CHAT_ID, "zh-hans")["app"]
    assert menu(harness.api, -100999, "en") == {}  # any other group: no menu at all


async def test_admins_see_staff_commands_in_their_private_chat(
    make_settings: Callable[..., Settings],
) -> None:
    async with running_bot(make_settings(admin_ids="4242")) as harness:
        admin = menu(harness.api, 4242, "en")
        assert set(admin) >= CLIENT_COMMANDS | STAFF_COMMANDS
        assert "close" not in admin  # it ends a topic's conversation: staff group only
        assert not set(menu(harness.api, 4243, "en")) & STAFF_COMMANDS


async def test_a_traditional_reader_gets_a_traditional_menu(harness: Harness) -> None:
    taiwan = Client(harness, user_id=5103, language_code="zh-hant")
    await taiwan.say("/start")
    assert "常見問題" in menu(harness.api, 5103, "zh-hant")["faq"]
    assert "常见问题" in menu(harness.api, 5104, "zh-hant")["faq"]  # not yet seen: "zh"

    english = Client(harness, user_id=5105, language_code="zh-hans")
    await english.press("lang:en")
    assert menu(harness.api, 5105, "zh-hans")["faq"] == "Common questions about ICP filing"


async def test_descriptions_in_each_language(harness: Harness) -> None:
    for method, field in (
        ("setMyDescription", "description"),
        ("setMyShortDescription", "short_description"),
    ):
        english = profile_text(harness.api, method, field, "en")
        chinese = profile_text(harness.api, method, field, "zh-hans")
        assert "REDSTAR Works" in english and "ICP" in english
        assert "REDSTAR Works" in chinese and "备案" in chinese and english != chinese
    assert len(profile_text(harness.api, "setMyShortDescription", "short_description", "")) <= 120
    taiwan = profile_text(harness.api, "setMyDescription", "description", "zh-hant")
    assert "備案" in taiwan and "备案" in taiwan  # "zh" serves both: Traditional follows
    for code in ("", "zh"):
        assert len(profile_text(harness.api, "setMyDescription", "description", code)) <= 512
        short = profile_text(harness.api, "setMyShortDescription", "short_description", code)
        assert len(short) <= 120


async def test_help_lists_exactly_the_menu(client: Client, harness: Harness) -> None:
    text = last_reply(await client.say("/help")).text
    listed = set(re.findall(r"^/(\w+)", text, flags=re.MULTILINE))
    assert listed == set(menu(harness.api, client.user_id, "en"))


def test_deep_link_payloads() -> None:
    assert read_deep_link("apply") == DeepLink(Target.APPLY)
    assert read_deep_link("Eligibility") == DeepLink(Target.ELIGIBILITY)
    assert read_deep_link("faq_foreigners") == DeepLink(Target.FAQ_ENTRY, "foreigners")
    for payload in (None, "", "faq_", "ref_agency42", "a" * 65, "apply now", "<b>"):
        assert read_deep_link(payload) is None


async def test_deep_links_open_what_the_website_promised(harness: Harness) -> None:
    client = Client(harness, user_id=5106, language_code="en")
    assert "Who will apply" in last_reply(await client.say("/start apply")).text
    eligibility = last_reply(await Client(harness, 5107).say("/start eligibility"))
    assert "Hello" not in eligibility.text and eligibility.buttons
    answer = last_reply(await Client(harness, 5108).say("/start faq_foreigners"))
    assert "👍 Helpful" in [label for label, _ in answer.buttons]
    topics = last_reply(await Client(harness, 5109).say("/start faq"))
    assert "Choose a topic" in topics.text


async def test_unknown_deep_link_falls_back_to_the_greeting(harness: Harness) -> None:
    for payload in ("ref_agency42", "faq_no_such_entry", "x" * 80):
        client = Client(harness, user_id=5110 + len(payload), language_code="en")
        assert "Hello, Anna" in last_reply(await client.say(f"/start {payload}")).text


class _RecordingChat:
    def __init__(self) -> None:
        self.actions: list[str] = []

    async def send_action(self, action: str, message_thread_id: int | None = None) -> None:
        self.actions.append(action)


async def test_a_chat_action_lasts_as_long_as_the_work(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "ACTION_REPEAT_SECONDS", 0.01)
    chat = _RecordingChat()
    update = SimpleNamespace(effective_chat=chat, effective_message=None)
    async with common.chat_action(update, "typing"):  # type: ignore[arg-type]  # a stand-in
        await asyncio.sleep(0.1)
    shown = len(chat.actions)
    await asyncio.sleep(0.05)
    assert shown >= 3 and len(chat.actions) == shown  # repeated while working, then stopped
    assert set(chat.actions) == {"typing"}


async def test_uploads_and_exports_show_what_the_bot_is_doing(harness: Harness) -> None:
    client = Client(harness, user_id=5130, language_code="en")
    await client.press("app:start")
    await client.press("app:type:mainland_individual")
    await client.press("app:choose:filing_type:first")
    await client.press("app:choose:province:beijing")
    await client.press("app:choose:hosting_provider:aliyun")
    calls = await client.send_document(encode(make_document((1800, 1150), seed=1)), "a.jpg")
    methods = [c.method for c in calls]
    assert "sendChatAction" in methods
    assert methods.index("sendChatAction") < methods.index("sendMessage")
    assert calls[methods.index("sendChatAction")].params["action"] == "typing"

    calls = await StaffChat(harness).say("/export 1")
    actions = [c for c in calls if c.method == "sendChatAction"]
    assert actions and actions[0].params["action"] == "upload_document"
    assert int(actions[0].params["chat_id"]) == STAFF_CHAT_ID
    assert calls.index(actions[0]) < [c.method for c in calls].index("sendDocument")
