"""Running the real bot (``python -m bot``) as a separate process against a local fake Bot API,
for benchmarks and the multi-process test."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def start_bot(
    api_port: int, data_dir: Path, program: tuple[str, ...] = ("-m", "bot"), **settings: str
) -> asyncio.subprocess.Process:
    """Start the bot (or another ``program``) with a fake token, the fake Bot API and extra
    settings (NAME=value)."""
    env = {
        **{key: value for key, value in os.environ.items() if key in ("PATH", "HOME", "LANG")},
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": "123456:local-bench-token",
        "BOT_API_BASE_URL": f"http://127.0.0.1:{api_port}/bot",
        "BOT_API_FILE_URL": f"http://127.0.0.1:{api_port}/file/bot",
        "DATA_DIR": str(data_dir),
        "LOG_LEVEL": "WARNING",
        "HEALTH_PORT": "0",  # polling bots would all want the default port
        **{key.upper(): value for key, value in settings.items()},
    }
    with (data_dir / "bot.log").open("ab") as log:  # kept for a look after a failure
        return await asyncio.create_subprocess_exec(
            sys.executable, *program, cwd=data_dir, env=env, stderr=log
        )


async def healthy(port: int, limit: float = 60) -> None:
    """Wait until a bot in webhook mode answers its health check."""
    deadline = asyncio.get_running_loop().time() + limit
    async with httpx.AsyncClient() as http:
        while asyncio.get_running_loop().time() < deadline:
            try:
                if (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise TimeoutError(f"the bot on port {port} did not start")
