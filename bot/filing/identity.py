"""Identity numbers of the filing form: credit codes, resident IDs, passports and permits, the
validity of a document, and ICP numbers.

The checksums are those of the national standards, as ``python-stdnum`` computes them:
GB 32100 for the Unified Social Credit Code (``stdnum.cn.uscc``) and GB 11643 for resident
ID numbers (``stdnum.cn.ric``).
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

from bot.filing.checked import Checked, Note, Problem, refused
from bot.filing.icp_numbers import parse_icp_number

# GB 32100: 18 characters of digits and capitals without I, O, Z, S, V; the first two are
# the registering authority and the kind of entity, then the 6-digit administrative region.
_USCC = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_RIC = re.compile(r"^\d{17}[\dX]$")
MINIMUM_AGE = 16  # no province accepts a younger person in charge
ADULT_AGE = 18  # several provinces want 18 (Hebei, Inner Mongolia, Hunan, Tianjin …)
VALIDITY_MONTHS = 3  # providers refuse documents with less left (Huawei; agency guidance)
LONG_TERM = ("长期", "長期", "long-term", "long term", "longterm", "permanent", "indefinite")

# Travel documents (the number as printed):
#   Mainland Travel Permit for Hong Kong and Macau residents: H or M and 8 digits (older: 10)
#   Mainland Travel Permit for Taiwan residents: 8 digits (older: 10 digits and a letter)
#   Residence permit of HK/MO/TW residents: 18 digits starting 810000 / 820000 / 830000 (GB 11643)
#   Foreigner's permanent residence ID card (2023): 18 characters starting with 9
#   Passport: 5 to 12 letters and digits (ICAO 9303 allows up to 9; some states print more)
_HOME_RETURN = re.compile(r"^[HM]\d{8}(?:\d{2})?$")
_TAIWAN_PERMIT = re.compile(r"^\d{8}$|^\d{10}[A-Z]$")
_PERMANENT_RESIDENCE = re.compile(r"^9\d{16}[\dX]$")
_PASSPORT = re.compile(r"^(?=.*\d)[A-Z0-9]{5,12}$")

_DATE = re.compile(
    r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?|(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)"
)


def _compact(text: str) -> str:
    return re.sub(r"[\s\-]", "", text).upper()


def credit_code(text: str) -> Checked:
    """A Unified Social Credit Code. A wrong check digit is a note, not a refusal: some codes
    issued early fail it and are still valid. ``details['region']`` is the region code."""
    code = _compact(text)
    if not _USCC.match(code):
        return refused(Problem.CREDIT_CODE_INVALID)
    region = {"region": code[2:8]}
    try:
        uscc.validate(code)
    except ValidationError:
        return Checked(code, details=region, notes=(Note.CREDIT_CODE_CHECKSUM,))
    return Checked(code, details=region)


def province_of(region: str) -> str:
    """The province-level division code of a 6-digit region code (``440300`` → ``440000``):
    the province a credit code or ID number was issued in (GB/T 2260)."""
    return region[:2] + "0000"


def birth_date(number: str) -> date | None:
    """The date of birth in an 18-digit resident ID number, if it is a real date."""
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def age_on(born: date, today: date) -> int:
    """Whole years from ``born`` to ``today``."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def resident_id(text: str, today: date) -> Checked:
    """An 18-digit resident ID (or HK/MO/TW residence permit) number with the GB 11643 check
    digit and a real date of birth. ``details`` has ``age``, ``birth_date`` and ``region``;
    a person under 16 is refused and one under 18 noted (the province decides)."""
    number = _compact(text)
    if not _RIC.match(number):
        return refused(Problem.RESIDENT_ID_INVALID)
    if ric.calc_check_digit(number) != number[-1]:
        return refused(Problem.RESIDENT_ID_CHECKSUM)
    born = birth_date(number)
    if born is None or born > today or born.year < 1900:
        return refused(Problem.RESIDENT_ID_BIRTH_DATE)
    age = age_on(born, today)
    details = {"age": str(age), "birth_date": born.isoformat(), "region": number[:6]}
    if age < MINIMUM_AGE:
        return Checked(None, Problem.PERSON_TOO_YOUNG, details)
    notes = (Note.PERSON_UNDER_18,) if age < ADULT_AGE else ()
    return Checked(number, details=details, notes=notes)


def travel_document(text: str, today: date) -> Checked:
    """A passport, a Mainland Travel Permit, or a residence or permanent residence card
    number; ``details['kind']`` says which it looks like."""
    number = _compact(text)
    if _RIC.match(number) and number[:6] in {"810000", "820000", "830000"}:
        return _kind(resident_id(number, today), "residence_permit")
    if _PERMANENT_RESIDENCE.match(number):
        return Checked(number, details={"kind": "permanent_residence"})
    if _HOME_RETURN.match(number):
        return Checked(number, details={"kind": "home_return_permit"})
    if _TAIWAN_PERMIT.match(number):
        return Checked(number, details={"kind": "taiwan_permit"})
    if _PASSPORT.match(number):
        return Checked(number, details={"kind": "passport"})
    return refused(Problem.TRAVEL_DOCUMENT_INVALID)


def identity_number(text: str, today: date) -> Checked:
    """A resident ID number when it has 18 digits (checked as such), else a passport or
    permit number."""
    number = _compact(text)
    if _RIC.match(number) and not _PERMANENT_RESIDENCE.match(number):
        return _kind(resident_id(number, today), "resident_id")
    return travel_document(number, today)


def _kind(checked: Checked, kind: str) -> Checked:
    return Checked(
        checked.value, checked.problem, {**checked.details, "kind": kind}, checked.notes
    )


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later (the month's last day where it has fewer days)."""
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _dates(text: str) -> list[date]:
    found = []
    for match in _DATE.finditer(text):
        parts = [int(p) for p in match.groups() if p is not None]
        try:
            found.append(date(*parts))
        except ValueError:
            continue
    return found


def document_validity(text: str, today: date) -> Checked:
    """The end of a document's validity (the last date of a range like 2020.01.01-2040.01.01),
    at least three months away; “长期” (long-term) is accepted. Kept as an ISO date."""
    if text.strip().lower() in LONG_TERM or text.strip().endswith(("长期", "長期")):
        return Checked("长期")
    dates = _dates(text)
    if not dates:
        return refused(Problem.VALIDITY_INVALID)
    until = dates[-1]
    earliest = add_months(today, VALIDITY_MONTHS)
    if until < earliest:
        return refused(
            Problem.VALIDITY_TOO_SHORT, until=until.isoformat(), earliest=earliest.isoformat()
        )
    return Checked(until.isoformat())


def icp_number(text: str) -> Checked:
    """A filing or licence number in any form (read by ``bot.filing.icp_numbers``)."""
    number = parse_icp_number(text)
    if number is None:
        return refused(Problem.ICP_NUMBER_INVALID)
    return Checked(number.text)
