"""The callback context handlers receive: PTB's, plus this bot's services and update scope."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import Application, BaseHandler, CallbackContext, ExtBot

from bot.i18n import Translator
from bot.messenger import Messenger
from bot.scope import UpdateScope, current_scope
from bot.services.container import Services
from bot.services.conversations import ConversationDesk
from bot.telegram_messenger import TelegramMessenger
from storage.models import Client

SERVICES_KEY = "services"

# PTB's generic types, as this bot uses them.
BotApplication = Application[Any, Any, Any, Any, Any, Any]
HandlerList = list[BaseHandler[Any, Any, Any]]


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """Gives handlers typed access to the services, the session, the client and translations."""

    @property
    def services(self) -> Services:
        """The bot's shared services."""
        return services_of(self.application)

    @property
    def scope(self) -> UpdateScope:
        """The unit of work of the current update."""
        return current_scope()

    @property
    def session(self) -> AsyncSession:
        """The current update's database session."""
        return self.scope.session

    @property
    def client(self) -> Client | None:
        """The client who sent the update (private chats only)."""
        return self.scope.client

    @property
    def messenger(self) -> Messenger:
        """Telegram, for services and jobs (commits before each call)."""
        return TelegramMessenger(self.bot, self.services.staff_moves)

    @property
    def conversations(self) -> ConversationDesk:
        """The use cases of conversations with staff, for this update."""
        services = self.services
        return ConversationDesk(
            self.session,
            self.messenger,
            services.settings,
            services.translations,
            services.catalogue,
            services.staff_forum,
        )

    @property
    def i18n(self) -> Translator:
        """Translations in the client's language."""
        return self.scope.i18n


def services_of(application: BotApplication) -> Services:
    """The services stored on an application."""
    services: Services = application.bot_data[SERVICES_KEY]
    return services
