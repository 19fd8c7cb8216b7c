"""Members keep their organisation's services true: create, edit, publish, suspend, archive.

Each operation checks everything before it writes anything (a refused edit leaves the service
exactly as it was), records what changed field by field (directory.history), and flushes; the
view commits. Who may act is checked by the caller through accounts.permissions: these
functions hold the rules of the listing itself.

Lifecycle: draft → published → suspended (until a date) → archived; a suspended or archived
service can be published again. A public listing must say what it is for (at least one need)
and how it is delivered (at least one mode d'accueil), and an organisation still awaiting
moderation cannot publish yet.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import gettext as _

from directory.eligibility import parse_rule, rule_to_json
from directory.history import ENTITY_SERVICE, ChangeRecord, record_changes
from directory.hours import WeeklyHours
from directory.models import (
    ARCHIVED,
    DRAFT,
    MODERATION_APPROVED,
    PUBLISHED,
    SUSPENDED,
    Organisation,
    Service,
    ServiceAtLocation,
    ServiceZone,
)
from directory.service_input import CODE_LIST_FIELDS, SERVICE_FIELDS, clean_service_input
from directory.zone_input import ZoneChoice
from errors import Conflict, Invalid
from extensions import db

# Fields of the history that are not SERVICE_FIELDS: the lifecycle.
STATUS_FIELDS = ("status", "suspended_until")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_FRENCH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


# ---------------------------------------------------------------------------------------------
# Snapshots: what the history compares


def hours_text(data: dict | None) -> str | None:
    """Stored opening hours as the OSM text people edit."""
    if not data:
        return None
    try:
        return WeeklyHours.from_json(data).to_osm()
    except Invalid:
        return str(data)  # imported hours we cannot read: keep a trace rather than nothing


def snapshot(service: Service) -> dict[str, Any]:
    """Every editable field as a JSON value: what the history stores as old and new."""
    values: dict[str, Any] = {}
    for name in SERVICE_FIELDS:
        if name == "location_ids":
            values["locations"] = sorted(location.name for location in service.locations)
        elif name == "zones":
            values["zones"] = sorted(
                zone.kind if zone.code is None else f"{zone.kind}:{zone.code}"
                for zone in service.zones
            )
        elif name == "opening_hours":
            values[name] = hours_text(service.opening_hours)
        elif name in CODE_LIST_FIELDS:
            values[name] = service.codes(CODE_LIST_FIELDS[name])
        else:
            value = getattr(service, name)
            values[name] = list(value) if isinstance(value, list) else value
    return values


def _status_snapshot(service: Service) -> dict[str, Any]:
    until = service.suspended_until
    return {"status": service.status, "suspended_until": until.isoformat() if until else None}


# ---------------------------------------------------------------------------------------------
# Writing fields


def _apply(service: Service, cleaned: dict[str, Any]) -> None:
    for name, value in cleaned.items():
        if name in CODE_LIST_FIELDS:
            service.set_codes(CODE_LIST_FIELDS[name], value)
        elif name == "location_ids":
            _set_locations(service, value)
        elif name == "zones":
            _set_zones(service, value)
        else:
            setattr(service, name, value)


def _set_locations(service: Service, locations: list) -> None:
    # Existing links are kept, not replaced: a new row for the same pair would be inserted
    # before the old one is deleted and break the unique constraint.
    wanted = {location.id for location in locations}
    keep = [link for link in service.location_links if link.location.id in wanted]
    present = {link.location.id for link in keep}
    keep += [ServiceAtLocation(location=loc) for loc in locations if loc.id not in present]
    service.location_links = keep


def _set_zones(service: Service, zones: list[ZoneChoice]) -> None:
    wanted = [(zone.kind, zone.code) for zone in zones]
    keep = [zone for zone in service.zones if (zone.kind, zone.code) in wanted]
    present = {(zone.kind, zone.code) for zone in keep}
    keep += [ServiceZone(kind=k, code=c) for k, c in wanted if (k, c) not in present]
    service.zones = keep


def publication_problems(thematiques: list[str], modes_accueil: list[str]) -> dict[str, list]:
    """What a service lacks to be listed publicly, by field: a listing nobody can find by need,
    or that does not say whether to come in person, helps no one."""
    problems: dict[str, list] = {}
    if not thematiques:
        problems["thematiques"] = [_("Choose at least one need to publish this service.")]
    if not modes_accueil:
        problems["modes_accueil"] = [
            _("Say how the service is delivered (in person, remotely, or both) to publish it.")
        ]
    return problems


# ---------------------------------------------------------------------------------------------
# Operations


def create_service(
    organisation: Organisation, data: dict[str, Any], actor, *, today: date | None = None
) -> Service:
    """A new draft service of `organisation` from the given fields (a name at least)."""
    cleaned = clean_service_input(data, organisation, creating=True)
    service = Service(organisation=organisation, status=DRAFT)
    service.languages, service.required_documents = [], []
    db.session.add(service)
    _apply(service, cleaned)
    service.last_verified_on = today or date.today()
    db.session.flush()
    record_changes(
        ENTITY_SERVICE, service.id, {"status": None}, {"status": DRAFT}, actor, needs_review=False
    )
    return service


def update_service(
    service: Service, data: dict[str, Any], actor, *, today: date | None = None
) -> list[ChangeRecord]:
    """Change the given fields; return one record per field that changed. Saving also counts
    as checking the information (`last_verified_on` becomes today). On a public service the
    changes await the territory manager's review, and it must stay publishable."""
    cleaned = clean_service_input(data, service.organisation)
    if service.is_public():
        problems = publication_problems(
            cleaned.get("thematiques", service.thematiques),
            cleaned.get("modes_accueil", service.modes_accueil),
        )
        if problems:
            raise Invalid(
                _("A published service must keep its needs and delivery modes."), problems
            )
    before = snapshot(service)
    _apply(service, cleaned)
    service.last_verified_on = today or date.today()
    db.session.flush()
    return record_changes(
        ENTITY_SERVICE,
        service.id,
        before,
        snapshot(service),
        actor,
        needs_review=service.is_public(),
    )


