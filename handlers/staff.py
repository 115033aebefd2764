"""The staff desk's application commands: look an application up and move it between stages.

Only admins and members of the staff chat may use them; anyone else is refused and nothing
happens. Each move is recorded and the client is told, in their language, what it means
(``bot.services.staff_desk``); these handlers read the command and show the outcome.
"""

from __future__ import annotations

import html
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.callbacks import CONTINUE_APPLICATION as CONTINUE
from bot.context import BotContext, HandlerList
from bot.filing.reported_time import parse_reported_time
from bot.filing.stages import MoveError, Stage
from bot.scope import commit_work
from bot.services.notices import stage_name
from bot.services.staff_desk import Card, MoveOutcome, StageDesk
from handlers.common import answer_button, parse_id, reply, send_file
from handlers.guards import staff_only
from storage.models import utcnow

log = logging.getLogger(__name__)

MOVE_PREFIX = "stage:"
CARD_HISTORY = 8  # the latest moves shown on a card
# Moves that need more than a button (a number or a reason) are made with these commands.
COMMAND_HINTS = {
    Stage.APPROVED: "/approve {number} 京ICP备12345678号-1",
    Stage.REJECTED: "/reject {number} <reason>",
    Stage.CHANGES_REQUESTED: "/changes {number} id_card_front: <reason>; domain: <reason>",
}
COMMAND_MOVES = frozenset(COMMAND_HINTS)
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
    )


@staff_only
async def show_application(update: Update, context: BotContext) -> None:
    """/app <number>: the application's stage, history and the moves available."""
    number = await _number_from_args(update, context)
    if number is None:
        return
    card = await desk(context).card(number)
    if card is None:
        await _no_application(update, context)
        return
    await _send_card(update, context, card)


@staff_only
async def move_button(update: Update, context: BotContext) -> None:
    """A stage button on an application card."""
    query = update.callback_query
    if query is None:
        return
    number, _sep, stage = (query.data or "").removeprefix(MOVE_PREFIX).partition(":")
    application_id = parse_id(number)
    target = next((known for known in Stage if known.value == stage), None)
    out_of_date = context.i18n.gettext("This button is out of date.")
    if application_id is None or target is None or target in COMMAND_MOVES:
        await answer_button(query, out_of_date)
        return
    try:
        outcome = await desk(context).move(application_id, target, _actor(update))
    except MoveError as error:
        await answer_button(query)
        await _refuse(update, context, error)
        return
    if outcome is None:
        await answer_button(query, out_of_date)
        return
    await answer_button(query)
    await _report(update, context, outcome)


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
    try:
        outcome = await desk(context).sms_received(number, received, _actor(update))
    except MoveError as error:
        await _refuse(update, context, error)
        return
    if outcome is None:
        await _no_application(update, context)
        return
    await _report(update, context, outcome)


@staff_only
async def export(update: Update, context: BotContext) -> None:
    """/export <number>: the dossier as a ZIP (documents named for submission, and a summary)."""
    number = await _number_from_args(update, context)
    if number is None:
        return
    dossier = await desk(context).export(number)
    if dossier is None:
        await _no_application(update, context)
        return
    caption = context.i18n.gettext("📦 Application #{number}: {count} documents and a summary.")
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
    try:
        outcome = await desk(context).move(number, stage, _actor(update), note)
    except MoveError as error:
        await _refuse(update, context, error)
        return
    if outcome is None:
        await _no_application(update, context)
        return
    await _report(update, context, outcome)


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


async def _report(update: Update, context: BotContext, outcome: MoveOutcome) -> None:
    _ = context.i18n.gettext
    status = _("client notified") if outcome.delivered else _("client could not be reached")
    await reply(
        update,
        _("✅ Application #{number}: {stage} ({status}).").format(
            number=outcome.card.number,
            stage=stage_name(outcome.change.stage, context.i18n),
            status=status,
        ),
    )
    await _send_card(update, context, outcome.card)


async def _send_card(update: Update, context: BotContext, card: Card) -> None:
    translator = context.i18n
    _ = translator.gettext
    timezone = context.services.settings.office_timezone
    name = html.escape(card.client_name or "?", quote=False)
    lines = [
        _("📁 <b>Application #{number}</b> – {name}").format(number=card.number, name=name),
        _("Stage: <b>{stage}</b>").format(stage=stage_name(card.stage, translator)),
    ]
    if card.icp_number:
        lines.append(_("ICP number: {number}").format(number=html.escape(card.icp_number)))
    for entry in card.history[-CARD_HISTORY:]:
        when = translator.format_datetime(entry.when, timezone)
        note = f" – {html.escape(entry.note[:120], quote=False)}" if entry.note else ""
        lines.append(f"• {when}: {stage_name(entry.stage, translator)}{note}")
    rows = [
        [
            InlineKeyboardButton(
                "→ " + stage_name(stage, translator),
                callback_data=f"{MOVE_PREFIX}{card.number}:{stage.value}",
            )
        ]
        for stage in card.moves
        if stage not in COMMAND_MOVES
    ]
    hints = [COMMAND_HINTS[stage] for stage in card.moves if stage in COMMAND_HINTS]
    if Stage.SMS_DUE in card.moves or card.stage == Stage.SMS_DUE:
        hints.append(SMS_HINT)
    commands = [hint.format(number=card.number) for hint in hints] + [f"/export {card.number}"]
    lines.append(_("Commands:") + "\n" + "\n".join(html.escape(c, quote=False) for c in commands))
    await reply(update, "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None)


HANDLERS: HandlerList = [
    CommandHandler("app", show_application),
    CommandHandler("approve", approve),
    CommandHandler("reject", reject),
    CommandHandler("changes", request_changes),
    CommandHandler("export", export),
    CommandHandler("sms", sms_received),
    CallbackQueryHandler(move_button, pattern=f"^{MOVE_PREFIX}"),
]
