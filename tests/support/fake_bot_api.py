"""An offline Bot API: records every request the bot makes and answers like Telegram would."""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram.error import NetworkError
from telegram.request import BaseRequest, RequestData

BOT_USER = {
    "id": 700000001,
    "is_bot": True,
    "first_name": "ICP Assistant",
    "username": "icp_assistant_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


# Telegram's HTML: these tags, the named entities &lt; &gt; &amp; &quot; and numeric ones.
HTML_TAGS = frozenset(
    [
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    ]
)
_TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)"
    r"\s*>"
)
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
FORMATTED_FIELDS = ("text", "caption")


class EntityError(ValueError):
    """Text that Telegram refuses: "can't parse entities"."""


def _byte_offset(text: str, position: int) -> int:
    return len(text[:position].encode("utf-8", "surrogatepass"))


def visible_text(text: str) -> str:
    """What a Telegram user sees of a message sent with parse_mode HTML: tags applied,
    entities decoded. Raises EntityError where Telegram would refuse the message: an unknown,
    unclosed or mismatched tag, a ``<`` that opens no tag, or an ``&`` that is no entity."""
    visible: list[str] = []
    open_tags: list[str] = []
    position = 0
    while position < len(text):
        char = text[position]
        if char == "<":
            tag = _TAG.match(text, position)
            if tag is None:
                raise EntityError(
                    f"Unsupported start tag at byte offset {_byte_offset(text, position)}"
                )
            closing, name = tag[1] == "/", tag[2].lower()
            if name not in HTML_TAGS:
                raise EntityError(
                    f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, position)}'
                )
            if closing and (not open_tags or open_tags[-1] != name):
                expected = open_tags[-1] if open_tags else ""
                raise EntityError(
                    f"Unmatched end tag at byte offset {_byte_offset(text, position)}, "
                    f'expected "</{expected}>", found "</{name}>"'
                )
            if closing:
                open_tags.pop()
            else:
                open_tags.append(name)
            position = tag.end()
            continue
        if char == "&":
            entity = _ENTITY.match(text, position)
            if entity is None:
                raise EntityError(
                    f"Unsupported entity at byte offset {_byte_offset(text, position)}"
                )
            visible.append(html.unescape(entity[0]))
            position = entity.end()
            continue
        visible.append(char)
        position += 1
    if open_tags:
        raise EntityError(f'Can\'t find end tag corresponding to start tag "{open_tags[-1]}"')
    return "".join(visible)


@dataclass
class ApiCall:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    result: Any = None
    files: dict[str, bytes] | None = None
    error: str | None = None  # Telegram's description when it refused the request

    @property
    def text(self) -> str:
        """The message text, for sendMessage/editMessageText."""
        return str(self.params.get("text", ""))

    @property
    def delivered(self) -> bool:
        """Whether Telegram accepted the request."""
        return self.result is not None

    @property
    def seen(self) -> str:
        """The text (or caption) as the recipient reads it."""
        field = next((name for name in FORMATTED_FIELDS if name in self.params), "text")
        value = str(self.params.get(field, ""))
        return visible_text(value) if self.params.get("parse_mode") == "HTML" else value

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback data) of every inline button in the request."""
        markup = self.params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        return [
            (button["text"], button.get("callback_data", ""))
            for row in markup.get("inline_keyboard", [])
            for button in row
        ]

    def button(self, label_part: str) -> str:
        """The callback data of the button whose label contains ``label_part``."""
        for label, data in self.buttons:
            if label_part in label:
                return data
        raise AssertionError(f"no button containing {label_part!r} in {self.buttons}")


@dataclass
class _Failure:
    method: str
    error_code: int
    description: str
    chat_id: int | None
    retry_after: int | None = None
    migrate_to_chat_id: int | None = None


def _entity_error(params: dict[str, Any]) -> str | None:
    """Telegram's answer to a text or caption it cannot parse as HTML, else None."""
    if params.get("parse_mode") != "HTML":
        return None
    for field in FORMATTED_FIELDS:
        if field in params:
            try:
                visible_text(str(params[field]))
            except EntityError as error:
                return f"Bad Request: can't parse entities: {error}"
    return None


