"""The eligibility check: five questions and a verdict that explains itself – why, the
province's rules, the conditions to meet and the next steps."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.filing.provinces import UNSURE, ProvinceTable, shipped_provinces
from storage.models import Client, EligibilityCheck, utcnow

APPLICANT = "applicant"
PROVINCE = "province"
HOSTING = "hosting"
DOMAIN = "domain"
CONTENT = "content"
QUESTIONS = (APPLICANT, PROVINCE, HOSTING, DOMAIN, CONTENT)

ANSWERS: dict[str, tuple[str, ...]] = {
    HOSTING: ("mainland", "outside", "unsure"),
    DOMAIN: ("ready", "abroad", "unverified", "none"),
    CONTENT: ("none", "regulated", "unsure"),
}


class Verdict(StrEnum):
    """The overall answer."""

    CAN_APPLY = "can_apply"  # nothing stands in the way
    CAN_APPLY_AFTER = "can_apply_after"  # possible once the listed steps are done
    NEEDS_ENTITY = "needs_entity"  # not with the current applicant
    NOT_IN_PROVINCE = "not_in_province"  # the province refuses this applicant
    NOT_NEEDED = "not_needed"  # hosting outside the mainland: no filing


class Finding(StrEnum):
    """One reason behind the verdict, each explained to the client with its next step."""

    HOSTED_OUTSIDE = "hosted_outside"
    HOSTING_UNSURE = "hosting_unsure"
    FOREIGN_COMPANY = "foreign_company"
    NON_MAINLAND_PERSON = "non_mainland_person"
    PERSONAL_SITES_ONLY = "personal_sites_only"
    DOMAIN_ABROAD = "domain_abroad"
    DOMAIN_UNVERIFIED = "domain_unverified"
    DOMAIN_MISSING = "domain_missing"
    PRE_APPROVAL = "pre_approval"
    PRE_APPROVAL_UNSURE = "pre_approval_unsure"
    PROVINCE_REFUSES_PASSPORTS = "province_refuses_passports"


class Condition(StrEnum):
    """What must hold for a filing to go through (the verdict lists the ones that apply)."""

    LICENCE_PROVINCE = "licence_province"
    ID_PROVINCE = "id_province"
    TRAVEL_DOCUMENT = "travel_document"
    SERVER_TERM = "server_term"
    DOMAIN_HOLDER = "domain_holder"
    OFFLINE = "offline"


class NextStep(StrEnum):
    """What the client does next."""

    START = "start"
    FIX_FIRST = "fix_first"
    MAINLAND_ENTITY = "mainland_entity"
    OTHER_PROVINCE = "other_province"
    MOVE_LATER = "move_later"


# The province rules that matter to each applicant (their sentences: bot.filing.province_notes).
PROVINCE_RULES: dict[str, tuple[str, ...]] = {
    "mainland_individual": (
        "residence_permit_accepted",
        "min_age",
        "responsibility_notice",
        "review_days",
    ),
    "non_mainland_individual": ("passport", "min_age", "responsibility_notice", "review_days"),
    "mainland_company": (
        "entity_person_in_charge",
        "website_authorisation_letter",
        "electronic_licence",
        "responsibility_notice",
        "party_building_proof",
        "review_days",
    ),
}
IDENTITY_CONDITION = {
    "mainland_individual": Condition.ID_PROVINCE,
    "non_mainland_individual": Condition.TRAVEL_DOCUMENT,
    "mainland_company": Condition.LICENCE_PROVINCE,
}


@dataclass(frozen=True)
class Assessment:
    """The verdict, the findings that explain it, the province's rules that matter, the
    conditions to meet and the next steps."""

    verdict: Verdict
    findings: tuple[Finding, ...]
    province: str | None = None  # None: not known (“not sure yet”, or not asked)
    province_rules: tuple[str, ...] = ()
    conditions: tuple[Condition, ...] = ()
    next_steps: tuple[NextStep, ...] = ()


@dataclass(frozen=True)
class Answered:
    """After an answer: the next question, or the assessment once all are in."""

    next_question: str | None
    assessment: Assessment | None


def next_question(answers: dict[str, str]) -> str | None:
    """The first question not answered yet (None when all are)."""
    return next((question for question in QUESTIONS if question not in answers), None)


def is_valid_answer(
    question: str, value: str, applicants: Collection[str], provinces: Collection[str] = ()
) -> bool:
    """Whether a button's value answers this question."""
    if question == APPLICANT:
        return value in applicants
    if question == PROVINCE:
        return value in provinces or value == UNSURE
    return value in ANSWERS.get(question, ())


