"""An uploaded photo or file, as a use case: checked against the current step's rules,
normalised and stored, or refused with the reason — and after repeated refusals, a person."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.filing.applications import ApplicationService
from bot.filing.catalogue import Catalogue, Item, ItemKind
from bot.images.checks import CheckResult, Rejection, failed_only_because_compressed, precheck_size
from bot.images.parts import PartKind, Parts
from bot.images.rules import ImageRules
from bot.images.service import ImageService
from bot.images.storage import DocumentStore
from storage.models import DocumentVersion, FilingApplication

FAILURES_BEFORE_HANDOFF = 3
SUFFIXES = {
    "JPEG": ".jpg",
    "PNG": ".png",
    "HEIF": ".heic",
    "HEIC": ".heic",
    "WEBP": ".webp",
    "PDF": ".pdf",
}


class DownloadFailedError(Exception):
    """The file could not be fetched from Telegram."""


@dataclass(frozen=True)
class IncomingFile:
    """What Telegram tells us about an uploaded photo or document."""

    source: str  # "photo" (compressed by Telegram) or "document" (sent as a file)
    unique_id: str
    size: int | None
    name: str | None = None
    mime_type: str | None = None


class UploadResult(StrEnum):
    """What became of an upload."""

    NO_APPLICATION = "no_application"  # start one first
    UNDER_REVIEW = "under_review"  # the application is with staff: nothing can change
    NOT_EXPECTED = "not_expected"  # the current step wants no picture
    OVER_LIMITS = "over_limits"  # the client stored too much already
    DOWNLOAD_FAILED = "download_failed"
    REFUSED = "refused"
    ACCEPTED = "accepted"


@dataclass(frozen=True)
class UploadOutcome:
    """The result with what the reply needs."""

    result: UploadResult
    step: Item | None = None
    rejection: Rejection | None = None
    width: int = 0  # the picture's, for a refusal; the stored file's, when accepted
    height: int = 0
    stored_bytes: int = 0
    minimum_short_side: int = 0
    compressed_by_telegram: bool = False  # refused only because Telegram compressed the photo
    hand_off: bool = False  # refused several times in a row: a person should help
    part: int = 0  # the part of an upload of several (from 1); 0 for a single picture
    parts: PartKind | None = None  # what those parts are: a PDF's pages or a card's sides
    earlier: tuple[UploadOutcome, ...] = ()  # the upload's parts accepted before this one


class UploadService:
    """Receives the uploads of one client's open application."""

    def __init__(
        self,
        session: AsyncSession,
        commit: Callable[[], Awaitable[None]],
        settings: Settings,
        catalogue: Catalogue,
        images: ImageService,
        documents: DocumentStore,
    ) -> None:
        self.session = session
        self.commit = commit
        self.settings = settings
        self.catalogue = catalogue
        self.images = images
        self.documents = documents
        self.applications = ApplicationService(session, catalogue)

    async def receive(
        self,
        application: FilingApplication | None,
        has_submitted: bool,
        incoming: IncomingFile,
        download: Callable[[], Awaitable[bytes]],
    ) -> UploadOutcome:
        """Check, store and move on — or say why not."""
        if application is None:
            return UploadOutcome(
                UploadResult.UNDER_REVIEW if has_submitted else UploadResult.NO_APPLICATION
            )
        item = self.applications.current(application)
        if item is None or item.kind is not ItemKind.IMAGE:
            return UploadOutcome(UploadResult.NOT_EXPECTED, item)
        if await self._over_limits(application, incoming.size or 0):
            return UploadOutcome(UploadResult.OVER_LIMITS, item)
        provider = (application.answers or {}).get("hosting_provider")
        rules = self.catalogue.images.rules_for(item, provider)
        size_problem = precheck_size(incoming.size, rules)
        if size_problem is not None:
            return await self._refuse(application, item, incoming, size_problem, None, rules)
        steps = await self.applications.scan_steps(application)  # an upload's parts fill these
        await self.commit()  # hold no database connection during the download and the checks
        try:
            data = await download()
        except DownloadFailedError:
            return UploadOutcome(UploadResult.DOWNLOAD_FAILED, item)
        parts = await self.images.split(data, len(steps)) if len(steps) > 1 else None
        if parts is None:
            return await self._take(application, item, incoming, data)
        return await self._take_parts(application, steps, incoming, parts)

    async def _take_parts(
        self,
        application: FilingApplication,
        steps: list[Item],
        incoming: IncomingFile,
        parts: Parts,
    ) -> UploadOutcome:
        """An upload of several parts (a PDF's pages, a card's two sides on one page): part by
        part, each for the next step, until one is refused. The outcome is the last part's,
        with the parts accepted before it."""
        outcomes: list[UploadOutcome] = []
        for number, (step, part) in enumerate(zip(steps, parts.files, strict=False), start=1):
            if outcomes:
                await self.commit()  # the part before is stored before this one is checked
            outcome = await self._take(
                application, step, replace(incoming, size=len(part)), part, part=number
            )
            outcomes.append(replace(outcome, parts=parts.kind))
            if outcome.result is not UploadResult.ACCEPTED:
                break
        *earlier, last = outcomes
        return replace(last, earlier=tuple(earlier))

    async def _take(
        self,
        application: FilingApplication,
        item: Item,
        incoming: IncomingFile,
        data: bytes,
        part: int = 0,
    ) -> UploadOutcome:
        """Check one picture for ``item``: store it and move on, or refuse it."""
        provider = (application.answers or {}).get("hosting_provider")
        rules = self.catalogue.images.rules_for(item, provider)
        result, normalised = await self.images.process(data, rules)
        if not result.accepted or normalised is None:
            outcome = await self._refuse(application, item, incoming, result.reason, result, rules)
            return replace(outcome, part=part)
        original = self.documents.save(data, SUFFIXES.get(result.source_format or "", ".bin"))
        stored = self.documents.save(normalised.data, ".jpg")
        version = _version(application, item.id, incoming, result)
        version.accepted = True
        version.original_sha256 = original.sha256
        version.original_suffix = original.path.suffix
        version.normalised_sha256 = stored.sha256
        version.normalised_bytes = stored.size
        await self.applications.accept_document(application, item, version)
        return UploadOutcome(
            UploadResult.ACCEPTED,
            item,
            width=normalised.width,
            height=normalised.height,
            stored_bytes=len(normalised.data),
            part=part,
        )

    async def _refuse(
        self,
        application: FilingApplication,
        item: Item,
        incoming: IncomingFile,
        reason: Rejection | None,
        result: CheckResult | None,
        rules: ImageRules,
    ) -> UploadOutcome:
        version = _version(application, item.id, incoming, result)
        version.rejection = reason.value if reason else None
        await self.applications.record_rejected(version)
        failures = await self._failures_in_a_row(application, item.id)
        return UploadOutcome(
            UploadResult.REFUSED,
            item,
            rejection=reason or Rejection.CORRUPT,
            width=result.width if result else 0,
            height=result.height if result else 0,
            minimum_short_side=rules.min_short_side,
            compressed_by_telegram=incoming.source == "photo"
            and result is not None
            and failed_only_because_compressed(result),
            hand_off=failures == FAILURES_BEFORE_HANDOFF,
        )

    async def _over_limits(self, application: FilingApplication, incoming: int) -> bool:
        """Whether one more upload would exceed what a client may make the bot store."""
        count, stored_bytes = (
            await self.session.execute(
                select(
                    func.count(DocumentVersion.id),
                    func.coalesce(func.sum(DocumentVersion.size_bytes), 0)
                    + func.coalesce(func.sum(DocumentVersion.normalised_bytes), 0),
                )
                .join(FilingApplication, FilingApplication.id == DocumentVersion.application_id)
                .where(FilingApplication.client_id == application.client_id)
            )
        ).one()
        too_many = count >= self.settings.max_uploads_per_client
        limit = self.settings.max_stored_mb_per_client * 1024 * 1024
        return bool(too_many or int(stored_bytes or 0) + incoming > limit)

    async def _failures_in_a_row(self, application: FilingApplication, step_id: str) -> int:
        """How many uploads for this step were refused since the last accepted one."""
        versions = await self.session.scalars(
            select(DocumentVersion.accepted)
            .where(
                DocumentVersion.application_id == application.id,
                DocumentVersion.step_id == step_id,
            )
            .order_by(DocumentVersion.id.desc())
            .limit(FAILURES_BEFORE_HANDOFF + 1)
        )
        count = 0
        for accepted in versions:
            if accepted:
                break
            count += 1
        return count


def _version(
    application: FilingApplication,
    step_id: str,
    incoming: IncomingFile,
    result: CheckResult | None,
) -> DocumentVersion:
    return DocumentVersion(
        application_id=application.id,
        step_id=step_id,
        source=incoming.source,
        file_name=incoming.name,
        mime_type=incoming.mime_type,
        telegram_file_unique_id=incoming.unique_id,
        size_bytes=incoming.size,
        accepted=False,
        rejection=None,
        checks=dict(result.measurements) if result else {},
        width=result.width if result else None,
        height=result.height if result else None,
    )
