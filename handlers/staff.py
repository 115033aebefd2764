"""The staff desk's application commands: look an application up and move it between stages.

Only admins and members of the staff chat may use them; anyone else is refused and nothing
happens. Each move is recorded and the client is told, in their language, what it means
(``bot.services.staff_desk``); these handlers read the command and show the outcome.

The application's card is one message in the client's topic, edited as the application moves;
``/app`` posts it afresh with the answers and sends the documents as an album. Changes and
Reject offer preset reasons (per document for changes), sent to the client in their language.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable
from typing import TypeVar

from telegram import Update
from telegram.constants import ChatAction
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.callbacks import CONTINUE_APPLICATION as CONTINUE
from bot.context import BotContext, HandlerList
from bot.filing.catalogue import ItemKind
from bot.filing.reported_time import parse_reported_time
from bot.filing.stages import MoveError, Outcome, Stage
from bot.i18n import N_, Translator
from bot.messenger import Button, Keyboard, keyboard
from bot.scope import commit_work
from bot.services.conversations import topic_link
from bot.services.notices import stage_name
from bot.services.staff_desk import Card, MoveOutcome, StageDesk
from bot.telegram_messenger import markup_of
from handlers.application_view import describe_value
from handlers.common import (
    answer_button,
    button_data,
    chat_action,
    edit_pressed_message,
    parse_id,
    reply,
    send_file,
)
from handlers.guards import staff_only
from storage.models import utcnow

log = logging.getLogger(__name__)
T = TypeVar("T")

MOVE_PREFIX = "stage:"
CARD_PREFIX = "card:"  # + number: the card again (Back)
CHANGES_PREFIX = "chg:"  # + number [":" step index [":" reason index]]
REJECT_PREFIX = "rej:"  # + number [":" reason index]
APPROVE_PREFIX = "apr:"  # + number: how to approve (the ICP number is typed)
CARD_HISTORY = 8  # the latest moves shown on a card
MAX_ANSWER = 80  # characters of a text answer on the card
# Moves that need more than a button (a number or a reason) are made with these commands.
COMMAND_MOVES = frozenset({Stage.APPROVED, Stage.REJECTED, Stage.CHANGES_REQUESTED})
APPROVE_HINT = "/approve {number} 京ICP备12345678号-1"
REJECT_HINT = "/reject {number} <reason>"
PUBLIC_SECURITY_HINT = "/psb {number} 京公网安备11010802020123号"
# What /approve takes for each kind of filing's outcome.
APPROVAL_HINTS = {
    Outcome.ICP_NUMBER: APPROVE_HINT,
    Outcome.PSB_NUMBER: "/approve {number} 京公网安备11010502030143号",
    Outcome.DONE: "/approve {number} done",
}

# Preset reasons, sent to the client in their language.
IMAGE_REASONS = (
    N_("it is blurry – please send a sharp scan"),
    N_("it is cut off – all four corners must show"),
    N_("glare or a shadow covers the text"),
    N_("it has expired – please send a valid one"),
    N_("it is not the document we asked for"),
)
TEXT_REASONS = (
    N_("it does not match your documents"),
    N_("the bureau will not accept it – please choose another"),
)
REJECT_REASONS = (
    N_("the domain cannot be filed (its suffix or registrar)"),
    N_("the website's content needs a licence first"),
    N_("the applicant does not meet the requirements"),
)
# When the client got the SMS (office time): the 24 hours count from then, not from the move.
SMS_HINT = "/sms {number} 14:05"


def desk(context: BotContext) -> StageDesk:
    """The staff desk for this update."""
    services = context.services
    return StageDesk(
        context.session,
        services.settings,
        services.translations,
        services.catalogue,
        services.documents,
        context.messenger,
        commit=commit_work,
        continue_data=CONTINUE,
        conversations=context.conversations,
    )


def changes_hint(card: Card) -> str:
    """/changes with the ids of this application's own steps (a document and a detail)."""
    examples = [
        next((item.id for item in card.steps if item.kind is kind), None)
        for kind in (ItemKind.IMAGE, ItemKind.TEXT)
    ]
    parts = [f"{step}: <reason>" for step in examples if step] or ["<step>: <reason>"]
    return f"/changes {card.number} " + "; ".join(parts)


