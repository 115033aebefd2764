"""bench/faq_add_train.py: real training questions become clients' questions, once."""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
FAQ = """[[entry]]
id = "duration"
questions.en = [
  "how long?",
]
questions.zh_Hans = [
  "要多久",
]
questions.zh_Hant = [
]

[out_of_scope]
questions.en = [
  "weather?",
]
questions.zh_Hans = [
  "天气",
]
questions.zh_Hant = [
]
"""
TRAIN = [
    {"text": "How many  days does it take?", "expect": "duration", "lang": "en", "split": "train"},
    {"text": "備案要幾天", "expect": "duration", "lang": "zh_Hant", "split": "train"},
    {"text": "my footer plugin is broken", "expect": "handoff", "lang": "mixed", "split": "train"},
    {"text": "thanks!", "expect": "smalltalk", "lang": "en", "split": "train"},
    {"text": "how long?", "expect": "duration", "lang": "en", "split": "train"},
    {"text": "never", "expect": "duration", "lang": "en", "split": "heldout"},
]


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "faq_add_train", ROOT / "bench" / "faq_add_train.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_training_questions_join_their_entry_once() -> None:
    tool = _tool()
    found = tool.additions(tomllib.loads(FAQ), TRAIN)
    merged = "\n".join(tool.merged(FAQ.splitlines(), dict(found))) + "\n"
    data = tomllib.loads(merged)
    entry = data["entry"][0]
    assert entry["questions"]["en"] == ["how long?"]  # already there: not added twice
    assert entry["client_questions"]["en"] == ["How many days does it take?"]
    assert entry["client_questions"]["zh_Hant"] == ["備案要幾天"]
    assert data["out_of_scope"]["questions"]["en"] == ["weather?"]
    assert data["out_of_scope"]["client_questions"]["en"] == ["my footer plugin is broken"]
    assert "never" not in merged and "thanks!" not in merged
    # Run again: nothing new. More questions join the clients' lists that now exist.
    assert not tool.additions(data, TRAIN)
    more = [{"text": "when is it done", "expect": "duration", "lang": "en", "split": "train"}]
    again = "\n".join(tool.merged(merged.splitlines(), dict(tool.additions(data, more)))) + "\n"
    assert tomllib.loads(again)["entry"][0]["client_questions"]["en"] == [
        "How many days does it take?",
        "when is it done",
    ]
