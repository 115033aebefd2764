"""The outcome of checking one typed answer: the value kept, or why it is refused, and notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Problem(StrEnum):
    """Why a text answer is refused."""

    EMPTY = "empty"
    NAME_TOO_FEW_CHINESE = "name_too_few_chinese"
    NAME_IS_DOMAIN = "name_is_domain"
    NAME_RESERVED_PREFIX = "name_reserved_prefix"
    NAME_SENSITIVE_WORD = "name_sensitive_word"
    NAME_SYMBOLS = "name_symbols"
    NAME_TOO_LONG = "name_too_long"
    DOMAIN_INVALID = "domain_invalid"
    DOMAIN_IS_SUFFIX = "domain_is_suffix"
    DOMAIN_SUFFIX = "domain_suffix"
    MOBILE_INVALID = "mobile_invalid"
    MOBILE_PLACEHOLDER = "mobile_placeholder"
    MOBILE_SHARED = "mobile_shared"
    PHONE_INVALID = "phone_invalid"
    PHONE_SAME_AS_MOBILE = "phone_same_as_mobile"
    EMAIL_INVALID = "email_invalid"
    DESCRIPTION_TOO_SHORT = "description_too_short"
    DESCRIPTION_TOO_LONG = "description_too_long"
    ENTITY_NAME_INVALID = "entity_name_invalid"
    CREDIT_CODE_INVALID = "credit_code_invalid"
    RESIDENT_ID_INVALID = "resident_id_invalid"
    RESIDENT_ID_CHECKSUM = "resident_id_checksum"
    RESIDENT_ID_BIRTH_DATE = "resident_id_birth_date"
    PERSON_TOO_YOUNG = "person_too_young"
    TRAVEL_DOCUMENT_INVALID = "travel_document_invalid"
    VALIDITY_INVALID = "validity_invalid"
    VALIDITY_TOO_SHORT = "validity_too_short"
    ADDRESS_TOO_SHORT = "address_too_short"
    ADDRESS_TOO_LONG = "address_too_long"
    ADDRESS_NO_NUMBER = "address_no_number"
    ICP_NUMBER_INVALID = "icp_number_invalid"


class Note(StrEnum):
    """An accepted answer that staff should look at, and the client should know about."""

    DOMAIN_SUFFIX_UNCONFIRMED = "domain_suffix_unconfirmed"
    CREDIT_CODE_CHECKSUM = "credit_code_checksum"
    PERSON_UNDER_18 = "person_under_18"
    DOMAIN_HOLDER_DIFFERS = "domain_holder_differs"
    MOBILE_USED_ELSEWHERE = "mobile_used_elsewhere"


@dataclass(frozen=True)
class Checked:
    """The cleaned-up value, or the problem with it; ``details`` holds the words the message
    needs and what the check derived (a region code, an age); ``notes`` are warnings."""

    value: str | None
    problem: Problem | None = None
    details: dict[str, str] = field(default_factory=dict)
    notes: tuple[Note, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the answer is accepted."""
        return self.problem is None


def refused(problem: Problem, **details: str) -> Checked:
    """A refused answer."""
    return Checked(None, problem, details)