def card_view(card: Card, translator: Translator, timezone: str) -> tuple[str, Keyboard]:
    """The case as staff see it: who, stage, answers, documents, history, and the buttons of
    the moves available now."""
    _ = translator.gettext
    name = html.escape(card.client_name or "?", quote=False)
    title = _("📁 <b>Application #{number}</b> – {name}").format(number=card.number, name=name)
    if card.resubmitted:
        title += " · " + _("🔁 resubmitted after changes")
    lines = [title, _("Stage: <b>{stage}</b>").format(stage=stage_name(card.stage, translator))]
    if card.filing_type is not None:
        lines.append(
            _("Filing: {kind}, {province}").format(
                kind=html.escape(card.filing_type.title.get(translator.language), quote=False),
                province=html.escape(card.province_name.get(translator.language), quote=False)
                if card.province_name
                else "–",
            )
        )
    if card.icp_number:
        lines.append(_("ICP number: {number}").format(number=html.escape(card.icp_number)))
    if card.public_security:
        lines.append(
            _("Public-security number: {number}").format(number=html.escape(card.public_security))
        )
    answers = [
        f"• {html.escape(item.title.get(translator.language), quote=False)}: "
        f"{describe_value(item, (value or '')[:MAX_ANSWER], translator, timezone)}"
        for item, value in card.values
        if item.kind is not ItemKind.IMAGE
    ]
    if answers:
        lines += ["", _("<b>Answers</b>"), *answers]
    lines.append(_("Documents: {count}").format(count=card.documents))
    lines.append("")
    for entry in card.history[-CARD_HISTORY:]:
        when = translator.format_datetime(entry.when, timezone)
        note = f" – {html.escape(entry.note[:120], quote=False)}" if entry.note else ""
        lines.append(f"• {when}: {stage_name(entry.stage, translator)}{note}")
    rows: list[list[Button]] = [
        [Button("→ " + stage_name(stage, translator), f"{MOVE_PREFIX}{card.number}:{stage.value}")]
        for stage in card.moves
        if stage not in COMMAND_MOVES
    ]
    decisions = []
    if Stage.CHANGES_REQUESTED in card.moves:
        decisions.append(Button(_("✏️ Changes"), f"{CHANGES_PREFIX}{card.number}"))
    if Stage.APPROVED in card.moves:
        decisions.append(Button(_("✅ Approve"), f"{APPROVE_PREFIX}{card.number}"))
    if Stage.REJECTED in card.moves:
        decisions.append(Button(_("⛔ Reject"), f"{REJECT_PREFIX}{card.number}"))
    if decisions:
        rows.append(decisions)
    commands = []
    if Stage.CHANGES_REQUESTED in card.moves:
        commands.append(changes_hint(card))
    if Stage.APPROVED in card.moves:
        commands.append(APPROVAL_HINTS[card.outcome].format(number=card.number))
    if Stage.REJECTED in card.moves:
        commands.append(REJECT_HINT.format(number=card.number))
    if Stage.SMS_DUE in card.moves or card.stage == Stage.SMS_DUE:
        commands.append(SMS_HINT.format(number=card.number))
    if card.stage == Stage.APPROVED and card.outcome is Outcome.ICP_NUMBER:
        commands.append(PUBLIC_SECURITY_HINT.format(number=card.number))
    commands.append(f"/export {card.number}")
    lines.append(_("Commands:") + "\n" + "\n".join(html.escape(c, quote=False) for c in commands))
    return "\n".join(lines), keyboard(*rows)


def _view(context: BotContext, card: Card) -> tuple[str, Keyboard]:
    return card_view(card, context.i18n, context.services.settings.office_timezone)


def _in_topic(update: Update, context: BotContext, topic: int) -> bool:
    """Whether the command came from that topic of the staff chat."""
    chat, message = update.effective_chat, update.effective_message
    return (
        chat is not None
        and message is not None
        and chat.id == context.services.settings.staff_chat_id
        and message.is_topic_message is True
        and message.message_thread_id == topic
    )


@staff_only
async def show_application(update: Update, context: BotContext) -> None:
    """/app <number>: the full case – stage, answers, history, the decisions available – as a
    fresh card in the client's topic, and the documents as an album."""
    number = await _number_from_args(update, context)
    if number is None:
        return
    staff_desk = desk(context)
    card = await staff_desk.card(number)
    if card is None:
        await _no_application(update, context)
        return
    text, buttons = _view(context, card)
    placed = await staff_desk.publish(number, text, buttons, fresh=True)
    chat = update.effective_chat
    staff_chat = context.services.settings.staff_chat_id
    if placed is None or staff_chat is None:
        await reply(update, text, markup_of(buttons))
    elif not _in_topic(update, context, placed[0]):
        link = topic_link(staff_chat, placed[0])
        pointer = context.i18n.gettext(
            '📁 Application #{number} is in <a href="{link}">the client\'s topic</a>.'
        )
        await reply(update, pointer.format(number=number, link=link))
    if card.documents:
        if placed is not None and staff_chat is not None:
            await staff_desk.album(number, staff_chat, placed[0])
        elif chat is not None:
            message = update.effective_message
            topic = message.message_thread_id if message and message.is_topic_message else None
            await staff_desk.album(number, chat.id, topic)


