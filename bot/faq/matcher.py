"""Matching a client's free-text question to an FAQ entry.

Every entry is represented by its example questions, title and keywords, in every language;
the knowledge file's out-of-scope questions form one more, hidden, "entry". A question becomes
weighted terms: stemmed English words and word pairs, Chinese character pairs, and
cross-language concept terms from the synonym table. Weights are TF-IDF, with the IDF counted
over entries, so that the words one entry's examples share are that entry's signature.

An entry's score blends the cosine similarity with its closest example and with the entry as a
whole, and then that cosine score with the entry's naive Bayes posterior (multinomial, the
examples' TF-IDF weights as counts): the cosine rewards a close paraphrase, the posterior the
words an entry's examples keep using. The out-of-scope questions are no Bayes class (a mixture
of unrelated requests would win every two-topic question): their score is the cosine alone.
Words the FAQ never uses count against every entry. The indexes are packed into flat arrays.
The bot answers only when the best entry scores well enough and clearly better than the
out-of-scope questions; otherwise it offers the closest entries or a person. When the
out-of-scope questions score best, the request is one the bot cannot serve (UNSUPPORTED:
flights, weather, other services, other software).

Words miss what real clients write in their own words, so a question that the words do not
settle beyond doubt is also judged by meaning: a classifier over multilingual sentence vectors
(``bot.faq.semantic``, ``bot.faq.classifier``), trained on the examples, gives each entry (and
the out-of-scope questions) a probability, which is added, weighted, to its score. The limits
of that blend were chosen by cross-validation on real people's questions (bench/faq_cv.py)
and the tuning half of bench/faq_real.toml; without vectors, words alone decide (WORDS_ONLY).
The sentence encoder takes 20-60 ms, so it is the last look: the words settle a clear question
alone, and the words with word vectors (``bot.faq.word_vectors``, a fraction of a millisecond)
settle one more in five when both point to the same entry, clearly.

Real posts are long: a message is cut into sentences, its question sentences weigh more than
the story around them and greetings, thanks and signatures nothing. When a message asks two
things, the best entry for the part the answer does not cover is returned as `also`.
"""

from __future__ import annotations

import logging
import math
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from rapidfuzz import fuzz, process

from bot.faq.classifier import EntryClassifier, Example
from bot.faq.knowledge import Entry, KnowledgeBase
from bot.faq.semantic import EncoderUnavailableError, VectorStore
from bot.faq.smalltalk import classify
from bot.faq.text import (
    SynonymTable,
    asked_clauses,
    chinese_terms,
    for_meaning,
    is_chinese,
    is_question,
    is_stopword,
    latin_bigrams,
    names_the_filing,
    normalise,
    sentences,
    tokens,
)
from bot.faq.word_vectors import WordMeaning

log = logging.getLogger(__name__)

Vector = dict[str, float]
Terms = defaultdict[str, float]  # term → weighted count
OUT_OF_SCOPE = "__out_of_scope__"
MEANINGFUL = 0.01  # a probability by meaning below this adds nothing
MEANING_PARTS = 3  # at most this many questions of one message are judged (~20 ms each)
# The encoder's cost grows with the text (a 4,000-character message took seconds): it reads at
# most this much of each text, as long as the longest real question we have collected
# (the encoder also stops at MAX_TOKENS, bot.faq.semantic).
MEANING_CHARS = 300
# When unsure, the entries that came closest are offered beside staff: under cross-validation on
# real questions (bench/faq_cv.py, 1,554) the one asked for was among the first two in 48 of the
# 75 covered questions the bot was unsure of.
UNSURE_CLOSEST = 2


class Outcome(StrEnum):
    """What the bot should do with a question."""

    ANSWER = "answer"  # confident: answer with the best entry
    SUGGEST = "suggest"  # related but unsure: offer the closest entries and staff
    UNSURE = "unsure"  # not understood: offer staff
    UNSUPPORTED = "unsupported"  # a request the bot cannot serve (off-topic): say so, offer staff


