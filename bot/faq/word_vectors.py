"""A quick look at a question's meaning: the sentence encoder's vector of each word, kept.

The sentence encoder (``bot.faq.semantic``) takes about 2 ms per token, 20-60 ms for a question.
Much of what it adds to the words is that different words mean the same thing ("a week" and
"how long"). Word vectors keep part of that for a fraction of a millisecond: every word of the
FAQ (English words, Chinese characters and character pairs) is encoded once, alone, and a
question's vector is the mean of its words' vectors, weighted by how rare each word is among
the FAQ's texts (the idea of model2vec, with the FAQ's own words as the vocabulary). A
classifier over these vectors (``bot.faq.classifier``) then tells which entry they point to.

They are kept in ``bot/knowledge/faq_word_vectors.npz``, 8 bits per dimension with a scale per
word (``python -m bot.catalog_tools`` adds the words of new examples). Words of an edited
knowledge base that the file lacks are encoded when the matcher is built; a question's words
that the FAQ never uses are left out (they are not encoded while the client waits).
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.faq.classifier import EntryClassifier, Example
from bot.faq.semantic import (
    BATCH,
    WORD_VECTORS_PATH,
    EncoderUnavailableError,
    SentenceEncoder,
    Vectors,
)
from bot.faq.text import for_meaning

log = logging.getLogger(__name__)

WORD_CLASSIFIER_PATH = WORD_VECTORS_PATH.with_name("faq_word_classifier.npz")
Codes = npt.NDArray[np.int8]
_LATIN = re.compile(r"[a-z0-9]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")


def words_of(text: str) -> list[str]:
    """The words a text's vector is made of: English words and numbers, Chinese characters and
    pairs of neighbouring characters (Chinese has no spaces: a pair is often a word)."""
    text = for_meaning(text).lower()
    found = _LATIN.findall(text)
    for run in _CJK.findall(text):
        found += list(run)
        found += [run[start : start + 2] for start in range(len(run) - 1)]
    return found


class WordVectors:
    """Each word's sentence vector (centred on the mean word), kept in 8 bits per dimension
    with a scale per word (in memory as in the file), and each word's weight by rarity."""

    def __init__(self, words: Sequence[str], codes: Codes, scales: Vectors, mean: Vectors) -> None:
        self._row = {word: row for row, word in enumerate(words)}
        self._codes = codes  # 12,000 words × 384: 4.6 MB
        self._scales = scales
        self._mean = mean
        self._weight: dict[str, float] = {}
        self._unseen_weight = 1.0

    @classmethod
    def quantised(cls, words: Sequence[str], matrix: Vectors, mean: Vectors) -> WordVectors:
        """The vectors of `words` (`matrix`, centred on `mean`), in 8 bits."""
        scales = np.abs(matrix).max(axis=1, initial=0.0) / 127
        scales[scales == 0] = 1.0
        codes = np.round(matrix / scales[:, None]).astype(np.int8)
        return cls(words, codes, scales.astype(np.float32), mean)

    @property
    def words(self) -> list[str]:
        """The words that have a vector."""
        return list(self._row)

    @property
    def identity(self) -> str:
        """What tells these vectors from others made by another encoder or basis (for the
        classifier's fingerprint)."""
        return hashlib.sha1(self._mean.tobytes(), usedforsecurity=False).hexdigest()

    @classmethod
    def for_texts(
        cls,
        encoder: SentenceEncoder,
        texts: Sequence[str],
        path: Path | None = WORD_VECTORS_PATH,
    ) -> WordVectors:
        """The vectors of the words of `texts` (and no others), weighted by their rarity among
        `texts`: from the file, with the words it lacks encoded now (left out if the encoder
        cannot run). EncoderUnavailableError if there is no file and no encoder."""
        word_lists = [words_of(text) for text in texts]
        wanted = sorted({word for words in word_lists for word in words})
        stored = cls.load(path) if path is not None and path.exists() else None
        vectors = stored._for_words(encoder, wanted) if stored is not None else None
        if vectors is None:  # no file, or one made by another encoder
            matrix = _encode(encoder, wanted)
            mean = matrix.mean(axis=0) if len(matrix) else np.zeros(0, dtype=np.float32)
            vectors = cls.quantised(wanted, matrix - mean, mean)
        vectors._weigh(word_lists)
        return vectors

    def _for_words(self, encoder: SentenceEncoder, wanted: Sequence[str]) -> WordVectors | None:
        """The vectors of the `wanted` words: these, and those they lack encoded; None if the
        encoder's vectors are not of this file's kind."""
        kept = [word for word in wanted if word in self._row]
        missing = [word for word in wanted if word not in self._row]
        rows = [self._row[word] for word in kept]
        result = WordVectors(kept, self._codes[rows], self._scales[rows], self._mean)
        if not missing:
            return result
        try:
            new = _encode(encoder, missing)
        except EncoderUnavailableError as error:
            log.error(
                "FAQ sentence encoder unavailable, %d words left out: %s", len(missing), error
            )
            return result
        if new.shape[1] != self._codes.shape[1]:
            return None
        added = WordVectors.quantised(missing, new - self._mean, self._mean)
        return WordVectors(
            [*kept, *missing],
            np.concatenate([result._codes, added._codes]),
            np.concatenate([result._scales, added._scales]),
            self._mean,
        )

    def _weigh(self, word_lists: Iterable[list[str]]) -> None:
        """Weigh each word by its rarity among the texts whose words are `word_lists` (a
        smoothed IDF)."""
        holders: Counter[str] = Counter()
        count = 0
        for words in word_lists:
            holders.update(set(words))
            count += 1
        self._weight = {
            word: math.log((count + 1) / (held + 1)) + 1 for word, held in holders.items()
        }
        self._unseen_weight = math.log(count + 1) + 1

    def vector(self, text: str) -> Vectors:
        """A text's unit vector: its known words' vectors, weighted (zero if it has none)."""
        rows, weights = [], []
        for word in words_of(text):
            row = self._row.get(word)
            if row is not None:
                rows.append(row)
                weights.append(self._weight.get(word, self._unseen_weight))
        if not rows:
            return np.zeros(self._codes.shape[1], dtype=np.float32)
        scaled = np.asarray(weights, dtype=np.float32) * self._scales[rows]
        total: Vectors = scaled @ self._codes[rows].astype(np.float32)
        norm = float(np.linalg.norm(total))
        return total / norm if norm else total

    def vectors(self, texts: Sequence[str]) -> Vectors:
        """The vectors of `texts`, one row each (what the classifier is trained on)."""
        return np.stack([self.vector(text) for text in texts])

    @classmethod
    def load(cls, path: Path) -> WordVectors:
        """Read the file written by `save`."""
        with np.load(path) as stored:
            words = [str(word) for word in stored["words"]]
            codes = stored["codes"].astype(np.int8)
            scales = stored["scales"].astype(np.float32)
            mean = stored["mean"].astype(np.float32)
        return cls(words, codes, scales, mean)

    def save(self, path: Path = WORD_VECTORS_PATH) -> Path:
        """Write the vectors, words in order (the same vectors give the same file)."""
        kept = sorted(self._row)
        rows = [self._row[word] for word in kept]
        with path.open("wb") as file:
            np.savez_compressed(
                file,
                words=np.array(kept),
                codes=self._codes[rows],
                scales=self._scales[rows],
                mean=self._mean,
            )
        return path


