#!/usr/bin/env python
"""CPU per Bot API call of PTB's httpx request object and of ours on aiohttp.

Usage:
    python bench/http_clients.py [--calls 3000] [--runs 5]

A fake Bot API (``bench/fake_bot_api.py``) runs in a separate process; this process sends
``sendMessage`` calls through a PTB ``Bot`` from ten concurrent senders and prints the median,
over several runs, of its own CPU time per call (request, answer, and PTB parsing the Message).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bot_process import free_port  # noqa: E402
from telegram import Bot  # noqa: E402
from telegram.request import BaseRequest, HTTPXRequest  # noqa: E402

from bot.aiohttp_request import AiohttpRequest  # noqa: E402

SENDERS = 10


async def serve_forever(port: int) -> None:
    """The fake Bot API, without Telegram's limits."""
    from fake_bot_api import FakeTelegram, serve

    state = FakeTelegram()
    state.limits.per_second = state.limits.burst = 1e9
    state.limits.per_chat_seconds = 0
    serve(state, port)
    print("ready", flush=True)
    await asyncio.Event().wait()


async def cpu_per_call(request: BaseRequest, port: int, calls: int) -> float:
    """Milliseconds of this process's CPU per sendMessage."""
    bot = Bot("123456:bench-token", base_url=f"http://127.0.0.1:{port}/bot", request=request)
    async with bot:
        for _ in range(100):  # warm up: connections, caches
            await bot.send_message(1, "warm-up")

        async def sender(chat: int) -> None:
            for _ in range(calls // SENDERS):
                await bot.send_message(chat, "How long does an ICP filing take?")

        started = time.process_time()
        await asyncio.gather(*(sender(chat) for chat in range(1, SENDERS + 1)))
        return (time.process_time() - started) / calls * 1000


def main() -> None:
    """Measure each request object several times, alternating, and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve_forever(args.serve))
        return
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(port)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == "ready"
        makers = {
            "httpx (PTB's HTTPXRequest)": lambda: HTTPXRequest(connection_pool_size=256),
            "aiohttp (bot.aiohttp_request)": AiohttpRequest,
        }
        results: dict[str, list[float]] = {name: [] for name in makers}
        for _ in range(args.runs):
            for name, make in makers.items():
                results[name].append(asyncio.run(cpu_per_call(make(), port, args.calls)))
        medians = {name: statistics.median(values) for name, values in results.items()}
        for name, median in medians.items():
            print(f"{name:32s} {median:5.2f} ms CPU per call (median of {args.runs} runs)")
        httpx_cost, aiohttp_cost = medians.values()
        print(f"aiohttp uses {aiohttp_cost / httpx_cost:.0%} of httpx's CPU per call")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
