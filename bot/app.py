"""Application assembly: settings and services in, a ready PTB ``Application`` out."""

from __future__ import annotations

import functools
import logging
from datetime import timedelta

from sqlalchemy import select
from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, ContextTypes, Defaults
from telegram.request import BaseRequest, HTTPXRequest

from bot.bot_api_request import BotApiRequest
from bot.commands import publish_commands
from bot.config import Settings
from bot.context import SERVICES_KEY, BotApplication, BotContext, services_of
from bot.faq.knowledge import load_knowledge
from bot.filing.catalogue import load_catalogue
from bot.i18n import Translations
from bot.images.service import ImageService
from bot.images.storage import DocumentStore
from bot.incoming import UpdateReadingBot
from bot.jobs.schedule import resume_broadcasts, schedule_jobs
from bot.processor import ClientOrderedProcessor
from bot.scope import UnitOfWork
from bot.services.agency import AgencyInfo
from bot.services.container import Services
from bot.services.encryption import DocumentCipher, key_from_data_dir
from bot.services.faq import FaqService
from bot.services.flood import FloodGuard
from bot.services.flood_notice import Flooder, FloodNotice
from bot.services.send_budget import SendBudget
from bot.telegram_messenger import TelegramMessenger
from handlers import register_handlers
from storage.database import Database
from storage.models import DocumentVersion, utcnow
from storage.repositories import ProcessedUpdateRepository, UnsentReplyRepository

log = logging.getLogger(__name__)

KEEP_PROCESSED_UPDATES = timedelta(days=2)  # Telegram redelivers for at most 24 hours
BACKGROUND_CONNECTIONS = 8  # beside one per update: jobs, broadcasts, the health check
DEFAULT_ORPHAN_GRACE = timedelta(minutes=15)  # far longer than writing and recording a file


def build_services(settings: Settings) -> Services:
    """Load translations and the FAQ and open the database (raising on invalid data files)."""
    translations = Translations.load(settings.default_language)
    agency = AgencyInfo(
        name=settings.agency_name,
        email=settings.agency_email,
        phone=settings.agency_phone,
        website=settings.agency_website,
        prices=settings.agency_prices,
    )
    knowledge = load_knowledge(settings.faq_path)
    documents = DocumentStore(settings.data_dir / "documents", document_cipher(settings))
    return Services(
        settings=settings,
        database=Database(
            settings.resolved_database_url,
            max_connections=settings.max_concurrent_updates + BACKGROUND_CONNECTIONS,
        ),
        translations=translations,
        agency=agency,
        faq=FaqService(knowledge, agency),
        catalogue=load_catalogue(settings.application_path),
        documents=documents,
        images=ImageService(documents, settings.max_concurrent_images),
        send_budget=SendBudget(settings.messages_per_second, settings.group_messages_per_minute),
    )


def document_cipher(settings: Settings) -> DocumentCipher:
    """The cipher for stored documents: the configured keys, else the data directory's key."""
    keys = [key.get_secret_value() for key in settings.document_keys]
    return DocumentCipher(keys or [key_from_data_dir(settings.data_dir)])


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
) -> BotApplication:
    """Build the bot. Tests pass their own ``request`` objects instead of the network."""
    services = build_services(settings)
    processor = ClientOrderedProcessor(
        settings.max_concurrent_updates,
        UnitOfWork(services.database, services.translations),
        FloodGuard(settings.flood_limit, settings.flood_window_seconds),
        functools.partial(notify_flood, services),
    )
    bot = UpdateReadingBot(
        settings.bot_token.get_secret_value(),
        base_url=settings.bot_api_base_url,
        base_file_url=settings.bot_api_file_url,
        local_mode=settings.bot_api_local_mode,
        defaults=Defaults(
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ),
        request=BotApiRequest(request, services.send_budget),
        # PTB's own default for polling: one connection.
        get_updates_request=get_updates_request or request or HTTPXRequest(connection_pool_size=1),
    )
    application = (
        ApplicationBuilder()
        .bot(bot)
        .context_types(ContextTypes(context=BotContext))
        .concurrent_updates(processor)
        .post_init(on_startup)
        .post_shutdown(on_shutdown)
        .build()
    )
    application.bot_data[SERVICES_KEY] = services
    register_handlers(application)
    return application


async def notify_flood(services: Services, update: Update) -> None:
    """A client's updates are being dropped for flooding: tell them (and staff) once."""
    user = update.effective_user
    if user is not None:
        notice = FloodNotice(
            TelegramMessenger(update.get_bot(), services.staff_moves),
            services.translations,
            services.settings,
        )
        await notice.send(Flooder(user.id, user.full_name, user.language_code))


async def on_startup(application: BotApplication) -> None:
    """Apply migrations, tidy old bookkeeping, follow the staff group if Telegram moved it and
    publish the command menu."""
    services = services_of(application)
    await services.database.migrate()
    async with services.database.sessions() as session:
        await ProcessedUpdateRepository(session).prune(utcnow() - KEEP_PROCESSED_UPDATES)
        await UnsentReplyRepository(session).prune(utcnow() - KEEP_PROCESSED_UPDATES)
        await session.commit()
    await _remove_orphaned_files(services)
    await services.staff_moves.resume()
    await publish_commands(
        application.bot, services.translations, services.settings, services.agency
    )
    schedule_jobs(application)
    await resume_broadcasts(application)
    log.info("Bot @%s is ready", application.bot.username)


async def _remove_orphaned_files(services: Services) -> None:
    """Delete files a crash left behind: written to disk but never recorded in the database.

    With several processes on one database, a file another process has just written may not be
    recorded yet, so only files older than a grace period go (see ``orphan_grace``).
    """
    async with services.database.sessions() as session:
        rows = await session.execute(
            select(DocumentVersion.original_sha256, DocumentVersion.normalised_sha256)
        )
        known = {digest for row in rows for digest in row if digest}
    grace = orphan_grace(services.settings, services.database).total_seconds()
    for path in services.documents.orphans(known, older_than_seconds=grace):
        path.unlink(missing_ok=True)
        log.info("Removed orphaned file %s", path.name)


def orphan_grace(settings: Settings, database: Database) -> timedelta:
    """How old an unrecorded file must be before it counts as left behind by a crash."""
    if settings.orphaned_file_grace_minutes is not None:
        return timedelta(minutes=settings.orphaned_file_grace_minutes)
    return timedelta(0) if database.is_sqlite else DEFAULT_ORPHAN_GRACE


async def on_shutdown(application: BotApplication) -> None:
    """Close the database connections."""
    await services_of(application).database.dispose()
