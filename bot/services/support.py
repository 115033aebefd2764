"""Conversations between clients and staff through the bot: opening, claiming, closing, and the
message pairs that let replies travel both ways."""

from __future__ import annotations

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from storage.models import Client, RelayedMessage, SupportConversation, utcnow
from storage.statuses import ConversationStatus, RelayDirection

_KNOWN = "support_conversations"  # session.info key: client id → conversation (or None)


class SupportService:
    """Reads and changes support conversations."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of_client(self, client: Client) -> SupportConversation | None:
        """The client's conversation (open or closed), if there ever was one; several handlers
        of one update ask, so the answer is remembered for the session."""
        known: dict[int, SupportConversation | None] = self.session.info.setdefault(_KNOWN, {})
        if client.id not in known:
            result = await self.session.execute(
                select(SupportConversation).where(SupportConversation.client_id == client.id)
            )
            known[client.id] = result.scalar_one_or_none()
        return known[client.id]

    async def open_for(self, client: Client) -> SupportConversation | None:
        """The client's conversation if it is open."""
        conversation = await self.of_client(client)
        return (
            conversation
            if conversation is not None and conversation.status == ConversationStatus.OPEN
            else None
        )

    async def open(self, client: Client, reason: str) -> tuple[SupportConversation, bool]:
        """Open (or reopen) the client's conversation; True when it was not open before."""
        conversation = await self.of_client(client)
        if conversation is None:
            conversation = SupportConversation(
                client_id=client.id, status=ConversationStatus.OPEN, reason=reason
            )
            self.session.add(conversation)
            await self.session.flush()
            self.session.info[_KNOWN][client.id] = conversation
            return conversation, True
        if conversation.status == ConversationStatus.OPEN:
            return conversation, False
        conversation.status = ConversationStatus.OPEN
        conversation.reason = reason
        conversation.claimed_by = None
        conversation.claimed_name = None
        conversation.claimed_at = None
        conversation.last_message_at = None
        conversation.opened_at = utcnow()
        conversation.closed_at = None
        await self.session.flush()
        return conversation, True

    async def start_closed(self, client: Client, reason: str) -> SupportConversation:
        """A closed conversation for a client who has none (it holds their staff topic)."""
        conversation = SupportConversation(
            client_id=client.id,
            status=ConversationStatus.CLOSED,
            reason=reason,
            closed_at=utcnow(),
        )
        self.session.add(conversation)
        await self.session.flush()
        self.session.info.setdefault(_KNOWN, {})[client.id] = conversation
        return conversation

    async def get(self, conversation_id: int) -> SupportConversation | None:
        """A conversation by id."""
        return await self.session.get(SupportConversation, conversation_id)

    async def by_topic(self, topic_id: int) -> SupportConversation | None:
        """The conversation that owns a forum topic of the staff chat."""
        result = await self.session.execute(
            select(SupportConversation).where(SupportConversation.topic_id == topic_id)
        )
        return result.scalar_one_or_none()

    async def by_staff_message(self, message_id: int) -> SupportConversation | None:
        """The conversation a staff-chat message belongs to (a relayed message or an alert)."""
        relayed = await self.session.scalar(
            select(RelayedMessage).where(RelayedMessage.staff_message_id == message_id)
        )
        if relayed is not None:
            return await self.get(relayed.conversation_id)
        result = await self.session.execute(
            select(SupportConversation).where(SupportConversation.alert_message_id == message_id)
        )
        return result.scalar_one_or_none()

    async def client_message_copy(
        self, conversation: SupportConversation, message_id: int
    ) -> int | None:
        """The staff chat's copy of a client's message in this conversation (message ids
        count per chat, so the conversation tells clients apart)."""
        copy: int | None = await self.session.scalar(
            select(RelayedMessage.staff_message_id).where(
                RelayedMessage.conversation_id == conversation.id,
                RelayedMessage.direction == RelayDirection.FROM_CLIENT,
                RelayedMessage.client_message_id == message_id,
            )
        )
        return copy

    async def staff_message_copy(self, message_id: int) -> tuple[int, int] | None:
        """The client's copy of a staff member's message: (conversation id, message id in
        the client's chat)."""
        row = (
            await self.session.execute(
                select(RelayedMessage.conversation_id, RelayedMessage.client_message_id).where(
                    RelayedMessage.direction == RelayDirection.TO_CLIENT,
                    RelayedMessage.staff_message_id == message_id,
                )
            )
        ).first()
        return (row[0], row[1]) if row is not None else None

    async def record(
        self,
        conversation: SupportConversation,
        direction: RelayDirection,
        client_id: int,
        staff_id: int,
    ) -> None:
        """Remember a copied message pair (and that the conversation is not quiet)."""
        conversation.last_message_at = utcnow()
        self.session.add(
            RelayedMessage(
                conversation_id=conversation.id,
                direction=direction,
                client_message_id=client_id,
                staff_message_id=staff_id,
            )
        )
        await self.session.flush()

    @staticmethod
    def claim(conversation: SupportConversation, staff_id: int) -> bool:
        """A staff member takes the conversation; False if it is closed."""
        if conversation.status != ConversationStatus.OPEN:
            return False
        conversation.claimed_by = staff_id
        return True

    @staticmethod
    def close(conversation: SupportConversation) -> bool:
        """End the conversation; False if it was not open."""
        if conversation.status != ConversationStatus.OPEN:
            return False
        conversation.status = ConversationStatus.CLOSED
        conversation.closed_at = utcnow()
        return True


@event.listens_for(Session, "after_rollback")
def _forget_known_conversations(session: Session) -> None:
    """A rollback may undo a conversation opened in it: look it up again afterwards."""
    session.info.pop(_KNOWN, None)
