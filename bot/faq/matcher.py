"""Matching a client's free-text question to an FAQ entry.

Each entry is represented by its example questions, title and keywords in every language.
Questions become weighted terms (stemmed English words, Chinese character bigrams, and
cross-language concept terms from the synonym table); an entry's score blends its best single
example with the entry as a whole (cosine similarity of TF-IDF vectors). Words the FAQ never
uses count against a match, which is what keeps unrelated questions from being answered.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz, process

from bot.faq.knowledge import Entry, KnowledgeBase
from bot.faq.text import SynonymTable, chinese_terms, is_chinese, normalise, words

Vector = dict[str, float]


class Outcome(StrEnum):
    """What the bot should do with a question."""

    ANSWER = "answer"  # confident: answer with the best entry
    SUGGEST = "suggest"  # related but unsure: offer the closest entries and staff
    UNSURE = "unsure"  # not understood: offer staff


@dataclass(frozen=True)
class Thresholds:
    """Score limits that decide the outcome."""

    answer: float = 0.30
    margin: float = 0.04
    sure: float = 0.45
    suggest: float = 0.18
    example_share: float = 0.6
    unknown_chinese_weight: float = 0.5


@dataclass(frozen=True)
class Match:
    """One entry's score for a question."""

    entry_id: str
    score: float


@dataclass(frozen=True)
class MatchResult:
    """The outcome for a question and the best-scoring entries."""

    outcome: Outcome
    candidates: tuple[Match, ...]

    @property
    def best(self) -> Match | None:
        """The highest-scoring entry, if any scored at all."""
        return self.candidates[0] if self.candidates else None


class FaqMatcher:
    """Scores questions against every entry of a knowledge base."""

    def __init__(self, knowledge: KnowledgeBase, thresholds: Thresholds | None = None) -> None:
        self.thresholds = thresholds or Thresholds()
        self._synonyms = SynonymTable(group.words for group in knowledge.synonyms)
        self._entry_ids = [entry.id for entry in knowledge.entries]
        documents: list[tuple[int, Counter[str]]] = []
        for index, entry in enumerate(knowledge.entries):
            documents.extend((index, self._terms(text)) for text in _texts_of(entry))
        self._idf = _inverse_document_frequencies([terms for _, terms in documents])
        self._unknown_idf = math.log(len(documents) + 1) + 1
        self._latin_vocabulary = sorted(
            {term for term in self._idf if not is_chinese(term) and not term.startswith("§")}
        )
        self._example_index: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self._example_entry: list[int] = []
        centroids: list[Counter[str]] = [Counter() for _ in knowledge.entries]
        for entry_index, terms in documents:
            vector = self._vector(terms)
            example = len(self._example_entry)
            self._example_entry.append(entry_index)
            for term, weight in vector.items():
                self._example_index[term].append((example, weight))
                centroids[entry_index][term] += weight
        self._centroid_index: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for entry_index, centroid in enumerate(centroids):
            for term, weight in _unit(dict(centroid)).items():
                self._centroid_index[term].append((entry_index, weight))

    def match(self, question: str) -> MatchResult:
        """Score a question and decide whether to answer, suggest or hand off."""
        query = self._vector(self._terms(question, correct_typos=True))
        if not query:
            return MatchResult(Outcome.UNSURE, ())
        scores = self._scores(query)
        ranked = sorted(
            (Match(self._entry_ids[i], score) for i, score in scores.items() if score > 0),
            key=lambda match: match.score,
            reverse=True,
        )[:3]
        return MatchResult(self._decide(ranked), tuple(ranked))

    def _decide(self, ranked: list[Match]) -> Outcome:
        limits = self.thresholds
        if not ranked or ranked[0].score < limits.suggest:
            return Outcome.UNSURE
        top = ranked[0].score
        runner_up = ranked[1].score if len(ranked) > 1 else 0.0
        if top >= limits.sure or (top >= limits.answer and top - runner_up >= limits.margin):
            return Outcome.ANSWER
        return Outcome.SUGGEST

    def _scores(self, query: Vector) -> dict[int, float]:
        best_example: dict[int, float] = defaultdict(float)
        example_scores: dict[int, float] = defaultdict(float)
        centroid_scores: dict[int, float] = defaultdict(float)
        for term, weight in query.items():
            for example, example_weight in self._example_index.get(term, ()):
                example_scores[example] += weight * example_weight
            for entry, entry_weight in self._centroid_index.get(term, ()):
                centroid_scores[entry] += weight * entry_weight
        for example, score in example_scores.items():
            entry = self._example_entry[example]
            best_example[entry] = max(best_example[entry], score)
        share = self.thresholds.example_share
        return {
            entry: share * best_example.get(entry, 0.0) + (1 - share) * centroid
            for entry, centroid in centroid_scores.items()
        }

    def _terms(self, text: str, *, correct_typos: bool = False) -> Counter[str]:
        normalised = normalise(text)
        terms: Counter[str] = Counter()
        latin: list[str] = []
        for token in words(normalised):
            if is_chinese(token):
                terms.update(chinese_terms(token))
            else:
                latin.append(self._correct(token) if correct_typos else token)
        terms.update(latin)
        terms.update(self._synonyms.latin_concepts(latin))
        terms.update(self._synonyms.chinese_concepts(normalised))
        return terms

    def _correct(self, token: str) -> str:
        """Replace an unknown English word by a close FAQ word ('licnese' → 'licens')."""
        if token in self._idf or len(token) < 4 or token.isdigit():
            return token
        found = process.extractOne(
            token, self._latin_vocabulary, scorer=fuzz.ratio, score_cutoff=80
        )
        return found[0] if found else token

    def _vector(self, terms: Counter[str]) -> Vector:
        vector: Vector = {}
        for term, count in terms.items():
            idf = self._idf.get(term)
            if idf is None:
                idf = self._unknown_idf
                if is_chinese(term):
                    idf *= self.thresholds.unknown_chinese_weight
            vector[term] = (1 + math.log(count)) * idf
        return _unit(vector)


def _texts_of(entry: Entry) -> list[str]:
    texts = entry.questions.all() + list(entry.title.all())
    if entry.keywords:
        texts.append(" ".join(entry.keywords))
    return texts


def _inverse_document_frequencies(documents: list[Counter[str]]) -> dict[str, float]:
    frequency: Counter[str] = Counter()
    for terms in documents:
        frequency.update(terms.keys())
    total = len(documents)
    return {term: math.log((total + 1) / (count + 1)) + 1 for term, count in frequency.items()}


def _unit(vector: Vector) -> Vector:
    norm = math.sqrt(sum(weight * weight for weight in vector.values()))
    return {term: weight / norm for term, weight in vector.items()} if norm else {}
