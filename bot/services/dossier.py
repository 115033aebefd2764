"""The client's dossier for submission: normalised documents named by step, and a summary."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from bot.filing.catalogue import Catalogue, ItemKind
from bot.i18n import Translator
from bot.images.storage import DocumentStore
from bot.names import name_of
from bot.services.notices import stage_name
from storage.models import Client, DocumentVersion, FilingApplication, StepState


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
) -> Dossier:
    """Pack the current document of every image step (numbered in checklist order) and a
    summary of the applicant and website details."""
    steps = catalogue.steps_for(application.applicant_type, application.answers or {})
    by_step = {version.step_id: version for version in documents}
    buffer = io.BytesIO()
    packed = 0
    summary = [
        f"Application #{application.id}",
        f"Client: {name_of(client)} (Telegram id {client.telegram_id})",
        f"Stage: {stage_name(application.status, translator)}",
    ]
    applicant = catalogue.find_applicant(application.applicant_type)
    summary.append(f"Applicant: {applicant.title.get(translator.language) if applicant else '-'}")
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for position, item in enumerate(steps, start=1):
            title = item.title.get(translator.language)
            version = by_step.get(item.id)
            if item.kind is ItemKind.IMAGE and version and version.normalised_sha256:
                name = f"{position:02d}_{item.id}.jpg"
                archive.writestr(name, store.read(version.normalised_sha256, ".jpg"))
                packed += 1
                summary.append(f"{title}: {name}")
            elif item.kind is not ItemKind.IMAGE:
                state = states.get(item.id)
                value = state.value if state and state.value else "-"
                option = item.option(value) if item.kind is ItemKind.CHOICE else None
                summary.append(
                    f"{title}: {option.label.get(translator.language) if option else value}"
                )
        archive.writestr("summary.txt", "\n".join(summary) + "\n")
    return Dossier(f"icp_application_{application.id}.zip", buffer.getvalue(), packed)
