"""An application's life while documents are collected: steps, progress, navigation, submit.

The position in the flow lives in the database (``FilingApplication.current_step``), so a client
can leave for days, or the bot can restart, and carry on exactly where they were.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.filing.catalogue import PROVINCE_STEP, Catalogue, Item, ItemKind
from bot.filing.checked import Checked, Note
from bot.filing.provinces import UNSURE
from bot.filing.stages import OPEN_TO_CLIENT, Stage, StageService
from bot.filing.validators import PERSON_MOBILES, validate
from storage.models import Client, DocumentVersion, FilingApplication, StepState, utcnow

REVIEW = "review"  # the current step while the client looks at the summary


class StepStatus(StrEnum):
    """Where one step stands."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    SKIPPED = "skipped"


class ProvinceMatch(StrEnum):
    """What a number's region code says about the application's province."""

    FILLED = "filled"  # the province was not chosen: now it is the number's
    MATCHES = "matches"
    DIFFERS = "differs"  # the client chose another province


@dataclass(frozen=True)
class ProvinceReading:
    """The province a number was issued in, compared with the application's."""

    province: str  # the number's province (id)
    chosen: str | None  # the application's province before (id)
    match: ProvinceMatch


@dataclass(frozen=True)
class Correction:
    """A typed answer the client corrected by editing the message that gave it."""

    item: Item
    previous: str | None  # the answer before the edit
    checked: Checked | None  # the edited text, checked as the step checks it; None: too late
    reading: ProvinceReading | None = None

    @property
    def saved(self) -> bool:
        """Whether the edit replaced the answer."""
        return self.checked is not None and self.checked.ok and self.checked.value is not None


@dataclass(frozen=True)
class Progress:
    """“Step 4 of 9”, and how many steps are done."""

    position: int
    total: int
    done: int


