"""Names as people write them: Chinese family name first, Western names as Telegram shows."""

from __future__ import annotations

import pytest

from bot.names import full_name, greeting_name


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        ("伟", "王", "王伟"),  # Telegram's fields filled the Western way
        ("王伟", None, "王伟"),  # the whole name in one field
        ("小明", " 李 ", "李小明"),
        ("Lena", "Schmidt", "Lena Schmidt"),
        ("Wei", "Wang", "Wei Wang"),  # romanised: left as written
        ("Anna", None, "Anna"),
        ("", "王", "王"),
        ("Tom", "王", "Tom 王"),  # mixed: nothing to reorder with confidence
    ],
)
def test_full_name(first: str, last: str | None, expected: str) -> None:
    assert full_name(first, last) == expected


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        ("伟", "王", "王伟"),
        ("王伟", None, "王伟"),
        ("Lena", "Schmidt", "Lena"),
        ("", "Schmidt", "Schmidt"),
        ("", "王", "王"),
        (None, None, ""),
    ],
)
def test_greeting_name(first: str | None, last: str | None, expected: str) -> None:
    assert greeting_name(first, last) == expected
