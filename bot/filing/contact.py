"""Domains, e-mail addresses and phone numbers, checked the way the filing system checks them.

Registered domains come from the Public Suffix List that ``publicsuffixlist`` ships (no
network fetch), internationalised labels from ``idna`` (IDNA 2008 with UTS 46 mapping),
e-mail syntax from ``email-validator`` (no DNS look-ups) and phone numbers from the metadata of
``phonenumberslite``, which knows which mainland number ranges are allocated.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from functools import cache

import idna
import phonenumbers
from email_validator import EmailNotValidError, validate_email
from phonenumbers import PhoneNumberType
from publicsuffixlist import PublicSuffixList

from bot.filing.catalogue import DomainRules
from bot.filing.checked import Checked, Note, Problem, refused

# Numbers printed in examples and error messages everywhere: never a real person's.
PLACEHOLDER_MOBILES = frozenset({"13800138000", "13900139000", "13800000000", "18888888888"})
MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
PHONE_TYPES = (*MOBILE_TYPES, PhoneNumberType.FIXED_LINE)


@cache
def _suffix_list() -> PublicSuffixList:
    """The ICANN section of the shipped list: private entries such as github.io are not
    registries, and the filing system files the domain the registrant holds."""
    return PublicSuffixList(only_icann=True)


def _host(text: str) -> str:
    """The host name of a typed domain or address: scheme, path, port and ``www.`` dropped."""
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text.strip().lower())
    host = re.split(r"[/?#]", host)[0].split(":")[0].rstrip(".")
    return host.removeprefix("www.")


def domain(text: str, rules: DomainRules) -> Checked:
    """The registered domain (e.g. ``shop.foo.bj.cn`` → ``foo.bj.cn``) with its suffix.

    A suffix the data file lists as fileable is accepted; one it lists as not fileable is
    refused; any other suffix of the Public Suffix List is accepted with a note that staff
    confirm it (the MIIT list changes). A name with no known top-level domain is refused."""
    host = _host(text)
    if "." not in host or " " in host:
        return refused(Problem.DOMAIN_INVALID)
    try:
        ascii_host = idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        return refused(Problem.DOMAIN_INVALID)
    psl = _suffix_list()
    suffix = psl.publicsuffix(ascii_host, accept_unknown=False)
    if suffix is None:
        return refused(Problem.DOMAIN_INVALID)
    registered = psl.privatesuffix(ascii_host, accept_unknown=False)
    shown_suffix = idna.decode(suffix)
    if registered is None:
        return refused(Problem.DOMAIN_IS_SUFFIX, suffix="." + shown_suffix)
    shown = idna.decode(registered)
    if _listed(shown_suffix, rules.not_fileable_suffixes):
        return refused(Problem.DOMAIN_SUFFIX, suffix="." + shown_suffix)
    if _listed(shown_suffix, rules.fileable_suffixes):
        return Checked(shown, details={"suffix": shown_suffix})
    return Checked(
        shown, details={"suffix": "." + shown_suffix}, notes=(Note.DOMAIN_SUFFIX_UNCONFIRMED,)
    )


def _listed(suffix: str, listed: list[str]) -> bool:
    """Whether the suffix or a registry above it is listed (``bj.cn`` is under ``cn``)."""
    return any(suffix == entry or suffix.endswith("." + entry) for entry in listed)


def email(text: str) -> Checked:
    """An e-mail address the filing system accepts: no quoted or bracketed parts, a domain
    with valid labels; internationalised domains allowed. The domain is not looked up."""
    try:
        checked = validate_email(
            text.strip(),
            check_deliverability=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
            allow_display_name=False,
        )
    except EmailNotValidError:
        return refused(Problem.EMAIL_INVALID)
    return Checked(checked.normalized)


def _parse(text: str) -> phonenumbers.PhoneNumber | None:
    digits = re.sub(r"[\s\-()（）]", "", text)
    if digits.startswith("0086"):
        digits = "+86" + digits[4:]
    elif re.fullmatch(r"861\d{10}", digits):
        digits = "+" + digits
    try:
        return phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        return None


def _mainland(text: str, types: Collection[int]) -> phonenumbers.PhoneNumber | None:
    """The number, if it is a valid mainland number of one of these types."""
    number = _parse(text)
    if (
        number is None
        or number.country_code != 86
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) not in types
    ):
        return None
    return number


def mobile(
    text: str, answers: Mapping[str, str] | None = None, *, others: tuple[str, ...] = ()
) -> Checked:
    """A mainland mobile number in an allocated range (140, 154, 174… are not), not a
    placeholder, and not the number already given for another person (``others``: step ids)."""
    number = _mainland(text, MOBILE_TYPES)
    if number is None:
        return refused(Problem.MOBILE_INVALID)
    national = str(number.national_number)
    if national in PLACEHOLDER_MOBILES:
        return refused(Problem.MOBILE_PLACEHOLDER)
    if any((answers or {}).get(step) == national for step in others):
        return refused(Problem.MOBILE_SHARED)
    return Checked(national)


def phone(text: str, answers: Mapping[str, str] | None = None) -> Checked:
    """An emergency phone: a mainland mobile or landline (with its area code) that is not
    the contact mobile already given."""
    number = _mainland(text, PHONE_TYPES)
    if number is None:
        return refused(Problem.PHONE_INVALID)
    national = str(number.national_number)
    if national in PLACEHOLDER_MOBILES:
        return refused(Problem.MOBILE_PLACEHOLDER)
    if national in {(answers or {}).get("mobile"), (answers or {}).get("entity_mobile")}:
        return refused(Problem.PHONE_SAME_AS_MOBILE)
    if phonenumbers.number_type(number) is PhoneNumberType.FIXED_LINE:
        area, *rest = phonenumbers.format_number(
            number, phonenumbers.PhoneNumberFormat.NATIONAL
        ).split()
        return Checked(f"{area}-{''.join(rest)}")
    return Checked(national)
