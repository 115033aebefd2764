"""Answering free-text questions from the FAQ, and recording what was asked and answered."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.faq.knowledge import Entry, KnowledgeBase
from bot.faq.matcher import FaqMatcher, Outcome
from bot.faq.semantic import shared_store
from bot.faq.smalltalk import SmallTalk, classify
from bot.i18n import Translator, detect_text_language
from bot.services.agency import AgencyInfo
from storage.models import Client
from storage.repositories import QuestionRepository

MAX_STORED_QUESTION = 4000
BROWSED = "browsed"  # a question's outcome when the client opened the answer from a button


@dataclass(frozen=True)
class FaqReply:
    """What the bot will say to a free-text question."""

    language: str
    outcome: Outcome | SmallTalk
    entry: Entry | None
    suggestions: tuple[Entry, ...]
    question_id: int | None
    # A question in two parts ("照片有什麼要求？軟體會自動檢查嗎？"): the confident answer to the
    # part `entry` does not answer, when it is a different entry.
    also: Entry | None = None
    # A neighbouring entry that scored close to the answer: offered as a button below it.
    related: Entry | None = None
    # Not understood: the entries that came closest, offered beside staff.
    closest: tuple[Entry, ...] = ()

    @property
    def unsupported(self) -> bool:
        """A request the bot cannot serve (off-topic): say so plainly and offer a person."""
        return self.outcome is Outcome.UNSUPPORTED


class FaqService:
    """Matches questions, renders answers and keeps the question log."""

    def __init__(self, knowledge: KnowledgeBase, agency: AgencyInfo) -> None:
        self.knowledge = knowledge
        self.matcher = FaqMatcher(knowledge, vectors=shared_store())
        self.agency = agency

    async def ask(
        self, session: AsyncSession, client: Client, text: str, fallback_language: str
    ) -> FaqReply:
        """Answer a question in the language it was written in, and log it."""
        language = detect_text_language(text, fallback_language)
        small_talk = classify(text)
        if small_talk is not None:
            return FaqReply(language, small_talk, None, (), None)
        # ~20 ms of sentence encoding on the CPU: keep the event loop free meanwhile.
        result = await asyncio.to_thread(self.matcher.match, text)
        entries = [self.knowledge.find_entry(match.entry_id) for match in result.candidates]
        found = tuple(entry for entry in entries if entry is not None)
        answer = found[0] if result.outcome is Outcome.ANSWER and found else None
        suggestions = found if result.outcome is Outcome.SUGGEST else ()
        also = self.knowledge.find_entry(result.also.entry_id) if answer and result.also else None
        related = (
            self.knowledge.find_entry(result.related.entry_id)
            if answer and result.related
            else None
        )
        closest = tuple(
            entry
            for match in result.closest
            if (entry := self.knowledge.find_entry(match.entry_id)) is not None
        )
        best = result.best
        question_id = await QuestionRepository(session).record(
            client.id,
            text[:MAX_STORED_QUESTION],
            language,
            result.outcome.value,
            answer.id if answer else (best.entry_id if best else None),
            round(best.score, 4) if best else 0.0,
        )
        return FaqReply(
            language, result.outcome, answer, suggestions, question_id, also, related, closest
        )

    @staticmethod
    async def record_browsed(
        session: AsyncSession, client: Client, entry: Entry, language: str
    ) -> int:
        """Log an answer the client opened from the FAQ buttons; the question's id."""
        return await QuestionRepository(session).record(
            client.id, entry.title.get(language), language, BROWSED, entry.id, 1.0
        )

    def render_answer(self, entry: Entry, translator: Translator) -> str:
        """An entry's answer in one language, with the agency's details filled in."""
        text = entry.answer.get(translator.language)
        return (
            text.replace("{agency_name}", self.agency.escaped_name)
            .replace("{agency_contact}", self.agency.contact_lines(translator))
            .replace("{agency_prices}", self.agency.price_lines(translator))
        )

    @staticmethod
    async def record_feedback(
        session: AsyncSession, client: Client, question_id: int, helpful: bool
    ) -> bool:
        """Store whether an answer helped; False when the question is not this client's."""
        question = await QuestionRepository(session).of_client(question_id, client.id)
        if question is None:
            return False
        question.helpful = helpful
        return True
