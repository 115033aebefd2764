"""The rules that differ by province: who may be the person in charge, which documents, how
long the bureau takes. Staff edit ``bot/knowledge/provinces.toml``; this module validates it.

A rule a province does not set falls back to ``[defaults]``; one set nowhere is unknown
(``None``), and the bot then says staff will confirm it rather than guess.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, model_validator

from bot.datafile import load_data_file
from bot.localized import LocalizedText, Strict, TraditionalTexts

DEFAULT_PROVINCES_PATH = Path(__file__).resolve().parent.parent / "knowledge" / "provinces.toml"
UNSURE = "unsure"  # the answer of a client who does not know their province yet
DEFAULT_REVIEW_DAYS = 20  # the regulation's limit when the file says nothing
_ID_NUMBER = re.compile(r"^\d{17}[\dX]$")
_CREDIT_CODE = re.compile(r"^[0-9A-HJ-NP-RTUWXY]{2}\d{6}[0-9A-HJ-NP-RTUWXY]{10}$")


class ProvinceError(Exception):
    """The provinces data file is invalid; the message says where and why."""


class EntityPersonInCharge(StrEnum):
    """Who may be the entity's person in charge (主体负责人)."""

    LEGAL_REP = "legal_rep"
    LEGAL_REP_OR_AUTHORISED = "legal_rep_or_authorised"
    ANY = "any"


class Rules(Strict):
    """One province's rules (``None``: unknown)."""

    entity_person_in_charge: EntityPersonInCharge | None = None
    website_authorisation_letter: bool | None = None
    residence_permit_accepted: bool | None = None
    min_age: int | None = Field(default=None, ge=14, le=30)
    electronic_licence: bool | None = None
    responsibility_notice: bool | None = None
    passport: bool | None = None
    party_building_proof: bool | None = None
    review_days: int | None = Field(default=None, ge=1, le=90)

    def flag(self, rule: str) -> bool | None:
        """A yes/no rule's value by name (``None``: unknown)."""
        value = getattr(self, rule)
        return value if isinstance(value, bool) else None


# The yes/no rules a step of application.toml may depend on (its ``province_rule``).
FLAG_RULES = frozenset(
    name for name, field in Rules.model_fields.items() if "bool" in str(field.annotation)
)
RULE_NAMES = frozenset(Rules.model_fields)


class Province(Rules):
    """A province-level division and its own rules."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
    name: LocalizedText
    short: Annotated[str, Field(min_length=1, max_length=1)]
    region: Annotated[str, Field(pattern=r"^\d{2}$")]


class Unsure(Strict):
    """How the “not sure yet” answer is labelled."""

    title: LocalizedText


class ProvinceTable(Strict):
    """The whole provinces data file."""

    defaults: Rules = Field(default_factory=Rules)
    unsure: Unsure
    province: Annotated[list[Province], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique(self) -> ProvinceTable:
        for attribute in ("id", "region", "short"):
            values = [getattr(province, attribute) for province in self.province]
            doubles = sorted({value for value in values if values.count(value) > 1})
            if doubles:
                raise ValueError(f"province {attribute} used twice: {doubles}")
        if UNSURE in {province.id for province in self.province}:
            raise ValueError(f"{UNSURE!r} is reserved for clients who do not know")
        return self

    def find(self, province_id: str | None) -> Province | None:
        """The province with this id (None for unknown ids and “not sure”)."""
        return next((p for p in self.province if p.id == province_id), None)

    def rules(self, province_id: str | None) -> Rules:
        """The province's rules, each falling back to the defaults (unknown province: defaults)."""
        province = self.find(province_id)
        if province is None:
            return self.defaults
        own = {name: getattr(province, name) for name in RULE_NAMES}
        merged = {
            name: value if value is not None else getattr(self.defaults, name)
            for name, value in own.items()
        }
        return Rules(**merged)

    def by_region(self, region: str) -> Province | None:
        """The province whose region code starts with these two digits."""
        return next((p for p in self.province if p.region == region[:2]), None)

    def from_id_number(self, number: str) -> Province | None:
        """The province that issued a resident ID number (its first two digits)."""
        cleaned = number.strip().upper()
        return self.by_region(cleaned[:2]) if _ID_NUMBER.match(cleaned) else None

    def from_credit_code(self, code: str) -> Province | None:
        """The province of a Unified Social Credit Code (its region code, characters 3–8)."""
        cleaned = code.strip().upper()
        return self.by_region(cleaned[2:4]) if _CREDIT_CODE.match(cleaned) else None


def load_provinces(
    path: Path = DEFAULT_PROVINCES_PATH, traditional: TraditionalTexts | None = None
) -> ProvinceTable:
    """Read and validate the provinces data file (``traditional``: see ``load_data_file``)."""
    return load_data_file(path, ProvinceTable, "provinces file", ProvinceError, traditional)


@cache
def shipped_provinces() -> ProvinceTable:
    """The provinces file shipped with the bot (read once)."""
    return load_provinces()


def expected_review_days(province: str | None, table: ProvinceTable | None = None) -> int:
    """Working days the province's bureau takes at most (20 by regulation; Zhejiang 30)."""
    days = (table or shipped_provinces()).rules(province).review_days
    return days if days is not None else DEFAULT_REVIEW_DAYS
