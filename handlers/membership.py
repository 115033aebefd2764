"""Noticing when a client blocks or unblocks the bot, and when the staff group gets a new id
(``bot.services.staff_group`` follows it)."""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.ext import ChatMemberHandler, MessageHandler, filters

from bot.commands import publish_staff_menu
from bot.context import BotContext, HandlerList
from bot.services.clients import ClientService

GONE = {ChatMember.BANNED, ChatMember.LEFT}


async def track_block(update: Update, context: BotContext) -> None:
    """Mark the client as blocked or not, from Telegram's my_chat_member update."""
    change = update.my_chat_member
    if change is None or context.client is None:
        return
    ClientService.mark_blocked(context.client, change.new_chat_member.status in GONE)


async def staff_group_moved(update: Update, context: BotContext) -> None:
    """Telegram made a group a supergroup, with a new id (turning on Topics does): when it is
    the staff group, follow it there, give it the staff menu and tell staff what happened."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id is not None:
        old_id, new_id = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id is not None:
        old_id, new_id = message.migrate_from_chat_id, message.chat.id
    else:
        return
    services = context.services
    if not await services.staff_moves.follow(context.session, old_id, new_id):
        return
    await publish_staff_menu(context.bot, services.translations, new_id)
    _ = services.translations.get(None).gettext  # staff read the default language
    notice = _(
        "ℹ️ Telegram has made this group a supergroup, with the new id {chat_id}. The bot "
        "follows it: alerts, conversations and staff commands carry on here. Please also set "
        "STAFF_CHAT_ID={chat_id} in the bot's configuration."
    ).format(chat_id=new_id)
    await context.messenger.send(new_id, notice)


HANDLERS: HandlerList = [
    ChatMemberHandler(track_block, ChatMemberHandler.MY_CHAT_MEMBER),
    MessageHandler(filters.StatusUpdate.MIGRATE, staff_group_moved),
]
