"""Texts that exist in every supported language, as read from the staff-editable data files.

A text's Traditional Chinese (``zh_Hant``) is written by hand or generated from its Simplified
Chinese. Generating it at start would load OpenCC's Taiwan converter, which keeps about 27 MB of
phrase dictionaries for the life of the process, so ``make locales`` (``bot.catalog_tools``)
generates it at development time instead, into ``bot/knowledge/traditional.json`` (Simplified
text → Traditional text). A text missing from that file (a data file edited without running
``make locales``) is still converted, correctly, at the cost of the converter's memory; the bot
then logs how many texts were converted and suggests ``make locales``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from bot.chinese import to_traditional
from bot.i18n import ENGLISH, SIMPLIFIED, TRADITIONAL

log = logging.getLogger(__name__)

GENERATED_TRADITIONAL_PATH = Path(__file__).resolve().parent / "knowledge" / "traditional.json"
_CONTEXT_KEY = "traditional"  # the validation context's entry holding a ``TraditionalTexts``


@cache
def generated_traditional() -> Mapping[str, str]:
    """The Traditional texts ``make locales`` generated for the data files (read once)."""
    try:
        raw = json.loads(GENERATED_TRADITIONAL_PATH.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    if not isinstance(raw, dict):
        raise ValueError(f"{GENERATED_TRADITIONAL_PATH} is not a JSON object")
    return {str(simplified): str(traditional) for simplified, traditional in raw.items()}


@dataclass
class TraditionalTexts:
    """Where texts without a hand-written ``zh_Hant`` get it from while a data file is read:
    the generated table, else the converter. Records every text asked for and every miss."""

    table: Mapping[str, str]
    wanted: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    def traditional(self, simplified: str) -> str:
        """The Traditional Chinese of a Simplified text."""
        self.wanted.append(simplified)
        generated = self.table.get(simplified)
        if generated is not None:
            return generated
        self.misses.append(simplified)
        return to_traditional(simplified)

    def context(self) -> dict[str, Any]:
        """The pydantic validation context that makes ``LocalizedText`` use these texts."""
        return {_CONTEXT_KEY: self}

    def report(self, what: str) -> None:
        """Log, once for the file, how many texts had to be converted at start."""
        if self.misses:
            log.info(
                "%s: %d Traditional Chinese text(s) are not in %s and were converted at start "
                "(the converter keeps about 27 MB of memory): run `make locales`",
                what,
                len(set(self.misses)),
                GENERATED_TRADITIONAL_PATH.name,
            )


class Strict(BaseModel):
    """A model that refuses unknown fields and cannot be changed."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalizedText(Strict):
    """One text in English and Chinese; Traditional is generated from Simplified when absent."""

    en: Annotated[str, Field(min_length=1)]
    zh_Hans: Annotated[str, Field(min_length=1)]  # noqa: N815 - the locale name
    zh_Hant: str = ""  # noqa: N815 - the locale name

    @model_validator(mode="after")
    def _fill_traditional(self, info: ValidationInfo) -> LocalizedText:
        if not self.zh_Hant:
            context = info.context
            texts = context.get(_CONTEXT_KEY) if isinstance(context, dict) else None
            if not isinstance(texts, TraditionalTexts):
                texts = TraditionalTexts(generated_traditional())
            object.__setattr__(self, "zh_Hant", texts.traditional(self.zh_Hans))
        return self

    def get(self, language: str) -> str:
        """The text in a supported language."""
        return {ENGLISH: self.en, SIMPLIFIED: self.zh_Hans, TRADITIONAL: self.zh_Hant}[language]

    def all(self) -> tuple[str, str, str]:
        """The text in every language."""
        return self.en, self.zh_Hans, self.zh_Hant
