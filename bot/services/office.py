"""The office clients visit for the verification photo: its address, its place on the map and
what to bring, from the configuration (OFFICE_ADDRESS, OFFICE_LOCATION) or the application data
file's ``[office]``; with a clear default for what to bring."""

from __future__ import annotations

import html
from dataclasses import dataclass

from bot.config import Settings, parse_location
from bot.filing.catalogue import Catalogue
from bot.i18n import N_, Translator

DEFAULT_BRING = N_(
    "your ID card or passport (the original, valid for at least 3 more months). Avoid a red or "
    "blue top (the backdrop is blue)."
)


@dataclass(frozen=True)
class Office:
    """Where the office is and what a visitor brings, in one language."""

    name: str
    address: str | None  # plain text
    location: tuple[float, float] | None  # latitude, longitude
    bring: str  # Telegram HTML

    def lines(self, translator: Translator) -> str:
        """The address and what to bring, for a confirmation or a reminder (HTML)."""
        _ = translator.gettext
        if self.address:
            where = _("📍 <b>Address:</b> {address}").format(
                address=html.escape(self.address, quote=False)
            )
        else:
            where = _("📍 We send you the office's address before your visit.")
        bring = _("🧾 <b>Please bring:</b> {bring}").format(bring=self.bring)
        return f"{where}\n{bring}"


def office_for(settings: Settings, catalogue: Catalogue, translator: Translator) -> Office:
    """The office as the configuration, else the data file, describes it."""
    data = catalogue.office
    language = translator.language
    address = settings.office_address.strip() or (
        data.address.get(language) if data.address else None
    )
    location = parse_location(settings.office_location) if settings.office_location else None
    if location is None and data.latitude is not None and data.longitude is not None:
        location = (data.latitude, data.longitude)
    bring = data.bring.get(language) if data.bring else translator.gettext(DEFAULT_BRING)
    return Office(settings.agency_name, address, location, bring)
