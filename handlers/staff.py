"""The staff desk's application commands: look an application up and move it between stages.

Only admins and members of the staff chat may use them; anyone else is refused and nothing
happens. Each move is recorded and the client is told, in their language, what it means.
"""

from __future__ import annotations

import asyncio
import html
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.callbacks import CONTINUE_APPLICATION as CONTINUE
from bot.context import BotContext, HandlerList
from bot.filing.applications import ApplicationService
from bot.filing.stages import STAFF_MOVES, MoveError, Stage, StageService, next_expected
from bot.services.clients import ClientService, language_of
from bot.services.dossier import build_dossier
from bot.services.notices import notice, parse_change_requests, stage_name
from handlers.common import answer_button, parse_id, reply
from handlers.guards import staff_only
from storage.models import Client, FilingApplication, StageChange, as_utc, utcnow

log = logging.getLogger(__name__)

MOVE_PREFIX = "stage:"
# Moves that need more than a button (a number or a reason) are made with commands.
COMMAND_MOVES = {Stage.APPROVED, Stage.REJECTED, Stage.CHANGES_REQUESTED}


@staff_only
async def show_application(update: Update, context: BotContext) -> None:
    """/app <number>: the application's stage, history and the moves available."""
    application = await _application_from_args(update, context)
    if application is not None:
        await _send_card(update, context, application)


@staff_only
async def move_button(update: Update, context: BotContext) -> None:
    """A stage button on an application card."""
    query = update.callback_query
    number, _sep, stage = (query.data or "").removeprefix(MOVE_PREFIX).partition(":")
    stages = StageService(context.session)
    application_id = parse_id(number)
    application = await stages.get(application_id) if application_id else None
    target = next((known for known in Stage if known.value == stage), None)
    if application is None or target is None or target in COMMAND_MOVES:
        await answer_button(query, context.i18n.gettext("This button is out of date."))
        return
    await answer_button(query)
    await _move(update, context, application, target, "")


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
async def export(update: Update, context: BotContext) -> None:
    """/export <number>: the dossier as a ZIP (documents named for submission, and a summary)."""
    application = await _application_from_args(update, context)
    chat = update.effective_chat
    if application is None or chat is None:
        return
    services = context.services
    client = await context.session.get(Client, application.client_id)
    applications = ApplicationService(context.session, services.catalogue)
    states = await applications.states(application)
    documents = await applications.current_documents(application)
    if client is None:
        return
    await context.session.commit()  # hold no database connection while the files are read
    dossier = await asyncio.to_thread(
        build_dossier,
        application,
        client,
        states,
        documents,
        services.catalogue,
        services.documents,
        services.translations.get(None),
    )
    caption = context.i18n.gettext("📦 Application #{number}: {count} documents and a summary.")
    await context.bot.send_document(
        chat.id,
        InputFile(dossier.data, filename=dossier.file_name),
        caption=caption.format(number=application.id, count=dossier.documents),
    )
    log.info(
        "Staff member %s exported application %s",
        update.effective_user.id if update.effective_user else None,
        application.id,
    )


async def _command_move(update: Update, context: BotContext, stage: Stage) -> None:
    application = await _application_from_args(update, context)
    if application is None:
        return
    note = " ".join((context.args or [])[1:])
    await _move(update, context, application, stage, note)


async def _move(
    update: Update, context: BotContext, application: FilingApplication, stage: Stage, note: str
) -> None:
    _ = context.i18n.gettext
    actor = update.effective_user.id if update.effective_user else None
    try:
        change = await StageService(context.session).move(application, stage, actor, note)
    except MoveError as error:
        await reply(
            update, "⚠️ " + _("That move is not possible: {reason}").format(reason=str(error))
        )
        return
    if stage is Stage.CHANGES_REQUESTED:
        steps = [step for step, _reason in parse_change_requests(note) if step]
        reopened = await ApplicationService(context.session, context.services.catalogue).reopen(
            application, steps
        )
        if not reopened:
            application.current_step = None
    delivered = await _notify_client(context, application, change)
    status = _("client notified") if delivered else _("client could not be reached")
    await reply(
        update,
        _("✅ Application #{number}: {stage} ({status}).").format(
            number=application.id, stage=stage_name(stage, context.i18n), status=status
        ),
    )
    await _send_card(update, context, application)


