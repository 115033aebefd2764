"""Noticing when a client blocks or unblocks the bot, and when the staff group gets a new id."""

from __future__ import annotations

import logging

from telegram import ChatMember, Update
from telegram.ext import ChatMemberHandler, MessageHandler, filters

from bot.context import BotContext, HandlerList
from bot.services.clients import ClientService

log = logging.getLogger(__name__)

GONE = {ChatMember.BANNED, ChatMember.LEFT}


async def track_block(update: Update, context: BotContext) -> None:
    """Mark the client as blocked or not, from Telegram's my_chat_member update."""
    change = update.my_chat_member
    if change is None or context.client is None:
        return
    ClientService.mark_blocked(context.client, change.new_chat_member.status in GONE)


async def staff_group_moved(update: Update, context: BotContext) -> None:
    """Turning on Topics makes a group a supergroup with a new id; until STAFF_CHAT_ID names
    it, alerts fail and staff commands there are refused, so say plainly what to set."""
    message, staff_chat = update.effective_message, context.services.settings.staff_chat_id
    if message is None or staff_chat is None:
        return
    if message.migrate_to_chat_id is not None and message.chat.id == staff_chat:
        new_id = message.migrate_to_chat_id
    elif message.migrate_from_chat_id == staff_chat:
        new_id = message.chat.id
    else:
        return
    log.error(
        "The staff group %s is now a supergroup with the id %s: set STAFF_CHAT_ID=%s and "
        "restart the bot (until then handoff alerts cannot reach staff)",
        staff_chat,
        new_id,
        new_id,
    )


HANDLERS: HandlerList = [
    ChatMemberHandler(track_block, ChatMemberHandler.MY_CHAT_MEMBER),
    MessageHandler(filters.StatusUpdate.MIGRATE, staff_group_moved),
]
