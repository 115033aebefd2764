"""Reading the data files staff edit (TOML) into validated models, with readable errors."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from bot.localized import TraditionalTexts, generated_traditional

Model = TypeVar("Model", bound=BaseModel)


def load_data_file(
    path: Path,
    model: type[Model],
    what: str,
    error: type[Exception],
    traditional: TraditionalTexts | None = None,
    context: dict[str, Any] | None = None,
) -> Model:
    """Parse and validate ``path``; problems raise ``error`` naming the file, place and reason.

    Texts without a hand-written Traditional Chinese get it from ``traditional`` when given,
    else from the generated table (``bot.localized``), logging how many had to be converted.
    ``context`` is handed to the model's validators (e.g. another file it depends on).
    """
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
    except FileNotFoundError:
        raise error(f"{what} {path} does not exist") from None
    except tomllib.TOMLDecodeError as problem:
        raise error(f"{what} {path} is not valid TOML: {problem}") from None
    texts = TraditionalTexts(generated_traditional()) if traditional is None else traditional
    try:
        loaded = model.model_validate(raw, context={**texts.context(), **(context or {})})
    except ValidationError as problem:
        raise error(f"{what} {path}: {_describe(problem, raw)}") from None
    if traditional is None:
        texts.report(f"{what} {path}")
    return loaded


def _describe(error: ValidationError, raw: dict[str, Any]) -> str:
    problems = []
    for item in error.errors(include_url=False, include_input=False)[:5]:
        location = _location(item["loc"], raw)
        message = str(item["msg"]).removeprefix("Value error, ")
        problems.append(f"{location}: {message}" if location else message)
    return "; ".join(problems)


def _location(loc: tuple[int | str, ...], raw: dict[str, Any]) -> str:
    """Name an error's place by entry id rather than list index where possible."""
    parts: list[str] = []
    node: object = raw
    for part in loc:
        if isinstance(part, int) and isinstance(node, list):
            item = node[part] if part < len(node) else None
            label = item.get("id") if isinstance(item, dict) else None
            parts[-1] = f"{parts[-1]} {label!r}" if label and parts else f"{parts[-1]}[{part}]"
            node = item
        else:
            parts.append(str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return ".".join(parts)
