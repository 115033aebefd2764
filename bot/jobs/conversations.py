"""Job: close conversations with staff that have been quiet for ``CONVERSATION_QUIET_MINUTES``
(the client is told, the alert edited and the topic closed, once across bot processes)."""

from __future__ import annotations

from datetime import datetime

from bot.config import Settings
from bot.filing.catalogue import Catalogue
from bot.i18n import Translations
from bot.messenger import Messenger
from bot.scope import background_session
from bot.services.conversations import ConversationDesk, ForumFlag
from storage.database import Database


async def close_quiet_conversations(
    database: Database,
    messenger: Messenger,
    settings: Settings,
    translations: Translations,
    catalogue: Catalogue,
    forum: ForumFlag,
    now: datetime | None = None,
) -> int:
    """Close every quiet conversation; how many were closed."""
    async with background_session(database) as session:
        desk = ConversationDesk(session, messenger, settings, translations, catalogue, forum)
        closed = await desk.close_quiet(now)
        await session.commit()
        return closed
