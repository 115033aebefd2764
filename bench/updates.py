"""Updates as Telegram sends them to a webhook, for the benchmarks and the process-level tests:
a private-chat text or document from a client, and a button press; and what the benchmarks'
clients say (FAQ questions, checklist steps)."""

from __future__ import annotations

import time


def _sender(chat: int) -> dict:
    return {"id": chat, "is_bot": False, "first_name": "C", "language_code": "en"}


def message(update_id: int, chat: int, **content: object) -> dict:
    """A message in the client's private chat; ``content`` is e.g. ``text=...``."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private", "first_name": "C"},
            "from": _sender(chat),
            **content,
        },
    }


def upload(update_id: int, chat: int, file_id: str, size: int) -> dict:
    """A JPEG sent as a file."""
    document = {
        "file_id": file_id,
        "file_unique_id": file_id,
        "file_name": "scan.jpg",
        "mime_type": "image/jpeg",
        "file_size": size,
    }
    return message(update_id, chat, document=document)


def press(update_id: int, chat: int, data: str) -> dict:
    """A press on an inline button carrying ``data``."""
    return {
        "update_id": update_id,
        "callback_query": {
            "id": str(update_id),
            "chat_instance": "c",
            "data": data,
            "from": _sender(chat),
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": chat, "type": "private"},
                "text": "…",
            },
        },
    }


# The client traffic the benchmarks send: typed FAQ questions, and checklist steps (button
# presses) in an application opened with OPEN_APPLICATION.
QUESTIONS = [
    "how long does it take?",
    "can foreigners apply?",
    "多少钱",
    "what documents does a company need",
    "备案要多久",
    "where do I put the ICP number?",
    "my filing was rejected, what now?",
    "do I need a filing for a server in Hong Kong?",
    "外国人可以申请吗？",
    "what is an ICP filing",
]
OPEN_APPLICATION = ["app:type:mainland_individual", "app:choose:hosting_provider:aliyun"]
STEPS = ["app:list", "app:back", "app:skip", "app:review"]
