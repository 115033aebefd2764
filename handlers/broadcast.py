"""Broadcasts from the staff desk: preview, confirm, send within Telegram's limits, resume.

``/broadcast <segment> | <English text> | <中文>`` – segments: ``all``, ``stage:<stage>``,
``lang:en|zh_Hans|zh_Hant``, ``approved:YYYY-MM-DD..YYYY-MM-DD``.
"""

from __future__ import annotations

import asyncio
import html
import logging
import time
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import BotContext, services_of
from bot.i18n import Translator
from bot.progress import progress_bar
from bot.scope import background_session
from bot.services.broadcasts import (
    BroadcastService,
    Segment,
    SegmentError,
    Tally,
    texts_for,
)
from bot.services.clients import ClientService, language_of
from bot.services.send_budget import BULK
from handlers.common import answer_button, parse_id, reply
from handlers.guards import staff_only
from storage.models import Broadcast, BroadcastDelivery, Client, utcnow
from storage.statuses import BroadcastStatus, DeliveryStatus

log = logging.getLogger(__name__)

SEND_PREFIX = "bc:send:"
CANCEL_PREFIX = "bc:cancel:"
BATCH = 200
PROGRESS_EVERY_SECONDS = 3.0
MAX_ATTEMPTS = 5
TASKS_KEY = "broadcast_tasks"


@staff_only
async def prepare(update: Update, context: BotContext) -> None:
    """/broadcast: check the request and show a preview with Send / Cancel."""
    _ = context.i18n.gettext
    message = update.effective_message
    text = (message.text or "") if message else ""
    parts = [part.strip() for part in text.partition(" ")[2].split("|")]
    usage = _(
        "Usage: /broadcast <segment> | <English text> | <中文>\nSegments: all, stage:approved, "
        "lang:zh_Hans, approved:2026-01-01..2026-03-31"
    )
    if len(parts) != 3 or not all(parts):
        await reply(update, html.escape(usage, quote=False))
        return
    try:
        segment = Segment.parse(parts[0])
    except SegmentError:
        await reply(update, html.escape(usage, quote=False))
        return
    services = context.services
    service = BroadcastService(context.session)
    recipients = await service.recipients(segment, services.settings.default_language)
    chat = update.effective_chat
    user = update.effective_user
    broadcast = await service.create(
        user.id if user else 0, chat.id if chat else 0, parts[0], texts_for(parts[1], parts[2])
    )
    preview = _(
        "📣 <b>Broadcast preview</b> – {count} recipients ({segment})\n\n"
        "<b>English:</b>\n{english}\n\n<b>中文:</b>\n{chinese}"
    ).format(
        count=len(recipients),
        segment=html.escape(parts[0], quote=False),
        english=html.escape(parts[1], quote=False),
        chinese=html.escape(parts[2], quote=False),
    )
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(_("📤 Send"), callback_data=f"{SEND_PREFIX}{broadcast.id}"),
                InlineKeyboardButton(
                    _("✖️ Cancel"), callback_data=f"{CANCEL_PREFIX}{broadcast.id}"
                ),
            ]
        ]
    )
    await reply(update, preview, markup)


@staff_only
async def confirm(update: Update, context: BotContext) -> None:
    """The Send button: record every recipient, then send in the background."""
    broadcast = await _draft(update, context, SEND_PREFIX)
    if broadcast is None:
        return
    query = update.callback_query
    _ = context.i18n.gettext
    service = BroadcastService(context.session)
    recipients = await service.recipients(
        Segment.parse(broadcast.segment), context.services.settings.default_language
    )
    total = await service.start(broadcast, recipients)
    await answer_button(query, _("Sending…"))
    progress = await context.bot.send_message(
        broadcast.staff_chat_id,
        _progress_text(context.services.translations.get(None), Tally(total, 0, 0, 0)),
    )
    broadcast.progress_message_id = progress.message_id
    await context.session.commit()
    launch(context.application, broadcast.id)


@staff_only
async def cancel(update: Update, context: BotContext) -> None:
    """The Cancel button on a preview."""
    broadcast = await _draft(update, context, CANCEL_PREFIX)
    if broadcast is None:
        return
    query = update.callback_query
    _ = context.i18n.gettext
    broadcast.status = BroadcastStatus.CANCELLED
    await answer_button(query, _("Cancelled – nothing was sent."))


async def _draft(update: Update, context: BotContext, prefix: str) -> Broadcast | None:
    """The draft a Send/Cancel button refers to; answers the button when there is none."""
    query = update.callback_query
    broadcast_id = parse_id((query.data or "").removeprefix(prefix))
    broadcast = await context.session.get(Broadcast, broadcast_id) if broadcast_id else None
    if broadcast is None or broadcast.status != BroadcastStatus.DRAFT:
        await answer_button(
            query, context.i18n.gettext("This broadcast was already sent or cancelled.")
        )
        return None
    return broadcast


def launch(application: Application, broadcast_id: int) -> asyncio.Task:
    """Send a broadcast in the background (kept referenced until done)."""
    tasks: set[asyncio.Task] = application.bot_data.setdefault(TASKS_KEY, set())
    task = application.create_task(send_broadcast(application, broadcast_id))
    tasks.add(task)
    task.add_done_callback(tasks.discard)
    return task


