"""The application data file: applicant types and the steps of an application.

Staff edit ``bot/knowledge/application.toml``; this module validates it at start.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, model_validator

from bot.datafile import load_data_file
from bot.filing.form_templates import FormTemplate
from bot.images.rules import ImageRules
from bot.localized import LocalizedText, Strict, TraditionalTexts

IDENTIFIER = r"^[a-z][a-z0-9_]{0,39}$"
# Image thresholds the data file may set, globally under [images.checks] or per step.
TUNABLE_CHECKS = frozenset(
    {
        "min_colourfulness",
        "min_sharpness",
        "min_brightness",
        "max_brightness",
        "min_highlights",
        "max_shadows",
        "max_highlight_share",
        "max_glare_share",
        "min_detail",
        "min_detail_ratio",
        "max_long_side",
        "max_pixels",
    }
)
DEFAULT_CATALOGUE_PATH = Path(__file__).resolve().parent.parent / "knowledge" / "application.toml"


class CatalogueError(Exception):
    """The application data file is invalid; the message says where and why."""


class ItemKind(StrEnum):
    """What a step collects."""

    IMAGE = "image"
    TEXT = "text"
    CHOICE = "choice"
    VERIFICATION = "verification"


class Validator(StrEnum):
    """How a text step's answer is checked."""

    WEBSITE_NAME = "website_name"
    DOMAIN = "domain"
    MOBILE = "mobile"
    EMAIL = "email"
    DESCRIPTION = "description"
    ENTITY_NAME = "entity_name"
    CREDIT_CODE = "credit_code"
    RESIDENT_ID = "resident_id"
    TRAVEL_DOCUMENT = "travel_document"
    DOCUMENT_VALIDITY = "document_validity"
    ADDRESS = "address"
    PHONE = "phone"
    ENTITY_MOBILE = "entity_mobile"
    DOMAIN_HOLDER = "domain_holder"
    IDENTITY_NUMBER = "identity_number"
    ICP_NUMBER = "icp_number"


class Option(Strict):
    """One answer of a choice step."""

    value: Annotated[str, Field(pattern=IDENTIFIER)]
    label: LocalizedText


