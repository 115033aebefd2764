"""Killing the bot (SIGKILL) at random moments – while it migrates, while clients upload and
answer, while a broadcast goes out – and starting it again loses no accepted document, repeats
no notice and resumes every client where they were.

The test plays Telegram: every update is posted to the webhook until it is acknowledged, so an
update the bot died on is delivered again, as Telegram does. Afterwards the database and the
document files are checked against what each client was told.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
from sqlalchemy import select

from bot.filing.catalogue import load_catalogue
from bot.services.broadcasts import BroadcastService, Segment, texts_for
from storage.database import Database
from storage.models import BroadcastDelivery, Client, DocumentVersion, FilingApplication
from storage.statuses import DeliveryStatus
from tests.conftest import POSTGRES_URL
from tests.support.image_samples import encode, make_document

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from bot_process import free_port, healthy, start_bot  # noqa: E402
from fake_bot_api import FakeTelegram, serve  # noqa: E402
from updates import message, press, upload  # noqa: E402

SECRET = "crash-test-secret-123"
STAFF = -100555
CLIENTS = 8
UPLOADS = 4
RECIPIENTS = 40
KILLS_WHILE_MIGRATING = 3
KILLS_WHILE_WORKING = 8
IMAGE_STEPS = ["id_card_front", "id_card_back", "domain_certificate", "verification_form"]


class Bot:
    """The bot process, started again after every kill, on the same port."""

    def __init__(
        self, api_port: int, data_dir: Path, database_url: str, orphan_grace_minutes: int = 0
    ) -> None:
        self.port = free_port()
        self.api_port = api_port
        self.data_dir = data_dir
        self.settings = {
            "database_url": database_url,
            "staff_chat_id": str(STAFF),
            "webhook_url": "https://bot.example/tg",
            "webhook_secret": SECRET,
            "webhook_listen": "127.0.0.1",
            "webhook_port": str(self.port),
            "flood_limit": "1000",
            "messages_per_second": "20",
            "orphaned_file_grace_minutes": str(orphan_grace_minutes),
            "log_level": os.environ.get("CRASH_TEST_LOG_LEVEL", "WARNING"),
        }
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.process = await start_bot(self.api_port, self.data_dir, **self.settings)

    async def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        await self.process.wait()

    async def stop(self) -> None:
        assert self.process is not None
        self.process.terminate()
        await self.process.wait()


def scripts(state: FakeTelegram) -> dict[int, list[dict]]:
    """Each client: choose the applicant type and provider, upload four documents, ask."""
    update_ids = iter(range(10_000, 20_000))
    plans = {}
    for n in range(CLIENTS):
        chat = 81_000 + n
        plan = [
            press(next(update_ids), chat, "app:type:mainland_individual"),
            press(next(update_ids), chat, "app:choose:filing_type:first"),
            press(next(update_ids), chat, "app:choose:province:beijing"),
            press(next(update_ids), chat, "app:choose:hosting_provider:aliyun"),
        ]
        for k in range(UPLOADS):
            file_id = f"scan-{n}-{k}"
            state.files[file_id] = encode(make_document((1800, 1150), seed=n * 10 + k), quality=92)
            plan.append(upload(next(update_ids), chat, file_id, len(state.files[file_id])))
            if IMAGE_STEPS[k] == "id_card_back":  # then: is the ID card from the province?
                plan.append(press(next(update_ids), chat, "app:choose:id_local:yes"))
        plan.append(message(next(update_ids), chat, text="how long does it take?"))
        plans[chat] = plan
    return plans


async def add_broadcast(database_url: str) -> None:
    """A broadcast to 40 clients, under way when the bot starts."""
    database = Database(database_url)
    await database.migrate()
    async with database.sessions() as session:
        session.add_all(
            Client(telegram_id=70_000 + n, first_name=f"R{n}", telegram_language="en")
            for n in range(RECIPIENTS)
        )
        await session.flush()
        service = BroadcastService(session)
        broadcast = await service.create(1, STAFF, "all", texts_for("Notice", "通知"))
        recipients = await service.recipients(Segment.parse("all"), "en")
        await service.start(broadcast, recipients)
        await session.commit()
    await database.dispose()


async def deliver(http: httpx.AsyncClient, bots: list[Bot], updates: list[dict]) -> None:
    """Post each update until a bot acknowledges it (Telegram's redelivery); with several
    processes, like a load balancer: in turn, and to the next one when a process is down."""
    for n, update in enumerate(updates):
        for attempt in itertools.count():
            bot = bots[(n + attempt) % len(bots)]
            try:
                answer = await http.post(
                    f"http://127.0.0.1:{bot.port}/tg",
                    json=update,
                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                )
                if answer.status_code == 200:
                    break
            except httpx.HTTPError:
                pass  # the process died with the request: deliver it again
            await asyncio.sleep(0.1)


async def test_sigkill_at_random_moments_loses_and_repeats_nothing(tmp_path: Path) -> None:
    database_url = POSTGRES_URL or f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    await kill_at_random_moments(tmp_path, database_url, processes=1)


async def test_a_reply_cut_off_by_a_kill_arrives_after_the_restart(tmp_path: Path) -> None:
    """The bot is SIGKILLed while Telegram has not yet answered the reply to a stored question
    (the update is already marked handled): after the restart, Telegram's redelivery brings the
    reply, once."""
    database_url = POSTGRES_URL or f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    state = FakeTelegram()
    state.limits.per_chat_seconds = 0
    api_port = free_port()
    server = serve(state, api_port)
    bot = Bot(api_port, tmp_path, database_url)
    chat = 81_900
    question = message(30_001, chat, text="how long does it take?")
    try:
        await bot.start()
        await healthy(bot.port)
        state.stall_chat = chat
        async with httpx.AsyncClient(timeout=60) as http:
            first = asyncio.create_task(deliver(http, [bot], [question]))
            await asyncio.wait_for(state.stalled.wait(), timeout=30)
            await bot.kill()  # Telegram has the reply in hand and never answers it
            state.release.set()
            await bot.start()
            await asyncio.wait_for(first, timeout=60)  # redelivered until acknowledged
        told = [text for _t, to, text in state.accepted if to == chat]
        assert len(told) == 1 and "weeks" in told[0], told
    finally:
        if bot.process is not None and bot.process.returncode is None:
            await bot.kill()
        server.stop()


async def kill_at_random_moments(tmp_path: Path, database_url: str, processes: int) -> None:
    """Clients work and a broadcast goes out while bot processes are SIGKILLed at random
    moments and started again; then check the database and files against what was said."""
    seed = int(os.environ.get("CRASH_TEST_SEED") or random.randrange(1_000_000))
    rng = random.Random(seed)
    print(f"crash test seed: {seed}")
    state = FakeTelegram()
    state.limits.per_chat_seconds = 0
    state.limits.per_second = 1000
    state.limits.burst = 1000
    state.limits.latency = 0.05  # like Telegram: a crash can fall between storing and telling
    api_port = free_port()
    server = serve(state, api_port)
    # With two processes, one may be between writing a file and recording it when the other
    # starts: unrecorded files must be older than that to be removed.
    grace = 0 if processes == 1 else 15
    bots = [Bot(api_port, tmp_path, database_url, grace) for _ in range(processes)]
    try:
        # Killed while starting on an empty database: imports, migration, first steps.
        for _ in range(KILLS_WHILE_MIGRATING):
            await asyncio.gather(*(bot.start() for bot in bots))
            await asyncio.sleep(rng.uniform(0.3, 3.0))
            await asyncio.gather(*(bot.kill() for bot in bots))
        await add_broadcast(database_url)  # also proves the schema is whole

        # Killed again and again while clients work and the broadcast goes out.
        plans = scripts(state)
        for bot in bots:
            await bot.start()
            await healthy(bot.port)
        async with httpx.AsyncClient(timeout=60) as http:
            clients = [asyncio.create_task(deliver(http, bots, plan)) for plan in plans.values()]
            for _ in range(KILLS_WHILE_WORKING):
                victim = rng.choice(bots)
                await healthy(victim.port)
                await asyncio.sleep(rng.uniform(0.05, 1.2))
                await victim.kill()
                await victim.start()
            for bot in bots:
                await healthy(bot.port)
            await asyncio.wait_for(asyncio.gather(*clients), timeout=120)
        await _broadcast_settled(database_url)
        await asyncio.gather(*(bot.stop() for bot in bots))
        tidy = bots[0]  # a last start, alone, tidies up after the last kill
        tidy.settings["orphaned_file_grace_minutes"] = "0"
        await tidy.start()
        await healthy(tidy.port)
        await tidy.stop()

        await _check_documents(database_url, tmp_path / "documents", state, seed)
        await _check_broadcast(database_url, state, seed)
        for chat in plans:
            told = [text for _t, to, text in state.accepted if to == chat]
            assert any("weeks" in text for text in told), f"seed {seed}: {chat} got no answer"
    finally:
        for bot in bots:
            if bot.process is not None and bot.process.returncode is None:
                await bot.kill()
        server.stop()


async def _broadcast_settled(database_url: str) -> None:
    database = Database(database_url)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            async with database.sessions() as session:
                unsettled = await session.scalar(
                    select(BroadcastDelivery.id).where(
                        BroadcastDelivery.status.in_(
                            [DeliveryStatus.PENDING, DeliveryStatus.SENDING]
                        )
                    )
                )
            if unsettled is None:
                return
            await asyncio.sleep(0.3)
        raise AssertionError("the broadcast did not finish")
    finally:
        await database.dispose()


async def _check_documents(
    database_url: str, documents: Path, state: FakeTelegram, seed: int
) -> None:
    """Every document a client was told was accepted is stored, once, with its files; no
    document was taken twice; no stray file is left."""
    catalogue = load_catalogue()
    titles = {item.id: item.title.get("en") for item in catalogue.item}
    database = Database(database_url)
    async with database.sessions() as session:
        rows = (
            await session.execute(
                select(Client.telegram_id, DocumentVersion)
                .join(FilingApplication, FilingApplication.client_id == Client.id)
                .join(DocumentVersion, DocumentVersion.application_id == FilingApplication.id)
                .where(DocumentVersion.accepted.is_(True))
            )
        ).all()
    await database.dispose()
    accepted: dict[int, list[tuple[str, str | None]]] = {}
    referenced: set[str] = set()
    for chat, version in rows:
        accepted.setdefault(chat, []).append((version.step_id, version.original_sha256))
        for sha256, suffix in (
            (version.original_sha256, version.original_suffix),
            (version.normalised_sha256, ".jpg"),
        ):
            assert sha256 and (documents / sha256[:2] / f"{sha256}{suffix}").is_file(), (
                f"seed {seed}: a stored document of {chat} has no file"
            )
            referenced.add(sha256)
    for n in range(CLIENTS):
        chat = 81_000 + n
        sent = [hashlib.sha256(state.files[f"scan-{n}-{k}"]).hexdigest() for k in range(UPLOADS)]
        expected = sorted(zip(IMAGE_STEPS, sent, strict=True))  # each upload on its own step
        told = [text[:60] for _t, to, text in state.accepted if to in (chat, STAFF)]
        assert sorted(accepted.get(chat, [])) == expected, f"seed {seed}: {chat} got {told}"
        steps = [step for step, _sha256 in accepted[chat]]
        told = {
            step
            for step in IMAGE_STEPS
            for _t, to, text in state.accepted
            if to == chat and text.startswith(f"✅ {titles[step]} accepted")
        }
        assert told <= set(steps), f"seed {seed}: {chat} was told more than is stored"
    on_disk = {path.name.split(".", 1)[0] for path in _files(documents)}
    assert on_disk == referenced, f"seed {seed}: stray files {on_disk - referenced}"


async def _check_broadcast(database_url: str, state: FakeTelegram, seed: int) -> None:
    """Nobody got the notice twice, and everyone recorded as sent got it."""
    notices = Counter(
        chat
        for _t, chat, text in state.accepted
        if text.endswith("\n\nNotice")  # after the header
    )
    assert set(notices.values()) <= {1}, f"seed {seed}: duplicates {notices.most_common(3)}"
    database = Database(database_url)
    async with database.sessions() as session:
        sent = set(
            await session.scalars(
                select(Client.telegram_id)
                .join(BroadcastDelivery, BroadcastDelivery.client_id == Client.id)
                .where(BroadcastDelivery.status == DeliveryStatus.SENT)
            )
        )
    await database.dispose()
    assert sent <= set(notices), f"seed {seed}: recorded as sent but never received"
    assert len(notices) >= RECIPIENTS - KILLS_WHILE_WORKING  # at most one in flight per kill


def _files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]
