"""The ``Messenger`` that services and jobs use, on PTB's ``Bot``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    ReplyParameters,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.messenger import (
    BlockedError,
    Keyboard,
    MessengerError,
    RetryLaterError,
    TopicClosedError,
    TopicGoneError,
    UndeliveredError,
    UnreachableError,
)


def markup_of(buttons: Keyboard | None) -> InlineKeyboardMarkup | None:
    """PTB's inline keyboard for plain button rows."""
    if buttons is None:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.text, callback_data=b.data) for b in row] for row in buttons]
    )


def _reply(message_id: int | None) -> ReplyParameters | None:
    if message_id is None:
        return None
    return ReplyParameters(message_id, allow_sending_without_reply=True)


T = TypeVar("T")
# Told that a chat moved (old id, new id); whether calls to it belong in the new one.
ChatMoved = Callable[[int, int], Awaitable[bool]]


class TelegramMessenger:
    """Makes the call (the request object commits the unit of work first) and turns PTB's
    errors into ours. With `moved`, a message for the staff group that bounces off its old id
    (Telegram made it a supergroup) is followed to the new one and sent there."""

    def __init__(self, bot: Bot, moved: ChatMoved | None = None) -> None:
        self.bot = bot
        self.moved = moved

    async def _in_chat(
        self, chat_id: int, call: Callable[[int], Awaitable[T]], topic: int | None = None
    ) -> T:
        """`call` made in a chat, or in the staff group's new id when Telegram says the group
        moved there; PTB's errors as ours."""
        try:
            try:
                return await call(chat_id)
            except ChatMigrated as error:
                if self.moved is None or not await self.moved(chat_id, error.new_chat_id):
                    raise
                return await call(error.new_chat_id)
        except TelegramError as error:
            raise _ours(error, topic) from error

    async def send(
        self,
        chat_id: int,
        text: str,
        buttons: Keyboard | None = None,
        *,
        topic: int | None = None,
        reply_to: int | None = None,
    ) -> int:
        """Send an HTML message; its message id."""
        message = await self._in_chat(
            chat_id,
            lambda chat: self.bot.send_message(
                chat,
                text,
                reply_markup=markup_of(buttons),
                message_thread_id=topic,
                reply_parameters=_reply(reply_to),
            ),
            topic,
        )
        return message.message_id

    async def send_place(
        self,
        chat_id: int,
        latitude: float,
        longitude: float,
        title: str,
        address: str | None = None,
    ) -> int:
        """Send a place on the map (a venue with its address when one is given); its id."""
        try:
            if address:
                message = await self.bot.send_venue(chat_id, latitude, longitude, title, address)
            else:
                message = await self.bot.send_location(chat_id, latitude, longitude)
        except TelegramError as error:
            raise _ours(error, None) from error
        return message.message_id

    async def edit(
        self, chat_id: int, message_id: int, text: str, buttons: Keyboard | None = None
    ) -> None:
        """Replace a message's text and buttons."""
        try:
            await self.bot.edit_message_text(
                text, chat_id, message_id, reply_markup=markup_of(buttons)
            )
        except TelegramError as error:
            if not _unchanged(error):
                raise _ours(error, None) from error

    async def edit_caption(self, chat_id: int, message_id: int, caption: str) -> None:
        """Replace a photo's or file's caption (HTML)."""
        try:
            await self.bot.edit_message_caption(chat_id, message_id, caption=caption)
        except TelegramError as error:
            if not _unchanged(error):
                raise _ours(error, None) from error

    async def copy(
        self,
        from_chat: int,
        message_id: int,
        to_chat: int,
        *,
        topic: int | None = None,
        reply_to: int | None = None,
    ) -> int:
        """Copy a message to another chat; the copy's message id."""
        copied = await self._in_chat(
            to_chat,
            lambda chat: self.bot.copy_message(
                chat,
                from_chat,
                message_id,
                message_thread_id=topic,
                reply_parameters=_reply(reply_to),
            ),
            topic,
        )
        return copied.message_id

    async def create_topic(self, chat_id: int, name: str) -> int:
        """Open a forum topic; its thread id."""
        topic = await self._in_chat(chat_id, lambda chat: self.bot.create_forum_topic(chat, name))
        return topic.message_thread_id

    async def is_forum(self, chat_id: int) -> bool:
        """Whether a group has forum topics."""
        chat = await self._in_chat(chat_id, self.bot.get_chat)
        return bool(chat.is_forum)

    async def edit_topic(
        self, chat_id: int, topic: int, name: str, *, closed: bool | None = None
    ) -> None:
        """Rename a forum topic and, when ``closed`` is given, close or reopen it (a topic
        already named or in that state is left as it is)."""
        steps: list[Callable[[], Awaitable[bool]]] = [
            lambda: self.bot.edit_forum_topic(chat_id, topic, name=name)
        ]
        if closed is True:
            steps.append(lambda: self.bot.close_forum_topic(chat_id, topic))
        elif closed is False:
            steps.append(lambda: self.bot.reopen_forum_topic(chat_id, topic))
        for step in steps:
            try:
                await step()
            except TelegramError as error:
                if not _unchanged(error):
                    raise _ours(error, topic) from error

    async def react(self, chat_id: int, message_id: int, emoji: str) -> None:
        """Put a quiet reaction on a message (no notification)."""
        try:
            await self.bot.set_message_reaction(chat_id, message_id, emoji)
        except TelegramError as error:
            raise _ours(error, None) from error

    async def send_album(
        self, chat_id: int, photos: list[tuple[bytes, str]], *, topic: int | None = None
    ) -> None:
        """Send up to 10 JPEG photos, each with its caption (HTML), as one album."""
        media = [
            InputMediaPhoto(data, caption=caption, filename=f"{index:02d}.jpg")
            for index, (data, caption) in enumerate(photos, start=1)
        ]

        async def send_to(chat: int) -> object:
            if len(media) == 1:  # an album needs two or more
                data, caption = photos[0]
                return await self.bot.send_photo(
                    chat, data, caption=caption, message_thread_id=topic
                )
            return await self.bot.send_media_group(chat, media, message_thread_id=topic)

        await self._in_chat(chat_id, send_to, topic)


def _unchanged(error: TelegramError) -> bool:
    """Telegram's answer to a change that changes nothing (same text, topic state…)."""
    text = str(error).lower()
    return "not modified" in text or "not_modified" in text


def _ours(error: TelegramError, topic: int | None) -> MessengerError:
    """Our exception for a PTB error."""
    if isinstance(error, RetryAfter):
        wait = error.retry_after
        return RetryLaterError(
            wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        )
    if isinstance(error, Forbidden):
        return BlockedError(str(error))
    if isinstance(error, ChatMigrated):
        # A group becomes a supergroup, with a new id, when its owner turns on Topics: the staff
        # group is followed (bot.services.staff_group); for any other, the reason says so.
        return UndeliveredError(
            f"the group is now a supergroup with the id {error.new_chat_id}: "
            f"set STAFF_CHAT_ID={error.new_chat_id}"
        )
    if isinstance(error, BadRequest) and topic is not None and "thread not found" in str(error):
        return TopicGoneError(str(error))
    if (
        isinstance(error, BadRequest)
        and topic is not None
        and "topic_closed" in str(error).lower()
    ):
        return TopicClosedError(str(error))
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        return UnreachableError(str(error))
    return UndeliveredError(str(error))
