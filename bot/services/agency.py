"""The agency's name and contact details, as configured."""

from __future__ import annotations

import html
from dataclasses import dataclass

from bot.i18n import Translator


@dataclass(frozen=True)
class AgencyInfo:
    """Who runs the bot and how clients reach them outside Telegram."""

    name: str
    email: str = ""
    phone: str = ""
    website: str = ""
    prices: str = ""  # lines separated by "|", as configured

    @property
    def escaped_name(self) -> str:
        """The name, safe inside Telegram HTML."""
        return html.escape(self.name, quote=False)

    @property
    def has_contact(self) -> bool:
        """Whether any contact detail is configured."""
        return bool(self.email or self.phone or self.website)

    def contact_lines(self, translator: Translator) -> str:
        """The configured contact details, one per line, in the translator's language."""
        _ = translator.gettext
        lines = []
        if self.email:
            lines.append(_("E-mail: {email}").format(email=html.escape(self.email, quote=False)))
        if self.phone:
            lines.append(_("Phone: {phone}").format(phone=html.escape(self.phone, quote=False)))
        if self.website:
            lines.append(
                _("Website: {website}").format(website=html.escape(self.website, quote=False))
            )
        if not lines:
            lines.append(_("Press “Talk to staff” below and our team will be told."))
        return "\n".join(lines)

    def price_lines(self, translator: Translator) -> str:
        """The configured prices, one per line, or an invitation to ask for a quote."""
        parts = (part.strip() for part in self.prices.split("|"))
        lines = [html.escape(part, quote=False) for part in parts if part]
        if not lines:
            return translator.gettext("Ask us for a quote: press “Talk to staff”.")
        return "\n".join(lines)