@staff_only
async def show_card(update: Update, context: BotContext) -> None:
    """Back to the card from the reasons."""
    number = parse_id(button_data(update, CARD_PREFIX))
    card = await desk(context).card(number) if number is not None else None
    if card is None:
        await answer_button(
            update.callback_query, context.i18n.gettext("This button is out of date.")
        )
        return
    await answer_button(update.callback_query)
    text, buttons = _view(context, card)
    await edit_pressed_message(update.callback_query, text, markup_of(buttons))


@staff_only
async def move_button(update: Update, context: BotContext) -> None:
    """A stage button on an application card."""
    query = update.callback_query
    if query is None:
        return
    number, _sep, stage = button_data(update, MOVE_PREFIX).partition(":")
    target = next((known for known in Stage if known.value == stage), None)
    if target in COMMAND_MOVES:
        target = None
    await _button_move(update, context, parse_id(number), target, "")


@staff_only
async def changes_button(update: Update, context: BotContext) -> None:
    """✏️ Changes: pick a step, then a preset reason; the client is asked in their language."""
    parts = button_data(update, CHANGES_PREFIX).split(":")
    number = parse_id(parts[0])
    staff_desk = desk(context)
    card = await staff_desk.card(number) if number is not None else None
    _ = context.i18n.gettext
    steps = card.steps if card is not None else ()
    index = parse_id(parts[1]) if len(parts) > 1 else None
    if card is None or (index is not None and index >= len(steps)) or len(parts) > 3:
        await answer_button(update.callback_query, _("This button is out of date."))
        return
    language = context.i18n.language
    if index is None:
        rows = [
            [Button(item.title.get(language), f"{CHANGES_PREFIX}{card.number}:{position}")]
            for position, item in enumerate(steps)
        ]
        rows.append([Button(_("⬅️ Back"), f"{CARD_PREFIX}{card.number}")])
        await answer_button(update.callback_query)
        text = _("✏️ Application #{number}: what needs changing?").format(number=card.number)
        await edit_pressed_message(update.callback_query, text, markup_of(keyboard(*rows)))
        return
    step = steps[index]
    reasons = IMAGE_REASONS if step.kind is ItemKind.IMAGE else TEXT_REASONS
    choice = parse_id(parts[2]) if len(parts) > 2 else None
    if choice is None:
        rows = [
            [Button(_(reason), f"{CHANGES_PREFIX}{card.number}:{index}:{position}")]
            for position, reason in enumerate(reasons)
        ]
        rows.append([Button(_("⬅️ Back"), f"{CHANGES_PREFIX}{card.number}")])
        await answer_button(update.callback_query)
        text = _("✏️ Application #{number}, {step}: why?").format(
            number=card.number, step=html.escape(step.title.get(language), quote=False)
        )
        text += "\n" + _("For a reason of your own: {command}").format(
            command=html.escape(f"/changes {card.number} {step.id}: <reason>", quote=False)
        )
        await edit_pressed_message(update.callback_query, text, markup_of(keyboard(*rows)))
        return
    if choice >= len(reasons):
        await answer_button(update.callback_query, _("This button is out of date."))
        return
    client_language = await staff_desk.client_translator(card.number) or context.i18n
    note = f"{step.id}: {client_language.gettext(reasons[choice])}"
    await _button_move(update, context, card.number, Stage.CHANGES_REQUESTED, note)


