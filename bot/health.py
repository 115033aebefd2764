"""GET /healthz: 200 while the bot and its database answer.

In webhook mode the webhook server answers it (``bot/webhook.py``); in polling mode a small server
of its own does, on HEALTH_LISTEN:HEALTH_PORT (see ``serve_health_checks``).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import text
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application as WebApplication
from tornado.web import RequestHandler

from bot.context import BotApplication, services_of

log = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"


class HealthHandler(RequestHandler):
    """GET /healthz: 200 when the bot and its database answer."""

    def initialize(self, bot_app: BotApplication) -> None:
        self.bot_app = bot_app

    async def get(self) -> None:
        """Ask the database for a trivial answer."""
        try:
            async with services_of(self.bot_app).database.sessions() as session:
                await session.execute(text("SELECT 1"))
        except Exception:
            self.set_status(503)
            self.finish({"ok": False})
            return
        self.finish({"ok": True, "running": self.bot_app.running})


def health_route(application: BotApplication) -> tuple[str, type[RequestHandler], dict[str, Any]]:
    """The tornado route of the health endpoint, for a server's route list."""
    return (HEALTH_PATH, HealthHandler, {"bot_app": application})


class HealthListenError(Exception):
    """The health server cannot listen where configured; the message is safe to print."""


def serve_health_checks(application: BotApplication, listen: str, port: int) -> None:
    """Answer GET /healthz on ``listen:port`` while ``application`` runs (polling mode).

    The port is bound at once, so that a busy port fails before the bot starts; the server then
    answers from the end of the application's ``post_init`` (migrations applied) to the start of
    its ``post_shutdown`` (before the database closes).
    """
    try:
        sockets = bind_sockets(port, address=listen)
    except OSError as error:
        raise HealthListenError(
            f"cannot listen for health checks on {listen}:{port} ({error.strerror}): set "
            "HEALTH_PORT to a free port (HEALTH_LISTEN to another address), or HEALTH_PORT=0 "
            "to turn the health server off"
        ) from None
    server = HTTPServer(WebApplication([health_route(application)]))
    post_init, post_shutdown = application.post_init, application.post_shutdown

    async def start(app: BotApplication) -> None:
        if post_init is not None:
            await post_init(app)
        server.add_sockets(sockets)
        log.info("Health checks answered on %s:%s%s", listen, port, HEALTH_PATH)

    async def stop(app: BotApplication) -> None:
        server.stop()
        for sock in sockets:  # also when start-up failed before the server took them
            sock.close()
        if post_shutdown is not None:
            await post_shutdown(app)

    application.post_init = start
    application.post_shutdown = stop
