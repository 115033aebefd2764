"""Jobs: reminders (visits, SMS deadlines, unfinished applications, waiting staff) and the
deletion of documents past their retention time.

The due dates and what was sent live in the database, so reminders survive restarts and are
never sent twice.
"""

from __future__ import annotations

import html
import logging
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application

from bot.callbacks import CONTINUE
from bot.context import BotContext, services_of
from bot.filing.applications import ApplicationService
from bot.i18n import Translator
from bot.scope import background_session
from bot.services.clients import ClientService, language_of
from bot.services.container import Services
from bot.services.reminders import Due, Kind, ReminderService
from bot.services.retention import purge_expired_documents
from handlers.booking import send_reminders as send_visit_reminders
from storage.models import as_utc

log = logging.getLogger(__name__)

INTERVAL = timedelta(minutes=5)


async def send_due_reminders(context: BotContext) -> None:
    """Job: send every due application reminder (recorded first, so at most once)."""
    services = services_of(context.application)
    async with background_session(services.database) as session:
        service = ReminderService(session)
        for due in await service.due():
            if not await service.mark_sent(due):
                continue
            await session.commit()
            chat_id, text, markup = await _message(services, session, due)
            if chat_id is None:
                continue
            try:
                await context.bot.send_message(chat_id, text, reply_markup=markup)
            except Forbidden:
                ClientService.mark_blocked(due.client, True)
                await session.commit()
            except TelegramError as error:
                log.warning("Could not send a %s reminder: %s", due.kind, error)


async def _message(
    services: Services, session: AsyncSession, due: Due
) -> tuple[int | None, str, InlineKeyboardMarkup | None]:
    settings = services.settings
    client_language = language_of(due.client, settings.default_language)
    translator: Translator = services.translations.get(client_language)
    _ = translator.gettext
    if due.kind is Kind.SMS_DEADLINE:
        deadline = translator.format_datetime(
            as_utc(due.application.sms_due_at), settings.office_timezone
        )
        text = _(
            "⏰ Reminder: the MIIT SMS verification is due by {deadline}. Enter the code, the "
            "mobile number and the last 6 digits of the ID on beian.miit.gov.cn – otherwise the "
            "filing is returned."
        ).format(deadline=deadline)
        return due.client.telegram_id, text, None
    if due.kind is Kind.UNFINISHED:
        progress = await ApplicationService(session, services.catalogue).progress(due.application)
        text = _(
            "📝 Your ICP application is waiting for you: {done} of {total} steps done. "
            "Continue whenever you are ready – everything you sent is saved."
        ).format(done=progress.done, total=progress.total)
        button = InlineKeyboardButton(_("▶️ Continue"), callback_data=CONTINUE)
        return due.client.telegram_id, text, InlineKeyboardMarkup([[button]])
    staff = services.translations.get(None)
    since = staff.format_datetime(as_utc(due.application.updated_at), settings.office_timezone)
    text = staff.gettext(
        "⏳ Application #{number} ({name}) has been waiting for our review since {since}. "
        "Open it with /app {number}."
    ).format(
        number=due.application.id,
        name=html.escape(due.client.full_name or str(due.client.telegram_id), quote=False),
        since=since,
    )
    return settings.staff_chat_id, text, None


async def purge_documents(context: BotContext) -> None:
    """Job: delete documents past their retention time."""
    services = services_of(context.application)
    settings = services.settings
    async with background_session(services.database) as session:
        removed = await purge_expired_documents(
            session,
            services.documents,
            timedelta(days=settings.keep_documents_days_after_approval),
            timedelta(days=settings.keep_abandoned_documents_days),
        )
        await session.commit()
    if removed:
        log.info("Retention: deleted %s document files", removed)


def schedule_jobs(application: Application) -> None:
    """Start the reminder and retention jobs (they first run a few seconds after start)."""
    if application.job_queue is None:
        return
    for job in (send_visit_reminders, send_due_reminders, purge_documents):
        application.job_queue.run_repeating(
            job, interval=INTERVAL, first=timedelta(seconds=5), name=job.__name__
        )
