#!/usr/bin/env python
"""Add the training corpus's real questions to the knowledge base as clients' questions.

Usage:
    python bench/faq_add_train.py [--train bench/faq_real_train.toml] [--dry-run]

Each question of bench/faq_real_train.toml (split = "train" only) is appended, verbatim, to the
`client_questions` of the entry it is labelled with, in its language (`mixed` goes to English;
the list is created after the entry's `questions` of that language if it has none); "handoff"
questions go to the out-of-scope questions' `client_questions`, "smalltalk" ones nowhere.
Clients' questions are matched like the examples and weigh more when the classifier of meaning
learns. Questions the
file already has are skipped, so running it again after the corpus grows adds only the new
ones. Never run it on bench/faq_real.toml: its held-out half must stay unseen.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAQ = ROOT / "bot" / "knowledge" / "faq.toml"
TRAIN = ROOT / "bench" / "faq_real_train.toml"
OUT_OF_SCOPE = "__out_of_scope__"
MARK = "  # real people's words (bench/faq_real_train.toml)"
_LIST = re.compile(r"^(questions|client_questions)\.(en|zh_Hans|zh_Hant) = \[\s*$")
_ID = re.compile(r'^id = "([a-z0-9_]+)"')


def _toml_string(text: str) -> str:
    """A TOML basic string (JSON's escapes are valid TOML)."""
    return json.dumps(" ".join(text.split()), ensure_ascii=False)


def additions(faq: dict, train: list[dict]) -> dict[tuple[str, str], list[str]]:
    """New example questions per (entry id, language)."""
    known: dict[tuple[str, str], set[str]] = defaultdict(set)
    for entry in faq["entry"]:
        for kind in ("questions", "client_questions"):
            for lang, texts in entry.get(kind, {}).items():
                known[entry["id"], lang].update(texts)
    for kind in ("questions", "client_questions"):
        for lang, texts in faq.get("out_of_scope", {}).get(kind, {}).items():
            known[OUT_OF_SCOPE, lang].update(texts)
    ids = {entry["id"] for entry in faq["entry"]}
    current = {old: entry["id"] for entry in faq["entry"] for old in entry.get("formerly", [])}
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for question in train:
        if question["split"] != "train":
            continue
        expect = current.get(question["expect"], question["expect"])
        target = OUT_OF_SCOPE if expect == "handoff" else expect if expect in ids else None
        if target is None:
            continue
        lang = question["lang"] if question["lang"] in ("zh_Hans", "zh_Hant") else "en"
        text = " ".join(question["text"].split())
        if text not in known[target, lang]:
            known[target, lang].add(text)
            found[target, lang].append(text)
    return found


def _sections(lines: list[str]) -> Iterator[tuple[str, str | None]]:
    """Each line with the entry id (or OUT_OF_SCOPE) whose section it is in, once known."""
    section: str | None = None
    for line in lines:
        if line.startswith("[[entry]]"):
            section = None
        elif line.startswith("[out_of_scope]"):
            section = OUT_OF_SCOPE
        elif (match := _ID.match(line)) and section is None:
            section = match.group(1)
        yield line, section


def merged(lines: list[str], found: dict[tuple[str, str], list[str]]) -> list[str]:
    """The knowledge file's lines with the new questions appended to their clients' lists."""
    with_client_lists = {
        (section, match.group(2))
        for line, section in _sections(lines)
        if (match := _LIST.match(line)) and match.group(1) == "client_questions"
    }
    out: list[str] = []
    open_list: tuple[str, str, str] | None = None  # (kind, section, language)
    start = 0
    for line, section in _sections(lines):
        if (match := _LIST.match(line)) and section is not None:
            open_list = (match.group(1), section, match.group(2))
            start = len(out)
        elif line.strip() == "]" and open_list is not None:
            kind, owner, lang = open_list
            open_list = None
            if kind == "client_questions" and (new := found.pop((owner, lang), [])):
                _end_with_comma(out, start)
                out.extend(f"  {_toml_string(text)}," for text in new)
            elif (owner, lang) not in with_client_lists and (new := found.pop((owner, lang), [])):
                # No clients' list in this language yet: open one after the examples' list.
                out += [line, f"client_questions.{lang} = [", MARK]
                out.extend(f"  {_toml_string(text)}," for text in new)
                line = "]"
        out.append(line)
    if found:
        missing = ", ".join(f"{entry}/{lang}" for entry, lang in found)
        raise SystemExit(f"no question list for: {missing}")
    return out


def _end_with_comma(out: list[str], start: int) -> None:
    """Make the last item of the list that opens at `start` end with a comma."""
    items = [i for i in range(start + 1, len(out)) if not out[i].lstrip().startswith("#")]
    if items and not out[items[-1]].rstrip().endswith(","):
        out[items[-1]] = out[items[-1]].rstrip() + ","


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--train", type=Path, default=TRAIN)
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    if args.train.name == "faq_real.toml":
        raise SystemExit("faq_real.toml is the evaluation set: never copy it into faq.toml")
    text = FAQ.read_text(encoding="utf-8")
    train = tomllib.loads(args.train.read_text(encoding="utf-8"))["question"]
    found = additions(tomllib.loads(text), train)
    count = sum(len(texts) for texts in found.values())
    lines = merged(text.splitlines(), dict(found))
    result = "\n".join(lines) + "\n"
    tomllib.loads(result)  # still valid TOML
    print(f"{count} new clients' questions in {len(found)} lists", file=sys.stderr)
    if not args.dry_run:
        FAQ.write_text(result, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