def _encode(encoder: SentenceEncoder, words: Sequence[str]) -> Vectors:
    """The sentence vectors of `words`, each read alone."""
    if len(words) > BATCH:
        log.info("Encoding %d FAQ words missing from %s", len(words), WORD_VECTORS_PATH.name)
    rows = [encoder.encode(words[start : start + BATCH]) for start in range(0, len(words), BATCH)]
    return np.concatenate(rows).astype(np.float32) if rows else np.zeros((0, 0), np.float32)


class WordMeaning:
    """Each label's probability for a question, by its word vectors."""

    def __init__(self, vectors: WordVectors, classifier: EntryClassifier) -> None:
        self.vectors = vectors
        self.classifier = classifier

    @property
    def labels(self) -> list[str]:
        """The labels (entry ids) in the order of `probabilities`."""
        return self.classifier.labels

    @classmethod
    def for_examples(
        cls,
        encoder: SentenceEncoder,
        examples: Sequence[Example],
        words_path: Path | None = WORD_VECTORS_PATH,
        classifier_path: Path | None = WORD_CLASSIFIER_PATH,
    ) -> WordMeaning:
        """The word vectors of the examples' words and the classifier trained on them (from the
        files when they fit these examples). EncoderUnavailableError without file and encoder."""
        vectors = WordVectors.for_texts(
            encoder, [example.text for example in examples], words_path
        )
        classifier = EntryClassifier.for_examples(
            vectors, examples, classifier_path, basis=vectors.identity
        )
        return cls(vectors, classifier)

    def probabilities(self, texts: Sequence[str]) -> Vectors:
        """Each label's probability, averaged over `texts` (the questions of one message)."""
        rows = [self.classifier.probabilities(self.vectors.vector(text)) for text in texts]
        mean: Vectors = np.mean(rows, axis=0)
        return mean
