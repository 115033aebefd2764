"""Sentence encoders for the FAQ tests: the real one watched, and a cheap stand-in."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from bot.faq.semantic import Vectors, shared_store


class RecordingEncoder:
    """The real encoder, recording what it is given to read."""

    def __init__(self) -> None:
        self.real = shared_store().encoder
        self.read: list[str] = []

    def encode(self, texts: Sequence[str]) -> Vectors:
        self.read += texts
        return self.real.encode(texts)


class CountingEncoder:
    """A stand-in encoder of `dimensions`: a text's vector from its hash; counts the texts it
    encodes."""

    def __init__(self, dimensions: int = 8) -> None:
        self.dimensions = dimensions
        self.encoded: list[str] = []

    def encode(self, texts: Sequence[str]) -> Vectors:
        self.encoded += texts
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")
            row = np.random.default_rng(seed).standard_normal(self.dimensions)
            rows.append((row / np.linalg.norm(row)).astype(np.float32))
        return np.stack(rows)