class Item(Strict):
    """One step of an application."""

    id: Annotated[str, Field(pattern=IDENTIFIER)]
    kind: ItemKind
    title: LocalizedText
    instructions: LocalizedText
    applies_to: list[str] = Field(default_factory=list)
    when: dict[str, str] = Field(default_factory=dict)
    required: bool = True
    min_short_side: int | None = Field(default=None, ge=100, le=10_000)
    min_output_bytes: int | None = Field(default=None, ge=1_000)
    validator: Validator | None = None
    options: list[Option] = Field(default_factory=list)
    checks: dict[str, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _fields_fit_the_kind(self) -> Item:
        if self.kind is ItemKind.IMAGE and self.min_short_side is None:
            raise ValueError(f"image step {self.id!r} needs min_short_side")
        if self.kind is ItemKind.TEXT and self.validator is None:
            raise ValueError(f"text step {self.id!r} needs a validator")
        if self.kind is ItemKind.CHOICE and len(self.options) < 2:
            raise ValueError(f"choice step {self.id!r} needs at least two options")
        return self

    def applies(self, applicant: str, answers: dict[str, str]) -> bool:
        """Whether this step is part of an application with these answers."""
        if self.applies_to and applicant not in self.applies_to:
            return False
        return all(answers.get(key) == value for key, value in self.when.items())

    def option(self, value: str) -> Option | None:
        """The option with this value, if any."""
        return next((option for option in self.options if option.value == value), None)


class Applicant(Strict):
    """A kind of applicant."""

    id: Annotated[str, Field(pattern=IDENTIFIER)]
    title: LocalizedText


class ImageLimits(Strict):
    """Byte limits of normalised images, with per-provider maximums."""

    min_output_bytes: int = Field(default=100_000, ge=1_000)
    max_output_bytes: int = Field(default=2_000_000, ge=10_000)
    providers: dict[str, int] = Field(default_factory=dict)
    checks: dict[str, float] = Field(default_factory=dict)

    def max_bytes_for(self, provider: str | None) -> int:
        """The largest file the provider accepts (the default when unknown)."""
        return self.providers.get(provider or "", self.max_output_bytes)

    def rules_for(self, item: Item, provider: str | None) -> ImageRules:
        """The image rules of one step: defaults, then [images.checks], then the step's own."""
        checks = {**self.checks, **item.checks}
        whole = {"max_long_side", "max_pixels"}
        # Validated against ImageRules' fields when the file was read (TUNABLE_CHECKS).
        tuned: dict[str, Any] = {
            key: int(value) if key in whole else value for key, value in checks.items()
        }
        return ImageRules(
            min_short_side=item.min_short_side or 1,
            min_output_bytes=item.min_output_bytes or self.min_output_bytes,
            max_output_bytes=self.max_bytes_for(provider),
            **tuned,
        )


class DomainRules(Strict):
    """Which domain suffixes can be filed; any other known suffix goes to staff to confirm."""

    fileable_suffixes: list[str]
    not_fileable_suffixes: list[str] = Field(default_factory=list)


class Office(Strict):
    """The office clients visit for the verification photo (OFFICE_ADDRESS and OFFICE_LOCATION
    in the configuration take precedence over the address and place given here)."""

    address: LocalizedText | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    bring: LocalizedText | None = None


class Catalogue(Strict):
    """The whole application data file."""

    images: ImageLimits = Field(default_factory=ImageLimits)
    domains: DomainRules
    applicant: Annotated[list[Applicant], Field(min_length=1)]
    item: Annotated[list[Item], Field(min_length=1)]
    template: list[FormTemplate] = Field(default_factory=list)
    office: Office = Field(default_factory=Office)
    # Providers that verify the person in charge in their own app: where it is done.
    face_check: dict[str, LocalizedText] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _templates_name_steps(self) -> Catalogue:
        known = {item.id for item in self.item}
        seen: set[str] = set()
        for template in self.template:
            if template.id in seen:
                raise ValueError(f"template id {template.id!r} is used twice")
            seen.add(template.id)
            unknown = set(template.steps) - known
            if unknown:
                raise ValueError(
                    f"template {template.id!r} names unknown step(s) {sorted(unknown)}"
                )
        return self

    @model_validator(mode="after")
    def _consistent(self) -> Catalogue:
        applicants = {applicant.id for applicant in self.applicant}
        unknown_checks = set(self.images.checks) - TUNABLE_CHECKS
        if unknown_checks:
            raise ValueError(f"[images.checks]: unknown checks {sorted(unknown_checks)}")
        seen: dict[str, Item] = {}
        for item in self.item:
            if item.id in seen:
                raise ValueError(f"step id {item.id!r} is used twice")
            unknown = set(item.applies_to) - applicants
            if unknown:
                raise ValueError(f"step {item.id!r} names unknown applicant(s) {sorted(unknown)}")
            for key, value in item.when.items():
                earlier = seen.get(key)
                if earlier is None or earlier.kind is not ItemKind.CHOICE:
                    raise ValueError(
                        f"step {item.id!r}: 'when' needs an earlier choice step {key!r}"
                    )
                if earlier.option(value) is None:
                    raise ValueError(f"step {item.id!r}: {key!r} has no option {value!r}")
            unknown_checks = set(item.checks) - TUNABLE_CHECKS
            if unknown_checks:
                raise ValueError(f"step {item.id!r}: unknown checks {sorted(unknown_checks)}")
            if item.kind is ItemKind.IMAGE:
                for provider in [None, *self.images.providers]:
                    self.images.rules_for(item, provider)  # raises when contradictory
            seen[item.id] = item
        return self

    @property
    def applicants(self) -> list[Applicant]:
        """Applicant types in file order."""
        return self.applicant

    def find_applicant(self, applicant_id: str) -> Applicant | None:
        """The applicant type with this id."""
        return next((a for a in self.applicant if a.id == applicant_id), None)

    def find_item(self, item_id: str) -> Item | None:
        """The step with this id."""
        return next((item for item in self.item if item.id == item_id), None)

    def steps_for(self, applicant: str, answers: dict[str, str]) -> list[Item]:
        """The steps of an application, in order, given the applicant type and choices so far."""
        return [item for item in self.item if item.applies(applicant, answers)]


def load_catalogue(
    path: Path = DEFAULT_CATALOGUE_PATH, traditional: TraditionalTexts | None = None
) -> Catalogue:
    """Read and validate the application data file (``traditional``: see ``load_data_file``)."""
    return load_data_file(path, Catalogue, "application file", CatalogueError, traditional)
