"""Checking the text details of an application against the filing rules.

``validate`` picks the check a step names; contact details live in ``bot.filing.contact``,
identity numbers in ``bot.filing.identity``. Answers are NFKC-normalised for the checks that
compare characters, and kept as written where the form shows them (descriptions, names and
addresses keep their full-width ，（） as the client typed them).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import date

from bot.chinese import count_cjk, to_simplified
from bot.filing import contact, identity
from bot.filing.catalogue import DomainRules, Validator
from bot.filing.checked import Checked, Note, Problem, refused

__all__ = ["Checked", "Note", "Problem", "validate"]

RESERVED_PREFIXES = ("中国", "中华", "中央", "国家", "人民", "人大", "全国")
SENSITIVE_WORDS = ("赌博", "博彩", "反腐", "廉政", "色情", "彩票", "贷款")
KEPT_AS_WRITTEN = frozenset(
    {Validator.DESCRIPTION, Validator.ENTITY_NAME, Validator.ADDRESS, Validator.DOMAIN_HOLDER}
)
# Steps whose answers are the mobiles of different persons: no two may share a number.
PERSON_MOBILES = ("mobile", "entity_mobile")
# Checks of a phone number: a contact card the client shares in Telegram can answer them.
PHONE_NUMBERS = frozenset({Validator.MOBILE, Validator.ENTITY_MOBILE, Validator.PHONE})


def validate(
    validator: Validator,
    text: str,
    domains: DomainRules,
    answers: Mapping[str, str] | None = None,
    today: date | None = None,
) -> Checked:
    """Check one answer with the named validator; ``answers`` are the application's earlier
    answers (for checks across steps), ``today`` the office's date (for ages and validity)."""
    kept = text.strip()
    text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        return refused(Problem.EMPTY)
    answers = answers or {}
    day = today or date.today()
    checks: dict[Validator, Callable[[], Checked]] = {
        Validator.WEBSITE_NAME: lambda: website_name(text),
        Validator.DOMAIN: lambda: contact.domain(text, domains),
        Validator.MOBILE: lambda: contact.mobile(text, answers, others=("entity_mobile",)),
        Validator.ENTITY_MOBILE: lambda: contact.mobile(text, answers, others=("mobile",)),
        Validator.PHONE: lambda: contact.phone(text, answers),
        Validator.EMAIL: lambda: contact.email(text),
        Validator.DESCRIPTION: lambda: description(kept),
        Validator.ENTITY_NAME: lambda: entity_name(kept),
        Validator.ADDRESS: lambda: address(kept),
        Validator.DOMAIN_HOLDER: lambda: domain_holder(kept, answers),
        Validator.CREDIT_CODE: lambda: identity.credit_code(text),
        Validator.RESIDENT_ID: lambda: identity.resident_id(text, day),
        Validator.TRAVEL_DOCUMENT: lambda: identity.travel_document(text, day),
        Validator.IDENTITY_NUMBER: lambda: identity.identity_number(text, day),
        Validator.DOCUMENT_VALIDITY: lambda: identity.document_validity(text, day),
        Validator.ICP_NUMBER: lambda: identity.icp_number(text),
    }
    return checks[validator]()


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


def description(text: str) -> Checked:
    """Between 10 and 500 characters, kept exactly as written."""
    if len(text) < 10:
        return Checked(None, Problem.DESCRIPTION_TOO_SHORT)
    if len(text) > 500:
        return Checked(None, Problem.DESCRIPTION_TOO_LONG)
    return Checked(text)


def entity_name(text: str) -> Checked:
    """The applicant's name as on the licence or ID: 2 to 100 characters, letters (any
    script), spaces, dots and brackets, e.g. 星辰科技（北京）有限公司 or 张三."""
    name = re.sub(r"\s+", " ", text)
    allowed = r"[\w\s·.,&'()（）\-]+"
    if not 2 <= len(name) <= 100 or not re.fullmatch(allowed, name) or name.isdigit():
        return refused(Problem.ENTITY_NAME_INVALID)
    return Checked(name)


def address(text: str) -> Checked:
    """A full address down to the house or room number (8 to 120 characters, with a number),
    e.g. 北京市朝阳区建国路88号1栋101室; kept as written."""
    place = re.sub(r"\s+", " ", text)
    if len(place) < 8:
        return refused(Problem.ADDRESS_TOO_SHORT)
    if len(place) > 120:
        return refused(Problem.ADDRESS_TOO_LONG)
    if not re.search(r"[0-9０-９一二三四五六七八九十百]+\s*[号號室栋棟幢楼樓层層座弄]|\d", place):
        return refused(Problem.ADDRESS_NO_NUMBER)
    return Checked(place)


def _comparable(name: str) -> str:
    folded = unicodedata.normalize("NFKC", name).casefold()
    return to_simplified(re.sub(r"[\s·.,()\-]", "", folded))


def domain_holder(text: str, answers: Mapping[str, str]) -> Checked:
    """The domain's registrant as the registrar shows it; noted when it is not the applicant
    (``entity_name``): the most common reason a filing is sent back."""
    checked = entity_name(text)
    entity = answers.get("entity_name")
    if not checked.ok or checked.value is None or not entity:
        return checked
    if _comparable(checked.value) != _comparable(entity):
        return Checked(
            checked.value, details={"entity": entity}, notes=(Note.DOMAIN_HOLDER_DIFFERS,)
        )
    return checked
