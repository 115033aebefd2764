"""The one router for what a client types or sends in the private chat (anything but commands
and buttons).

It reads where the client stands once — an open step, an open conversation with staff, or
neither (``bot.services.situation``, from what was read when the update arrived) — and sends
the message to exactly one place, which gives one coherent reply:

1. text at a text step → that step's answer, and a shared contact card at a phone number's
   step too (unless the client paused the application; while a conversation with staff is
   open, only what the step accepts: the rest goes to staff);
2. a photo or file at a picture step → the upload checks (and, while a conversation with staff
   is open, a copy to staff, who are often there to help with just that picture);
3. anything while a conversation with staff is open → copied to staff (marked 👌 once it
   arrived); a typed question the FAQ is sure of is answered too, while staff are waited for;
4. other text → the FAQ (at a step that waits for something, the answer reminds of it, unless
   the application is paused);
5. a photo or file elsewhere → the upload service says why it cannot be taken now;
6. anything else (stickers, voice, videos…) → at an open step, what the step needs and the
   step again; elsewhere "I can only read text" and the menu.

An edited message goes to the typed answer it gave (which follows the edit) or to its copy in
the staff chat (which shows the edit), to the step whose answer it was refused as (the fixed
text answers it); other edited text is a question asked again, unless a conversation or a text
step is open.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import MessageHandler, filters

from bot.context import BotContext, HandlerList
from bot.filing.catalogue import ItemKind
from bot.filing.validators import PHONE_NUMBERS
from bot.services.situation import situation_of
from handlers import faq, uploads
from handlers.application import (
    answer_text_step,
    cannot_read_at_step,
    correct_answer,
    edits_refused_answer,
)
from handlers.common import show_menu
from handlers.support import relay_edit_to_staff, relay_to_staff


async def route(update: Update, context: BotContext) -> None:
    """Send a private-chat message to the one handler that should answer it."""
    message = update.effective_message
    if message is None or context.client is None:
        return
    situation = situation_of(context.scope.arrival, context.services.catalogue)
    step = situation.step
    is_file = bool(message.photo or message.document)
    text = message.text
    at_text_step = step is not None and step.kind is ItemKind.TEXT and not situation.paused
    talking = situation.conversation is not None
    answer = text
    if message.contact is not None and step is not None and step.validator in PHONE_NUMBERS:
        answer = message.contact.phone_number  # a shared contact card gives its number
    # Talking to staff, only a text the step accepts is its answer: the rest is for staff.
    if (
        answer
        and at_text_step
        and await answer_text_step(update, context, answer, refuse=not talking)
    ):
        return
    if is_file and step is not None and step.kind is ItemKind.IMAGE:
        if situation.conversation is not None:  # staff see the picture they help with
            await relay_to_staff(update, context, situation.conversation)
        await uploads.receive_upload(update, context, situation)
    elif situation.conversation is not None:
        delivered = await relay_to_staff(update, context, situation.conversation)
        if delivered and text:
            await faq.answer_if_confident(update, context, text)
    elif text:
        waiting = None if situation.paused else step
        await faq.question(update, context, text, waiting_step=waiting)
    elif is_file:
        await uploads.receive_upload(update, context, situation)
    elif situation.application is not None and step is not None and not situation.paused:
        await cannot_read_at_step(update, context, situation.application, step)
    else:
        _ = context.i18n.gettext
        notice = _(
            "I can only read text messages here for now. Please type your question, "
            "or choose from the menu."
        )
        await show_menu(update, context, notice)


async def route_edit(update: Update, context: BotContext) -> None:
    """An edited message: a typed answer follows the edit; a message copied to staff shows
    it there; a text the step refused, fixed by editing it, is the step's answer; an edited
    question is answered afresh (a client who fixes a typo expects the answer to the question
    as it now reads)."""
    if await correct_answer(update, context) or await relay_edit_to_staff(update, context):
        return
    message = update.edited_message
    if message is None or not message.text or message.text.startswith("/"):
        return
    situation = situation_of(context.scope.arrival, context.services.catalogue)
    step = None if situation.paused else situation.step
    if (
        step is not None
        and step.kind is ItemKind.TEXT
        and edits_refused_answer(update, context, step)
    ):
        await answer_text_step(update, context, message.text)  # the refused text, fixed
        return
    if situation.conversation is not None or (step is not None and step.kind is ItemKind.TEXT):
        return  # staff read the conversation; at a text step an old message is no answer
    await faq.question(update, context, message.text, waiting_step=step)


HANDLERS: HandlerList = [
    MessageHandler(
        filters.ChatType.PRIVATE
        & filters.UpdateType.MESSAGE
        & ~filters.COMMAND
        & ~filters.StatusUpdate.ALL,
        route,
    ),
    MessageHandler(filters.ChatType.PRIVATE & filters.UpdateType.EDITED_MESSAGE, route_edit),
]
