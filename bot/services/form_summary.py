"""The application laid out as the provider's filing form: sections of fields, every date in
Beijing time. Staff copy it field by field (the text tables) or load it (the JSON)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.filing.catalogue import Catalogue, Item, ItemKind, Validator
from bot.filing.stages import HistoryEntry
from bot.filing.validators import validate
from bot.i18n import N_, Translator
from storage.models import FilingApplication, StepState, as_utc

BEIJING = ZoneInfo("Asia/Shanghai")  # the filing system's and the bureaus' time
# The provider's form, section by section (主体信息, 主体负责人, 网站信息, 网站负责人 …).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("entity", N_("Entity (主体信息)")),
    ("entity_person", N_("Entity's person in charge (主体负责人)")),
    ("website", N_("Website (网站信息)")),
    ("website_person", N_("Website's person in charge (网站负责人)")),
    ("verification", N_("Verification (核验)")),
    ("documents", N_("Documents (材料)")),
    ("other", N_("Other details")),
)
SECTION_OF: dict[str, str] = {
    "entity_name": "entity",
    "credit_code": "entity",
    "entity_id_number": "entity",
    "entity_document_number": "entity",
    "document_validity": "entity",
    "id_address": "entity",
    "entity_address": "entity",
    "legal_rep_in_charge": "entity_person",
    "entity_mobile": "entity_person",
    "hosting_provider": "website",
    "website_name": "website",
    "domain": "website",
    "domain_holder": "website",
    "service_type": "website",
    "server_term": "website",
    "description": "website",
    "person_in_charge_id_number": "website_person",
    "person_in_charge_id_validity": "website_person",
    "mobile": "website_person",
    "emergency_phone": "website_person",
    "email": "website_person",
    "verification": "verification",
    "verification_form": "verification",
}
# What a check derives from a stored answer (a credit code's region, an ID's date of birth).
DERIVED = (Validator.CREDIT_CODE, Validator.RESIDENT_ID, Validator.IDENTITY_NUMBER)


def beijing(moment: datetime | None) -> str | None:
    """ISO 8601 in Beijing time (``+08:00``), never raw UTC; None stays None."""
    if moment is None:
        return None
    return as_utc(moment).astimezone(BEIJING).replace(microsecond=0).isoformat()


def beijing_text(moment: datetime | None) -> str:
    """``2026-10-08 14:05`` in Beijing time, for the text tables (``-`` when unknown)."""
    if moment is None:
        return "-"
    return as_utc(moment).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class Field:
    """One line of the form."""

    step: str
    title: str
    value: str
    details: dict[str, str]


def _value(item: Item, state: StepState | None, language: str) -> str:
    value = state.value if state and state.value else ""
    option = item.option(value) if item.kind is ItemKind.CHOICE else None
    return option.label.get(language) if option else value


def sections(
    application: FilingApplication,
    states: dict[str, StepState],
    files: dict[str, str],
    catalogue: Catalogue,
    translator: Translator,
    today: date,
) -> list[tuple[str, str, list[Field]]]:
    """(section id, title, fields) in the form's order; image steps give their file name."""
    language = translator.language
    grouped: dict[str, list[Field]] = {key: [] for key, _title in SECTIONS}
    steps = catalogue.steps_for(application.applicant_type, application.answers or {})
    for item in steps:
        title = item.title.get(language)
        if item.kind is ItemKind.IMAGE:
            grouped["documents"].append(Field(item.id, title, files.get(item.id, ""), {}))
            continue
        state = states.get(item.id)
        value = _value(item, state, language)
        details: dict[str, str] = {}
        if item.validator in DERIVED and value:
            details = dict(validate(item.validator, value, catalogue.domains, {}, today).details)
        grouped[SECTION_OF.get(item.id, "other")].append(Field(item.id, title, value, details))
    return [
        (key, translator.gettext(title), grouped[key]) for key, title in SECTIONS if grouped[key]
    ]


def text_tables(laid_out: list[tuple[str, str, list[Field]]]) -> list[str]:
    """One two-column table per section (Markdown pipes: readable as text, pastes anywhere)."""
    lines: list[str] = []
    for _key, title, fields in laid_out:
        lines += ["", f"## {title}", "", "| Field | Value |", "| --- | --- |"]
        for field in fields:
            extra = ", ".join(f"{key}: {value}" for key, value in field.details.items())
            shown = (field.value or "-") + (f" ({extra})" if extra else "")
            lines.append(f"| {_cell(field.title)} | {_cell(shown)} |")
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "/").replace("\n", " ")


def as_json(
    laid_out: list[tuple[str, str, list[Field]]],
    header: dict[str, Any],
    history: tuple[HistoryEntry, ...],
) -> dict[str, Any]:
    """The machine-readable summary: header, sections of fields by step id, the history."""
    return {
        **header,
        "timezone": "Asia/Shanghai",
        "sections": [
            {
                "id": key,
                "title": title,
                "fields": [
                    {"step": f.step, "title": f.title, "value": f.value, **_details(f)}
                    for f in fields
                ],
            }
            for key, title, fields in laid_out
        ],
        "history": [
            {"when": beijing(entry.when), "stage": entry.stage, "note": entry.note}
            for entry in history
        ],
    }


def _details(field: Field) -> dict[str, Any]:
    return {"derived": field.details} if field.details else {}