class FakeBotApi(BaseRequest):
    """A ``BaseRequest`` that never touches the network."""

    def __init__(self) -> None:
        self.calls: list[ApiCall] = []
        self._failures: list[_Failure] = []
        self._message_ids = itertools.count(100)
        self.observers: list[Callable[[ApiCall], Awaitable[None]]] = []
        self.files: dict[str, bytes] = {}
        self.forum = True
        self.topics = 0
        self.pending_updates: list[dict[str, Any]] = []  # what getUpdates hands out, in order

    @property
    def read_timeout(self) -> float:
        """Answers are immediate."""
        return 1.0

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    def fail(
        self,
        method: str,
        error_code: int,
        description: str,
        *,
        chat_id: int | None = None,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        """Make the next matching request fail the way Telegram fails it."""
        self._failures.append(
            _Failure(method, error_code, description, chat_id, retry_after, migrate_to_chat_id)
        )

    def messages_to(self, chat_id: int) -> list[ApiCall]:
        """Every message sent (or edited) in a chat, in order."""
        return [
            call
            for call in self.calls
            if call.method in ("sendMessage", "editMessageText")
            and int(call.params.get("chat_id", 0)) == chat_id
        ]

    def seen_in(self, chat_id: int) -> list[str]:
        """Every message a chat received (Telegram accepted it), as its members read it."""
        return [call.seen for call in self.messages_to(chat_id) if call.delivered]

    def of_method(self, method: str) -> list[ApiCall]:
        """Every request of one Bot API method."""
        return [call for call in self.calls if call.method == method]

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        """Answer one Bot API request."""
        if "/file/bot" in url:  # a file download: {base_file_url}{token}/{file_path}
            file_id = url.rsplit("/", 1)[-1]
            if file_id not in self.files:
                return 404, b'{"ok": false, "error_code": 404, "description": "Not Found"}'
            return 200, self.files[file_id]
        api_method = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        # The request travels as UTF-8, which a lone surrogate ("\ud800") cannot be: an HTTP
        # client fails with this UnicodeEncodeError before anything is sent.
        json.dumps(params, ensure_ascii=False).encode("utf-8")
        call = ApiCall(api_method, params)
        if request_data is not None and request_data.contains_files:
            call.files = {name: value[1] for name, value in request_data.multipart_data.items()}
        self.calls.append(call)
        for observer in self.observers:
            await observer(call)
        failure = self._take_failure(api_method, params)
        if failure is not None and failure.error_code == 0:
            raise NetworkError(failure.description)  # the connection failed: no answer at all
        if failure is not None:
            call.error = failure.description
            body: dict[str, Any] = {
                "ok": False,
                "error_code": failure.error_code,
                "description": failure.description,
            }
            if failure.retry_after is not None:
                body["parameters"] = {"retry_after": failure.retry_after}
            if failure.migrate_to_chat_id is not None:
                body["parameters"] = {"migrate_to_chat_id": failure.migrate_to_chat_id}
            return failure.error_code, json.dumps(body).encode()
        refused = _entity_error(params)
        if refused is not None:
            call.error = refused
            body = {"ok": False, "error_code": 400, "description": refused}
            return 400, json.dumps(body).encode()
        if api_method == "getUpdates":
            call.result = await self._updates(params)
            return 200, json.dumps({"ok": True, "result": call.result}).encode()
        call.result = self._result(api_method, params)
        return 200, json.dumps({"ok": True, "result": call.result}).encode()

    def _take_failure(self, method: str, params: dict[str, Any]) -> _Failure | None:
        for failure in self._failures:
            chat_matches = (
                failure.chat_id is None or int(params.get("chat_id", 0)) == failure.chat_id
            )
            if failure.method == method and chat_matches:
                self._failures.remove(failure)
                return failure
        return None

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method in ("sendMessage", "editMessageText", "editMessageReplyMarkup"):
            return self._message(params)
        if method == "sendDocument":
            message = self._message(params)
            message["document"] = {"file_id": "sent-doc", "file_unique_id": "sent-doc-u"}
            return message
        if method in ("sendVenue", "sendLocation"):
            message = self._message(params)
            place = {
                "latitude": float(params["latitude"]),
                "longitude": float(params["longitude"]),
            }
            message["location"] = place
            if method == "sendVenue":
                message["venue"] = {
                    "location": place,
                    "title": params["title"],
                    "address": params["address"],
                }
            return message
        if method == "sendMediaGroup":
            media = params["media"]
            media = json.loads(media) if isinstance(media, str) else media
            return [{**self._message(params), "photo": []} for _item in media]
        if method == "getChat":
            chat_id = int(params["chat_id"])
            return {
                "id": chat_id,
                "type": "supergroup",
                "title": "Staff",
                "is_forum": self.forum,
                "accent_color_id": 0,
                "max_reaction_count": 11,
            }
        if method == "createForumTopic":
            self.topics += 1
            return {
                "message_thread_id": 1000 + self.topics,
                "name": params["name"],
                "icon_color": 7322096,
            }
        if method == "copyMessage":
            return {"message_id": next(self._message_ids)}
        if method == "getFile":
            file_id = str(params["file_id"])
            data = self.files.get(file_id, b"")
            return {
                "file_id": file_id,
                "file_unique_id": f"u-{file_id}",
                "file_size": len(data),
                "file_path": f"documents/{file_id}",
            }
        return True

    async def _updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Like Telegram: an offset confirms every update before it; without pending updates,
        a long poll waits (briefly here) before answering an empty list."""
        offset = int(params.get("offset") or 0)
        self.pending_updates = [u for u in self.pending_updates if u["update_id"] >= offset]
        if not self.pending_updates:
            await asyncio.sleep(min(float(params.get("timeout") or 0), 0.05))
        return self.pending_updates[: int(params.get("limit") or 100)]

    def _message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message: dict[str, Any] = {
            "message_id": int(params.get("message_id") or next(self._message_ids)),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "from": BOT_USER,
        }
        if "text" in params:
            message["text"] = params["text"]
        if params.get("reply_markup"):
            markup = params["reply_markup"]
            message["reply_markup"] = json.loads(markup) if isinstance(markup, str) else markup
        return message
