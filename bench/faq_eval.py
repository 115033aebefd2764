#!/usr/bin/env python
"""FAQ matching benchmark.

Usage:
    python bench/faq_eval.py [--verbose] [--set bench/faq_questions.toml ...]

For each labelled set it prints: top-1 accuracy on covered questions (answered directly with the
right entry), the share of uncovered questions that are handed off (not answered), and the
median time to match one question. Targets: ≥ 95 %, ≥ 90 %, < 5 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import DEFAULT_FAQ_PATH  # noqa: E402
from bot.faq.knowledge import load_knowledge  # noqa: E402
from bot.faq.matcher import FaqMatcher, Outcome  # noqa: E402

DEFAULT_SETS = sorted((ROOT / "bench").glob("faq_*.toml"))
REPEATS = 5


def evaluate(matcher: FaqMatcher, path: Path, verbose: bool) -> tuple[float, float, float]:
    """Print and return (covered accuracy, uncovered handoff share, median ms) for one set."""
    questions = tomllib.loads(path.read_text(encoding="utf-8"))["question"]
    timings: list[float] = []
    correct = handed_off = covered = uncovered = 0
    misses: Counter[str] = Counter()
    for question in questions:
        for _ in range(REPEATS):
            started = time.perf_counter()
            result = matcher.match(question["text"])
            timings.append((time.perf_counter() - started) * 1000)
        answered = (
            result.best.entry_id if result.outcome is Outcome.ANSWER and result.best else None
        )
        if question["expect"] == "none":
            uncovered += 1
            handed_off += answered is None
            ok = answered is None
        else:
            covered += 1
            correct += answered == question["expect"]
            ok = answered == question["expect"]
        if not ok:
            misses[question["lang"]] += 1
            if verbose:
                best = result.best
                print(
                    f"  MISS [{question['lang']}] {question['text']!r}: expected "
                    f"{question['expect']}, got {result.outcome.value} "
                    f"{best.entry_id if best else '-'} {best.score if best else 0:.2f} "
                    f"{[f'{m.entry_id}:{m.score:.2f}' for m in result.candidates[1:]]}"
                )
    accuracy = correct / covered if covered else 0.0
    handoff = handed_off / uncovered if uncovered else 0.0
    median = statistics.median(timings)
    print(f"{path.name}: {len(questions)} questions ({covered} covered, {uncovered} uncovered)")
    print(f"  top-1 accuracy on covered questions: {accuracy:.1%} ({correct}/{covered})")
    print(f"  uncovered questions handed off:      {handoff:.1%} ({handed_off}/{uncovered})")
    print(
        f"  median time per question:            {median:.3f} ms (p99 "
        f"{statistics.quantiles(timings, n=100)[98]:.3f} ms)"
    )
    if misses:
        print(f"  misses by language: {dict(misses)}")
    return accuracy, handoff, median


def main() -> int:
    """Run the benchmark on each set; exit 1 when a target is missed with --check."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--set", dest="sets", action="append", type=Path)
    parser.add_argument("--verbose", action="store_true", help="list every miss")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args()
    started = time.perf_counter()
    matcher = FaqMatcher(load_knowledge(DEFAULT_FAQ_PATH))
    print(f"matcher built in {(time.perf_counter() - started) * 1000:.0f} ms")
    failed = False
    for path in args.sets or DEFAULT_SETS:
        accuracy, handoff, median = evaluate(matcher, path, args.verbose)
        failed |= accuracy < 0.95 or handoff < 0.90 or median >= 5
    return 1 if failed and args.check else 0


if __name__ == "__main__":
    raise SystemExit(main())
