"""The FAQ knowledge base: a TOML file staff can edit, validated when the bot starts."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Annotated

from pydantic import Field, model_validator

from bot.datafile import load_data_file
from bot.i18n import ENGLISH, SIMPLIFIED, TRADITIONAL
from bot.localized import LocalizedText, Strict, TraditionalTexts

IDENTIFIER = r"^[a-z][a-z0-9_]{0,39}$"
ALLOWED_TAGS = {"b", "i", "a"}
PLACEHOLDERS = {"agency_name", "agency_contact", "agency_prices"}
MAX_ANSWER_LENGTH = 3500  # leaves room for the chrome around an answer in one message
MAX_TITLE_LENGTH = 48


class KnowledgeError(Exception):
    """The knowledge file is invalid; the message says where and why."""


class Questions(Strict):
    """Questions in each of our languages."""

    en: list[str] = Field(default_factory=list)
    zh_Hans: list[str] = Field(default_factory=list)  # noqa: N815 - the locale name
    zh_Hant: list[str] = Field(default_factory=list)  # noqa: N815 - the locale name

    def all(self) -> list[str]:
        """Every question, whatever its language."""
        return [*self.en, *self.zh_Hans, *self.zh_Hant]


class ExampleQuestions(Questions):
    """Ways clients ask for an entry, used to match their questions (at least one in English
    and one in Simplified Chinese)."""

    en: Annotated[list[str], Field(min_length=1)]
    zh_Hans: Annotated[list[str], Field(min_length=1)]  # noqa: N815 - the locale name


class ClientQuestions(Questions):
    """Questions real people wrote (bench/faq_real_train.toml), verbatim: matched like the
    examples, and weighing more when the classifier of meaning learns (they are what clients
    will write; the examples are our idea of it)."""


class Topic(Strict):
    """A group of entries, shown as one button when clients browse."""

    id: Annotated[str, Field(pattern=IDENTIFIER)]
    title: LocalizedText


class Entry(Strict):
    """One question and its answer."""

    id: Annotated[str, Field(pattern=IDENTIFIER)]
    topic: str
    title: LocalizedText
    answer: LocalizedText
    questions: ExampleQuestions
    client_questions: ClientQuestions = Field(default_factory=ClientQuestions)
    keywords: list[str] = Field(default_factory=list)
    formerly: list[Annotated[str, Field(pattern=IDENTIFIER)]] = Field(default_factory=list)


class SynonymGroup(Strict):
    """Words that mean the same thing to the matcher, in any language."""

    words: Annotated[list[str], Field(min_length=2)]


class OutOfScope(Strict):
    """Questions the bot must not answer from the FAQ (they go to staff)."""

    questions: ExampleQuestions
    client_questions: ClientQuestions = Field(default_factory=ClientQuestions)


class KnowledgeBase(Strict):
    """The whole FAQ."""

    topic: Annotated[list[Topic], Field(min_length=1)]
    entry: Annotated[list[Entry], Field(min_length=1)]
    synonyms: list[SynonymGroup] = Field(default_factory=list)
    out_of_scope: OutOfScope | None = None

    @model_validator(mode="after")
    def _consistent(self) -> KnowledgeBase:
        _unique([topic.id for topic in self.topic], "topic")
        _unique([entry.id for entry in self.entry], "entry")
        _unique([entry.id for entry in self.entry] + self._former_ids(), "entry or former entry")
        topic_ids = {topic.id for topic in self.topic}
        for entry in self.entry:
            if entry.topic not in topic_ids:
                raise ValueError(f"entry {entry.id!r} names unknown topic {entry.topic!r}")
            _check_texts(entry)
        for topic in self.topic:
            if not self.entries_of(topic.id):
                raise ValueError(f"topic {topic.id!r} has no entries")
        return self

    @property
    def topics(self) -> list[Topic]:
        """Topics in file order."""
        return self.topic

    @property
    def entries(self) -> list[Entry]:
        """Entries in file order."""
        return self.entry

    def find_entry(self, entry_id: str) -> Entry | None:
        """The entry with this id, or the one that replaced it (old buttons keep working)."""
        return next(
            (entry for entry in self.entry if entry_id == entry.id or entry_id in entry.formerly),
            None,
        )

    def current_id(self, entry_id: str) -> str:
        """The id an entry has now: itself, or the entry it was merged into."""
        entry = self.find_entry(entry_id)
        return entry.id if entry is not None else entry_id

    def _former_ids(self) -> list[str]:
        return [former for entry in self.entry for former in entry.formerly]

    def find_topic(self, topic_id: str) -> Topic | None:
        """The topic with this id, if it exists."""
        return next((topic for topic in self.topic if topic.id == topic_id), None)

    def entries_of(self, topic_id: str) -> list[Entry]:
        """The entries of one topic, in file order."""
        return [entry for entry in self.entry if entry.topic == topic_id]


def load_knowledge(path: Path, traditional: TraditionalTexts | None = None) -> KnowledgeBase:
    """Read and validate the knowledge file, raising KnowledgeError with a readable reason
    (``traditional``: see ``load_data_file``)."""
    return load_data_file(path, KnowledgeBase, "FAQ file", KnowledgeError, traditional)


def _unique(ids: list[str], kind: str) -> None:
    seen: set[str] = set()
    for identifier in ids:
        if identifier in seen:
            raise ValueError(f"{kind} id {identifier!r} is used twice")
        seen.add(identifier)


def _check_texts(entry: Entry) -> None:
    for language, text in zip((ENGLISH, SIMPLIFIED, TRADITIONAL), entry.title.all(), strict=True):
        if len(text) > MAX_TITLE_LENGTH:
            raise ValueError(
                f"entry {entry.id!r}: the {language} title is longer than {MAX_TITLE_LENGTH}"
            )
        if "<" in text or "{" in text:
            raise ValueError(f"entry {entry.id!r}: titles are plain text")
    for language, text in zip((ENGLISH, SIMPLIFIED, TRADITIONAL), entry.answer.all(), strict=True):
        where = f"entry {entry.id!r}, {language} answer"
        if len(text) > MAX_ANSWER_LENGTH:
            raise ValueError(f"{where} is longer than {MAX_ANSWER_LENGTH} characters")
        unknown = set(re.findall(r"\{([^{}]*)\}", text)) - PLACEHOLDERS
        if unknown:
            raise ValueError(f"{where} uses unknown placeholder(s): {', '.join(sorted(unknown))}")
        problem = _markup_problem(text)
        if problem:
            raise ValueError(f"{where}: {problem}")


class _TagChecker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.problem = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problem = self.problem or f"tag <{tag}> is not allowed (only b, i, a)"
        elif tag == "a" and not any(name == "href" and value for name, value in attrs):
            self.problem = self.problem or "a link <a> needs href"
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            self.problem = self.problem or f"closing </{tag}> does not match an opening tag"


def _markup_problem(text: str) -> str:
    stray = re.search(r"&(?![a-z]+;|#\d+;)|<(?![/a-z])", text)
    if stray:
        return "write &amp; for & and &lt; for < (Telegram HTML)"
    checker = _TagChecker()
    checker.feed(text)
    checker.close()
    if not checker.problem and checker.open:
        return f"<{checker.open[-1]}> is never closed"
    return checker.problem
