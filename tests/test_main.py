"""``python -m bot``: problems at start end with one clear line, never a traceback or the token."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_bot(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if key in ("PATH", "HOME", "LANG")}
    clean["PYTHONPATH"] = str(ROOT)
    clean["DATA_DIR"] = str(tmp_path / "data")
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_missing_token(tmp_path: Path) -> None:
    result = run_bot(tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "BOT_TOKEN is missing" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_bot_api_is_one_line_without_the_token(tmp_path: Path) -> None:
    token = "123456:VERY-SECRET-TOKEN"
    port = closed_port()
    result = run_bot(
        tmp_path,
        BOT_TOKEN=token,
        BOT_API_BASE_URL=f"http://127.0.0.1:{port}/bot",
        BOT_API_FILE_URL=f"http://127.0.0.1:{port}/file/bot",
        LOG_LEVEL="WARNING",
    )
    assert result.returncode == 3, result.stderr
    assert "Cannot reach the Telegram Bot API" in result.stderr
    assert "Traceback" not in result.stderr
    assert "VERY-SECRET" not in result.stderr + result.stdout
