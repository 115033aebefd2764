"""Reading the numbers a filing ends with: the ICP filing number in all its forms, and the
public-security (公网安备) number. One small module so that the validators can take it over.

Forms (icp-filing reference §10.1, from Huawei Cloud's KB "App备案咨询"):
- entity 京ICP备12345678号; website …号-1; app …号-1A; mini-program …号-1X; quick app …号-1K;
- value-added telecom licence holders 粤B2-20090059, a site under it 粤B2-20090059-1626X.
Public security: 京公网安备11010802020123号 (14 digits; the first 6 are the region).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

PROVINCES = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川蜀贵黔云滇藏陕秦甘陇青宁新"
_FILING = re.compile(rf"([{PROVINCES}])ICP备(\d{{8,10}})号(?:-(\d{{1,4}})([AXK])?)?")
_LICENCE = re.compile(rf"([{PROVINCES}])([AB][12])-(\d{{8}})(?:-(\d{{1,5}})([AXK])?)?")
_PUBLIC_SECURITY = re.compile(rf"([{PROVINCES}])公网安备(\d{{14}})号")
PUBLIC_SECURITY_SEARCH = "https://beian.mps.gov.cn/#/query/webSearch?code="


class NumberKind(StrEnum):
    """What an ICP number was issued for."""

    ENTITY = "entity"
    WEBSITE = "website"
    APP = "app"
    MINI_PROGRAM = "mini_program"
    QUICK_APP = "quick_app"
    LICENCE = "licence"


_SUFFIX_KINDS = {"A": NumberKind.APP, "X": NumberKind.MINI_PROGRAM, "K": NumberKind.QUICK_APP}


@dataclass(frozen=True)
class IcpNumber:
    """A filing or licence number, as it is displayed."""

    text: str
    kind: NumberKind
    province: str  # the one-character abbreviation, e.g. 京


@dataclass(frozen=True)
class PublicSecurityNumber:
    """A public-security filing number and the code its search link uses."""

    text: str
    code: str

    @property
    def url(self) -> str:
        """The public-security filing system's page for this number."""
        return PUBLIC_SECURITY_SEARCH + self.code


def _clean(text: str) -> str:
    """Full-width characters folded, spaces dropped, letters upper-case (京icp备 → 京ICP备)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).upper()


def parse_icp_number(text: str) -> IcpNumber | None:
    """The ICP number in ``text`` (staff may type it with spaces or full-width characters)."""
    cleaned = _clean(text)
    filing = _FILING.fullmatch(cleaned)
    if filing is not None:
        province, _digits, site, suffix = filing.groups()
        if site is None:
            kind = NumberKind.ENTITY
        else:
            kind = _SUFFIX_KINDS.get(suffix or "", NumberKind.WEBSITE)
        return IcpNumber(cleaned, kind, province)
    licence = _LICENCE.fullmatch(cleaned)
    if licence is not None:
        return IcpNumber(cleaned, NumberKind.LICENCE, licence.group(1))
    return None


def parse_public_security_number(text: str) -> PublicSecurityNumber | None:
    """The 公网安备 number in ``text``, e.g. 京公网安备 11010802020123号."""
    cleaned = _clean(text)
    match = _PUBLIC_SECURITY.fullmatch(cleaned)
    return PublicSecurityNumber(cleaned, match.group(2)) if match is not None else None
