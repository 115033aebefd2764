"""Start the bot: ``python -m bot``, or the ``icp-bot`` command the package installs.

Reads the configuration, then polls Telegram for updates (answering GET /healthz on
HEALTH_LISTEN:HEALTH_PORT), or serves a webhook when WEBHOOK_URL is set. Configuration and
network problems end the program with one clear line.
"""

from __future__ import annotations

import asyncio
import logging
import sys

from alembic.util.exc import CommandError
from telegram import Bot, Update
from telegram.error import InvalidToken, NetworkError, TimedOut

from bot.app import build_application
from bot.config import ConfigError, Settings, load_settings
from bot.context import BotApplication
from bot.faq.knowledge import KnowledgeError
from bot.filing.catalogue import CatalogueError
from bot.health import HealthListenError, serve_health_checks
from bot.logs import configure_logging
from bot.webhook import serve

log = logging.getLogger("bot")


async def check_bot_api(settings: Settings) -> None:
    """Fail fast, with a clear error, when the Bot API is unreachable or refuses the token."""
    bot = Bot(
        settings.bot_token.get_secret_value(),
        base_url=settings.bot_api_base_url,
        base_file_url=settings.bot_api_file_url,
        local_mode=settings.bot_api_local_mode,
    )
    async with bot:
        log.info("Connected to the Bot API as @%s", bot.username)


def run(settings: Settings) -> None:
    """Run until interrupted."""
    application = build_application(settings)
    asyncio.run(check_bot_api(settings))
    if settings.webhook_url:
        log.info(
            "Starting in webhook mode on %s:%s", settings.webhook_listen, settings.webhook_port
        )
        asyncio.run(
            serve(
                application,
                settings.webhook_listen,
                settings.webhook_port,
                settings.webhook_path,
                settings.webhook_secret.get_secret_value(),
                settings.webhook_url,
            )
        )
    else:
        poll(application, settings)


def poll(application: BotApplication, settings: Settings) -> None:
    """Poll Telegram until interrupted, answering GET /healthz meanwhile (unless HEALTH_PORT=0)."""
    if settings.health_port:
        serve_health_checks(application, settings.health_listen, settings.health_port)
    log.info("Starting in polling mode against %s", settings.bot_api_base_url)
    application.run_polling(allowed_updates=Update.ALL_TYPES)


def main() -> int:
    """Entry point; returns the process exit code."""
    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.bot_token.get_secret_value())
    try:
        run(settings)
    except HealthListenError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    except (KnowledgeError, CatalogueError) as error:
        print(f"Data file error: {error}", file=sys.stderr)
        return 2
    except CommandError as error:
        print(f"Database migration error: {error}", file=sys.stderr)
        return 2
    except InvalidToken:
        print(
            "Telegram rejected the bot token: check BOT_TOKEN (from @BotFather).", file=sys.stderr
        )
        return 2
    except (NetworkError, TimedOut) as error:
        print(
            f"Cannot reach the Telegram Bot API at {settings.bot_api_base_url}: {error}. "
            "Check the network or BOT_API_BASE_URL.",
            file=sys.stderr,
        )
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
