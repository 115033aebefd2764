"""Webhook mode behind a reverse proxy: Telegram's secret is checked, each update is handled
before it is acknowledged (so a failure makes Telegram deliver it again), and a health endpoint
answers for the proxy or orchestrator (``bot/health.py``)."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal

from telegram import Update
from tornado.httpserver import HTTPServer
from tornado.web import Application as WebApplication
from tornado.web import RequestHandler

from bot.context import BotApplication
from bot.health import HEALTH_PATH as HEALTH_PATH  # re-exported
from bot.health import health_route
from bot.incoming import read_update

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class UpdateHandler(RequestHandler):
    """POST /<path>: one update from Telegram."""

    def initialize(self, bot_app: BotApplication, secret: str) -> None:
        self.bot_app = bot_app
        self.secret = secret

    async def post(self) -> None:
        """Check the secret, handle the update, then answer 200."""
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            self.set_status(403)
            return
        try:
            data = json.loads(self.request.body)
        except ValueError:
            self.set_status(400)
            return
        if not isinstance(data, dict):
            self.set_status(400)
            return
        update = read_update(data, self.bot_app.bot)
        if update is None:  # logged; acknowledged, or Telegram would send it again and again
            self.set_status(200)
            return
        app = self.bot_app
        await app.update_processor.process_update(update, app.process_update(update))
        self.set_status(200)


def web_app(application: BotApplication, path: str, secret: str) -> WebApplication:
    """The tornado application serving the webhook and the health endpoint."""
    return WebApplication(
        [
            (f"/{path.strip('/')}", UpdateHandler, {"bot_app": application, "secret": secret}),
            health_route(application),
        ]
    )


async def serve(
    application: BotApplication, listen: str, port: int, path: str, secret: str, url: str
) -> None:
    """Run until SIGINT/SIGTERM: start the bot, register the webhook, serve, then stop cleanly."""
    post_init, post_shutdown = application.post_init, application.post_shutdown
    async with application:
        if post_init:
            await post_init(application)
        await application.start()
        await application.bot.set_webhook(
            url=url, secret_token=secret, allowed_updates=Update.ALL_TYPES
        )
        server = HTTPServer(web_app(application, path, secret))
        server.listen(port, address=listen)
        log.info("Webhook listening on %s:%s/%s", listen, port, path.strip("/"))
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        server.stop()
        await application.stop()
    if post_shutdown:
        await post_shutdown(application)
