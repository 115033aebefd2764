"""The quick look by word vectors: questions answered as the sentence vectors would answer
them, without waiting for the sentence encoder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.config import DEFAULT_FAQ_PATH
from bot.faq.knowledge import load_knowledge
from bot.faq.matcher import FaqMatcher, MatchSettings, Outcome, indexed_texts
from bot.faq.semantic import WORD_VECTORS_PATH, VectorStore, shared_store
from bot.faq.word_vectors import WORD_CLASSIFIER_PATH, WordVectors, words_of
from tests.support.encoders import CountingEncoder, RecordingEncoder

STALE = "is out of date: run `make locales` and commit it"


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("how much does it cost", "fees"),
        ("do mini programs need a filing", "app_miniprogram_filing"),
        ("換主機商要重新備案嗎", "switch_provider"),
        ("外國人可以申請嗎", "foreigners"),
    ],
)
def test_words_and_word_vectors_answer_as_the_sentence_vectors_would_without_them(
    question: str, entry: str
) -> None:
    """The client gets the answer the sentence encoder would give, without the ~20 ms it
    takes: the words and their vectors point to the same entry, clearly."""
    knowledge = load_knowledge(DEFAULT_FAQ_PATH)
    quick = RecordingEncoder()
    result = FaqMatcher(knowledge, vectors=VectorStore(quick)).match(question)
    assert result.outcome is Outcome.ANSWER
    assert result.best is not None and result.best.entry_id == entry
    assert quick.read == []

    no_quick_look = MatchSettings(quick_sure=float("inf"))
    slow = RecordingEncoder()
    by_sentences = FaqMatcher(knowledge, no_quick_look, VectorStore(slow)).match(question)
    assert slow.read, "the words alone settle it: pick a question that needs meaning"
    assert by_sentences.outcome is Outcome.ANSWER
    assert by_sentences.best is not None and by_sentences.best.entry_id == entry


def test_a_question_the_word_vectors_are_unsure_of_still_waits_for_sentence_vectors() -> None:
    encoder = RecordingEncoder()
    matcher = FaqMatcher(load_knowledge(DEFAULT_FAQ_PATH), vectors=VectorStore(encoder))
    result = matcher.match("any chance this gets done in a week")
    assert encoder.read == ["any chance this gets done in a week"]
    assert result.best is not None and result.best.entry_id == "duration"


def test_the_word_vector_files_were_made_for_the_shipped_faq() -> None:
    texts = indexed_texts(load_knowledge(DEFAULT_FAQ_PATH))
    wanted = {word for text in texts for word in words_of(text)}
    stored = set(WordVectors.load(WORD_VECTORS_PATH).words)
    assert wanted <= stored, f"{WORD_VECTORS_PATH.name} {STALE}"
    assert stored <= wanted, f"{WORD_VECTORS_PATH.name} {STALE}"  # nothing left over either
    matcher = FaqMatcher(load_knowledge(DEFAULT_FAQ_PATH), vectors=shared_store())
    assert matcher.word_meaning is not None
    with np.load(WORD_CLASSIFIER_PATH) as saved:
        fingerprint = str(saved["fingerprint"])
    assert matcher.word_meaning.classifier.fingerprint == fingerprint, (
        f"{WORD_CLASSIFIER_PATH.name} {STALE}"
    )


def test_the_words_of_a_text_are_its_english_words_and_chinese_characters_and_pairs() -> None:
    assert words_of("ICP備案 for my Site?") == ["icp", "for", "my", "site", "备", "案", "备案"]
    assert words_of("多久") == ["多", "久", "多久"]
    assert words_of("🙂 !!") == []


def test_words_an_edited_faq_adds_are_encoded_once_and_the_file_keeps_the_rest(
    tmp_path: Path,
) -> None:
    path = tmp_path / "words.npz"
    encoder = CountingEncoder()
    first = WordVectors.for_texts(encoder, ["how long", "备案"], path=None)
    assert sorted(encoder.encoded) == sorted(["how", "long", "备", "案", "备案"])
    first.save(path)

    again = CountingEncoder()
    edited = WordVectors.for_texts(again, ["how long", "备案", "how much"], path)
    assert again.encoded == ["much"]  # only the word the file lacked
    assert np.allclose(edited.vector("long"), first.vector("long"), atol=0.02)  # 8 bits kept


def test_a_file_from_another_encoder_is_not_mixed_with_its_vectors(tmp_path: Path) -> None:
    path = WordVectors.for_texts(CountingEncoder(8), ["how long"], path=None).save(
        tmp_path / "w.npz"
    )
    other = CountingEncoder(16)
    vectors = WordVectors.for_texts(other, ["how long", "how much"], path)
    assert set(other.encoded) == {"how", "long", "much"}  # all of them, afresh
    assert vectors.vector("how much").shape == (16,)


def test_a_text_of_words_the_faq_never_uses_has_no_direction() -> None:
    vectors = WordVectors.for_texts(CountingEncoder(), ["how long"], path=None)
    assert not vectors.vector("xyzzy plugh").any()
    assert np.isclose(np.linalg.norm(vectors.vector("long, how long?")), 1.0)
