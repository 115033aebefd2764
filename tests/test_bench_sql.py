"""bench/sql_per_update.py keeps working: every kind of update it feeds reaches the database."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from bot.config import Settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from sql_per_update import count_statements


async def test_every_kind_of_update_is_counted(make_settings: Callable[..., Settings]) -> None:
    outcomes = await count_statements(make_settings())
    assert len(outcomes) == 5
    for outcome in outcomes:
        assert outcome.shapes and all(outcome.shapes), outcome.label
    first_question = next(iter(outcomes[0].shapes))
    assert "INSERT clients" in first_question  # the first message records the client
    later_questions = outcomes[1].shapes
    assert all("INSERT clients" not in forms for forms in later_questions)
