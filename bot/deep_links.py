"""Deep links from the agency's website: ``t.me/<bot>?start=<payload>`` arrives as
``/start <payload>``.

Payloads (at most 64 of ``A-Z a-z 0-9 _ -``, Telegram's rule):

- ``apply`` – start (or continue) the application;
- ``eligibility`` – the eligibility check;
- ``faq`` – the FAQ topics; ``faq_<entry id>`` – one answer, e.g. ``faq_foreigners``;
- ``status`` – where the client's application stands;
- ``human`` – talk to a member of staff.

Anything else (a campaign tag, an old or mistyped link) is no deep link: the normal greeting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")
FAQ_ENTRY_PREFIX = "faq_"


class Target(StrEnum):
    """Where a deep link leads."""

    APPLY = "apply"
    ELIGIBILITY = "eligibility"
    FAQ = "faq"
    FAQ_ENTRY = "faq_entry"
    STATUS = "status"
    HUMAN = "human"


@dataclass(frozen=True)
class DeepLink:
    """A deep link read: its target and, for one FAQ answer, the entry id."""

    target: Target
    entry_id: str = ""


_SIMPLE = {target.value: target for target in Target if target != Target.FAQ_ENTRY}


def read_deep_link(payload: str | None) -> DeepLink | None:
    """The deep link in a /start payload, or None (no payload, or not one of ours)."""
    if not payload or not PAYLOAD.fullmatch(payload):
        return None
    lowered = payload.lower()
    if lowered in _SIMPLE:
        return DeepLink(_SIMPLE[lowered])
    if lowered.startswith(FAQ_ENTRY_PREFIX) and len(lowered) > len(FAQ_ENTRY_PREFIX):
        return DeepLink(Target.FAQ_ENTRY, lowered.removeprefix(FAQ_ENTRY_PREFIX))
    return None