@dataclass(frozen=True)
class MatchSettings:
    """The weights and limits of matching, measured with bench/faq_eval.py."""

    answer: float = 0.15  # best score needed to answer
    margin: float = 0.0  # ... and by how much it must beat the runner-up
    suggest: float = 0.08  # below this, nothing is close enough to suggest
    out_of_scope_ratio: float = 0.8  # out-of-scope at ≥ this share of the best → don't answer
    sure: float = 0.6  # ... unless the best is this good and still ahead of out-of-scope
    one_word_answer: float = 0.3  # a one-word question must match at least this well
    example_share: float = 0.45  # closest example vs. whole entry in an entry's score
    bigram_weight: float = 0.5  # English word pairs, relative to single words
    unknown_latin_weight: float = 0.5  # an English word the FAQ never uses, relative to the rarest
    unknown_chinese_weight: float = 0.5  # the same for a Chinese character pair
    typo_similarity: float = 80  # how close (0-100) a misspelt word must be to an FAQ word
    question_weight: float = 2.0  # a long message's question sentences, relative to the rest
    idf_power: float = 1.5  # sharpens the IDF: common words such as "ICP" weigh even less
    unsupported: float = 0.15  # out-of-scope at least this good and ahead of every entry
    bayes_share: float = 0.5  # the naive Bayes posterior vs. the cosine similarity in a score
    bayes_smoothing: float = 0.1  # additive smoothing of the naive Bayes term weights
    semantic_weight: float = 0.6  # the probability by meaning added to the words' score
    # Words alone settle an answer (no sentence vectors, ~20 ms saved) when the best entry scores
    # this well, this many times the runner-up and the out-of-scope questions (bench/faq_cv.py).
    words_sure: float = 0.2
    words_lead: float = 2.0  # ... over the runner-up
    words_lead_out_of_scope: float = 4.0  # ... over the out-of-scope questions
    # Otherwise words and word vectors settle it (~20 ms saved) when the word vectors point to
    # the words' best entry and the blend answers it this well, this far ahead (bench/faq_cv.py:
    # 74.3 % right, 1244 of 1675, vs. 1246 without the quick look).
    quick_sure: float = 0.3
    quick_lead: float = 1.5  # ... over the runner-up
    quick_lead_out_of_scope: float = 2.0  # ... over the out-of-scope questions
    quick_words_lead: float = 1.3  # ... and the words' best this many times their runner-up
    related: float = 0.6  # a runner-up at this share of the best answer is offered beside it


# Without sentence vectors (words only), the limits measured for words alone.
WORDS_ONLY = MatchSettings(answer=0.15, out_of_scope_ratio=0.7, sure=0.55)


@dataclass(frozen=True)
class Match:
    """One entry's score for a question."""

    entry_id: str
    score: float


@dataclass(frozen=True)
class MatchResult:
    """The outcome for a question and the best-scoring entries, best first."""

    outcome: Outcome
    candidates: tuple[Match, ...]
    also: Match | None = None  # the best entry for another part of a two-part question
    # A close runner-up of an answer: the neighbouring entry the client may have meant
    # ("why is it needed?" next to "what is it?"), offered as a button.
    related: Match | None = None
    # Unsure: the entries that came closest (at least as close as a suggestion needs).
    closest: tuple[Match, ...] = ()

    @property
    def best(self) -> Match | None:
        """The highest-scoring entry, if any scored at all."""
        return self.candidates[0] if self.candidates else None

    @property
    def answered(self) -> set[str]:
        """The entries the reply answers: the best one and, for a two-part question, the
        other part's (as a last section or a button that opens it)."""
        if self.outcome is not Outcome.ANSWER or self.best is None:
            return set()
        return {self.best.entry_id} | ({self.also.entry_id} if self.also else set())

    @property
    def offered(self) -> set[str]:
        """The entries a reply offers one tap away, as buttons: the suggestions, the closest
        entries when unsure, an answer's related entry."""
        if self.outcome is Outcome.SUGGEST:
            return {match.entry_id for match in self.candidates}
        found = {match.entry_id for match in self.closest}
        return found | ({self.related.entry_id} if self.related else set())


def _top_scores(ranked: tuple[Match, ...]) -> tuple[float, float]:
    """The scores of the best and the runner-up entries (0 where there is none)."""
    scores = [match.score for match in ranked[:2]] + [0.0, 0.0]
    return scores[0], scores[1]


