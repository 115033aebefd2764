#!/usr/bin/env python
"""SQL statements the bot executes per update, by kind of update.

Usage:
    python bench/sql_per_update.py [--verbose]

Drives the real bot in-process, the way the tests do: a PTB ``Application`` from
``bot.app.build_application`` with the tests' offline Bot API (``tests/support``), on a fresh
SQLite database, fed the updates the throughput benchmark sends (``bench/updates.py``). While each
update is handled it counts the statements sent to the database (a SQLAlchemy
``before_cursor_execute`` listener on every engine, so it does not depend on where the bot keeps
its own) and the commits (every commit SQLAlchemy asks of the driver; on SQLite one after reads
only costs nothing). The kinds: a typed FAQ question from a client with nothing open, as the
client's first message (which also records the client) and as a later one; opening an
application; a checklist step (a button press); a document upload. Updates that gave the same
statements are shown on one line. --verbose prints each statement and its parameters.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlalchemy import event
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from updates import OPEN_APPLICATION, QUESTIONS, STEPS, message, press, upload  # noqa: E402

from bot.config import Settings  # noqa: E402
from tests.support.harness import Harness, running_bot  # noqa: E402
from tests.support.image_samples import encode, make_document  # noqa: E402

TOKEN = "123456:local-bench-token"
NEW_CLIENT, APPLICANT = 910_001, 910_002
_TABLES = re.compile(r"\b(?:FROM|JOIN|INTO|UPDATE)\s+\"?(\w+)", re.IGNORECASE)


@dataclass
class Statements:
    """What the database was sent while counting."""

    executed: list[tuple[str, Any]] = field(default_factory=list)
    commits: int = 0
    counting: bool = False

    def on_execute(
        self, _conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any
    ) -> None:
        """``before_cursor_execute``: note the statement."""
        if self.counting:
            self.executed.append((statement, parameters))

    def on_commit(self, _conn: Any) -> None:
        """``commit``: note the commit."""
        if self.counting:
            self.commits += 1

    @contextmanager
    def count(self) -> Iterator[Statements]:
        """Count from empty for the duration of the block."""
        self.executed, self.commits, self.counting = [], 0, True
        try:
            yield self
        finally:
            self.counting = False


def short_form(statement: str) -> str:
    """``SELECT clients``, ``INSERT processed_updates``: the verb and the tables."""
    verb = statement.split(None, 1)[0].upper()
    tables = dict.fromkeys(_TABLES.findall(statement))
    return " ".join([verb, "+".join(tables)]).strip()


@dataclass
class Outcome:
    """The statements of one kind of update, and which updates gave them."""

    label: str
    shapes: dict[tuple[str, ...], list[str]] = field(default_factory=dict)  # forms -> updates
    commits: dict[tuple[str, ...], int] = field(default_factory=dict)


async def measure(harness: Harness, statements: Statements, verbose: bool) -> list[Outcome]:
    """Feed each kind of update and note its statements."""
    ids = iter(range(1, 1_000_000))
    outcomes: list[Outcome] = []

    async def feed(outcome: Outcome, name: str, update: dict) -> None:
        with statements.count():
            calls = await harness.feed(update)
        forms = tuple(short_form(sql) for sql, _ in statements.executed)
        outcome.shapes.setdefault(forms, []).append(name)
        outcome.commits[forms] = statements.commits
        if verbose:
            sent = ", ".join(call.method for call in calls)
            said = " / ".join(call.text.split("\n")[0][:60] for call in calls if call.text)
            print(f"--- {outcome.label}: {name} (Bot API: {sent}; {said})")
            for sql, parameters in statements.executed:
                print(f"    {' '.join(sql.split())}\n        {parameters!r:.200}")

    def kind(label: str) -> Outcome:
        outcomes.append(Outcome(label))
        return outcomes[-1]

    first = kind("FAQ question, first message (new client)")
    await feed(first, QUESTIONS[0], message(next(ids), NEW_CLIENT, text=QUESTIONS[0]))
    later = kind("FAQ question, known client, nothing open")
    for question in QUESTIONS:
        await feed(later, question, message(next(ids), NEW_CLIENT, text=question))
    opening = kind("Open an application (first message, then second)")
    for data in OPEN_APPLICATION:
        await feed(opening, data, press(next(ids), APPLICANT, data))
    document = encode(make_document((1600, 1000)), quality=90)
    harness.api.files["scan"] = document
    uploads = kind("Upload (a good scan, accepted)")
    await feed(uploads, "scan.jpg", upload(next(ids), APPLICANT, "scan", len(document)))
    steps = kind("Checklist step (button), open application")
    for data in STEPS * 2:
        await feed(steps, data, press(next(ids), APPLICANT, data))
    return outcomes


def report(outcomes: list[Outcome]) -> None:
    """One line per kind and distinct list of statements, then the statements' short forms."""
    for outcome in outcomes:
        print(outcome.label)
        for forms, names in outcome.shapes.items():
            which = ", ".join(dict.fromkeys(names)) if len(outcome.shapes) > 1 else ""
            times = f"{len(names)}×: " if len(names) > 1 else ""
            commits = outcome.commits[forms]
            print(
                f"  {times}{len(forms):2d} statements, {commits} commit{'s' * (commits != 1)}"
                + (f"  [{which}]" if which else "")
            )
            print(f"      {'; '.join(forms)}")


async def count_statements(settings: Settings, verbose: bool = False) -> list[Outcome]:
    """Start the bot with ``settings`` and count the statements of each kind of update."""
    statements = Statements()
    listeners = [
        (Engine, "before_cursor_execute", statements.on_execute),
        (Engine, "commit", statements.on_commit),
    ]
    for listener in listeners:
        event.listen(*listener)
    try:
        async with running_bot(settings) as harness:
            if harness.application.job_queue is not None:  # no reminders while counting
                harness.application.job_queue.scheduler.pause()
            return await measure(harness, statements, verbose)
    finally:
        for listener in listeners:
            event.remove(*listener)


def main() -> None:
    """Count on a fresh SQLite database and report."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--verbose", action="store_true", help="print every statement")
    args = parser.parse_args()
    for name in Settings.model_fields:  # only the settings below, not the developer's
        os.environ.pop(name.upper(), None)
    with tempfile.TemporaryDirectory(prefix="bench-sql-") as data_dir:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            bot_token=TOKEN,
            data_dir=Path(data_dir),
            document_keys=(SecretStr(Fernet.generate_key().decode()),),
            flood_limit=1000,
        )
        outcomes = asyncio.run(count_statements(settings, args.verbose))
    print("SQL statements per update (SQLite, one process)")
    report(outcomes)


if __name__ == "__main__":
    main()
