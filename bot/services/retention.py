"""Retention: documents are deleted a set time after approval, or after an application was
abandoned. The records stay (without their files), so the history still adds up."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.filing.stages import OPEN_TO_CLIENT, Stage
from bot.images.storage import DocumentStore
from storage.models import DocumentVersion, FilingApplication, StageChange, utcnow


async def purge_expired_documents(
    session: AsyncSession,
    store: DocumentStore,
    keep_after_approval: timedelta,
    keep_abandoned: timedelta,
    now: datetime | None = None,
) -> int:
    """Delete the files of applications approved, or left untouched, long enough ago."""
    now = now or utcnow()
    approved = select(StageChange.application_id).where(
        StageChange.to_stage == Stage.APPROVED.value,
        StageChange.created_at < now - keep_after_approval,
    )
    abandoned = select(FilingApplication.id).where(
        FilingApplication.status.in_(list(OPEN_TO_CLIENT)),
        FilingApplication.updated_at < now - keep_abandoned,
    )
    versions = list(
        await session.scalars(
            select(DocumentVersion).where(
                DocumentVersion.application_id.in_(approved.union(abandoned).scalar_subquery()),
                DocumentVersion.normalised_sha256.is_not(None),
            )
        )
    )
    if not versions:
        return 0
    expired_ids = {version.id for version in versions}
    in_use = {
        digest
        for row in await session.execute(
            select(DocumentVersion.original_sha256, DocumentVersion.normalised_sha256).where(
                DocumentVersion.id.not_in(expired_ids)
            )
        )
        for digest in row
        if digest
    }
    removed = 0
    for version in versions:
        for digest, suffix in (
            (version.original_sha256, version.original_suffix or ""),
            (version.normalised_sha256, ".jpg"),
        ):
            if digest and digest not in in_use:
                store.remove(digest, suffix)
                removed += 1
        version.original_sha256 = None
        version.normalised_sha256 = None
    await session.flush()
    return removed
