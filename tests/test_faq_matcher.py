"""FAQ matching on the shipped knowledge file: answers, near-misses, languages, typos."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.config import DEFAULT_FAQ_PATH
from bot.faq.knowledge import load_knowledge
from bot.faq.matcher import FaqMatcher, Outcome

BENCH_SET = Path(__file__).resolve().parent.parent / "bench" / "faq_questions.toml"


@pytest.fixture(scope="module")
def matcher() -> FaqMatcher:
    return FaqMatcher(load_knowledge(DEFAULT_FAQ_PATH))


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("外国人可以申请吗？", "foreigners"),
        ("外國人可以申請嗎？", "foreigners"),
        ("how long does it take?", "duration"),
        ("how lond does it tak", "duration"),
        ("how long does 备案 take", "duration"),
        ("备案要多久", "duration"),
        ("what does it cost", "fees"),
        ("can a foreign company apply with its overseas business license?", "foreign_company"),
        ("香港人可以辦理備案嗎", "hk_macau_taiwan"),
        ("where do i put the icp number on my website", "display_number"),
        ("my filing was rejected, what now?", "rejection"),
        ("what documents does a company need", "documents_company"),
    ],
)
def test_answers_covered_questions(matcher: FaqMatcher, question: str, entry: str) -> None:
    result = matcher.match(question)
    assert result.outcome is Outcome.ANSWER, result
    assert result.best is not None and result.best.entry_id == entry


@pytest.mark.parametrize(
    "question",
    [
        "what's the weather in Shanghai tomorrow?",
        "tell me a joke",
        "how do I open a bank account in China?",
        "帮我写一封辞职信",
        "",
        "🙂🙂🙂",
    ],
)
def test_does_not_answer_what_it_does_not_cover(matcher: FaqMatcher, question: str) -> None:
    assert matcher.match(question).outcome is not Outcome.ANSWER


def test_benchmark_set_stays_good(matcher: FaqMatcher) -> None:
    """A guard against regressions when the FAQ file is edited (targets are in bench/)."""
    questions = tomllib.loads(BENCH_SET.read_text(encoding="utf-8"))["question"]
    covered = [q for q in questions if q["expect"] != "none"]
    uncovered = [q for q in questions if q["expect"] == "none"]

    def answered(text: str) -> str | None:
        result = matcher.match(text)
        return result.best.entry_id if result.outcome is Outcome.ANSWER and result.best else None

    accuracy = sum(answered(q["text"]) == q["expect"] for q in covered) / len(covered)
    handoff = sum(answered(q["text"]) is None for q in uncovered) / len(uncovered)
    assert accuracy >= 0.9 and handoff >= 0.85, (accuracy, handoff)
