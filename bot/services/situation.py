"""Where a client stands when a message arrives: what the private-chat router needs to send it
to exactly one place."""

from __future__ import annotations

from dataclasses import dataclass

from bot.filing.catalogue import Catalogue, Item
from bot.filing.stages import OPEN_TO_CLIENT
from bot.services.clients import Arrival
from storage.models import FilingApplication, SupportConversation
from storage.statuses import ConversationStatus


@dataclass(frozen=True)
class Situation:
    """The client's open conversation with staff, open application and its current step."""

    conversation: SupportConversation | None = None  # only while open
    application: FilingApplication | None = None  # only while the client can change it
    step: Item | None = None  # the application's current step (None while reviewing)
    has_submitted: bool = False  # an application is with staff or the bureau

    @property
    def paused(self) -> bool:
        """The client paused their application: text is not a step's answer, and replies do
        not remind them of the step."""
        return self.application is not None and self.application.paused_at is not None


def situation_of(arrival: Arrival, catalogue: Catalogue) -> Situation:
    """The situation, from what was read when the update arrived (no further queries)."""
    conversation = arrival.conversation
    if conversation is not None and conversation.status != ConversationStatus.OPEN:
        conversation = None
    latest = arrival.latest_application
    if latest is None:
        return Situation(conversation)
    if latest.status not in OPEN_TO_CLIENT:
        return Situation(conversation, has_submitted=True)
    steps = catalogue.steps_for(latest.applicant_type, latest.answers or {})
    step = next((item for item in steps if item.id == latest.current_step), None)
    return Situation(conversation, latest, step)
