"""Deleting everything the bot knows about a client, files included."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.images.storage import DocumentStore
from storage.models import Client, DocumentVersion, FilingApplication


async def erase_client(session: AsyncSession, client: Client, store: DocumentStore) -> int:
    """Delete the client and, through the database's cascades, their questions, applications,
    documents, bookings, conversations and deliveries; then their stored files that no one
    else's record uses. Returns how many files were removed."""
    versions = await session.execute(
        select(
            DocumentVersion.original_sha256,
            DocumentVersion.original_suffix,
            DocumentVersion.normalised_sha256,
        )
        .join(FilingApplication, FilingApplication.id == DocumentVersion.application_id)
        .where(FilingApplication.client_id == client.id)
    )
    files = set()
    for original, suffix, normalised in versions.all():
        if original:
            files.add((original, suffix or ""))
        if normalised:
            files.add((normalised, ".jpg"))
    await session.execute(delete(Client).where(Client.id == client.id))
    await session.flush()
    still_used = {
        digest
        for row in await session.execute(
            select(DocumentVersion.original_sha256, DocumentVersion.normalised_sha256)
        )
        for digest in row
        if digest
    }
    removed = 0
    for digest, suffix in files:
        if digest not in still_used:
            store.remove(digest, suffix)
            removed += 1
    return removed
