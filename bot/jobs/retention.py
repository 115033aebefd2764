"""Retention job: delete documents past their retention time."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.config import Settings
from bot.images.storage import DocumentStore
from bot.scope import background_session
from bot.services.retention import purge_expired_documents
from storage.database import Database

log = logging.getLogger(__name__)


async def purge_documents(database: Database, documents: DocumentStore, settings: Settings) -> int:
    """Delete the files of applications approved, or abandoned, long enough ago; how many."""
    async with background_session(database) as session:
        removed = await purge_expired_documents(
            session,
            documents,
            timedelta(days=settings.keep_documents_days_after_approval),
            timedelta(days=settings.keep_abandoned_documents_days),
        )
        await session.commit()
    if removed:
        log.info("Retention: deleted %s document files", removed)
    return removed