async def resume_broadcasts(application: Application) -> None:
    """At start: continue broadcasts a stop interrupted, without sending anyone a second copy."""
    services = services_of(application)
    async with background_session(services.database) as session:
        service = BroadcastService(session)
        running = await service.running()
        for broadcast in running:
            unsure = await service.settle_interrupted(broadcast)
            if unsure:
                log.warning(
                    "Broadcast %s: %s deliveries unconfirmed after a stop", broadcast.id, unsure
                )
        await session.commit()
    for broadcast in running:  # once the bot runs: a broadcast pauses whenever it stops
        application.job_queue.run_once(
            _resume, when=0, data=broadcast.id, name=f"resume broadcast {broadcast.id}"
        )


async def _resume(context: BotContext) -> None:
    launch(context.application, context.job.data)


async def send_broadcast(application: Application, broadcast_id: int) -> None:
    """Send to every pending recipient at the allowed rate, recording each outcome."""
    services = services_of(application)
    token = BULK.set(True)
    last_progress = 0.0
    try:
        while True:
            async with background_session(services.database) as session:
                service = BroadcastService(session)
                broadcast = await session.get(Broadcast, broadcast_id)
                if broadcast is None:
                    return
                batch = await service.pending(broadcast, BATCH)
                if not batch:
                    service.finish(broadcast)
                    tally = await service.tally(broadcast)
                    await session.commit()
                    await _report(application, broadcast, tally, final=True)
                    return
                for delivery, client in batch:
                    if not application.running:  # stopping: the rest waits for the next start
                        log.info("Broadcast %s paused by the stop", broadcast_id)
                        return
                    await _deliver(application, session, broadcast, delivery, client)
                    if time.monotonic() - last_progress > PROGRESS_EVERY_SECONDS:
                        last_progress = time.monotonic()
                        await _report(application, broadcast, await service.tally(broadcast))
    except Exception:
        log.exception(
            "Broadcast %s stopped by an error; it resumes at the next start", broadcast_id
        )
    finally:
        BULK.reset(token)


async def _deliver(
    application: Application,
    session: AsyncSession,
    broadcast: Broadcast,
    delivery: BroadcastDelivery,
    client: Client,
) -> None:
    services = services_of(application)
    language = language_of(client, services.settings.default_language)
    text = broadcast.texts.get(language) or broadcast.texts.get("en", "")
    while True:
        delivery.attempts += 1
        await services.send_budget.wait_turn()
        # Claimed just before the request: a stop can only catch this one message in flight,
        # and a second bot process sharing the database skips it.
        if not await BroadcastService(session).claim(delivery):
            return
        try:
            await application.bot.send_message(client.telegram_id, text)
        except RetryAfter as error:
            delivery.status = (
                DeliveryStatus.PENDING
            )  # certainly not delivered: safe to send after a stop
            await session.commit()
            await asyncio.sleep(_seconds(error.retry_after))
            continue  # the same recipient again: nobody is lost
        except Forbidden:
            delivery.status = DeliveryStatus.BLOCKED
            ClientService.mark_blocked(client, True)
        except BadRequest as error:
            delivery.status = DeliveryStatus.FAILED
            delivery.error = str(error)[:200]
        except (NetworkError, TelegramError) as error:
            if delivery.attempts < MAX_ATTEMPTS:
                await asyncio.sleep(min(2**delivery.attempts, 30))
                continue
            delivery.status = DeliveryStatus.FAILED
            delivery.error = str(error)[:200]
        else:
            delivery.status = DeliveryStatus.SENT
            delivery.sent_at = utcnow()
        break
    await session.commit()


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _progress_text(translator: Translator, tally: Tally, *, final: bool = False) -> str:
    _ = translator.gettext
    head = _("📣 Broadcast finished") if final else _("📣 Broadcast in progress")
    return _(
        "{head}\n{bar} {done}/{total}\nsent {sent} · failed {failed} · blocked {blocked}"
    ).format(
        head=head,
        bar=progress_bar(tally.done, tally.total),
        done=tally.done,
        total=tally.total,
        sent=tally.sent,
        failed=tally.failed,
        blocked=tally.blocked,
    )


async def _report(
    application: Application, broadcast: Broadcast, tally: Tally, *, final: bool = False
) -> None:
    services = services_of(application)
    text = _progress_text(services.translations.get(None), tally, final=final)
    token = BULK.set(False)
    try:
        if broadcast.progress_message_id:
            await application.bot.edit_message_text(
                text, broadcast.staff_chat_id, broadcast.progress_message_id
            )
        if final:
            await application.bot.send_message(broadcast.staff_chat_id, text)
    except TelegramError as error:
        log.debug("Could not update the broadcast progress: %s", error)
    finally:
        BULK.reset(token)


HANDLERS: list[BaseHandler] = [
    CommandHandler("broadcast", prepare),
    CallbackQueryHandler(confirm, pattern=f"^{SEND_PREFIX}"),
    CallbackQueryHandler(cancel, pattern=f"^{CANCEL_PREFIX}"),
]
