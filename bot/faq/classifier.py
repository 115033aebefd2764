"""Which entry a question's meaning belongs to: a softmax regression over sentence vectors.

Trained on the knowledge base's example questions (each labelled with its entry, the
out-of-scope questions with their own label), it learns which directions of the sentence space
tell entries apart — better than the nearest example alone, which one odd example can mislead
(cross-validation on real people's questions, bench/faq_cv.py: 74 % right with the words vs.
68 % with the nearest example and 64 % with words alone).

Training the shipped FAQ takes about ten seconds, so the result is kept in
``bot/knowledge/faq_classifier.npz`` with a fingerprint of what it was trained on
(``python -m bot.catalog_tools`` refreshes it); an edited knowledge base is trained afresh
when the matcher is built.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, Protocol

import numpy as np

from bot.faq.semantic import Vectors, text_key

log = logging.getLogger(__name__)

CLASSIFIER_PATH = Path(__file__).resolve().parent.parent / "knowledge" / "faq_classifier.npz"


class TextVectors(Protocol):
    """Vectors of texts: sentence vectors (bot.faq.semantic) or word vectors
    (bot.faq.word_vectors)."""

    def vectors(self, texts: Sequence[str]) -> Vectors: ...


class Example(NamedTuple):
    """A text the classifier learns, its label, and whether a real client wrote it."""

    text: str
    label: str
    from_client: bool = False


@dataclass(frozen=True)
class Training:
    """How the regression is fitted (measured with bench/faq_cv.py)."""

    regularisation: float = 30.0  # inverse L2 strength, as scikit-learn's C
    epochs: int = 1000  # full-batch Adam steps
    learning_rate: float = 0.05
    # A question a real client wrote weighs this many examples of ours: cross-validation on
    # real questions, 1002 of them: 71.2 % right at 1, 73.0 % at 4, 72.5 % at 8.
    client_weight: float = 4.0


class EntryClassifier:
    """Probabilities over labels (entry ids) for a sentence vector."""

    def __init__(
        self, labels: Sequence[str], weights: Vectors, bias: Vectors, fingerprint: str
    ) -> None:
        self.labels = list(labels)
        self.weights = weights
        self.bias = bias
        self.fingerprint = fingerprint

    def probabilities(self, vector: Vectors) -> Vectors:
        """Each label's probability (in `labels` order) for one sentence vector."""
        logits = vector @ self.weights + self.bias
        logits = logits - logits.max()
        exps = np.exp(logits)
        result: Vectors = exps / exps.sum()
        return result

    @classmethod
    def for_examples(
        cls,
        store: TextVectors,
        examples: Sequence[Example],
        path: Path | None = CLASSIFIER_PATH,
        training: Training | None = None,
        basis: str = "",
    ) -> EntryClassifier:
        """The classifier of (text, label) examples: from the file when it was trained on
        exactly these (and vectors of the same `basis`), otherwise trained now."""
        training = training or Training()
        fingerprint = _fingerprint(examples, training, basis)
        if path is not None and path.exists():
            with np.load(path) as stored:
                if str(stored["fingerprint"]) == fingerprint:
                    return cls(
                        [str(label) for label in stored["labels"]],
                        stored["weights"].astype(np.float32),
                        stored["bias"].astype(np.float32),
                        fingerprint,
                    )
        started = time.perf_counter()
        labels = sorted({example.label for example in examples})
        matrix = store.vectors([example.text for example in examples])
        index = {label: number for number, label in enumerate(labels)}
        targets = np.array([index[example.label] for example in examples], dtype=np.int64)
        importance = np.array(
            [training.client_weight if example.from_client else 1.0 for example in examples],
            dtype=np.float32,
        )
        weights, bias = _fit(matrix, targets, importance, len(labels), training)
        if len(examples) > 100:
            log.info(
                "Trained the FAQ classifier on %d examples in %.1f s (`make locales` keeps it)",
                len(examples),
                time.perf_counter() - started,
            )
        return cls(labels, weights, bias, fingerprint)

    def save(self, path: Path = CLASSIFIER_PATH) -> Path:
        """Write the classifier and its fingerprint."""
        with path.open("wb") as file:
            np.savez_compressed(
                file,
                labels=np.array(self.labels),
                weights=self.weights.astype(np.float16),
                bias=self.bias.astype(np.float16),
                fingerprint=np.array(self.fingerprint),
            )
        return path


def _fingerprint(examples: Sequence[Example], training: Training, basis: str) -> str:
    digest = hashlib.sha1(repr(training).encode(), usedforsecurity=False)
    if basis:
        digest.update(basis.encode())
    for key, label, from_client in sorted(
        (text_key(example.text), example.label, example.from_client) for example in examples
    ):
        digest.update(f"{key}\t{label}\t{from_client:d}\n".encode())
    return digest.hexdigest()


def _fit(
    matrix: Vectors, targets: np.ndarray, importance: Vectors, classes: int, training: Training
) -> tuple[Vectors, Vectors]:
    """Multinomial logistic regression with L2 and a weight per example (`importance`),
    full-batch Adam (deterministic: starts at 0)."""
    count, dimensions = matrix.shape
    scale_rows = (importance / importance.mean())[:, None]
    onehot = np.zeros((count, classes), dtype=np.float32)
    onehot[np.arange(count), targets] = 1.0
    weights = np.zeros((dimensions, classes), dtype=np.float32)
    bias = np.zeros(classes, dtype=np.float32)
    penalty = 1.0 / (training.regularisation * count)
    moments = [np.zeros_like(weights), np.zeros_like(bias)]
    squares = [np.zeros_like(weights), np.zeros_like(bias)]
    for step in range(1, training.epochs + 1):
        logits = matrix @ weights + bias
        logits -= logits.max(axis=1, keepdims=True)
        probabilities = np.exp(logits)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        error = (probabilities - onehot) * scale_rows / count
        gradients = (matrix.T @ error + penalty * weights, error.sum(axis=0))
        for number, (parameter, gradient) in enumerate(
            zip((weights, bias), gradients, strict=True)
        ):
            moments[number] = 0.9 * moments[number] + 0.1 * gradient
            squares[number] = 0.999 * squares[number] + 0.001 * gradient * gradient
            corrected = moments[number] / (1 - 0.9**step)
            scale = np.sqrt(squares[number] / (1 - 0.999**step)) + 1e-8
            parameter -= training.learning_rate * corrected / scale
    return weights, bias