@staff_only
async def reject_button(update: Update, context: BotContext) -> None:
    """⛔ Reject: a preset reason, sent to the client in their language."""
    number_text, _sep, choice_text = button_data(update, REJECT_PREFIX).partition(":")
    number = parse_id(number_text)
    _ = context.i18n.gettext
    if number is None:
        await answer_button(update.callback_query, _("This button is out of date."))
        return
    if not choice_text:
        rows = [
            [Button(_(reason), f"{REJECT_PREFIX}{number}:{position}")]
            for position, reason in enumerate(REJECT_REASONS)
        ]
        rows.append([Button(_("⬅️ Back"), f"{CARD_PREFIX}{number}")])
        await answer_button(update.callback_query)
        text = _("⛔ Application #{number}: why is it rejected?").format(number=number)
        text += "\n" + _("For a reason of your own: {command}").format(
            command=html.escape(REJECT_HINT.format(number=number), quote=False)
        )
        await edit_pressed_message(update.callback_query, text, markup_of(keyboard(*rows)))
        return
    choice = parse_id(choice_text)
    if choice is None or choice >= len(REJECT_REASONS):
        await answer_button(update.callback_query, _("This button is out of date."))
        return
    client_language = await desk(context).client_translator(number) or context.i18n
    await _button_move(
        update, context, number, Stage.REJECTED, client_language.gettext(REJECT_REASONS[choice])
    )


@staff_only
async def approve_button(update: Update, context: BotContext) -> None:
    """✅ Approve: the ICP number has to be typed, so say how."""
    number = parse_id(button_data(update, APPROVE_PREFIX))
    _ = context.i18n.gettext
    card = await desk(context).card(number) if number is not None else None
    if card is None:
        text = _("This button is out of date.")
    elif card.outcome is Outcome.ICP_NUMBER:
        text = _("Send the ICP number: {command}").format(
            command=APPROVE_HINT.format(number=card.number)
        )
    else:
        text = _("Send: {command}").format(
            command=APPROVAL_HINTS[card.outcome].format(number=card.number)
        )
    await answer_button(update.callback_query, text, alert=True)


async def _button_move(
    update: Update, context: BotContext, number: int | None, target: Stage | None, note: str
) -> None:
    """Make a move from a button; the card (in the topic, and the pressed one) is edited."""
    query = update.callback_query
    out_of_date = context.i18n.gettext("This button is out of date.")
    if number is None or target is None:
        await answer_button(query, out_of_date)
        return
    try:
        outcome = await desk(context).move(number, target, _actor(update), note)
    except MoveError as error:
        await answer_button(query)
        await _refuse(update, context, error)
        return
    if outcome is None:
        await answer_button(query, out_of_date)
        return
    await answer_button(query, _status_line(context, outcome, html_text=False))
    text, buttons = _view(context, outcome.card)
    placed = await desk(context).publish(number, text, buttons, fresh=False)
    pressed = query.message.message_id if query is not None and query.message else None
    if placed is None or pressed != placed[1]:
        await edit_pressed_message(query, text, markup_of(buttons))


@staff_only
async def approve(update: Update, context: BotContext) -> None:
    """/approve <number> <ICP number>."""
    await _command_move(update, context, Stage.APPROVED)


@staff_only
async def reject(update: Update, context: BotContext) -> None:
    """/reject <number> <reason>."""
    await _command_move(update, context, Stage.REJECTED)


@staff_only
async def request_changes(update: Update, context: BotContext) -> None:
    """/changes <number> <step>: <reason>; <step>: <reason> – reopens those steps."""
    await _command_move(update, context, Stage.CHANGES_REQUESTED)


@staff_only
async def record_public_security(update: Update, context: BotContext) -> None:
    """/psb <number> <公网安备 number>: record it; the client gets the footer with both."""
    number = await _number_from_args(update, context)
    if number is None:
        return
    text = " ".join((context.args or [])[1:])
    outcome = await _attempt(update, context, desk(context).record_public_security(number, text))
    if outcome is None:
        return
    _ = context.i18n.gettext
    status = _("client notified") if outcome.delivered else _("client could not be reached")
    line = _("✅ Application #{number}: public-security number recorded ({status}).").format(
        number=number, status=status
    )
    await _publish_card(update, context, outcome.card, line)


@staff_only
async def sms_received(update: Update, context: BotContext) -> None:
    """/sms <number> [HH:MM | YYYY-MM-DD HH:MM]: the client got the MIIT SMS then (office
    time; now when omitted): the 24 hours count from that moment."""
    number = await _number_from_args(update, context)
    if number is None:
        return
    timezone = context.services.settings.hours().timezone
    now = utcnow().astimezone(timezone)
    typed = " ".join((context.args or [])[1:])
    received = parse_reported_time(typed, now) if typed else now
    if received is None:
        text = context.i18n.gettext(
            "Please give the time the SMS came, in office time and not in the future, e.g. "
            "/sms {number} 14:05 or /sms {number} 2026-10-08 14:05."
        )
        await reply(update, "⚠️ " + text.format(number=number))
        return
    outcome = await _attempt(
        update, context, desk(context).sms_received(number, received, _actor(update))
    )
    if outcome is None:
        return
    await _publish_card(update, context, outcome.card, _status_line(context, outcome))


