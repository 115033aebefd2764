"""People's names as they are written: Chinese names family name first, without a space.

Telegram has a first and a last name field, and Chinese users fill them in the Western way
(first name 伟, last name 王), so "first last" reads "伟 王". A name written in Chinese
characters is shown family name first with nothing between ("王伟"); any other name as
Telegram shows it ("Lena Schmidt").
"""

from __future__ import annotations

from typing import Protocol

from bot.chinese import CJK


def _is_chinese(part: str) -> bool:
    return bool(part) and CJK.search(part) is not None


def full_name(first: str | None, last: str | None) -> str:
    """The person's whole name as they would write it: "王伟", "Lena Schmidt"."""
    first, last = (first or "").strip(), (last or "").strip()
    if _is_chinese(first) and _is_chinese(last):
        return f"{last}{first}"
    return " ".join(part for part in (first, last) if part)


def greeting_name(first: str | None, last: str | None) -> str:
    """The name to greet the person with: the whole Chinese name ("您好，王伟！" – a given
    name alone is too familiar), else the first name ("Hello, Lena!")."""
    first, last = (first or "").strip(), (last or "").strip()
    if _is_chinese(first) or (not first and _is_chinese(last)):
        return full_name(first, last)
    return first or last


class Named(Protocol):
    """Anything with Telegram's two name fields (a stored client, a Telegram user)."""

    @property
    def first_name(self) -> str: ...

    @property
    def last_name(self) -> str | None: ...


def name_of(person: Named) -> str:
    """``full_name`` of a client or user."""
    return full_name(person.first_name, person.last_name)
