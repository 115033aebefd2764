"""Handing the background jobs to PTB: the job queue's timers, and broadcast tasks.

The one module of ``bot.jobs`` that knows PTB: it builds each job with a ``TelegramMessenger``
on the application's bot and the shared services.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any, TypeAlias

from telegram.ext import Application

from bot.context import BotContext, services_of
from bot.jobs import retention
from bot.jobs.broadcasts import BroadcastSender
from bot.jobs.conversations import close_quiet_conversations
from bot.jobs.reminders import Reminders
from bot.telegram_messenger import TelegramMessenger

log = logging.getLogger(__name__)

BotApplication: TypeAlias = Application[Any, Any, Any, Any, Any, Any]

TASKS_KEY = "broadcast_tasks"  # bot_data: the broadcasts being sent, kept referenced
INTERVAL = timedelta(minutes=5)
FIRST_RUN = timedelta(seconds=5)


def broadcast_sender(application: BotApplication) -> BroadcastSender:
    """A sender that pauses when the application stops."""
    services = services_of(application)
    return BroadcastSender(
        services.database,
        TelegramMessenger(application.bot, services.staff_moves),
        services.send_budget,
        services.translations,
        services.settings,
        keep_going=lambda: application.running,
    )


def launch_broadcast(
    application: BotApplication, broadcast_id: int, *, announce: bool = False
) -> asyncio.Task[None]:
    """Send a broadcast in the background (``announce``: show staff its progress message)."""
    tasks: set[asyncio.Task[None]] = application.bot_data.setdefault(TASKS_KEY, set())
    task: asyncio.Task[None] = application.create_task(
        broadcast_sender(application).send(broadcast_id, announce=announce)
    )
    tasks.add(task)
    task.add_done_callback(tasks.discard)
    return task


async def resume_broadcasts(application: BotApplication) -> None:
    """At start: continue the broadcasts a stop interrupted, once the bot runs (a broadcast
    pauses whenever the bot is not running)."""
    interrupted = await broadcast_sender(application).take_over_interrupted()
    if application.job_queue is None:
        if interrupted:
            log.warning("No job queue: broadcasts %s wait for a start with one", interrupted)
        return
    for broadcast_id in interrupted:
        application.job_queue.run_once(
            _resume, when=0, data=broadcast_id, name=f"resume broadcast {broadcast_id}"
        )


async def _resume(context: BotContext) -> None:
    job = context.job
    if job is not None and isinstance(job.data, int):
        launch_broadcast(context.application, job.data)


def reminders(application: BotApplication) -> Reminders:
    """The reminder jobs, speaking through the application's bot."""
    services = services_of(application)
    return Reminders(
        services.database,
        TelegramMessenger(application.bot, services.staff_moves),
        services.translations,
        services.settings,
        services.catalogue,
        services.agency,
    )


async def send_visit_reminders(context: BotContext) -> None:
    """Job: remind clients of tomorrow's visits."""
    await reminders(context.application).send_visit_reminders()


async def send_due_reminders(context: BotContext) -> None:
    """Job: send every due application reminder."""
    await reminders(context.application).send_application_reminders()


async def purge_documents(context: BotContext) -> None:
    """Job: delete documents past their retention time."""
    services = services_of(context.application)
    await retention.purge_documents(services.database, services.documents, services.settings)


async def close_quiet(context: BotContext) -> None:
    """Job: close conversations with staff that have been quiet for a while."""
    services = services_of(context.application)
    await close_quiet_conversations(
        services.database,
        TelegramMessenger(context.application.bot, services.staff_moves),
        services.settings,
        services.translations,
        services.catalogue,
        services.staff_forum,
    )


def schedule_jobs(application: BotApplication) -> None:
    """Start the reminder and retention jobs (they first run a few seconds after start)."""
    if application.job_queue is None:
        return
    for job in (send_visit_reminders, send_due_reminders, purge_documents, close_quiet):
        application.job_queue.run_repeating(
            job, interval=INTERVAL, first=FIRST_RUN, name=job.__name__
        )