def assess(answers: dict[str, str], table: ProvinceTable | None = None) -> Assessment:
    """The verdict for a complete set of answers."""
    if answers.get(HOSTING) == "outside":
        return Assessment(
            Verdict.NOT_NEEDED, (Finding.HOSTED_OUTSIDE,), next_steps=(NextStep.MOVE_LATER,)
        )
    table = table or shipped_provinces()
    province = table.find(answers.get(PROVINCE))
    rules = table.rules(province.id if province else None)
    findings: list[Finding] = []
    applicant = answers.get(APPLICANT)
    if answers.get(HOSTING) == "unsure":
        findings.append(Finding.HOSTING_UNSURE)
    if applicant == "foreign_company":
        findings.append(Finding.FOREIGN_COMPANY)
    if applicant == "non_mainland_individual":
        findings.append(Finding.NON_MAINLAND_PERSON)
    if applicant in ("mainland_individual", "non_mainland_individual"):
        findings.append(Finding.PERSONAL_SITES_ONLY)
    domain = {
        "abroad": Finding.DOMAIN_ABROAD,
        "unverified": Finding.DOMAIN_UNVERIFIED,
        "none": Finding.DOMAIN_MISSING,
    }.get(answers.get(DOMAIN, ""))
    if domain:
        findings.append(domain)
    content = {"regulated": Finding.PRE_APPROVAL, "unsure": Finding.PRE_APPROVAL_UNSURE}.get(
        answers.get(CONTENT, "")
    )
    if content:
        findings.append(content)
    if applicant == "non_mainland_individual" and rules.passport is False:
        findings.append(Finding.PROVINCE_REFUSES_PASSPORTS)
    steps: tuple[NextStep, ...]
    if applicant == "foreign_company":
        verdict, steps = Verdict.NEEDS_ENTITY, (NextStep.MAINLAND_ENTITY,)
    elif Finding.PROVINCE_REFUSES_PASSPORTS in findings:
        verdict, steps = Verdict.NOT_IN_PROVINCE, (NextStep.OTHER_PROVINCE,)
    elif any(f in BLOCKERS for f in findings):
        verdict, steps = Verdict.CAN_APPLY_AFTER, (NextStep.FIX_FIRST, NextStep.START)
    else:
        verdict, steps = Verdict.CAN_APPLY, (NextStep.START,)
    identity = IDENTITY_CONDITION.get(applicant or "")
    conditions = (
        (identity, Condition.SERVER_TERM, Condition.DOMAIN_HOLDER, Condition.OFFLINE)
        if identity is not None and verdict in (Verdict.CAN_APPLY, Verdict.CAN_APPLY_AFTER)
        else ()
    )
    return Assessment(
        verdict,
        tuple(findings),
        province.id if province else None,
        PROVINCE_RULES.get(applicant or "", ()),
        conditions,
        steps,
    )


BLOCKERS = {
    Finding.HOSTING_UNSURE,
    Finding.DOMAIN_ABROAD,
    Finding.DOMAIN_UNVERIFIED,
    Finding.DOMAIN_MISSING,
    Finding.PRE_APPROVAL,
}


class EligibilityService:
    """Stores a client's answers; the latest set pre-fills their application."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of(self, client: Client) -> EligibilityCheck | None:
        """The client's stored answers, if any."""
        result = await self.session.execute(
            select(EligibilityCheck).where(EligibilityCheck.client_id == client.id)
        )
        return result.scalar_one_or_none()

    async def restart(self, client: Client) -> EligibilityCheck:
        """Forget earlier answers and begin again."""
        check = await self.of(client)
        if check is None:
            check = EligibilityCheck(client_id=client.id)
            self.session.add(check)
        check.answers = {}
        check.verdict = None
        check.updated_at = utcnow()
        await self.session.flush()
        return check

    async def back(self, client: Client, question: str | None) -> str:
        """Step back from ``question`` (None: from the verdict): the question before it, whose
        answer and every later one are forgotten."""
        position = QUESTIONS.index(question) if question in QUESTIONS else len(QUESTIONS)
        previous = QUESTIONS[max(position - 1, 0)]
        check = await self.of(client) or await self.restart(client)
        kept = QUESTIONS[: QUESTIONS.index(previous)]
        check.answers = {key: value for key, value in (check.answers or {}).items() if key in kept}
        check.verdict = None
        check.updated_at = utcnow()
        await self.session.flush()
        return previous

    async def answer(
        self, client: Client, question: str, value: str, table: ProvinceTable | None = None
    ) -> Answered:
        """Record one answer; when all are in, record the verdict too."""
        check = await self.of(client) or await self.restart(client)
        check.answers = {**(check.answers or {}), question: value}
        following = next_question(check.answers)
        assessment = assess(check.answers, table) if following is None else None
        if assessment is not None:
            check.verdict = assessment.verdict.value
        check.updated_at = utcnow()
        await self.session.flush()
        return Answered(following, assessment)
