#!/usr/bin/env python
"""Cross-validated accuracy on the training corpus of real questions (issue 11).

Usage:
    python bench/faq_cv.py [--folds 5] [--verbose]

bench/faq_real_train.toml's questions are example questions of faq.toml (bench/faq_add_train.py
puts them there), so the knowledge base answers them from memory and faq_eval.py's figures for
them say little. This script measures what such examples teach instead: it takes every training
question out of the knowledge base, cuts the corpus into folds, and answers each fold's questions
with a matcher that knows only the other folds' questions (as faq_add_train.py would add them:
entries' examples, handoffs as out-of-scope questions). The result estimates accuracy on real
questions the FAQ has never seen, without touching faq_real.toml's held-out half. --verbose lists
the misses (training questions only).
"""

from __future__ import annotations

import argparse
import random
import sys
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import DEFAULT_FAQ_PATH  # noqa: E402
from bot.faq.knowledge import ClientQuestions, KnowledgeBase, load_knowledge  # noqa: E402
from bot.faq.matcher import FaqMatcher  # noqa: E402
from bot.faq.semantic import shared_store  # noqa: E402
from bot.faq.smalltalk import classify  # noqa: E402

TRAIN_SET = ROOT / "bench" / "faq_real_train.toml"
HANDOFF, SMALLTALK = "handoff", "smalltalk"
SEED = 1


def _key(text: str) -> str:
    return " ".join(text.split())


def _language(question: dict[str, str]) -> str:
    return question["lang"] if question["lang"] in ("zh_Hans", "zh_Hant") else "en"


def with_examples(
    knowledge: KnowledgeBase, corpus: set[str], examples: list[dict[str, str]]
) -> KnowledgeBase:
    """The knowledge base without the corpus's questions, plus `examples`."""
    base = knowledge.model_copy(deep=True)
    lists: list[object] = [entry.questions for entry in base.entry]
    lists += [entry.client_questions for entry in base.entry]
    if base.out_of_scope is not None:
        lists += [base.out_of_scope.questions, base.out_of_scope.client_questions]
    for questions in lists:
        for lang in ("en", "zh_Hans", "zh_Hant"):
            texts: list[str] = getattr(questions, lang)
            texts[:] = [text for text in texts if _key(text) not in corpus]
    by_id: dict[str, ClientQuestions] = {entry.id: entry.client_questions for entry in base.entry}
    if base.out_of_scope is not None:
        by_id[HANDOFF] = base.out_of_scope.client_questions
    for question in examples:
        target = by_id.get(knowledge.current_id(question["expect"]))
        if target is not None:
            getattr(target, _language(question)).append(question["text"])
    return base


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--verbose", action="store_true", help="list every miss")
    parser.add_argument(
        "--words-only", action="store_true", help="match by words alone, without sentence vectors"
    )
    args = parser.parse_args()
    vectors = None if args.words_only else shared_store()
    knowledge = load_knowledge(DEFAULT_FAQ_PATH)
    topics = {entry.id: entry.topic for entry in knowledge.entry}
    train = [
        q
        for q in tomllib.loads(TRAIN_SET.read_text(encoding="utf-8"))["question"]
        if q["split"] == "train"
    ]
    corpus = {_key(q["text"]) for q in train}
    order = list(range(len(train)))
    random.Random(SEED).shuffle(order)
    folds = [order[start :: args.folds] for start in range(args.folds)]
    right: dict[str, Counter[str]] = {"language": Counter(), "kind": Counter(), "topic": Counter()}
    total: dict[str, Counter[str]] = {"language": Counter(), "kind": Counter(), "topic": Counter()}
    ranked_first = covered = one_tap = 0
    for fold in folds:
        held = set(fold)
        matcher = FaqMatcher(
            with_examples(knowledge, corpus, [train[i] for i in order if i not in held]),
            vectors=vectors,
        )
        for index in fold:
            question = train[index]
            expect, text = knowledge.current_id(question["expect"]), question["text"]
            if classify(text) is not None:
                ok, described = expect == SMALLTALK, "smalltalk"
            else:
                result = matcher.match(text)
                best = result.best
                ok = not result.answered if expect == HANDOFF else expect in result.answered
                described = f"{result.outcome.value} {best.entry_id if best else '-'}"
                one_tap += not ok and expect in result.offered
                if expect not in (HANDOFF, SMALLTALK):
                    covered += 1
                    ranked_first += best is not None and best.entry_id == expect
            kind = expect if expect in (HANDOFF, SMALLTALK) else "covered"
            for name, key in (
                ("language", question["lang"]),
                ("kind", kind),
                ("topic", topics.get(expect, expect)),
            ):
                total[name][key] += 1
                right[name][key] += ok
            if args.verbose and not ok:
                print(f"  MISS [{question['lang']}] {text!r}: expected {expect}, got {described}")
    correct = sum(right["kind"].values())
    print(
        f"{TRAIN_SET.name}: {len(train)} questions, {args.folds}-fold cross-validation, "
        f"right {correct / len(train):.1%} ({correct}/{len(train)})"
    )
    print(f"  covered questions ranked first: {ranked_first}/{covered}")
    print(f"  misses whose entry is one tap away (a button of the reply offers it): {one_tap}")
    for name in ("language", "kind", "topic"):
        shares = ", ".join(
            f"{key} {right[name][key]}/{count}" for key, count in sorted(total[name].items())
        )
        print(f"  by {name}: {shares}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
