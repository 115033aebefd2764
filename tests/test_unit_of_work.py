"""The unit of work's promise: an update is marked handled in the commit that stores its first
effects — never with a commit that stores only the client's record or ends a read."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select
from telegram import Bot, Update

from bot.bot_api_request import BotApiRequest
from bot.i18n import Translations
from bot.scope import UnitOfWork, current_scope
from storage.database import Database
from storage.models import Client, FilingApplication, ProcessedUpdate, UnsentReply, utcnow
from tests.support.fake_bot_api import ApiCall, FakeBotApi


def _press(update_id: int, user_id: int, bot: Bot | None = None) -> Update:
    user = {"id": user_id, "is_bot": False, "first_name": "New", "language_code": "en"}
    data = {
        "update_id": update_id,
        "callback_query": {
            "id": str(update_id),
            "from": user,
            "chat_instance": "1",
            "data": "app:type:mainland_individual",
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": user_id, "type": "private"},
                "from": {"id": 1, "is_bot": True, "first_name": "Bot"},
                "text": "Who will apply?",
            },
        },
    }
    return Update.de_json(data, bot or Bot("123456:TEST"))


async def _marked(database: Database, update_id: int) -> bool:
    async with database.sessions() as session:
        found = await session.scalar(
            select(ProcessedUpdate).where(ProcessedUpdate.update_id == update_id)
        )
        return found is not None


async def test_a_new_clients_first_press_is_marked_only_with_its_own_effects(
    database: Database,
) -> None:
    unit = UnitOfWork(database, Translations.load())
    seen: dict[str, bool] = {}

    async def handler() -> None:
        scope = current_scope()
        await scope.commit()  # e.g. answering the button: only reads so far
        seen["after the read-only commit"] = await _marked(database, 77)
        scope.session.add(
            FilingApplication(client_id=scope.client.id if scope.client else 0, applicant_type="x")
        )
        await scope.commit()
        seen["after storing the application"] = await _marked(database, 77)

    await unit.run(_press(77, 4100), handler())
    assert seen == {"after the read-only commit": False, "after storing the application": True}
    async with database.sessions() as session:  # the client's record was kept on its own
        assert await session.scalar(select(Client).where(Client.telegram_id == 4100))


async def test_an_update_that_stores_nothing_is_still_marked_at_its_end(
    database: Database,
) -> None:
    unit = UnitOfWork(database, Translations.load())

    async def handler() -> None:
        await current_scope().commit()

    await unit.run(_press(78, 4101), handler())
    assert await _marked(database, 78)

    ran: list[int] = []

    async def again() -> None:
        ran.append(1)

    await unit.run(_press(78, 4101), again())  # Telegram delivers it again: skipped
    assert ran == []


async def test_a_reply_cut_off_by_a_crash_is_sent_when_the_update_comes_again(
    database: Database,
) -> None:
    """The process dies while Telegram answers the reply to stored work: the update is marked
    handled, so its redelivery is skipped — and the reply is sent then, once."""
    api = FakeBotApi()
    bot = Bot("123456:TEST", request=BotApiRequest(api))
    unit = UnitOfWork(database, Translations.load())
    chat = 4102

    async def killed_mid_call(call: ApiCall) -> None:
        if call.method == "sendMessage" and not killed:
            killed.append(call)
            raise asyncio.CancelledError  # like SIGKILL: no code of the bot runs after this

    killed: list[ApiCall] = []
    api.observers.append(killed_mid_call)

    async def handler() -> None:
        scope = current_scope()
        scope.session.add(FilingApplication(client_id=scope.client.id, applicant_type="x"))
        await bot.send_message(chat, "Your application is stored.")
        ran.append("first")

    ran: list[str] = []
    with pytest.raises(asyncio.CancelledError):
        await unit.run(_press(79, chat, bot), handler())
    assert ran == [] and await _marked(database, 79)

    async def again() -> None:
        ran.append("again")

    await unit.run(_press(79, chat, bot), again())  # Telegram delivers it again
    await unit.run(_press(79, chat, bot), again())  # and once more: nothing is repeated
    sent = [call.params["text"] for call in api.of_method("sendMessage") if call not in killed]
    assert ran == []
    assert sent == ["Your application is stored."]


async def test_replies_telegram_answered_are_not_sent_again(database: Database) -> None:
    api = FakeBotApi()
    bot = Bot("123456:TEST", request=BotApiRequest(api))
    unit = UnitOfWork(database, Translations.load())

    async def handler() -> None:
        scope = current_scope()
        scope.session.add(FilingApplication(client_id=scope.client.id, applicant_type="x"))
        await bot.send_message(4103, "Stored.")
        await bot.send_message(4103, "Next step.")

    await unit.run(_press(80, 4103, bot), handler())
    await unit.run(_press(80, 4103, bot), handler())  # a redelivery after a full handling
    assert [call.params["text"] for call in api.of_method("sendMessage")] == [
        "Stored.",
        "Next step.",
    ]
    async with database.sessions() as session:
        assert await session.scalar(select(UnsentReply.id)) is None


async def test_once_another_process_marked_the_update_nothing_more_is_said(
    database: Database,
) -> None:
    """Another process marks the update while this one works on it: this one's work is dropped
    and every later call is stopped before it reaches Telegram."""
    api = FakeBotApi()
    bot = Bot("123456:TEST", request=BotApiRequest(api))
    unit = UnitOfWork(database, Translations.load())
    stopped: list[str] = []

    async def handler() -> None:
        scope = current_scope()
        scope.session.add(FilingApplication(client_id=scope.client.id, applicant_type="x"))
        async with database.sessions() as other:  # the other process stores its mark first
            other.add(ProcessedUpdate(update_id=81, processed_at=utcnow()))
            await other.commit()
        for text in ("Your application is stored.", "Next step."):
            try:
                await bot.send_message(4104, text)
            except Exception as error:  # PTB wraps the request object's errors
                stopped.append(type(error.__cause__ or error).__name__)

    await unit.run(_press(81, 4104, bot), handler())
    assert stopped == ["HandledElsewhereError", "HandledElsewhereError"]
    assert api.of_method("sendMessage") == []
    async with database.sessions() as session:
        assert await session.scalar(select(FilingApplication.id)) is None
