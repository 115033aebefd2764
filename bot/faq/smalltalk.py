"""Recognising messages that are not FAQ questions: greetings, thanks, asking for a person.

Real people rarely write a bare "thanks": they write "Thanks for you help.", "好的，多谢哈",
"Thank you very much! Best regards." or "Welp. Thanks for letting me know.". A message is small
talk when it is made only of small-talk phrases (greetings, thanks, acknowledgements, praise,
sign-offs), or when it thanks us and asks nothing: no question mark, no question word and
nothing about filings. "Thanks, but how long does it take?" stays a question.
"""

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


MAX_SMALL_TALK = 200  # longer messages are treated as questions

_HUMAN = re.compile(
    r"\b(?:talk|speak|chat)\s+(?:to|with)\s+(?:a\s+|an\s+|your\s+)?(?:real\s+)?"
    r"(?:human|person|someone|somebody|staff|agent|operator|consultant|people)\b"
    r"|^(?:human|agent|operator|real person|staff)\W*$|\bconnect me\b"
    r"|转人工|人工客服|人工服务|找人工|真人客服|联系客服|找客服|找工作人员|联系工作人员"
)

# Phrases (after normalise(): lower case, Simplified Chinese) that are small talk by themselves.
_GREETINGS = (
    r"hi|hello|hey|hiya|howdy|how are you|how r u|good (?:morning|afternoon|evening|day)|"
    r"greetings|are you ok|r u ok|"
    r"你好|您好|哈喽|嗨|在吗|在么|在不在|早上好|早安|下午好|晚上好|大家好"
)
_THANKS_WORDS = (
    r"thanks?(?: you| u)?|thankyou|thank u|thx|tks|ty|tq|many thanks|much appreciated|"
    r"appreciated?|"
    r"cheers|谢谢|多谢|感谢|感激|谢啦|谢了|辛苦了|辛苦|麻烦了|麻烦你了|麻烦您了"
)
_ACK_WORDS = (
    r"ok(?:ay|ey)?|k|kk|cool|great|good|nice|fine|perfect|awesome|excellent|wonderful|"
    r"amazing|brilliant|super|alright|all right|sure|got it|i see|understood|understand|noted|"
    r"clear|makes sense|that helps|that helped|helpful|very helpful|it'?s solved|solved|"
    r"it works|works now|no problem|np|yes|yeah|yep|yup|right|welp|wow|good idea|great idea|"
    r"got|you'?re welcome|welcome|no worries|sorry|great app|nice app|love it|"
    r"(?:i'?m|i am) (?:very )?(?:ok|okay|fine|good)|(?:you'?re|you are) (?:right|correct)|"
    r"i believe|correct|exactly|agreed|"
    r"好|好的|好滴|好嘞|好吧|好哒|行|行的|可以|可以了|没问题|明白|明白了|收到|收到了|"
    r"知道了|了解|了解了|嗯|嗯嗯|懂了|清楚了|ok了|好了|解决了|搞定了|赞|太好了|厉害|牛|"
    r"好主意|好办法|加油|噶油|原来如此|原来是这样|没仔细看|没注意|妥|妥妥的|妥了|不客气|不用谢|"
    r"抱歉|不好意思|问题已解决|已解决|问题解决了|"
    r"👍|🙏|😊|🙂"
)
_FILLER_WORDS = (
    r"so much|a lot|lots|very much|a bunch|again|in advance|you|u|guys|all|there|bot|man|"
    r"sir|madam|friend|buddy|for (?:your|ur|you|the) (?:help|reply|answer|quick reply|"
    r"quick answer|info|information|explanation|support|time)|for (?:helping|answering|"
    r"replying|explaining|letting me know|the info)|"
    r"best regards|kind regards|regards|br|best|best wishes|have a (?:nice|good|great) day|"
    r"haha+|hehe+|lol|btw|@\w+|:\)|:-\)|:d|"
    r"您|你|你们|大佬|老师|师傅|兄弟|亲|啦|哈+|呀|哦+|噢|喔|呢|嘛|啊|了|解答|回复|帮忙|帮助|"
    r"贡献|分享|指导|指点|祝好|此致敬礼|非常|十分|太|真的|很|先|一下|哈哈+"
)
_SEPARATORS = r"[\s!！.。,，、~～:：;；\-…]*"
_PHRASE = f"(?:{_GREETINGS}|{_THANKS_WORDS}|{_ACK_WORDS}|{_FILLER_WORDS})"
_ONLY_SMALL_TALK = re.compile(f"^{_SEPARATORS}(?:{_PHRASE}(?![a-z]){_SEPARATORS})+$")

_GREETING = re.compile(
    f"^{_SEPARATORS}(?:(?:{_GREETINGS}|{_FILLER_WORDS})(?![a-z]){_SEPARATORS})+$"
)
_THANKS_MARK = re.compile(
    r"\b(?:thanks?|thank(?:s| you| u)|thx|tks|many thanks|much appreciated|appreciate[sd]?)\b"
    r"|谢谢|多谢|感谢|谢啦|谢了|辛苦了"
)

# A message asks something when it has a question mark or a question word...
_QUESTION = re.compile(
    r"[?？]|\b(?:how|what|whats|why|when|where|which|who|whom|whose|but|however|still|"
    r"problem|issue|error|help me|tell me|explain)\b"
    r"|(?:^|[.!,;]\s*)(?:can|could|would|should|do|does|did|is|are|will|may|any|pls|please)\s"
    r"|吗|么|怎|如何|什么|为什么|为何|哪|多少|多久|几|能否|是否|可否|有没有|能不能|可不可以|"
    r"要不要|需不需要|是不是|请问|咨询|想问|还想|但是|不过|可是|还是|问题"
)
# ... or when it is about filings at all.
_ABOUT_FILINGS = re.compile(
    r"icp|bei ?an|filing|licen[cs]e|permit|domain|server|hosting|document|photo|picture|"
    r"passport|\bid\b|approv|reject|miit|备案|许可|域名|服务器|主机|材料|照片|幕布|证件|身份证|"
    r"营业执照|审核|驳回|管局|接入|公安|号码"
)


def classify(text: str) -> SmallTalk | None:
    """The kind of small talk a message is, or None for a real question."""
    message = normalise(text).strip()
    if not message or len(message) > MAX_SMALL_TALK:
        return None
    if _HUMAN.search(message):
        return SmallTalk.HUMAN
    if _ONLY_SMALL_TALK.match(message):
        if _THANKS_MARK.search(message):
            return SmallTalk.THANKS
        if _GREETING.match(message):
            return SmallTalk.GREETING
        return SmallTalk.ACKNOWLEDGEMENT
    if (
        _THANKS_MARK.search(message)
        and not _QUESTION.search(message)
        and not _ABOUT_FILINGS.search(message)
    ):
        return SmallTalk.THANKS
    return None