class FaqMatcher:
    """Scores questions against every entry of a knowledge base."""

    def __init__(
        self,
        knowledge: KnowledgeBase,
        settings: MatchSettings | None = None,
        vectors: VectorStore | None = None,
    ) -> None:
        """Index a knowledge base; with `vectors`, scores blend words and sentence meaning."""
        self.settings = settings or (MatchSettings() if vectors is not None else WORDS_ONLY)
        self.vectors = vectors
        # The limits of a decision by words alone (the first look, or the only one).
        self._word_limits = WORDS_ONLY if vectors is not None else self.settings
        self._synonyms = SynonymTable(group.words for group in knowledge.synonyms)
        self._entry_ids = [entry.id for entry in knowledge.entries]
        texts = [_texts_of(entry) for entry in knowledge.entries]
        if knowledge.out_of_scope is not None:
            self._entry_ids.append(OUT_OF_SCOPE)
            out_of_scope = knowledge.out_of_scope
            texts.append(out_of_scope.questions.all() + out_of_scope.client_questions.all())
        self.classifier: EntryClassifier | None = None
        self.word_meaning: WordMeaning | None = None
        if vectors is not None:
            examples = meaning_examples(knowledge)
            self.classifier = _classifier(vectors, examples)
            self.word_meaning = _word_meaning(vectors, examples)
        # Each classifier label's entry index (the labels are entry ids).
        self._label_entries = [
            self._entry_ids.index(label)
            for label in (self.classifier.labels if self.classifier else [])
        ]
        self._word_label_entries = [
            self._entry_ids.index(label)
            for label in (self.word_meaning.labels if self.word_meaning else [])
        ]
        documents = [
            (entry, self._terms(text))
            for entry, entry_texts in enumerate(texts)
            for text in entry_texts
        ]
        self._idf = {
            term: idf**self.settings.idf_power
            for term, idf in _inverse_entry_frequencies(documents, len(self._entry_ids)).items()
        }
        self._rarest_idf = (math.log(len(self._entry_ids) + 1) + 1) ** self.settings.idf_power
        self._vocabulary = sorted(
            term for term in self._idf if term.isascii() and term.isalnum() and not term.isdigit()
        )
        self._example_entry = np.fromiter((entry for entry, _ in documents), dtype=np.uint16)
        # Where each entry's examples start.
        self._entry_first_example = np.searchsorted(
            self._example_entry, np.arange(len(self._entry_ids))
        )
        centroids: list[Terms] = [defaultdict(float) for _ in self._entry_ids]

        def example_postings() -> Iterator[tuple[str, int, float, float]]:
            for example, (entry, terms) in enumerate(documents):
                for term, weight in self._vector(terms).items():
                    centroids[entry][term] += weight
                    yield term, example, weight, 0.0

        self._example_index = _Postings(example_postings())
        documents.clear()  # the example vectors are indexed: free the term counts
        # The out-of-scope questions are a mixture of unrelated requests, not one question:
        # as a naive Bayes class they would win every question that mixes two topics.
        self._out_of_scope = (
            self._entry_ids.index(OUT_OF_SCOPE) if OUT_OF_SCOPE in self._entry_ids else None
        )
        gains, defaults = _naive_bayes(
            centroids, len(self._idf), self.settings.bayes_smoothing, self._out_of_scope
        )
        self._bayes_default = np.array(defaults)
        # One posting per term and entry: its weight in the entry's unit centroid and its naive
        # Bayes gain (one index rather than two keeps the matcher small).
        self._centroid_index = _Postings(
            (term, entry, weight, gains[entry].get(term, 0.0))
            for entry, centroid in enumerate(centroids)
            for term, weight in _unit(dict(centroid)).items()
        )

    def match(self, question: str) -> MatchResult:
        """Score a question and decide whether to answer, suggest or hand off."""
        parts = self._parts(question)
        terms: Terms = defaultdict(float)
        for part, weight in parts:
            for term, count in self._terms(part, correct_typos=True).items():
                terms[term] += count * weight
        ranked, outcome = self._judge(terms, self._meaning_texts(question, parts))
        if outcome is Outcome.UNSUPPORTED and names_the_filing(question):
            # "In China, how to add ICP number": an ICP question in words the FAQ does not know
            # is one to be unsure of (the closest entries are offered), not an off-topic request.
            outcome = Outcome.UNSURE
        candidates = ranked[:3]
        if outcome is Outcome.UNSURE:
            closest = candidates[:UNSURE_CLOSEST]
            closest = tuple(match for match in closest if match.score >= self.settings.suggest)
            return MatchResult(outcome, candidates, closest=closest)
        if outcome is not Outcome.ANSWER:
            return MatchResult(outcome, candidates)
        also = self._other_part(parts, candidates)
        return MatchResult(outcome, candidates, also, self._related(candidates, also))

    def _meaning_texts(self, question: str, parts: list[tuple[str, float]]) -> list[str]:
        """What the sentence encoder reads of a message: the whole of a short one; the
        questions of one that asks several things (the meaning of each, not of their blend)
        or is too long to read whole; at most MEANING_CHARS of each."""
        asked = [part for part, weight in parts if weight >= self.settings.question_weight]
        if len(asked) > 1 or (asked and len(question) > MEANING_CHARS):
            return [part[:MEANING_CHARS] for part in asked[:MEANING_PARTS]]
        return [question[:MEANING_CHARS]]

    def _related(self, candidates: tuple[Match, ...], also: Match | None) -> Match | None:
        """The runner-up of an answer when it scores close to the best (neighbouring entries
        are the matcher's usual mistake: under cross-validation on real questions a quarter
        of such runners-up were the entry asked for), unless it is answered already."""
        if len(candidates) < 2:
            return None
        best, runner_up = candidates[0], candidates[1]
        if runner_up.score < best.score * self.settings.related:
            return None
        if also is not None and also.entry_id == runner_up.entry_id:
            return None
        return runner_up

    def _judge(self, terms: Terms, texts: list[str]) -> tuple[tuple[Match, ...], Outcome]:
        """Entries by score and the outcome: by words when they settle it beyond doubt,
        otherwise by words and the meaning of `texts` together."""
        one_word = _one_word(terms)
        words = self._word_scores(terms)
        ranked, out_of_scope = self._rank(words)
        outcome = self._decide(ranked[:3], out_of_scope, one_word, self._word_limits)
        if self._words_settle(ranked, out_of_scope, outcome):
            return ranked, outcome
        if (quick := self._quick_look(words, ranked, texts, one_word)) is not None:
            return quick
        meaning = self._meaning(texts)
        if meaning is None:
            return ranked, outcome  # the encoder cannot run: the words decide
        ranked, out_of_scope = self._rank(self._with_meaning(words, meaning))
        blended = self._decide(ranked[:3], out_of_scope, one_word, self.settings)
        if blended is Outcome.UNSUPPORTED and outcome is not Outcome.UNSUPPORTED:
            # "Outside what I can help with" only when the words say so too: an ICP question
            # in unusual words is one the bot is unsure of, not an off-topic request.
            return ranked, Outcome.UNSURE
        return ranked, blended

    def _words_settle(
        self, ranked: tuple[Match, ...], out_of_scope: float, outcome: Outcome
    ) -> bool:
        """Words alone answer confidently, clearly ahead of the runner-up and far ahead of the
        out-of-scope questions: the sentence vectors (~20 ms) would not change the answer
        (measured with bench/faq_cv.py and the tuning half of bench/faq_real.toml)."""
        limits = self.settings
        return _settled(
            ranked,
            out_of_scope,
            outcome,
            (limits.words_sure, limits.words_lead, limits.words_lead_out_of_scope),
        )

    def _quick_look(
        self,
        words: dict[int, float],
        by_words: tuple[Match, ...],
        texts: list[str],
        one_word: bool,
    ) -> tuple[tuple[Match, ...], Outcome] | None:
        """Entries and outcome by the words and the word vectors together, when these settle
        the answer: the words lean to one entry, the word vectors point to it too and the blend
        answers it clearly (under cross-validation on real questions, bench/faq_cv.py, a fifth
        of the questions are settled so, 2 in 1675 fewer right than by the sentence vectors)."""
        if self.word_meaning is None or not by_words or one_word:
            return None  # one word ("still there?") is too little to judge by its vector
        best, runner_up = _top_scores(by_words)
        if best < runner_up * self.settings.quick_words_lead:
            return None  # the words hesitate between two entries: let the meaning decide
        probabilities = self.word_meaning.probabilities(texts)
        pointed = self.word_meaning.labels[int(np.argmax(probabilities))]
        if pointed != by_words[0].entry_id:
            return None
        blend = self._with_meaning(words, _by_entry(probabilities, self._word_label_entries))
        ranked, out_of_scope = self._rank(blend)
        outcome = self._decide(ranked[:3], out_of_scope, one_word, self.settings)
        limits = self.settings
        quick = (limits.quick_sure, limits.quick_lead, limits.quick_lead_out_of_scope)
        return (ranked, outcome) if _settled(ranked, out_of_scope, outcome, quick) else None

    def _parts(self, question: str) -> list[tuple[str, float]]:
        """The sentences of a question, each with its weight: a long post's question sentences
        weigh more than the story around them, greetings, thanks and signatures nothing."""
        found = sentences(normalise(question))
        if len(found) <= 1:
            return [(question, 1.0)]
        asking = self.settings.question_weight
        parts = [
            (part, 0.0 if classify(part) else asking if is_question(part) else 1.0)
            for part in found
        ]
        if not any(weight for _, weight in parts):
            return [(question, 1.0)]
        return parts

    def _word_scores(self, terms: Terms) -> dict[int, float]:
        """Each entry's score (by index) from the words of a question."""
        query = self._vector(terms)
        return self._scores(query) if query else {}

    def _rank(self, scores: dict[int, float]) -> tuple[tuple[Match, ...], float]:
        """Entries by score, best first, and the out-of-scope questions' score."""
        ranked = sorted(
            (Match(self._entry_ids[entry], score) for entry, score in scores.items() if score > 0),
            key=lambda match: match.score,
            reverse=True,
        )
        out_of_scope = next((m.score for m in ranked if m.entry_id == OUT_OF_SCOPE), 0.0)
        return tuple(m for m in ranked if m.entry_id != OUT_OF_SCOPE), out_of_scope

    def _other_part(
        self, parts: list[tuple[str, float]], candidates: tuple[Match, ...]
    ) -> Match | None:
        """For a question in two or more parts, a confident answer to a part the best entry
        does not answer."""
        questions = [part for part, weight in parts if weight >= self.settings.question_weight]
        if len(parts) == 1:  # one sentence may still join two questions with a comma
            questions = asked_clauses(normalise(parts[0][0]))
        questions = questions[:MEANING_PARTS]  # a flood of question marks is no more work
        if len(questions) < 2 or not candidates:
            return None
        best = candidates[0].entry_id
        found: Match | None = None
        for part in questions:
            terms = self._terms(part, correct_typos=True)
            ranked, outcome = self._judge(terms, [part[:MEANING_CHARS]])
            if not ranked or ranked[0].entry_id == best:
                continue
            if outcome is Outcome.ANSWER and (found is None or ranked[0].score > found.score):
                found = ranked[0]
        return found

    @staticmethod
    def _decide(
        candidates: tuple[Match, ...], out_of_scope: float, one_word: bool, limits: MatchSettings
    ) -> Outcome:
        best, runner_up = _top_scores(candidates)
        if out_of_scope >= limits.unsupported and out_of_scope >= best:
            return Outcome.UNSUPPORTED  # closest to what we must not answer: an off-topic request
        if not candidates or best < limits.suggest:
            return Outcome.UNSURE
        needed = max(limits.answer, limits.one_word_answer) if one_word else limits.answer
        if out_of_scope >= best:
            return Outcome.UNSURE  # closer to questions we must not answer: don't guess
        if out_of_scope >= best * limits.out_of_scope_ratio and best < limits.sure:
            # Nearly as close to them: no answer, but a good entry is offered beside staff.
            return Outcome.SUGGEST if best >= needed else Outcome.UNSURE
        if best >= needed and best - runner_up >= limits.margin:
            return Outcome.ANSWER
        return Outcome.SUGGEST

    def _meaning(self, texts: list[str]) -> dict[int, float] | None:
        """Each entry's probability, by the classifier of sentence vectors, of being asked
        (averaged over `texts`, the questions of one message); None if the encoder is down."""
        if self.vectors is None or self.classifier is None:
            return None
        vectors, classifier = self.vectors, self.classifier
        try:
            probabilities = np.mean(
                [
                    classifier.probabilities(vectors.encode_one(for_meaning(text)))
                    for text in texts
                ],
                axis=0,
            )
        except EncoderUnavailableError as error:
            log.error("FAQ sentence encoder unavailable, matching by words alone: %s", error)
            self.classifier = None
            return None
        return _by_entry(probabilities, self._label_entries)

    def _with_meaning(
        self, scores: dict[int, float], meaning: dict[int, float]
    ) -> dict[int, float]:
        """Add to each entry's word score its weighted probability by meaning (meaning only
        adds evidence, so what the words answer well stays answered)."""
        weight = self.settings.semantic_weight
        blended = dict(scores)
        for entry, probability in meaning.items():
            blended[entry] = blended.get(entry, 0.0) + weight * probability
        return blended

    def _scores(self, query: Vector) -> dict[int, float]:
        """Each entry's score (by index) for a query's term weights: one pass of array sums
        over the postings of its terms (a question's common words have thousands)."""
        entries = len(self._entry_ids)
        examples, example_weights, _ = self._example_index.gather(query)
        entry_keys, entry_weights, entry_gains = self._centroid_index.gather(query)
        if not len(entry_keys):
            return {}
        example_scores = np.bincount(
            examples, weights=example_weights, minlength=len(self._example_entry)
        )
        # Examples are stored entry by entry: the best of each entry's run is its closest (an
        # entry without examples, such as empty out-of-scope questions, scores nothing anyway).
        closest_example = np.maximum.reduceat(
            np.append(example_scores, 0.0), self._entry_first_example
        )
        entry_scores = np.bincount(entry_keys, weights=entry_weights, minlength=entries)
        share = self.settings.example_share
        scores = share * closest_example + (1 - share) * entry_scores
        bayes = self.settings.bayes_share
        if bayes:
            posterior = self._posterior(query, entry_keys, entry_gains)
            blended = (1 - bayes) * scores + bayes * posterior
            if self._out_of_scope is not None:
                blended[self._out_of_scope] = scores[self._out_of_scope]
            scores = blended
        return {int(entry): float(scores[entry]) for entry in np.unique(entry_keys)}

    def _posterior(
        self, query: Vector, entry_keys: np.ndarray | None = None, gains: np.ndarray | None = None
    ) -> np.ndarray:
        """Each entry's naive Bayes probability of having been asked, from the query's terms
        that the FAQ uses (0 for the out-of-scope questions, which are no entry); the
        query's centroid postings (entry, gain) when already gathered."""
        if entry_keys is None or gains is None:
            entry_keys, _, gains = self._centroid_index.gather(query)
        known = sum(weight for term, weight in query.items() if term in self._idf)
        logits = self._bayes_default * known + np.bincount(
            entry_keys, weights=gains, minlength=len(self._entry_ids)
        )
        if self._out_of_scope is not None:
            logits[self._out_of_scope] = -np.inf
        exps = np.exp(logits - logits.max())
        result: np.ndarray = exps / exps.sum()
        return result

    def _terms(self, text: str, *, correct_typos: bool = False) -> Terms:
        normalised = normalise(text)
        terms: Terms = defaultdict(float)
        latin: list[str] = []
        for token in tokens(normalised):
            if is_chinese(token):
                _count(terms, chinese_terms(token))
            else:
                latin.append(self._correct(token) if correct_typos else token)
        content = [token for token in latin if not is_stopword(token)]
        _count(terms, content)
        for bigram in latin_bigrams(latin):
            terms[bigram] += self.settings.bigram_weight
        concepts = self._synonyms.latin_concepts(content)
        # Pinyin phrases keep their short syllables, which are English stopwords ("gong an
        # bei an"): phrases are also looked for among all the words.
        concepts += [c for c in self._synonyms.latin_concepts(latin) if c not in concepts]
        _count(terms, concepts)
        _count(terms, self._synonyms.chinese_concepts(normalised))
        return terms

    def _correct(self, token: str) -> str:
        """Replace an unknown English word by a close FAQ word ('licnese' → 'licens')."""
        if token in self._idf or len(token) < 4 or token.isdigit() or is_stopword(token):
            return token
        if token in self._synonyms.latin_words:
            return token  # a word of a synonym phrase ("gong an"), not a misspelt "going"
        found = process.extractOne(
            token, self._vocabulary, scorer=fuzz.ratio, score_cutoff=self.settings.typo_similarity
        )
        return found[0] if found else token

    def _vector(self, terms: Terms) -> Vector:
        vector: Vector = {}
        for term, count in terms.items():
            idf = self._idf.get(term)
            if idf is None:
                unknown = (
                    self.settings.unknown_chinese_weight
                    if is_chinese(term)
                    else self.settings.unknown_latin_weight
                )
                idf = self._rarest_idf * unknown
            vector[term] = (1 + math.log(count) if count >= 1 else count) * idf
        return _unit(vector)