async def _publish_card(update: Update, context: BotContext, card: Card, line: str) -> None:
    """The card in the client's topic (edited in place), and one line here; both here when
    the client has no topic."""
    text, buttons = _view(context, card)
    placed = await desk(context).publish(card.number, text, buttons, fresh=False)
    if placed is None:
        await reply(update, line + "\n\n" + text, markup_of(buttons))
    else:
        await reply(update, line)


@staff_only
async def export(update: Update, context: BotContext) -> None:
    """/export <number>: the dossier as a ZIP (documents named for submission, and a summary)."""
    number = await _number_from_args(update, context)
    if number is None:
        return
    async with chat_action(update, ChatAction.UPLOAD_DOCUMENT):  # building the ZIP
        dossier = await desk(context).export(number)
    if dossier is None:
        await _no_application(update, context)
        return
    caption = context.i18n.ngettext(
        "📦 Application #{number}: {count} document and a summary.",
        "📦 Application #{number}: {count} documents and a summary.",
        dossier.documents,
    )
    await send_file(
        update,
        dossier.data,
        dossier.file_name,
        caption.format(number=number, count=dossier.documents),
    )
    log.info("Staff member %s exported application %s", _actor(update), number)


async def _command_move(update: Update, context: BotContext, stage: Stage) -> None:
    number = await _number_from_args(update, context)
    if number is None:
        return
    note = " ".join((context.args or [])[1:])
    outcome = await _attempt(
        update, context, desk(context).move(number, stage, _actor(update), note)
    )
    if outcome is not None:
        await _publish_card(update, context, outcome.card, _status_line(context, outcome))


async def _attempt(update: Update, context: BotContext, work: Awaitable[T | None]) -> T | None:
    """The outcome of a staff command's work, or None once the refusal (the desk's reason, or
    "no such application") has been answered."""
    try:
        outcome = await work
    except MoveError as error:
        await _refuse(update, context, error)
        return None
    if outcome is None:
        await _no_application(update, context)
    return outcome


def _status_line(context: BotContext, outcome: MoveOutcome, *, html_text: bool = True) -> str:
    _ = context.i18n.gettext
    status = _("client notified") if outcome.delivered else _("client could not be reached")
    line = _("✅ Application #{number}: {stage} ({status}).").format(
        number=outcome.card.number,
        stage=stage_name(outcome.change.stage, context.i18n),
        status=status,
    )
    return line if html_text else line.replace("<b>", "").replace("</b>", "")


def _actor(update: Update) -> int | None:
    return update.effective_user.id if update.effective_user else None


def _number_text(context: BotContext) -> str:
    args = context.args or []
    return args[0].lstrip("#") if args else ""


async def _number_from_args(update: Update, context: BotContext) -> int | None:
    """The application number the command names; asks for one when it is missing."""
    number = parse_id(_number_text(context))
    if number is None:
        await reply(
            update, context.i18n.gettext("Please give an application number, e.g. /app 12.")
        )
    return number


async def _no_application(update: Update, context: BotContext) -> None:
    text = context.i18n.gettext("There is no application #{number}.")
    await reply(update, text.format(number=_number_text(context)))


async def _refuse(update: Update, context: BotContext, error: MoveError) -> None:
    _ = context.i18n.gettext
    await reply(update, "⚠️ " + _("That move is not possible: {reason}").format(reason=str(error)))


HANDLERS: HandlerList = [
    CommandHandler("app", show_application),
    CommandHandler("approve", approve),
    CommandHandler("reject", reject),
    CommandHandler("changes", request_changes),
    CommandHandler("export", export),
    CommandHandler("psb", record_public_security),
    CommandHandler("sms", sms_received),
    CallbackQueryHandler(move_button, pattern=f"^{MOVE_PREFIX}"),
    CallbackQueryHandler(show_card, pattern=f"^{CARD_PREFIX}"),
    CallbackQueryHandler(changes_button, pattern=f"^{CHANGES_PREFIX}"),
    CallbackQueryHandler(reject_button, pattern=f"^{REJECT_PREFIX}"),
    CallbackQueryHandler(approve_button, pattern=f"^{APPROVE_PREFIX}"),
]
