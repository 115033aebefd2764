"""What an approved site shows in its footer: the ICP number linked to MIIT's filing system
and, once the public-security filing is done, the 公网安备 number with its icon linked to the
public-security filing system (which hands out the icon with the number: Ping An Cloud's guide
to 公安备案, yun.pingan.com/ssr/help/domain/icp/PSFO.PSF; Tencent Cloud docs, 公安备案)."""

from __future__ import annotations

import html
from datetime import date, timedelta

from bot.filing.icp_numbers import PublicSecurityNumber, parse_public_security_number
from storage.models import FilingApplication

MIIT_FILING_URL = "https://beian.miit.gov.cn/"
PUBLIC_SECURITY_URL = "https://beian.mps.gov.cn/"
ICON_FILE = "beian-icon.png"  # where the client saves the icon, next to their home page
PUBLIC_SECURITY_KEY = "public_security_number"  # in the application's answers, set by staff
PUBLIC_SECURITY_WITHIN = timedelta(days=30)  # of the site going live


def public_security_of(application: FilingApplication) -> PublicSecurityNumber | None:
    """The application's recorded 公网安备 number, if staff recorded one."""
    text = (application.answers or {}).get(PUBLIC_SECURITY_KEY)
    return parse_public_security_number(text) if text else None


def public_security_due(launched: date) -> date:
    """The last day of the public-security filing for a site launched that day."""
    return launched + PUBLIC_SECURITY_WITHIN


def footer_snippet(icp_number: str, public_security: PublicSecurityNumber | None = None) -> str:
    """The footer's HTML, centred: the ICP number and, when known, the 公网安备 number."""
    links = [
        f'<a href="{MIIT_FILING_URL}" target="_blank" rel="noopener">'
        f"{html.escape(icp_number, quote=False)}</a>"
    ]
    if public_security is not None:
        links.append(
            f'<a href="{html.escape(public_security.url)}" target="_blank" rel="noopener">'
            f'<img src="{ICON_FILE}" alt="" style="height:16px;vertical-align:middle"> '
            f"{html.escape(public_security.text, quote=False)}</a>"
        )
    return '<div style="text-align:center">' + " ".join(links) + "</div>"