def _change_status(
    service: Service, actor, status: str, until: date | None = None
) -> list[ChangeRecord]:
    before = _status_snapshot(service)
    service.status = status
    service.suspended_until = until
    db.session.flush()
    return record_changes(
        ENTITY_SERVICE, service.id, before, _status_snapshot(service), actor, needs_review=False
    )


def publish(service: Service, actor) -> list[ChangeRecord]:
    """List the service publicly (from draft, or again after a suspension or an archive)."""
    if service.status == PUBLISHED:
        raise Conflict(_("This service is already published."))
    if service.organisation.moderation_status != MODERATION_APPROVED:
        raise Conflict(
            _(
                "Your organisation is still being checked: its services can be published once "
                "it is approved."
            )
        )
    problems = publication_problems(service.thematiques, service.modes_accueil)
    if problems:
        raise Invalid(_("This service cannot be published yet."), problems)
    return _change_status(service, actor, PUBLISHED)


def suspend(service: Service, until: date, actor, today: date) -> list[ChangeRecord]:
    """Take a published service off the lists until a date (its page stays, saying so); it is
    listed again after that day. The date must be in the future: a suspension that has
    already ended would mean nothing."""
    if service.status not in (PUBLISHED, SUSPENDED):
        raise Conflict(_("Only a published service can be suspended."))
    if not isinstance(until, date):
        raise Invalid(_("Enter a date."), {"until": [_("Enter a date.")]})
    if until <= today:
        message = _("Choose a date after today.")
        raise Invalid(message, {"until": [message]})
    return _change_status(service, actor, SUSPENDED, until)


def archive(service: Service, actor) -> list[ChangeRecord]:
    """Withdraw the service: no public page, no listing; it stays in the organisation's space
    with its history and can be published again."""
    if service.status == ARCHIVED:
        raise Conflict(_("This service is already archived."))
    return _change_status(service, actor, ARCHIVED)


def confirm_still_correct(service: Service, actor, today: date) -> None:
    """A member says the information is still right: it counts as checked today."""
    service.last_verified_on = today
    db.session.flush()


def read_date(text: Any, field: str = "until") -> date:
    """A date typed in a form: 2026-03-31 (what date fields send) or 31/03/2026. A date that
    does not exist (30 February) is refused, not moved to the next valid day."""
    value = text.strip() if isinstance(text, str) else ""
    if not value:
        message = _("Enter a date.")
        raise Invalid(message, {field: [message]})
    match = _ISO_DATE.fullmatch(value)
    if match:
        year, month, day = (int(part) for part in match.groups())
    else:
        match = _FRENCH_DATE.fullmatch(value)
        if match is None:
            message = _("Enter a date like 31/03/2026.")
            raise Invalid(message, {field: [message]})
        day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        message = _("%(date)s is not a date that exists.", date=value)
        raise Invalid(message, {field: [message]}) from None


def set_eligibility(
    service: Service, rule: dict | None, actor, *, today: date | None = None
) -> list[ChangeRecord]:
    """Replace the service's structured eligibility rule (None or an empty rule: open to
    everyone). The rule is validated first (Invalid with a message per condition, nothing
    written); a real change bumps `eligibility_revision` and is kept in the history, awaiting
    review when the service is public, like any other change to a published listing."""
    parsed = parse_rule(rule)
    new = rule_to_json(parsed) if (parsed.all_of or parsed.any_of) else None
    if new == service.eligibility:
        service.last_verified_on = today or date.today()
        return []
    before = service.eligibility
    service.eligibility = new
    service.eligibility_revision = (service.eligibility_revision or 0) + 1
    service.last_verified_on = today or date.today()
    db.session.flush()
    return record_changes(
        ENTITY_SERVICE,
        service.id,
        {"eligibility": before},
        {"eligibility": new},
        actor,
        needs_review=service.is_public(),
    )
