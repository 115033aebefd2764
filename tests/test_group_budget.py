"""The staff group's 20 messages a minute, inside the sending budget: delayed, never lost."""

from __future__ import annotations

from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.bot_api_request import BotApiRequest
from bot.services.send_budget import SendBudget
from tests.conftest import STAFF_CHAT_ID
from tests.support.fake_bot_api import FakeBotApi


class FakeTime:
    """A clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


async def test_a_group_gets_at_most_its_share_a_minute() -> None:
    time = FakeTime()
    budget = SendBudget(30, 20, clock=time.clock, sleep=time.sleep)
    for _ in range(20):
        await budget.wait_for_group(STAFF_CHAT_ID)
        time.now += 0.5  # 20 messages in 10 s
    assert time.sleeps == []
    await budget.wait_for_group(-100500)  # another group has a minute of its own
    assert time.sleeps == []
    await budget.wait_for_group(STAFF_CHAT_ID)  # the 21st waits for the first to be a minute old
    assert time.sleeps == [50.0]
    await budget.wait_for_group(STAFF_CHAT_ID)
    assert time.sleeps == [50.0, 0.5]


def _message(chat_id: int, text: str) -> RequestData:
    return RequestData(
        [RequestParameter("chat_id", chat_id, None), RequestParameter("text", text, None)]
    )


async def test_messages_to_the_staff_group_wait_and_arrive_private_chats_do_not_wait() -> None:
    time = FakeTime()
    api = FakeBotApi()
    request = BotApiRequest(api, SendBudget(1000, 2, clock=time.clock, sleep=time.sleep))
    url = "https://api.telegram.org/bot123:x/sendMessage"
    for number in range(3):
        await request.do_request(url, "POST", _message(4242, f"private {number}"))
    assert time.sleeps == []
    for number in range(3):
        await request.do_request(url, "POST", _message(STAFF_CHAT_ID, f"staff {number}"))
    assert time.sleeps == [60.0]  # the third waited a minute
    staff = [call.text for call in api.messages_to(STAFF_CHAT_ID) if call.delivered]
    assert staff == ["staff 0", "staff 1", "staff 2"]  # none lost, in order
    action = RequestData([RequestParameter("chat_id", STAFF_CHAT_ID, None)])
    await request.do_request(url.replace("sendMessage", "sendChatAction"), "POST", action)
    assert time.sleeps == [60.0]  # a chat action is not a message
