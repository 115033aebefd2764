"""The values the status columns take, as ``StrEnum``s (stored as their plain string values)."""

from __future__ import annotations

from enum import StrEnum


class ConversationStatus(StrEnum):
    """A client's conversation with staff."""

    OPEN = "open"
    CLOSED = "closed"


class RelayDirection(StrEnum):
    """Which way a relayed message travelled."""

    FROM_CLIENT = "in"
    TO_CLIENT = "out"


class BroadcastStatus(StrEnum):
    """A broadcast, from the staff member's preview to the last delivery."""

    DRAFT = "draft"
    RUNNING = "running"
    DONE = "done"
    CANCELLED = "cancelled"


class DeliveryStatus(StrEnum):
    """One recipient of a broadcast."""

    PENDING = "pending"
    SENDING = "sending"  # handed to Telegram; if the process dies now, we cannot know
    SENT = "sent"
    BLOCKED = "blocked"
    FAILED = "failed"
    UNCONFIRMED = "unconfirmed"  # was being sent when the bot stopped: not sent again


class BookingStatus(StrEnum):
    """A booked visit to the office."""

    BOOKED = "booked"
    CANCELLED = "cancelled"
