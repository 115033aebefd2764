"""Checking the text details of an application against the filing rules."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

from bot.chinese import count_cjk, to_simplified
from bot.filing.catalogue import DomainRules, Validator
from bot.filing.stages import is_icp_number

RESERVED_PREFIXES = ("中国", "中华", "中央", "国家", "人民", "人大", "全国")
SENSITIVE_WORDS = ("赌博", "博彩", "反腐", "廉政", "色情", "彩票", "贷款")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


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
    DOMAIN_SUFFIX = "domain_suffix"
    MOBILE_INVALID = "mobile_invalid"
    EMAIL_INVALID = "email_invalid"
    DESCRIPTION_TOO_SHORT = "description_too_short"
    DESCRIPTION_TOO_LONG = "description_too_long"
    ICP_NUMBER_INVALID = "icp_number_invalid"


@dataclass(frozen=True)
class Checked:
    """The cleaned-up value, or the problem with it (and the words the message needs)."""

    value: str | None
    problem: Problem | None = None
    details: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the answer is accepted."""
        return self.problem is None


def validate(validator: Validator, text: str, domains: DomainRules) -> Checked:
    """Check one answer with the named validator."""
    text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        return Checked(None, Problem.EMPTY)
    checks = {
        Validator.WEBSITE_NAME: website_name,
        Validator.MOBILE: mobile,
        Validator.EMAIL: email,
        Validator.DESCRIPTION: description,
        Validator.ICP_NUMBER: icp_number,
    }
    if validator is Validator.DOMAIN:
        return domain(text, domains)
    return checks[validator](text)


def website_name(text: str) -> Checked:
    """At least three Chinese characters, not the domain, no reserved prefix or sensitive word."""
    name = re.sub(r"\s+", "", text)
    simplified = to_simplified(name)
    if len(name) > 30:
        return Checked(None, Problem.NAME_TOO_LONG)
    if re.fullmatch(r"(?:[a-z0-9-]+\.)+[a-z\u4e00-\u9fff]{2,}", name.lower()):
        return Checked(None, Problem.NAME_IS_DOMAIN)
    if re.search(r"[^\w\u3400-\u9fff]", name):
        return Checked(None, Problem.NAME_SYMBOLS)
    if count_cjk(name) < 3:
        return Checked(None, Problem.NAME_TOO_FEW_CHINESE)
    prefix = next((p for p in RESERVED_PREFIXES if simplified.startswith(p)), None)
    if prefix:
        return Checked(None, Problem.NAME_RESERVED_PREFIX, {"prefix": prefix})
    word = next((w for w in SENSITIVE_WORDS if w in simplified), None)
    if word:
        return Checked(None, Problem.NAME_SENSITIVE_WORD, {"word": word})
    return Checked(name)


def domain(text: str, rules: DomainRules) -> Checked:
    """A registered domain with a fileable suffix; scheme, path and ``www.`` are dropped."""
    host = re.sub(r"^[a-z]+://", "", text.strip().lower()).split("/")[0].split(":")[0]
    host = host.rstrip(".").removeprefix("www.")
    labels = host.split(".")
    if len(labels) < 2:
        return Checked(None, Problem.DOMAIN_INVALID)
    try:
        ascii_labels = [label.encode("idna").decode("ascii") for label in labels]
    except UnicodeError:
        return Checked(None, Problem.DOMAIN_INVALID)
    if not all(_LABEL.match(label) for label in ascii_labels) or ascii_labels[-1].isdigit():
        return Checked(None, Problem.DOMAIN_INVALID)
    suffixes = sorted(rules.fileable_suffixes, key=lambda s: -s.count("."))
    suffix = next((s for s in suffixes if host.endswith("." + s)), None)
    if suffix is None:
        return Checked(None, Problem.DOMAIN_SUFFIX, {"suffix": "." + labels[-1]})
    registered = ".".join(labels[-(suffix.count(".") + 2) :])
    return Checked(registered)


def mobile(text: str) -> Checked:
    """A mainland mobile number: 11 digits starting with 1[3-9], with or without +86."""
    digits = re.sub(r"[\s\-()]", "", text)
    digits = re.sub(r"^(?:\+86|0086|86)(?=1\d{10}$)", "", digits)
    if not re.fullmatch(r"1[3-9]\d{9}", digits):
        return Checked(None, Problem.MOBILE_INVALID)
    return Checked(digits)


def email(text: str) -> Checked:
    """A plausible e-mail address."""
    address = text.strip()
    if not _EMAIL.match(address) or ".." in address:
        return Checked(None, Problem.EMAIL_INVALID)
    return Checked(address)


def description(text: str) -> Checked:
    """Between 10 and 500 characters."""
    if len(text) < 10:
        return Checked(None, Problem.DESCRIPTION_TOO_SHORT)
    if len(text) > 500:
        return Checked(None, Problem.DESCRIPTION_TOO_LONG)
    return Checked(text)


def icp_number(text: str) -> Checked:
    """An existing filing number, e.g. 京ICP备12345678号 (entity) or …号-1 (website)."""
    number = re.sub(r"\s+", "", text)
    return Checked(number) if is_icp_number(number) else Checked(None, Problem.ICP_NUMBER_INVALID)
