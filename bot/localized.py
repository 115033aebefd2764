"""Texts that exist in every supported language, as read from the staff-editable data files."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.chinese import to_traditional
from bot.i18n import ENGLISH, SIMPLIFIED, TRADITIONAL


class Strict(BaseModel):
    """A model that refuses unknown fields and cannot be changed."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalizedText(Strict):
    """One text in English and Chinese; Traditional is generated from Simplified when absent."""

    en: Annotated[str, Field(min_length=1)]
    zh_Hans: Annotated[str, Field(min_length=1)]  # noqa: N815 - the locale name
    zh_Hant: str = ""  # noqa: N815 - the locale name

    @model_validator(mode="after")
    def _fill_traditional(self) -> LocalizedText:
        if not self.zh_Hant:
            object.__setattr__(self, "zh_Hant", to_traditional(self.zh_Hans))
        return self

    def get(self, language: str) -> str:
        """The text in a supported language."""
        return {ENGLISH: self.en, SIMPLIFIED: self.zh_Hans, TRADITIONAL: self.zh_Hant}[language]

    def all(self) -> tuple[str, str, str]:
        """The text in every language."""
        return self.en, self.zh_Hans, self.zh_Hant
