"""Matching by meaning: sentence vectors answer questions whose words the FAQ never uses."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.config import DEFAULT_FAQ_PATH
from bot.faq.classifier import CLASSIFIER_PATH, EntryClassifier, Example
from bot.faq.knowledge import load_knowledge
from bot.faq.matcher import MEANING_CHARS, MEANING_PARTS, FaqMatcher, Outcome, indexed_texts
from bot.faq.semantic import (
    VECTORS_PATH,
    EncoderUnavailableError,
    Vectors,
    VectorStore,
    shared_store,
    text_key,
    within_tokens,
)
from tests.support.encoders import CountingEncoder, RecordingEncoder

STALE = f"{VECTORS_PATH.name} is out of date: run `make locales` and commit it"


@pytest.fixture(scope="module")
def matchers() -> tuple[FaqMatcher, FaqMatcher]:
    knowledge = load_knowledge(DEFAULT_FAQ_PATH)
    return FaqMatcher(knowledge), FaqMatcher(knowledge, vectors=shared_store())


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("any chance this gets done in a week", "duration"),
        ("which papers should my company prepare", "documents_company"),
        ("我们公司要交哪些东西", "documents_company"),
        ("有没有可能一周之内搞定", "duration"),
        ("有沒有可能一週之內搞定", "duration"),
    ],
)
def test_meaning_answers_what_words_alone_get_wrong(
    matchers: tuple[FaqMatcher, FaqMatcher], question: str, entry: str
) -> None:
    words_only, with_meaning = matchers
    by_words = words_only.match(question)
    assert not (
        by_words.outcome is Outcome.ANSWER and by_words.best and by_words.best.entry_id == entry
    )
    result = with_meaning.match(question)
    assert result.outcome is Outcome.ANSWER, result
    assert result.best is not None and result.best.entry_id == entry


def test_the_vectors_file_covers_the_shipped_faq() -> None:
    with np.load(VECTORS_PATH) as stored:
        keys = set(stored["keys"].tolist())
        dimensions = stored["vectors"].shape[1]
    wanted = {text_key(text) for text in indexed_texts(load_knowledge(DEFAULT_FAQ_PATH))}
    assert wanted <= keys, STALE
    assert keys <= wanted, STALE  # nothing left over from removed examples either
    assert dimensions == 384


def test_texts_missing_from_the_file_are_encoded_once_and_the_file_keeps_no_text(
    tmp_path: Path,
) -> None:
    path = tmp_path / "vectors.npz"
    encoder = CountingEncoder()
    store = VectorStore(encoder, path)
    first = store.vectors(["how long?", "多久？", "how long?"])
    assert encoder.encoded == ["how long?", "多久？"]
    store.save(["how long?", "多久？"])
    assert b"how long" not in path.read_bytes()

    reloaded_encoder = CountingEncoder()
    reloaded = VectorStore(reloaded_encoder, path)
    again = reloaded.vectors(["how long?", "多久？", "new example"])
    assert reloaded_encoder.encoded == ["new example"]  # only the text the file lacked
    assert np.allclose(again[0], first[0], atol=1e-3)
    assert np.allclose(again[1], first[1], atol=1e-3)


def test_a_question_asked_again_is_not_encoded_again() -> None:
    encoder = CountingEncoder()
    store = VectorStore(encoder, None)
    store.encode_one("备案要多久")
    store.encode_one("备案要多久")
    assert encoder.encoded == ["备案要多久"]


def test_the_classifier_file_was_trained_on_the_shipped_faq() -> None:
    matcher = FaqMatcher(load_knowledge(DEFAULT_FAQ_PATH), vectors=shared_store())
    with np.load(CLASSIFIER_PATH) as stored:
        fingerprint = str(stored["fingerprint"])
    assert matcher.classifier is not None
    assert matcher.classifier.fingerprint == fingerprint, (
        f"{CLASSIFIER_PATH.name} is out of date: run `make locales` and commit it"
    )


def test_examples_the_file_was_not_trained_on_are_learnt_when_the_matcher_is_built(
    tmp_path: Path,
) -> None:
    store = VectorStore(CountingEncoder(), None)
    examples = [
        Example("how long", "duration"),
        Example("how much", "fees"),
        Example("what price", "fees"),
    ]
    first = EntryClassifier.for_examples(store, examples, tmp_path / "none.npz")
    saved = first.save(tmp_path / "classifier.npz")
    changed = [*examples, Example("when is it done", "duration")]
    again = EntryClassifier.for_examples(store, changed, saved)
    assert again.fingerprint != first.fingerprint
    for text, label, _ in changed:
        probabilities = again.probabilities(store.vectors([text])[0])
        assert again.labels[int(np.argmax(probabilities))] == label
    assert EntryClassifier.for_examples(store, changed, again.save(saved)).fingerprint == (
        again.fingerprint
    )


def test_what_a_real_client_wrote_outweighs_our_own_example(tmp_path: Path) -> None:
    """The same words labelled two ways: the label a real client's question carries wins."""
    store = VectorStore(CountingEncoder(), None)
    examples = [
        Example("is it done soon", "duration"),
        Example("is it done soon", "fees", from_client=True),
        Example("how much", "fees"),
        Example("how long", "duration"),
    ]
    classifier = EntryClassifier.for_examples(store, examples, tmp_path / "none.npz")
    probabilities = classifier.probabilities(store.vectors(["is it done soon"])[0])
    by_label = dict(zip(classifier.labels, probabilities, strict=True))
    assert by_label["fees"] > by_label["duration"]


