"""The eligibility check: four questions and a verdict that explains itself."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Client, EligibilityCheck, utcnow

APPLICANT = "applicant"
HOSTING = "hosting"
DOMAIN = "domain"
CONTENT = "content"
QUESTIONS = (APPLICANT, HOSTING, DOMAIN, CONTENT)

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


@dataclass(frozen=True)
class Assessment:
    """The verdict and the findings that explain it."""

    verdict: Verdict
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class Answered:
    """After an answer: the next question, or the assessment once all are in."""

    next_question: str | None
    assessment: Assessment | None


def next_question(answers: dict[str, str]) -> str | None:
    """The first question not answered yet (None when all are)."""
    return next((question for question in QUESTIONS if question not in answers), None)


def is_valid_answer(question: str, value: str, applicants: set[str]) -> bool:
    """Whether a button's value answers this question."""
    if question == APPLICANT:
        return value in applicants
    return value in ANSWERS.get(question, ())


def assess(answers: dict[str, str]) -> Assessment:
    """The verdict for a complete set of answers."""
    if answers.get(HOSTING) == "outside":
        return Assessment(Verdict.NOT_NEEDED, (Finding.HOSTED_OUTSIDE,))
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
    if applicant == "foreign_company":
        verdict = Verdict.NEEDS_ENTITY
    elif any(f in BLOCKERS for f in findings):
        verdict = Verdict.CAN_APPLY_AFTER
    else:
        verdict = Verdict.CAN_APPLY
    return Assessment(verdict, tuple(findings))


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

    async def answer(self, client: Client, question: str, value: str) -> Answered:
        """Record one answer; when all are in, record the verdict too."""
        check = await self.of(client) or await self.restart(client)
        check.answers = {**(check.answers or {}), question: value}
        following = next_question(check.answers)
        assessment = assess(check.answers) if following is None else None
        if assessment is not None:
            check.verdict = assessment.verdict.value
        check.updated_at = utcnow()
        await self.session.flush()
        return Answered(following, assessment)
