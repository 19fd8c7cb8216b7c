"""Listings in words for the pages: statuses, freshness, and the change history's field names
and values as a person reads them (labels of needs and publics, names of areas and languages),
in the page's language. Registered as template helpers by directory.edit_views."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from directory import taxonomy
from directory.catalogue import zone_labels
from directory.eligibility import parse_rule
from directory.eligibility_words import describe
from directory.freshness import is_overdue
from directory.models import ARCHIVED, DRAFT, PUBLISHED, SUSPENDED, Service
from directory.service_input import CODE_FIELDS, CODE_LIST_FIELDS
from errors import Invalid
from geo.coverage import Zone

FIELD_LABELS = {
    "name": _l("Name"),
    "summary": _l("Summary"),
    "description": _l("Description"),
    "type": _l("Type of service"),
    "thematiques": _l("Needs"),
    "publics": _l("Publics"),
    "publics_details": _l("More about who it is for"),
    "modes_accueil": _l("How it is delivered"),
    "modes_mobilisation": _l("How to start"),
    "mobilisable_par": _l("Who can ask for it"),
    "mobilisation_details": _l("More about how to start"),
    "mobilisation_link": _l("Link to apply online"),
    "fees": _l("Cost"),
    "fees_details": _l("More about the cost"),
    "languages": _l("Languages spoken"),
    "required_documents": _l("Documents to bring"),
    "conditions": _l("Conditions of access"),
    "duration_weeks": _l("Duration in weeks"),
    "hours_per_week": _l("Hours per week"),
    "contact_name": _l("Contact name"),
    "contact_email": _l("Contact email"),
    "contact_phone": _l("Contact phone"),
    "contact_public": _l("Who sees the contact details"),
    "locations": _l("Places"),
    "opening_hours": _l("Opening hours"),
    "update_frequency": _l("Update frequency"),
    "zones": _l("Areas covered"),
    "coverage_radius_km": _l("Distance limit in km"),
    "status": _l("Status"),
    "suspended_until": _l("Suspended until"),
    "eligibility": _l("Eligibility conditions"),
}
STATUS_WORDS = {
    DRAFT: _l("Draft"),
    PUBLISHED: _l("Published"),
    SUSPENDED: _l("Suspended"),
    ARCHIVED: _l("Archived"),
}
EMPTY = _l("(empty)")
PARIS = ZoneInfo("Europe/Paris")


def service_status(service: Service) -> str:
    """The status in words (never colour alone)."""
    from directory.views import long_date

    if service.status == SUSPENDED and service.suspended_until:
        if service.is_active(date.today()):
            return _(
                "Published (suspension ended on %(date)s)", date=long_date(service.suspended_until)
            )
        return _("Suspended until %(date)s", date=long_date(service.suspended_until))
    return str(STATUS_WORDS.get(service.status, service.status))


def listing_overdue(service: Service) -> bool:
    return is_overdue(service, date.today())


def long_datetime(value: datetime) -> str:
    """ "3 March 2026, 14:05", in French time (stored times are UTC; SQLite drops the zone)."""
    from directory.views import long_date

    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(PARIS)
    return f"{long_date(local.date())}, {local:%H:%M}"


def change_field(field: str) -> str:
    return str(FIELD_LABELS.get(field, field))


def change_value(field: str, value: Any) -> str:
    """One value of the history as words."""
    from directory.views import language_name

    locale = str(get_locale() or "fr")
    if field == "eligibility" and not value:
        return _("No condition: open to everyone")
    if value is None or value == [] or value == "":
        return str(EMPTY)
    if field in CODE_LIST_FIELDS and isinstance(value, list):
        return ", ".join(taxonomy.label(CODE_LIST_FIELDS[field], code, locale) for code in value)
    if field in CODE_FIELDS:
        return taxonomy.label(CODE_FIELDS[field], str(value), locale)
    if field == "status":
        return str(STATUS_WORDS.get(value, value))
    if field == "contact_public":
        return _("Everyone") if value else _("Professionals only")
    if field == "update_frequency":
        labels = {c.value: c.label(locale) for c in taxonomy.reference_list("update_frequencies")}
        return labels.get(value, str(value))
    if field == "languages" and isinstance(value, list):
        return ", ".join(language_name(code) for code in value)
    if field == "eligibility" and isinstance(value, Mapping):
        words = eligibility_in_words(value)
        if words is not None:
            return words.sentence()
    if field == "zones" and isinstance(value, list):
        zones = [Zone(*(str(item).split(":", 1) + [None])[:2]) for item in value]
        return ", ".join(label.name for label in zone_labels(zones))
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return str(value)


@dataclass(frozen=True)
class EligibilityWords:
    """A service's structured eligibility rule as sentences: the conditions everyone must
    meet, and the groups of which a person must meet one (all the conditions of it)."""

    everyone: tuple[str, ...]
    groups: tuple[tuple[str, ...], ...]

    def sentence(self) -> str:
        """All of it on one line, for the change history."""
        parts = list(self.everyone)
        if self.groups:
            bracketed = [f"({'; '.join(group)})" for group in self.groups]
            alternatives = bracketed[0] if len(bracketed) == 1 else _(
                "%(first)s or %(last)s", first=", ".join(bracketed[:-1]), last=bracketed[-1]
            )
            parts.append(_("one of: %(groups)s", groups=alternatives))
        return "; ".join(parts)


def eligibility_in_words(rule: Mapping | None) -> EligibilityWords | None:
    """The rule in the page's language, or None when there is none (open to everyone) or it
    cannot be read (an old value in the history)."""
    try:
        parsed = parse_rule(rule)
    except Invalid:
        return None
    if not parsed.all_of and not parsed.any_of:
        return None
    return EligibilityWords(
        tuple(describe(c) for c in parsed.all_of),
        tuple(tuple(describe(c) for c in group) for group in parsed.any_of),
    )