async def _notify_client(
    context: BotContext, application: FilingApplication, change: StageChange
) -> bool:
    services = context.services
    client = await context.session.get(Client, application.client_id)
    if client is None:
        return False
    translator = services.translations.get(language_of(client, services.settings.default_language))
    hours = services.settings.hours()
    today = utcnow().astimezone(hours.timezone).date()
    expected = next_expected(Stage(change.to_stage), as_utc(change.created_at), today)
    text = notice(
        application,
        change,
        translator,
        services.catalogue,
        expected,
        services.settings.office_timezone,
    )
    markup = None
    if change.to_stage == Stage.CHANGES_REQUESTED:
        button = InlineKeyboardButton(translator.gettext("▶️ Continue"), callback_data=CONTINUE)
        markup = InlineKeyboardMarkup([[button]])
    try:
        await context.bot.send_message(client.telegram_id, text, reply_markup=markup)
    except Forbidden:
        ClientService.mark_blocked(client, True)
        return False
    except TelegramError as error:
        log.warning("Could not notify client of application %s: %s", application.id, error)
        return False
    return True


async def _application_from_args(update: Update, context: BotContext) -> FilingApplication | None:
    _ = context.i18n.gettext
    args = context.args or []
    number = args[0].lstrip("#") if args else ""
    application = (
        await StageService(context.session).get(parse_id(number) or 0)
        if parse_id(number)
        else None
    )
    if parse_id(number) is None:
        await reply(update, _("Please give an application number, e.g. /app 12."))
    elif application is None:
        await reply(update, _("There is no application #{number}.").format(number=number))
    return application


async def _send_card(update: Update, context: BotContext, application: FilingApplication) -> None:
    translator = context.i18n
    _ = translator.gettext
    client = await context.session.get(Client, application.client_id)
    history = await StageService(context.session).history(application)
    timezone = context.services.settings.office_timezone
    name = html.escape(client.full_name if client else "?", quote=False)
    lines = [
        _("📁 <b>Application #{number}</b> – {name}").format(number=application.id, name=name),
        _("Stage: <b>{stage}</b>").format(stage=stage_name(application.status, translator)),
    ]
    if application.icp_number:
        lines.append(_("ICP number: {number}").format(number=html.escape(application.icp_number)))
    for change in history[-8:]:
        when = translator.format_datetime(as_utc(change.created_at), timezone)
        note = f" – {html.escape(change.note[:120], quote=False)}" if change.note else ""
        lines.append(f"• {when}: {stage_name(change.to_stage, translator)}{note}")
    moves = STAFF_MOVES.get(Stage(application.status), ())
    rows = [
        [
            InlineKeyboardButton(
                "→ " + stage_name(stage, translator),
                callback_data=f"{MOVE_PREFIX}{application.id}:{stage.value}",
            )
        ]
        for stage in moves
        if stage not in COMMAND_MOVES
    ]
    hints = {
        Stage.APPROVED: "/approve {number} 京ICP备12345678号-1",
        Stage.REJECTED: "/reject {number} <reason>",
        Stage.CHANGES_REQUESTED: "/changes {number} id_card_front: <reason>; domain: <reason>",
    }
    moves_hint = [hints[stage].format(number=application.id) for stage in moves if stage in hints]
    commands = [*moves_hint, f"/export {application.id}"]
    if commands:
        lines.append(
            _("Commands:") + "\n" + "\n".join(html.escape(c, quote=False) for c in commands)
        )
    await reply(update, "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None)


HANDLERS: HandlerList = [
    CommandHandler("app", show_application),
    CommandHandler("approve", approve),
    CommandHandler("reject", reject),
    CommandHandler("changes", request_changes),
    CommandHandler("export", export),
    CallbackQueryHandler(move_button, pattern=f"^{MOVE_PREFIX}"),
]
