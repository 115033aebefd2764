"""The application data file: applicant types and the steps of an application.

Staff edit ``bot/knowledge/application.toml``; this module validates it at start.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, model_validator

from bot.datafile import load_data_file
from bot.filing.form_templates import FormTemplate
from bot.filing.provinces import (
    DEFAULT_PROVINCES_PATH,
    FLAG_RULES,
    RULE_NAMES,
    UNSURE,
    ProvinceTable,
    load_provinces,
    shipped_provinces,
)
from bot.filing.stages import Outcome, Stage
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
        "max_resampling_peak",
        "max_resampling_peak_short",
        "max_long_side",
        "max_pixels",
    }
)
DEFAULT_CATALOGUE_PATH = Path(__file__).resolve().parent.parent / "knowledge" / "application.toml"
FILING_TYPE_STEP = "filing_type"  # the step whose answer is the filing type
PROVINCE_STEP = "province"  # the step whose answer is the province
DEFAULT_FILING_TYPE = "first"  # applications from before filing types were asked


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
    options_from: Literal["filing_types", "provinces"] | None = None
    checks: dict[str, float] = Field(default_factory=dict)
    filing_types: list[str] = Field(default_factory=list)
    province_rule: str | None = None
    province_hints: list[str] = Field(default_factory=list)
    province_from: Literal["id_number", "credit_code"] | None = None
    staff_confirm: bool = False
    # An image step that is the other side of the card of the step named, just before it: a
    # scan of several pages may fill both (the portrait side, then the emblem side).
    other_side_of: str | None = None

    @model_validator(mode="after")
    def _fields_fit_the_kind(self) -> Item:
        if self.kind is ItemKind.IMAGE and self.min_short_side is None:
            raise ValueError(f"image step {self.id!r} needs min_short_side")
        if self.kind is ItemKind.TEXT and self.validator is None:
            raise ValueError(f"text step {self.id!r} needs a validator")
        if self.province_from is not None and self.kind is not ItemKind.TEXT:
            raise ValueError(f"step {self.id!r}: province_from needs a text step")
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
    can_file: bool = True


class OfflineRule(StrEnum):
    """Whether the website must stay offline until the filing is approved."""

    UNTIL_APPROVAL = "until_approval"
    MAY_STAY_ONLINE = "may_stay_online"
    NOT_APPLICABLE = "not_applicable"


class SmsCheck(StrEnum):
    """Whether MIIT sends its verification SMS for this kind of filing."""

    REQUIRED = "required"
    NONE = "none"


class FilingType(Strict):
    """A kind of filing the agency handles, with its own steps, rules and stages."""

    id: Annotated[str, Field(pattern=IDENTIFIER)]
    title: LocalizedText
    summary: LocalizedText
    existing_filing: bool
    offline: OfflineRule
    sms: SmsCheck
    sms_who: LocalizedText | None = None
    stages: Annotated[list[Stage], Field(min_length=2)]
    outcome: Outcome

    @model_validator(mode="after")
    def _complete(self) -> FilingType:
        for needed in (Stage.SUBMITTED, Stage.APPROVED):
            if needed not in self.stages:
                raise ValueError(f"filing type {self.id!r}: stages need {needed.value!r}")
        if (Stage.SMS_DUE in self.stages) != (self.sms is SmsCheck.REQUIRED):
            raise ValueError(
                f"filing type {self.id!r}: 'sms_due' is a stage exactly when sms is required"
            )
        if self.sms is SmsCheck.REQUIRED and self.sms_who is None:
            raise ValueError(f"filing type {self.id!r}: say who receives the SMS (sms_who)")
        return self


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
    filing_type: list[FilingType] = Field(default_factory=list)
    item: Annotated[list[Item], Field(min_length=1)]
    provinces: ProvinceTable = Field(default_factory=shipped_provinces)
    template: list[FormTemplate] = Field(default_factory=list)
    office: Office = Field(default_factory=Office)
    # Providers that verify the person in charge in their own app: where it is done.
    face_check: dict[str, LocalizedText] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _generated_options(cls, raw: Any, info: ValidationInfo) -> Any:
        """Fill the options of steps that take them from the filing types or the provinces."""
        if not isinstance(raw, dict):
            return raw
        context = info.context if isinstance(info.context, dict) else {}
        provinces = context.get("provinces") or raw.get("provinces") or shipped_provinces()
        if not isinstance(provinces, ProvinceTable):
            provinces = ProvinceTable.model_validate(provinces, context=context)
        kinds = [kind for kind in raw.get("filing_type", []) if isinstance(kind, dict)]
        generated = {
            "filing_types": [
                {"value": kind.get("id"), "label": kind.get("title")} for kind in kinds
            ],
            "provinces": [
                *({"value": place.id, "label": place.name} for place in provinces.province),
                {"value": UNSURE, "label": provinces.unsure.title},
            ],
        }
        items = []
        for item in raw.get("item", []):
            source = item.get("options_from") if isinstance(item, dict) else None
            items.append({**item, "options": generated[source]} if source in generated else item)
        return {**raw, "item": items, "provinces": provinces}

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
        kinds = {kind.id for kind in self.filing_type}
        if len(kinds) != len(self.filing_type):
            raise ValueError("a filing type id is used twice")
        if kinds and DEFAULT_FILING_TYPE not in kinds:
            raise ValueError(f"the filing types need {DEFAULT_FILING_TYPE!r} (first filing)")
        sources = {item.id: item.options_from for item in self.item}
        if kinds and sources.get(FILING_TYPE_STEP) != "filing_types":
            raise ValueError(f'step {FILING_TYPE_STEP!r} needs options_from = "filing_types"')
        if PROVINCE_STEP in sources and sources[PROVINCE_STEP] != "provinces":
            raise ValueError(f'step {PROVINCE_STEP!r} needs options_from = "provinces"')
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
            unknown = set(item.filing_types) - kinds
            if unknown:
                raise ValueError(
                    f"step {item.id!r} names unknown filing type(s) {sorted(unknown)}"
                )
            if item.province_rule is not None and item.province_rule not in FLAG_RULES:
                raise ValueError(
                    f"step {item.id!r}: province_rule must be one of {sorted(FLAG_RULES)}"
                )
            unknown = set(item.province_hints) - RULE_NAMES
            if unknown:
                raise ValueError(f"step {item.id!r}: unknown province rules {sorted(unknown)}")
            if item.kind is ItemKind.IMAGE:
                for provider in [None, *self.images.providers]:
                    self.images.rules_for(item, provider)  # raises when contradictory
            if item.other_side_of is not None:
                front = seen.get(item.other_side_of)
                if item.kind is not ItemKind.IMAGE or front is None or front.kind is not item.kind:
                    raise ValueError(
                        f"step {item.id!r}: other_side_of needs an earlier image step, "
                        f"and is an image step itself"
                    )
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

    @property
    def fileable_applicants(self) -> list[Applicant]:
        """The applicant types an application can be opened for."""
        return [applicant for applicant in self.applicant if applicant.can_file]

    def find_filing_type(self, filing_type_id: str | None) -> FilingType | None:
        """The filing type with this id."""
        return next((kind for kind in self.filing_type if kind.id == filing_type_id), None)

    def filing_type_of(self, answers: dict[str, str]) -> FilingType | None:
        """The application's filing type (a first filing until one is chosen)."""
        return self.find_filing_type(answers.get(FILING_TYPE_STEP, DEFAULT_FILING_TYPE))

    def steps_for(self, applicant: str, answers: dict[str, str]) -> list[Item]:
        """The steps of an application, in order, given the applicant type, its filing type,
        its province and the choices so far. A step that depends on a province rule is left
        out where the rule says no, and becomes optional (staff confirm) where it is unknown."""
        filing_type = answers.get(FILING_TYPE_STEP, DEFAULT_FILING_TYPE)
        rules = self.provinces.rules(answers.get(PROVINCE_STEP))
        steps = []
        for item in self.item:
            if not item.applies(applicant, answers):
                continue
            if item.filing_types and filing_type not in item.filing_types:
                continue
            if item.province_rule is not None:
                value = rules.flag(item.province_rule)
                if value is False:
                    continue
                if value is None:
                    item = item.model_copy(update={"required": False, "staff_confirm": True})
            steps.append(item)
        return steps


def load_catalogue(
    path: Path = DEFAULT_CATALOGUE_PATH,
    traditional: TraditionalTexts | None = None,
    provinces_path: Path = DEFAULT_PROVINCES_PATH,
) -> Catalogue:
    """Read and validate the application data file with the provinces file it depends on
    (``traditional``: see ``load_data_file``)."""
    provinces = load_provinces(provinces_path, traditional)
    return load_data_file(
        path,
        Catalogue,
        "application file",
        CatalogueError,
        traditional,
        context={"provinces": provinces},
    )
