#!/usr/bin/env python
"""Throughput benchmark: a realistic mix of client traffic through the real bot.

Usage:
    python bench/throughput.py [--seconds 20] [--clients 50] [--rates 25,50,100] [--runs 3]
                               [--floor] [--mix full|text] [--postgres URL]

Runs ``python -m bot`` in webhook mode (one or two processes) against ``bench/fake_bot_api.py`` and
posts updates from many clients at once: FAQ questions (70 %), checklist steps with buttons (20 %)
and document uploads (10 %); with --mix text, the same questions and steps without uploads (so
7 to 2), to see the cost of the bot's own path apart from image work. In webhook mode the bot
answers a request only after it has handled the update, so the request time is the handling
latency. Prints, for the capacity run (every client sends again as soon as it is answered) and for
steady offered loads (updates arriving at a fixed rate), handled updates per second, p50/p99
latency, the bot's CPU time per update and the peak resident memory of each process – on SQLite
with one process, and with --postgres on PostgreSQL with one and with two processes (SQLite is a
single-process database). Each figure is the median of several runs (--runs); the bot's CPU time
per update is the steadiest of them on a shared machine. --floor first measures
``bench/echo_bot.py``, a bare PTB bot that only answers, with the same mix, as the floor any bot
pays; each later line then also gives its CPU per update as a multiple of the floor's. Targets: 300
updates/s with p99 < 50 ms and < 200 MB on one process with SQLite; more with two processes on
PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bot_process import free_port, healthy, start_bot  # noqa: E402
from fake_bot_api import FakeTelegram, serve  # noqa: E402
from updates import OPEN_APPLICATION, QUESTIONS, STEPS, message, press, upload  # noqa: E402

from tests.support.image_samples import encode, make_document  # noqa: E402

SECRET = "throughput-bench-secret"
MIXES = ("full", "text")  # with uploads; without them


def peak_memory_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Traffic:
    """Builds the updates of the mix: FAQ questions, checklist steps and (in the full mix)
    uploads, 7 : 2 : 1 (BENCH_FAQ_SHARE, default 0.7, moves the questions' share)."""

    def __init__(self, state: FakeTelegram, mix: str = "full") -> None:
        self.ids = itertools.count(1)
        self.state = state
        faq = float(os.environ.get("BENCH_FAQ_SHARE", "0.7"))
        uploads = 0.1 if mix == "full" else 0.0
        self.weights = (faq, max(0.0, 0.9 - faq), uploads)
        document = encode(make_document((1600, 1000)), quality=90)
        state.files["scan"] = document
        self.document_size = len(document)

    def setup(self, chat: int) -> list[dict]:
        """Each client opens an application once (so steps and uploads have somewhere to go)."""
        return [press(next(self.ids), chat, data) for data in OPEN_APPLICATION]

    def next(self, chat: int) -> dict:
        """The client's next update, drawn from the mix."""
        kind = random.choices(("faq", "step", "upload"), self.weights)[0]
        if kind == "faq":
            return message(next(self.ids), chat, text=random.choice(QUESTIONS))
        if kind == "step":
            return press(next(self.ids), chat, random.choice(STEPS))
        return upload(next(self.ids), chat, "scan", self.document_size)


FLOOR = (str(ROOT / "bench" / "echo_bot.py"),)  # a bare PTB bot: what any bot pays per update


async def measure(
    processes: int,
    database_url: str,
    seconds: float,
    clients: int,
    rates: list[float],
    program: tuple[str, ...] = ("-m", "bot"),
    mix: str = "full",
) -> list[Row]:
    """One configuration: its capacity (every client sends as fast as it is answered), then the
    latency at steady offered loads (updates arrive at a fixed rate, as Telegram sends them)."""
    rows: list[Row] = []
    if database_url:
        await empty_database(database_url)  # every run starts alike: no clients, no update ids
    state = FakeTelegram()
    state.limits.per_second = 100_000
    state.limits.burst = 100_000
    state.limits.per_chat_seconds = 0
    api_port = free_port()
    server = serve(state, api_port)
    data_dir = Path(tempfile.mkdtemp(prefix="bench-throughput-"))
    ports = [free_port() for _ in range(processes)]
    bots = []
    for port in ports:  # one after the other: the first migrates
        settings = {
            "webhook_url": "https://bot.example/tg",
            "webhook_secret": SECRET,
            "webhook_listen": "127.0.0.1",
            "webhook_port": str(port),
            "flood_limit": "1000",
            "messages_per_second": "1000",
        }
        if database_url:
            settings["database_url"] = database_url
        bots.append(await start_bot(api_port, data_dir, program, **settings))
        await healthy(port)
    traffic = Traffic(state, mix)
    kind = "PostgreSQL" if database_url else "SQLite"
    if program == FLOOR:
        kind = "bare PTB"
    label = f"{kind:10s} {processes} process{'es' if processes > 1 else '  '}"
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        latencies: list[float] = []

        async def post(port: int, update: dict) -> None:
            started = time.perf_counter()
            answer = await http.post(f"http://127.0.0.1:{port}/tg", json=update, headers=headers)
            answer.raise_for_status()
            latencies.append(time.perf_counter() - started)

        chats = [900_000 + n for n in range(clients)]
        for chat in chats:
            for update in traffic.setup(chat):
                await post(ports[chat % processes], update)

        # Capacity: each client sends its next update as soon as the last one is answered.
        latencies.clear()
        cpu_before = sum(cpu_seconds(bot.pid) for bot in bots)
        stop = time.monotonic() + seconds

        async def client_loop(chat: int) -> None:
            n = 0
            while time.monotonic() < stop:
                n += 1
                await post(ports[(chat + n) % processes], traffic.next(chat))  # alternate

        started = time.monotonic()
        await asyncio.gather(*(client_loop(chat) for chat in chats))
        elapsed = time.monotonic() - started
        rows.append(_row(f"{label} capacity ", latencies, elapsed, bots, cpu_before))

        # Steady load: updates arrive at a fixed rate from clients who are not waiting for an
        # answer (Telegram sends a chat's updates one after the other).
        idle = list(chats)
        random.shuffle(idle)
        sending: set[asyncio.Task] = set()

        async def one(chat: int, n: int) -> None:
            await post(ports[n % processes], traffic.next(chat))
            idle.append(chat)

        for rate in rates:
            latencies.clear()
            cpu_before = sum(cpu_seconds(bot.pid) for bot in bots)
            started = time.monotonic()
            for n in range(int(rate * seconds)):
                await asyncio.sleep(max(0.0, started + n / rate - time.monotonic()))
                if idle:
                    task = asyncio.create_task(one(idle.pop(0), n))
                    sending.add(task)
                    task.add_done_callback(sending.discard)
            await asyncio.gather(*sending)
            elapsed = time.monotonic() - started
            rows.append(_row(f"{label} at {rate:4.0f}/s", latencies, elapsed, bots, cpu_before))
    for bot in bots:
        bot.terminate()
    await asyncio.gather(*(bot.wait() for bot in bots))
    server.stop()
    return rows


async def empty_database(url: str) -> None:
    """Drop everything in the PostgreSQL database (the bot migrates it again at start)."""
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Row:
    """One measurement: a configuration at capacity or at one offered load."""

    label: str
    per_second: float
    p50_ms: float
    p99_ms: float
    cpu_ms: float  # the bot processes' CPU time per handled update
    peak_mb: list[float]  # per process


def _row(label: str, latencies: list[float], elapsed: float, bots: list, cpu_before: float) -> Row:
    ordered = sorted(latencies)
    cpu = sum(cpu_seconds(bot.pid) for bot in bots) - cpu_before
    return Row(
        label,
        len(ordered) / elapsed,
        statistics.median(ordered) * 1000,
        ordered[int(len(ordered) * 0.99)] * 1000,
        cpu / len(ordered) * 1000,
        [peak_memory_mb(bot.pid) for bot in bots],
    )


def print_medians(runs: list[list[Row]], floor_cpu: Sequence[float] = ()) -> list[float]:
    """Print the median of each figure over the runs (peak memory: the highest), with the CPU per
    update as a multiple of ``floor_cpu`` (the floor's, line by line) when given; return the
    median CPU per update of each line."""
    medians = []
    for n, rows in enumerate(zip(*runs, strict=True)):
        peaks = [max(peak) for peak in zip(*(row.peak_mb for row in rows), strict=True)]
        cpu = statistics.median(r.cpu_ms for r in rows)
        ratio = f" ({cpu / floor_cpu[n]:4.1f}× floor)" if n < len(floor_cpu) else ""
        print(
            f"{rows[0].label}: {statistics.median(r.per_second for r in rows):6.0f} updates/s, "
            f"p50 {statistics.median(r.p50_ms for r in rows):6.1f} ms, "
            f"p99 {statistics.median(r.p99_ms for r in rows):7.1f} ms, "
            f"bot CPU {cpu:5.2f} ms/update{ratio}, "
            f"peak RSS {' + '.join(f'{peak:.0f}' for peak in peaks)} MB",
            flush=True,
        )
        medians.append(cpu)
    return medians


def main() -> None:
    """Parse the options and run each configuration."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument(
        "--rates", default="25,50,100", help="steady offered loads to measure, updates/s"
    )
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL", ""))
    parser.add_argument(
        "--floor",
        action="store_true",
        help="first measure bench/echo_bot.py, a bare PTB bot with no database, as the floor",
    )
    parser.add_argument(
        "--mix",
        choices=MIXES,
        default="full",
        help="full: FAQ questions, steps and uploads; text: questions and steps only (and the\n"
        "floor is measured too, as with --floor)",
    )
    parser.add_argument(
        "--runs", type=int, default=3, help="runs of each configuration; medians are printed"
    )
    args = parser.parse_args()
    random.seed(3)
    rates = [float(rate) for rate in args.rates.split(",") if rate]
    configurations: list[tuple[int, str, tuple[str, ...]]] = [(1, "", ("-m", "bot"))]
    if args.floor or args.mix == "text":  # the text mix is there to be set against the floor
        configurations.insert(0, (1, "", FLOOR))
    if args.postgres:
        configurations += [(1, args.postgres, ("-m", "bot")), (2, args.postgres, ("-m", "bot"))]
    print(
        f"Medians of {args.runs} runs of {args.seconds:.0f} s with {args.clients} clients, "
        f"{args.mix} mix"
    )
    floor_cpu: list[float] = []
    for processes, database_url, program in configurations:
        runs = [
            asyncio.run(
                measure(
                    processes, database_url, args.seconds, args.clients, rates, program, args.mix
                )
            )
            for _ in range(args.runs)
        ]
        cpu = print_medians(runs, floor_cpu)
        if program == FLOOR:
            floor_cpu = cpu


if __name__ == "__main__":
    main()
