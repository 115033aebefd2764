"""Recognising messages that are not FAQ questions: greetings, thanks, asking for a person."""

from __future__ import annotations

import re
from enum import StrEnum

from bot.faq.text import normalise


class SmallTalk(StrEnum):
    """Kinds of message answered without the FAQ."""

    GREETING = "greeting"
    THANKS = "thanks"
    HUMAN = "human"
    ACKNOWLEDGEMENT = "acknowledgement"


_HUMAN = re.compile(
    r"\b(?:talk|speak|chat)\s+(?:to|with)\s+(?:a\s+|an\s+|your\s+)?(?:real\s+)?"
    r"(?:human|person|someone|somebody|staff|agent|operator|consultant|people)\b"
    r"|^(?:human|agent|operator|real person|staff)\W*$|\bconnect me\b"
    r"|转人工|人工客服|人工服务|找人工|真人客服|联系客服|找客服|找工作人员|联系工作人员"
)
_GREETING = re.compile(
    r"^(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening)|greetings|你好|您好|哈喽|嗨|在吗|"
    r"早上好|下午好|晚上好)[\s!！.。,，~]*(?:there|bot|all)?[\s!！.。]*$"
)
_THANKS = re.compile(
    r"^(?:thanks?|thank you|thx|ty|many thanks|谢谢|多谢|感谢)"
    r"[\s!！.。,，~]*(?:so much|a lot|very much|you|您|你|啦)?[\s!！.。]*$"
)
_ACKNOWLEDGEMENT = re.compile(
    r"^(?:ok|okay|k|cool|great|got it|i see|understood|noted"
    r"|好|好的|明白|明白了|收到|知道了|嗯|懂了)"
    r"[\s!！.。,，~]*$"
)


def classify(text: str) -> SmallTalk | None:
    """The kind of small talk a message is, or None for a real question."""
    message = normalise(text).strip()
    if not message or len(message) > 80:
        return None
    if _HUMAN.search(message):
        return SmallTalk.HUMAN
    if _GREETING.match(message):
        return SmallTalk.GREETING
    if _THANKS.match(message):
        return SmallTalk.THANKS
    if _ACKNOWLEDGEMENT.match(message):
        return SmallTalk.ACKNOWLEDGEMENT
    return None
