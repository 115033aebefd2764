"""The code's layers, checked on the source: handlers stay Telegram glue, services stay free of
Telegram, storage depends on nothing of ours."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import storage.models

ROOT = Path(__file__).resolve().parent.parent
MODELS = {
    name
    for name, value in vars(storage.models).items()
    if isinstance(value, type)
    and issubclass(value, storage.models.Base)
    and value is not storage.models.Base
}
# Where the application is put together from every layer.
ASSEMBLY = {"bot/app.py", "bot/__main__.py"}
# Adapters that speak Telegram on behalf of the layers below them.
TELEGRAM_ADAPTERS = {
    "bot/telegram_messenger.py",
    "bot/bot_api_request.py",
    "bot/aiohttp_request.py",
    "bot/jobs/schedule.py",  # hands the jobs to PTB's job queue
}


def _modules(*folders: str) -> Iterator[tuple[str, ast.Module]]:
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            yield relative, ast.parse(path.read_text(encoding="utf-8"), relative)


def _imports(tree: ast.Module) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def _top(name: str) -> str:
    return name.split(".", 1)[0]


def test_handlers_use_no_sql_and_build_no_records() -> None:
    problems = []
    for path, tree in _modules("handlers"):
        problems += [
            f"{path} imports {name}" for name in _imports(tree) if _top(name) == "sqlalchemy"
        ]
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in MODELS
            ):
                problems.append(f"{path}:{node.lineno} builds a {node.func.id}")
            if isinstance(node, ast.Attribute) and node.attr in {
                "commit",
                "execute",
                "scalars",
                "scalar",
            }:
                owner = node.value
                if isinstance(owner, ast.Attribute) and owner.attr == "session":
                    problems.append(f"{path}:{node.lineno} calls session.{node.attr}")
    assert problems == []


def test_services_and_storage_never_speak_telegram() -> None:
    problems = [
        f"{path} imports {name}"
        for path, tree in _modules("bot", "storage")
        if path not in TELEGRAM_ADAPTERS
        and not path.startswith(("bot/app", "bot/__main__"))
        and any(
            part in path
            for part in ("services/", "filing/", "faq/", "images/", "jobs/", "storage/")
        )
        for name in _imports(tree)
        if _top(name) == "telegram"
    ]
    assert problems == []


def test_lower_layers_never_import_higher_ones() -> None:
    problems = [
        f"{path} imports {name}"
        for folder, forbidden in (("bot", {"handlers"}), ("storage", {"bot", "handlers"}))
        for path, tree in _modules(folder)
        if path not in ASSEMBLY
        for name in _imports(tree)
        if _top(name) in forbidden
    ]
    assert problems == []
