"""The forms a step asks the client to sign: which ones its card offers, and the file filled in
with what the client has given so far."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.filing.applications import ApplicationService, StepStatus
from bot.filing.catalogue import Catalogue, Item, ItemKind
from bot.filing.form_templates import FormTemplate, templates_for_step
from bot.filing.forms import TemplateFolders, fill_docx
from bot.i18n import SIMPLIFIED
from storage.models import Client, FilingApplication, StepState, utcnow

log = logging.getLogger(__name__)

PROVIDER_STEP = "hosting_provider"
PROVINCE_KEY = "province"  # an answer (or step) naming the province, when the checklist asks it


@dataclass(frozen=True)
class FilledForm:
    """A form ready to send."""

    template: FormTemplate
    file_name: str
    data: bytes


def provider_and_province(application: FilingApplication) -> tuple[str | None, str | None]:
    """The application's hosting provider and province, when known."""
    answers = application.answers or {}
    return answers.get(PROVIDER_STEP), answers.get(PROVINCE_KEY)


def offered_forms(
    catalogue: Catalogue, application: FilingApplication, item: Item
) -> list[FormTemplate]:
    """The forms the step's card offers this application."""
    provider, province = provider_and_province(application)
    return templates_for_step(catalogue.template, item.id, provider, province)


def form_values(
    catalogue: Catalogue,
    application: FilingApplication,
    states: dict[str, StepState],
    today: str,
) -> dict[str, str]:
    """What a form can be filled in with: every answer by its step id (a choice as its Chinese
    label), and ``applicant``, ``provider`` and ``date``."""
    values: dict[str, str] = {}
    for key, value in (application.answers or {}).items():
        item = catalogue.find_item(key)
        option = item.option(value) if item is not None else None
        values[key] = option.label.get(SIMPLIFIED) if option is not None else value
    for step_id, state in states.items():
        item = catalogue.find_item(step_id)
        if (
            item is not None
            and item.kind is ItemKind.TEXT
            and state.state == StepStatus.ACCEPTED
            and state.value
        ):
            values[step_id] = state.value
    applicant = catalogue.find_applicant(application.applicant_type)
    if applicant is not None:
        values["applicant"] = applicant.title.get(SIMPLIFIED)
    if PROVIDER_STEP in values:
        values["provider"] = values[PROVIDER_STEP]
    values["date"] = today
    return values


class FormDesk:
    """Finds and fills the forms of the client's open application."""

    def __init__(
        self, session: AsyncSession, catalogue: Catalogue, folders: TemplateFolders, timezone: str
    ) -> None:
        self.catalogue = catalogue
        self.folders = folders
        self.timezone = ZoneInfo(timezone)
        self.applications = ApplicationService(session, catalogue)

    async def fill(self, client: Client, template_id: str) -> FilledForm | None:
        """The form, filled in; None when no step of the client's open application offers it
        (a stale or forged button) or its file is missing."""
        application = await self.applications.open_for(client)
        if application is None:
            return None
        template = next(
            (
                template
                for item in self.applications.steps(application)
                for template in offered_forms(self.catalogue, application, item)
                if template.id == template_id
            ),
            None,
        )
        if template is None:
            return None
        provider, province = provider_and_province(application)
        name = template.file_for(provider, province)
        states = await self.applications.states(application)
        today = utcnow().astimezone(self.timezone)
        values = form_values(self.catalogue, application, states, _chinese_date(today))
        data = await asyncio.to_thread(self._read_and_fill, name, template.file, values)
        if data is None:
            return None
        suffix = name.rsplit(".", 1)[-1]
        return FilledForm(template, f"{template.id}.{suffix}", data)

    def _read_and_fill(self, name: str, fallback: str, values: dict[str, str]) -> bytes | None:
        data = self.folders.read(name)
        if data is None and name != fallback:
            log.warning("Template %s is missing: sending %s instead", name, fallback)
            name, data = fallback, self.folders.read(fallback)
        if data is None:
            log.error("Template %s is missing from the templates folders", name)
            return None
        return fill_docx(data, values) if name.endswith(".docx") else data


def _chinese_date(moment: datetime) -> str:
    return f"{moment.year}年{moment.month}月{moment.day}日"
