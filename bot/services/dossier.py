"""The client's dossier for submission: normalised documents named by step, and a summary laid
out as the provider's form (text tables and JSON, every date in Beijing time)."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime

from bot.filing.catalogue import Catalogue, ItemKind
from bot.filing.stages import HistoryEntry
from bot.i18n import Translator
from bot.images.storage import DocumentStore
from bot.names import name_of
from bot.services.form_summary import (
    BEIJING,
    as_json,
    beijing,
    beijing_text,
    sections,
    text_tables,
)
from bot.services.notices import stage_name
from storage.models import Client, DocumentVersion, FilingApplication, StepState, utcnow


@dataclass(frozen=True)
class Dossier:
    """A ZIP archive and its file name."""

    file_name: str
    data: bytes
    documents: int


def build_dossier(
    application: FilingApplication,
    client: Client,
    states: dict[str, StepState],
    documents: list[DocumentVersion],
    catalogue: Catalogue,
    store: DocumentStore,
    translator: Translator,
    history: tuple[HistoryEntry, ...] = (),
    now: datetime | None = None,
) -> Dossier:
    """Pack the current document of every image step (numbered in checklist order), a
    summary (``summary.txt``: a table per section of the form) and ``summary.json``."""
    steps = catalogue.steps_for(application.applicant_type, application.answers or {})
    by_step = {version.step_id: version for version in documents}
    buffer = io.BytesIO()
    files: dict[str, str] = {}
    applicant = catalogue.find_applicant(application.applicant_type)
    applicant_title = applicant.title.get(translator.language) if applicant else "-"
    exported = now or utcnow()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for position, item in enumerate(steps, start=1):
            version = by_step.get(item.id)
            if item.kind is ItemKind.IMAGE and version and version.normalised_sha256:
                name = f"{position:02d}_{item.id}.jpg"
                archive.writestr(name, store.read(version.normalised_sha256, ".jpg"))
                files[item.id] = name
        today = exported.astimezone(BEIJING).date()
        laid_out = sections(application, states, files, catalogue, translator, today)
        summary = [
            f"Application #{application.id}",
            f"Client: {name_of(client)} (Telegram id {client.telegram_id})",
            f"Stage: {stage_name(application.status, translator)}",
            f"Applicant: {applicant_title}",
            f"ICP number: {application.icp_number or '-'}",
            "Dates in Beijing time (UTC+8)",
            f"Started: {beijing_text(application.created_at)}",
            f"Submitted: {beijing_text(application.submitted_at)}",
            f"SMS due by: {beijing_text(application.sms_due_at)}",
            f"Exported: {beijing_text(exported)}",
            *text_tables(laid_out),
        ]
        if history:
            summary += ["", "## History", ""]
            summary += [
                f"- {beijing_text(e.when)} {stage_name(e.stage, translator)}"
                + (f": {e.note}" if e.note else "")
                for e in history
            ]
        archive.writestr("summary.txt", "\n".join(summary) + "\n")
        header = {
            "application": application.id,
            "client": {"name": name_of(client), "telegram_id": client.telegram_id},
            "applicant_type": application.applicant_type,
            "stage": application.status,
            "icp_number": application.icp_number,
            "created_at": beijing(application.created_at),
            "submitted_at": beijing(application.submitted_at),
            "sms_due_at": beijing(application.sms_due_at),
            "exported_at": beijing(exported),
        }
        document = as_json(laid_out, header, history)
        archive.writestr("summary.json", json.dumps(document, ensure_ascii=False, indent=2))
    return Dossier(f"icp_application_{application.id}.zip", buffer.getvalue(), len(files))
