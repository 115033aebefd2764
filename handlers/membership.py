"""Noticing when a client blocks or unblocks the bot."""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.ext import ChatMemberHandler

from bot.context import BotContext, HandlerList
from bot.services.clients import ClientService

GONE = {ChatMember.BANNED, ChatMember.LEFT}


async def track_block(update: Update, context: BotContext) -> None:
    """Mark the client as blocked or not, from Telegram's my_chat_member update."""
    change = update.my_chat_member
    if change is None or context.client is None:
        return
    ClientService.mark_blocked(context.client, change.new_chat_member.status in GONE)


HANDLERS: HandlerList = [ChatMemberHandler(track_block, ChatMemberHandler.MY_CHAT_MEMBER)]
