"""What a province's rules mean for the client, in their language: one sentence per rule,
and “our staff will confirm” where the rule is unknown (never a guess)."""

from __future__ import annotations

import html
from collections.abc import Iterable

from bot.filing.provinces import EntityPersonInCharge, ProvinceTable
from bot.i18n import N_, Translator

UNKNOWN_PROVINCE = N_(
    "Your province is not chosen yet: our staff will confirm its bureau's rules with you."
)
# rule → {value: sentence}; the value None is the sentence for an unknown rule.
SENTENCES: dict[str, dict[object, str]] = {
    "entity_person_in_charge": {
        EntityPersonInCharge.LEGAL_REP: N_(
            "In {province} the entity's person in charge (主体负责人) must be the legal "
            "representative."
        ),
        EntityPersonInCharge.LEGAL_REP_OR_AUTHORISED: N_(
            "In {province} the entity's person in charge (主体负责人) is the legal "
            "representative, or someone the legal representative authorises by letter."
        ),
        EntityPersonInCharge.ANY: N_(
            "In {province} the entity's person in charge (主体负责人) need not be the legal "
            "representative."
        ),
        None: N_(
            "Whether {province} requires the legal representative as the entity's person in "
            "charge (主体负责人) is not confirmed: our staff will confirm."
        ),
    },
    "website_authorisation_letter": {
        True: N_(
            "In {province} a website person in charge (网站负责人) who is not the legal "
            "representative needs an authorisation letter."
        ),
        None: N_(
            "Whether {province} asks for an authorisation letter when the website's person in "
            "charge is not the legal representative is not confirmed: our staff will confirm."
        ),
    },
    "residence_permit_accepted": {
        True: N_(
            "With an ID card from another province you can file in {province} with a local "
            "residence permit (居住证)."
        ),
        False: N_(
            "{province} accepts only ID cards issued there: a residence permit is not enough."
        ),
        None: N_(
            "Whether {province} accepts a residence permit with an ID card from another province "
            "is not confirmed: our staff will confirm."
        ),
    },
    "min_age": {
        None: N_("The minimum age in {province} is not confirmed: our staff will confirm."),
    },
    "electronic_licence": {
        False: N_(
            "{province} does not accept electronic business licences: photograph the paper "
            "original."
        ),
    },
    "responsibility_notice": {
        True: N_(
            "{province} also asks for a signed authenticity responsibility notice "
            "(真实性责任告知书)."
        ),
    },
    "passport": {
        True: N_("{province} accepts a passport for the applicant and the persons in charge."),
        False: N_(
            "{province} does not accept passports or foreign applicants: the applicant and the "
            "persons in charge need a mainland ID card."
        ),
        None: N_(
            "Whether {province} accepts a passport or a travel permit is not confirmed: our "
            "staff will confirm before you submit."
        ),
    },
    "party_building_proof": {
        True: N_(
            "{province} asks organisations for a party-building proof (党建证明) before a first "
            "filing or a new website."
        ),
    },
}
MIN_AGE = N_("In {province} the applicant and the persons in charge must be at least {age}.")
REVIEW_DAYS = N_("The bureau in {province} reviews within {days} working days.")


def province_notes(
    rules: Iterable[str], province_id: str | None, table: ProvinceTable, translator: Translator
) -> list[str]:
    """The sentences of these rules for the province, as Telegram HTML (one “staff will
    confirm” sentence when the province itself is unknown)."""
    _ = translator.gettext
    province = table.find(province_id)
    names = list(rules)
    if not names:
        return []
    if province is None:
        return [_(UNKNOWN_PROVINCE)]
    values = table.rules(province.id)
    name = html.escape(province.name.get(translator.language), quote=False)
    notes = []
    for rule in names:
        value = getattr(values, rule)
        if rule == "min_age" and value is not None:
            notes.append(_(MIN_AGE).format(province=name, age=value))
        elif rule == "review_days":
            days = value if value is not None else 20
            notes.append(_(REVIEW_DAYS).format(province=name, days=days))
        else:
            sentence = SENTENCES.get(rule, {}).get(value)
            if sentence is not None:
                notes.append(_(sentence).format(province=name))
    return notes