class BrokenEncoder:
    """An encoder whose engine does not load on this machine."""

    def encode(self, texts: Sequence[str]) -> Vectors:
        raise EncoderUnavailableError("OSError: libgomp.so.1: cannot open shared object file")


def test_without_a_working_encoder_the_words_still_answer(
    caplog: pytest.LogCaptureFixture,
) -> None:
    knowledge = load_knowledge(DEFAULT_FAQ_PATH)
    broken = FaqMatcher(knowledge, vectors=VectorStore(BrokenEncoder()))
    words_only = FaqMatcher(knowledge)
    assert broken.classifier is not None  # read from the file: no encoder needed to start
    for question in ("could the whole thing be wrapped up in seven days", "备案要多久"):
        result = broken.match(question)
        expected = words_only.match(question)
        assert (result.outcome, result.best) == (expected.outcome, expected.best)
    assert "matching by words alone" in caplog.text


@pytest.mark.parametrize(
    "message",
    [
        # two clear questions, then sixty that the words do not settle
        "How long does the ICP filing take? What about the price? "
        + " ".join(f"Is option {number} fine?" for number in range(60)),
        "备案一般要多久？费用是多少？" + "".join(f"第{number}个可以吗？" for number in range(60)),
        "x" * 4096,
        "🙂" * 4000,
        "我们公司" * 1000 + "要备案吗？",
    ],
    ids=["62 questions", "62 问题", "4096 letters", "4000 emoji", "one long sentence"],
)
def test_a_huge_message_costs_the_encoder_a_few_short_texts(message: str) -> None:
    """However long a client's message, the encoder reads a few texts of at most MEANING_CHARS
    (the message's questions, then a second part): a flood cannot hold it, and every other
    client's answer, for seconds."""
    encoder = RecordingEncoder()
    matcher = FaqMatcher(load_knowledge(DEFAULT_FAQ_PATH), vectors=VectorStore(encoder))
    matcher.match(message)
    assert len(encoder.read) <= 2 * MEANING_PARTS
    assert all(len(text) <= MEANING_CHARS for text in encoder.read)


@pytest.mark.parametrize(
    ("question", "entry"),
    [("备案要多久", "duration"), ("What is an ICP filing?", "what_is_icp")],
)
def test_a_question_the_words_settle_is_answered_without_the_encoder(
    question: str, entry: str
) -> None:
    """Words far ahead of every other entry answer at once: the client is not kept waiting
    ~20 ms for sentence vectors that would not change the answer."""
    encoder = RecordingEncoder()
    matcher = FaqMatcher(load_knowledge(DEFAULT_FAQ_PATH), vectors=VectorStore(encoder))
    result = matcher.match(question)
    assert result.outcome is Outcome.ANSWER
    assert result.best is not None and result.best.entry_id == entry
    assert encoder.read == []


def test_a_paraphrase_the_words_do_not_settle_is_read_for_its_meaning() -> None:
    encoder = RecordingEncoder()
    matcher = FaqMatcher(load_knowledge(DEFAULT_FAQ_PATH), vectors=VectorStore(encoder))
    result = matcher.match("any chance this gets done in a week")
    assert encoder.read  # the words alone would not have answered it
    assert result.outcome is Outcome.ANSWER
    assert result.best is not None and result.best.entry_id == "duration"


class BytesAsTokens:
    """A model that reads every UTF-8 byte as a token (emoji cost four)."""

    def token_count(self, text: str, is_query: bool = False) -> int:
        return len(text.encode())


@pytest.mark.parametrize("text", ["🙂" * 3000, "备案" * 500, "how long does it take? " * 40])
def test_the_encoder_reads_only_the_start_of_a_text_too_long_for_it(text: str) -> None:
    cut = within_tokens(BytesAsTokens(), text, limit=128)
    assert text.startswith(cut)
    assert 64 <= len(cut.encode()) <= 128  # cut near the limit, not to nothing


def test_the_encoder_reads_a_short_text_whole() -> None:
    assert within_tokens(BytesAsTokens(), "备案要多久？", limit=128) == "备案要多久？"