class _Postings:
    """A term → postings index packed into flat arrays: a posting (example or entry, weight,
    gain) takes 20 bytes instead of a tuple of three Python objects, which keeps the matcher's
    memory small as the FAQ grows, and a query's postings are summed as arrays."""

    def __init__(self, postings: Iterable[tuple[str, int, float, float]]) -> None:
        self._slots: dict[str, int] = {}
        slots, keys, weights, gains = array("I"), array("I"), array("d"), array("d")
        for term, key, weight, gain in postings:
            slots.append(self._slots.setdefault(term, len(self._slots)))
            keys.append(key)
            weights.append(weight)
            gains.append(gain)
        order = np.argsort(np.frombuffer(slots, dtype=np.uint32), kind="stable")  # keeps key order
        self._keys = np.frombuffer(keys, dtype=np.uint32)[order]
        self._weights = np.frombuffer(weights, dtype=np.float64)[order]
        self._gains = np.frombuffer(gains, dtype=np.float64)[order]
        counts = np.bincount(np.frombuffer(slots, dtype=np.uint32), minlength=len(self._slots))
        self._bounds = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)

    def get(self, term: str) -> Iterator[tuple[int, float, float]]:
        """The postings of a term: (example or entry, weight, naive Bayes gain)."""
        keys, weights, gains = self.gather({term: 1.0})
        return zip(keys.tolist(), weights.tolist(), gains.tolist(), strict=True)

    def gather(self, query: Vector) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The postings of a query's terms, each weight and gain times the term's weight:
        (examples or entries, weights, gains), one array each."""
        spans = [
            (self._bounds[slot], self._bounds[slot + 1], weight)
            for term, weight in query.items()
            if (slot := self._slots.get(term)) is not None
        ]
        if not spans:
            return np.zeros(0, np.uint32), np.zeros(0), np.zeros(0)
        index = np.concatenate([np.arange(start, stop) for start, stop, _ in spans])
        scale = np.concatenate([np.full(stop - start, weight) for start, stop, weight in spans])
        return self._keys[index], self._weights[index] * scale, self._gains[index] * scale


def _count(terms: Terms, found: Iterable[str]) -> None:
    """Count each term found once more."""
    for term in found:
        terms[term] += 1


def _settled(
    ranked: tuple[Match, ...],
    out_of_scope: float,
    outcome: Outcome,
    limits: tuple[float, float, float],
) -> bool:
    """An answer whose best entry scores at least `sure`, `lead` times the runner-up and
    `lead_out_of_scope` times the out-of-scope questions (`limits`, in that order)."""
    sure, lead, lead_out_of_scope = limits
    best, runner_up = _top_scores(ranked)
    return (
        outcome is Outcome.ANSWER
        and best >= sure
        and best >= runner_up * lead
        and best >= out_of_scope * lead_out_of_scope
    )


def _by_entry(probabilities: np.ndarray, label_entries: list[int]) -> dict[int, float]:
    """Probabilities by label, as entry index → probability (those that mean something)."""
    return {
        entry: float(probability)
        for entry, probability in zip(label_entries, probabilities, strict=True)
        if probability >= MEANINGFUL
    }


def _one_word(terms: Terms) -> bool:
    return sum(1 for term in terms if "_" not in term and not term.startswith("§")) <= 1


def _classifier(vectors: VectorStore, examples: list[Example]) -> EntryClassifier | None:
    """The classifier of the examples' meaning, or None (words alone) if it needs the sentence
    encoder and the encoder cannot run here."""
    try:
        return EntryClassifier.for_examples(vectors, examples)
    except EncoderUnavailableError as error:
        log.error("FAQ sentence encoder unavailable, matching by words alone: %s", error)
        return None


def _word_meaning(vectors: VectorStore, examples: list[Example]) -> WordMeaning | None:
    """Entry probabilities by the examples' word vectors, or None (no quick look) if they need
    the sentence encoder and the encoder cannot run here."""
    try:
        return WordMeaning.for_examples(vectors.encoder, examples, vectors.words_path)
    except EncoderUnavailableError as error:
        log.error("FAQ sentence encoder unavailable, no word vectors: %s", error)
        return None


def meaning_examples(knowledge: KnowledgeBase) -> list[Example]:
    """What the classifier of meaning learns: every indexed text (entries' examples, real
    clients' questions, titles and keywords; the out-of-scope questions) as the encoder reads
    it, with its entry's id."""
    owners = [
        (entry.id, _texts_of(entry, with_clients=False), entry.client_questions.all())
        for entry in knowledge.entries
    ]
    if (out_of_scope := knowledge.out_of_scope) is not None:
        owners.append(
            (OUT_OF_SCOPE, out_of_scope.questions.all(), out_of_scope.client_questions.all())
        )
    return [
        Example(for_meaning(text), label, from_client)
        for label, ours, clients in owners
        for from_client, texts in ((False, ours), (True, clients))
        for text in texts
    ]


def indexed_texts(knowledge: KnowledgeBase) -> list[str]:
    """Every text the matcher encodes, as the sentence encoder reads it."""
    return [example.text for example in meaning_examples(knowledge)]


def _texts_of(entry: Entry, *, with_clients: bool = True) -> list[str]:
    """The texts that stand for an entry: examples (and real clients' questions), titles,
    keywords."""
    texts = entry.questions.all() + list(entry.title.all())
    if entry.keywords:
        texts.append(" ".join(entry.keywords))
    if with_clients:
        texts += entry.client_questions.all()
    return texts


def _inverse_entry_frequencies(
    documents: list[tuple[int, Terms]], entries: int
) -> dict[str, float]:
    """IDF over entries rather than examples: a word many examples of one entry share is that
    entry's signature and must weigh much, while a word spread over many entries says little."""
    holders: dict[str, set[int]] = defaultdict(set)
    for entry, terms in documents:
        for term in terms:
            holders[term].add(entry)
    return {
        term: math.log((entries + 1) / (len(owners) + 1)) + 1 for term, owners in holders.items()
    }


def _naive_bayes(
    masses: list[Terms], vocabulary: int, smoothing: float, skip: int | None
) -> tuple[list[dict[str, float]], list[float]]:
    """Multinomial naive Bayes over entries, with each example's TF-IDF weights as counts: per
    entry, the log-probability of a term it never uses (its default) and, per term it uses, how
    much more it gains. The entry `skip` (the out-of-scope questions) is no class: it gains
    nothing (the posterior leaves it out)."""
    gains: list[dict[str, float]] = []
    defaults: list[float] = []
    for entry, mass in enumerate(masses):
        if entry == skip:
            gains.append({})
            defaults.append(0.0)
            continue
        denominator = sum(mass.values()) + smoothing * vocabulary
        default = math.log(smoothing / denominator)
        defaults.append(default)
        gains.append(
            {
                term: math.log((weight + smoothing) / denominator) - default
                for term, weight in mass.items()
            }
        )
    return gains, defaults


def _unit(vector: Vector) -> Vector:
    norm = math.sqrt(sum(weight * weight for weight in vector.values()))
    return {term: weight / norm for term, weight in vector.items()} if norm else {}