class ApplicationService:
    """Creates applications and moves them through their steps."""

    def __init__(self, session: AsyncSession, catalogue: Catalogue) -> None:
        self.session = session
        self.catalogue = catalogue

    async def latest_for(self, client: Client) -> FilingApplication | None:
        """The client's most recent application."""
        result = await self.session.execute(
            select(FilingApplication)
            .where(FilingApplication.client_id == client.id)
            .order_by(FilingApplication.id.desc())
            .limit(1)
        )
        return result.scalar_one_or_none()

    async def open_for(self, client: Client) -> FilingApplication | None:
        """The client's application while they can still change it, if any."""
        latest = await self.latest_for(client)
        return latest if latest is not None and latest.status in OPEN_TO_CLIENT else None

    async def start(
        self, client: Client, applicant_type: str, prefill: dict[str, str] | None = None
    ) -> FilingApplication:
        """Open a new application (or return the one still open) at its first step."""
        existing = await self.open_for(client)
        if existing is not None:
            return existing
        application = FilingApplication(
            client_id=client.id,
            applicant_type=applicant_type,
            answers=dict(prefill or {}),
            status=Stage.COLLECTING.value,
        )
        self.session.add(application)
        await self.session.flush()
        for key, value in (prefill or {}).items():  # e.g. the province from the eligibility check
            item = self.catalogue.find_item(key)
            if item is not None and item.kind is ItemKind.CHOICE and item.option(value):
                await self._set(application, item, StepStatus.ACCEPTED, value)
        application.current_step = self.steps(application)[0].id
        return application

    def steps(self, application: FilingApplication) -> list[Item]:
        """The application's steps, given its applicant type and the choices made so far."""
        return self.catalogue.steps_for(application.applicant_type, application.answers or {})

    def current(self, application: FilingApplication) -> Item | None:
        """The step the client is on (None while reviewing)."""
        steps = self.steps(application)
        return next((item for item in steps if item.id == application.current_step), None)

    async def states(self, application: FilingApplication) -> dict[str, StepState]:
        """Each step's stored state, by step id."""
        result = await self.session.scalars(
            select(StepState).where(StepState.application_id == application.id)
        )
        return {state.step_id: state for state in result}

    async def progress(self, application: FilingApplication) -> Progress:
        """Position of the current step and how many are done."""
        steps = self.steps(application)
        states = await self.states(application)
        done = sum(1 for item in steps if _status(states, item.id) is StepStatus.ACCEPTED)
        ids = [item.id for item in steps]
        position = (
            ids.index(application.current_step) + 1
            if application.current_step in ids
            else len(ids)
        )
        return Progress(position, len(ids), done)

    async def missing(self, application: FilingApplication) -> list[Item]:
        """Required steps that are not done yet."""
        states = await self.states(application)
        return [
            item
            for item in self.steps(application)
            if item.required and _status(states, item.id) is not StepStatus.ACCEPTED
        ]

    async def choose(self, application: FilingApplication, item: Item, value: str) -> None:
        """Record a choice (which may add or remove later steps) and move on."""
        application.answers = {**(application.answers or {}), item.id: value}
        await self._set(application, item, StepStatus.ACCEPTED, value)
        await self.advance(application)

    async def accept_text(
        self, application: FilingApplication, item: Item, value: str, message_id: int | None = None
    ) -> ProvinceReading | None:
        """Record a validated text answer (given by the client's message `message_id`) and
        move on; for an ID number or a credit code, what its region code says about the
        province (an unanswered province is filled in)."""
        await self._set(application, item, StepStatus.ACCEPTED, value, message_id)
        reading = await self._read_province(application, item, value)
        await self.advance(application)
        return reading

    async def _read_province(
        self, application: FilingApplication, item: Item, value: str
    ) -> ProvinceReading | None:
        table = self.catalogue.provinces
        if item.province_from == "id_number":
            found = table.from_id_number(value)
        elif item.province_from == "credit_code":
            found = table.from_credit_code(value)
        else:
            return None
        if found is None:
            return None
        chosen = (application.answers or {}).get(PROVINCE_STEP)
        if chosen == found.id:
            return ProvinceReading(found.id, chosen, ProvinceMatch.MATCHES)
        step = self.catalogue.find_item(PROVINCE_STEP)
        if chosen not in (None, UNSURE) or step is None:
            return ProvinceReading(found.id, chosen, ProvinceMatch.DIFFERS)
        application.answers = {**(application.answers or {}), PROVINCE_STEP: found.id}
        await self._set(application, step, StepStatus.ACCEPTED, found.id)
        return ProvinceReading(found.id, chosen, ProvinceMatch.FILLED)

    async def answer_text(
        self,
        application: FilingApplication,
        item: Item,
        text: str,
        today: date,
        message_id: int | None = None,
    ) -> tuple[Checked, ProvinceReading | None]:
        """Check a typed answer with the step's validator against the earlier answers (no two
        persons share a mobile, the domain holder is the applicant …) and store it when it is
        accepted, with what its region code says about the province; ``today`` is the
        office's date, `message_id` the client's message that gave the answer."""
        checked = await self._check(application, item, text, today)
        if not checked.ok or checked.value is None:
            return checked, None
        return checked, await self.accept_text(application, item, checked.value, message_id)

    async def correct_text(
        self, client: Client, message_id: int, text: str, today: date
    ) -> Correction | None:
        """The client edited their message `message_id`: if it gave a typed answer of their
        latest application, the edited text replaces the answer once it passes the step's
        check (the application stays at its step). None when the message gave no answer
        (a question, a chat message, an answer given again since)."""
        application = await self.latest_for(client)
        if application is None:
            return None
        state = await self.session.scalar(
            select(StepState).where(
                StepState.application_id == application.id, StepState.message_id == message_id
            )
        )
        item = self.catalogue.find_item(state.step_id) if state is not None else None
        if state is None or item is None or item.validator is None:
            return None
        if application.status not in OPEN_TO_CLIENT:
            return Correction(item, state.value, None)  # submitted: staff must change it
        checked = await self._check(application, item, text, today)
        if not checked.ok or checked.value is None:
            return Correction(item, state.value, checked)
        previous = state.value
        await self._set(application, item, StepStatus.ACCEPTED, checked.value, message_id)
        reading = await self._read_province(application, item, checked.value)
        return Correction(item, previous, checked, reading)

    async def _check(
        self, application: FilingApplication, item: Item, text: str, today: date
    ) -> Checked:
        """A typed answer checked by the step's validator against the other answers."""
        if item.validator is None:
            raise ValueError(f"step {item.id!r} has no validator")
        states = await self.states(application)
        answers = {
            step: state.value
            for step, state in states.items()
            if state.value and step != item.id and state.state == StepStatus.ACCEPTED
        }
        checked = validate(item.validator, text, self.catalogue.domains, answers, today)
        value = checked.value
        if not checked.ok or value is None:
            return checked
        if item.id in PERSON_MOBILES and await self._mobile_used_elsewhere(application, value):
            checked = replace(checked, notes=(*checked.notes, Note.MOBILE_USED_ELSEWHERE))
        return checked

    async def _mobile_used_elsewhere(self, application: FilingApplication, number: str) -> bool:
        """Whether another client's application gives this mobile (MIIT: one entity each)."""
        used = await self.session.scalar(
            select(StepState.id)
            .join(FilingApplication, FilingApplication.id == StepState.application_id)
            .where(
                StepState.step_id.in_(PERSON_MOBILES),
                StepState.value == number,
                FilingApplication.client_id != application.client_id,
            )
            .limit(1)
        )
        return used is not None

    async def accept_document(
        self, application: FilingApplication, item: Item, version: DocumentVersion
    ) -> None:
        """Make an accepted upload the step's current document and move on."""
        previous = await self.session.scalars(
            select(DocumentVersion).where(
                DocumentVersion.application_id == application.id,
                DocumentVersion.step_id == item.id,
                DocumentVersion.is_current.is_(True),
            )
        )
        for old in previous:
            old.is_current = False
        version.is_current = True
        self.session.add(version)
        await self._set(application, item, StepStatus.ACCEPTED, version.normalised_sha256)
        await self.advance(application)

    async def record_rejected(self, version: DocumentVersion) -> None:
        """Keep a rejected upload's check results (no files are stored for it)."""
        version.is_current = False
        self.session.add(version)
        await self.session.flush()

    async def mark_pending(self, application: FilingApplication, item: Item) -> None:
        """Reopen a step (e.g. a cancelled booking)."""
        await self._set(application, item, StepStatus.PENDING, None)

    async def skip(self, application: FilingApplication) -> None:
        """Leave the current step for later."""
        item = self.current(application)
        if item is not None:
            states = await self.states(application)
            if _status(states, item.id) is not StepStatus.ACCEPTED:
                await self._set(application, item, StepStatus.SKIPPED, None)
        await self.advance(application)

    async def back(self, application: FilingApplication) -> None:
        """Go to the previous step (from the review, to the last step)."""
        ids = [item.id for item in self.steps(application)]
        if application.current_step in ids:
            index = max(ids.index(application.current_step) - 1, 0)
        else:
            index = len(ids) - 1
        await self._move(application, ids[index])

    async def go_to(self, application: FilingApplication, step_id: str) -> bool:
        """Open any step of the application (to replace what was given); False if unknown."""
        if step_id not in {item.id for item in self.steps(application)}:
            return False
        await self._move(application, step_id)
        return True

    @staticmethod
    def pause(application: FilingApplication) -> None:
        """The client stepped away: until they carry on, nothing they type answers a step."""
        application.paused_at = utcnow()

    @staticmethod
    def resume(application: FilingApplication) -> None:
        """The client is back at their application (only written when it was paused)."""
        if application.paused_at is not None:
            application.paused_at = None

    async def change_applicant(self, application: FilingApplication, applicant_type: str) -> None:
        """Change who applies: the steps follow it, from the first; answers given are kept."""
        application.applicant_type = applicant_type
        await self._move(application, self.steps(application)[0].id)

    def is_first_step(self, application: FilingApplication) -> bool:
        """Whether the client is on the application's first step."""
        steps = self.steps(application)
        return bool(steps) and application.current_step == steps[0].id

    async def review(self, application: FilingApplication) -> None:
        """Show the summary."""
        await self._move(application, REVIEW)

    async def advance(self, application: FilingApplication) -> None:
        """Move to the next step that is not done; the review when everything is."""
        steps = self.steps(application)
        states = await self.states(application)
        ids = [item.id for item in steps]
        start = ids.index(application.current_step) + 1 if application.current_step in ids else 0
        ordered = steps[start:] + steps[:start]
        upcoming = next(
            (item for item in ordered if _status(states, item.id) is StepStatus.PENDING), None
        )
        await self._move(application, upcoming.id if upcoming else REVIEW)

    async def submit(self, application: FilingApplication, actor_id: int | None = None) -> bool:
        """Lock a complete application for the agency's review; False when something is missing."""
        if application.status not in OPEN_TO_CLIENT or await self.missing(application):
            return False
        states = await self.states(application)
        for item in self.steps(application):  # optional steps left open count as skipped
            if _status(states, item.id) is StepStatus.PENDING:
                await self._set(application, item, StepStatus.SKIPPED, None)
        stages = StageService(self.session)
        await stages.move(application, Stage.SUBMITTED, actor_id, by_staff=False)
        application.submitted_at = utcnow()
        application.current_step = None
        return True

    async def reopen(self, application: FilingApplication, step_ids: list[str]) -> list[Item]:
        """Open steps again after staff asked for changes; the client starts at the first."""
        steps = [item for item in self.steps(application) if item.id in step_ids]
        for item in steps:
            await self._set(application, item, StepStatus.PENDING, None)
        if steps:
            await self._move(application, steps[0].id)
        return steps

    async def current_documents(self, application: FilingApplication) -> list[DocumentVersion]:
        """The accepted document of every image step."""
        result = await self.session.scalars(
            select(DocumentVersion).where(
                DocumentVersion.application_id == application.id,
                DocumentVersion.is_current.is_(True),
            )
        )
        return list(result)

    async def scan_steps(self, application: FilingApplication) -> list[Item]:
        """The current image step and the steps right after it still to do that are the other
        sides of the same card: the steps a scan of several pages fills, a page each."""
        steps = self.steps(application)
        ids = [item.id for item in steps]
        if application.current_step not in ids:
            return []
        start = ids.index(application.current_step)
        if steps[start].kind is not ItemKind.IMAGE:
            return []
        states = await self.states(application)
        run = [steps[start]]
        for item in steps[start + 1 :]:
            pending = _status(states, item.id) is StepStatus.PENDING
            if item.other_side_of != run[-1].id or not pending:
                break
            run.append(item)
        return run

    def image_steps(self, application: FilingApplication) -> list[Item]:
        """The steps that collect an image."""
        return [item for item in self.steps(application) if item.kind is ItemKind.IMAGE]

    async def _move(self, application: FilingApplication, step_id: str) -> None:
        application.current_step = step_id
        application.updated_at = utcnow()
        await self.session.flush()

    async def _set(
        self,
        application: FilingApplication,
        item: Item,
        status: StepStatus,
        value: str | None,
        message_id: int | None = None,
    ) -> None:
        states = await self.states(application)
        state = states.get(item.id)
        if state is None:
            state = StepState(application_id=application.id, step_id=item.id)
            self.session.add(state)
        state.state = status.value
        state.value = value
        state.message_id = message_id
        state.updated_at = utcnow()
        application.updated_at = utcnow()
        await self.session.flush()


def _status(states: dict[str, StepState], step_id: str) -> StepStatus:
    state = states.get(step_id)
    return StepStatus(state.state) if state else StepStatus.PENDING
