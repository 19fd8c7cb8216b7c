"""Members keep their organisation's own details true: its contact, address and hours, and the
places where it receives people.

Like directory.editing for services, each operation checks every field before it writes
anything (a refused edit leaves everything exactly as it was, with a message on each wrong
field), records what changed field by field (directory.history), and flushes; the view
commits. Who may act is checked by the caller through accounts.permissions.

The name and SIRET of an organisation are not edited here: they identify it to moderators and
to the national registers, and change through moderation. Text is stored as typed (pages escape
it); what is checked is what people and programs rely on: addresses that exist, contact details
that work, links that are web pages, points that fall in France.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from directory.editing import hours_text
from directory.history import ENTITY_ORGANISATION, ChangeRecord, record_changes
from directory.models import Location, Organisation
from directory.service_input import (
    _email,
    _Errors,
    _opening_hours,
    _phone,
    _plain,
    _url,
)
from directory.service_input import _text as _service_text
from errors import Conflict, Invalid
from extensions import db
from geo.places import POSTCODE, UnknownPlace, place_for_commune
from geo.spatial import get_backend

# Changes to a place are kept in the history under the place itself.
ENTITY_LOCATION = "location"

ORGANISATION_FIELDS: tuple[str, ...] = (
    "description",
    "email",
    "phone",
    "website",
    "accessibility_url",
    "accessibility_details",
    "opening_hours",
    "address",
    "address_complement",
    "postcode",
    "commune_code",
)
# Identify the organisation: changed through moderation, never by its members here.
FIXED_ORGANISATION_FIELDS = ("name", "siret")
LOCATION_FIELDS: tuple[str, ...] = (
    "name",
    "description",
    "address",
    "address_complement",
    "postcode",
    "commune_code",
    "latitude",
    "longitude",
    "accessibility_url",
    "accessibility_details",
    "opening_hours",
)
TEXT_LIMITS: dict[str, int] = {
    "name": 150,
    "description": 10_000,
    "accessibility_details": 2_000,
    "address": 300,
    "address_complement": 300,
}
SINGLE_LINE = ("name", "address", "address_complement")
NAME_MIN_LENGTH = 3
LATITUDE, LONGITUDE = (-90.0, 90.0), (-180.0, 180.0)
_NUMBER = re.compile(r"-?[0-9]+(?:[.,][0-9]+)?")


# ---------------------------------------------------------------------------------------------
# Field readers: each returns the value to store, or None after recording what is wrong.


def _text(errors: _Errors, name: str, value: Any, *, required: bool = False) -> str | None:
    return _service_text(errors, name, value, required=required, limits=TEXT_LIMITS,
                         single_line=SINGLE_LINE)


def _postcode(errors: _Errors, value: Any) -> str | None:
    text = _plain(errors, "postcode", value)
    if not text:
        return None
    if not POSTCODE.fullmatch(text):
        errors.add("postcode", _("A postcode has 5 digits, for example 69003."))
        return None
    return text


def _commune(errors: _Errors, value: Any) -> tuple[str, str] | None:
    """The commune code as given (upper case) and the commune's name, if it exists."""
    text = _plain(errors, "commune_code", value)
    if not text:
        return None
    code = text.upper()
    try:
        place = place_for_commune(code)
    except Invalid as error:
        for message in error.field_errors.get("commune") or [error.message]:
            errors.add("commune_code", message)
        return None
    except UnknownPlace as error:
        errors.add("commune_code", error.message)
        return None
    return code, place.arrondissement_name or place.commune_name


def _coordinate(errors: _Errors, name: str, value: Any, bounds: tuple[float, float]):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        number = float(value.strip().replace(",", "."))
    low, high = bounds
    if number is None or not low <= number <= high:
        if name == "latitude":
            errors.add(name, _("The latitude must be a number between -90 and 90."))
        else:
            errors.add(name, _("The longitude must be a number between -180 and 180."))
        return None
    return number


def _read(errors: _Errors, name: str, value: Any, *, required: bool = False) -> Any:
    if name in TEXT_LIMITS:
        return _text(errors, name, value, required=required)
    if name == "email":
        return _email(errors, name, value)
    if name == "phone":
        return _phone(errors, name, value)
    if name in ("website", "accessibility_url"):
        return _url(errors, name, value)
    if name == "opening_hours":
        return _opening_hours(errors, value)
    if name == "postcode":
        return _postcode(errors, value)
    if name == "commune_code":
        return _commune(errors, value)
    if name == "latitude":
        return _coordinate(errors, name, value, LATITUDE)
    return _coordinate(errors, name, value, LONGITUDE)


def _clean(
    data: Mapping[str, Any],
    fields: tuple[str, ...],
    errors: _Errors,
    *,
    required: tuple[str, ...] = (),
    unknown_message: str,
) -> dict[str, Any]:
    for key in data:
        if key not in fields:
            errors.add(key, unknown_message)
    cleaned: dict[str, Any] = {}
    for name in fields:
        if name in data or name in required:
            cleaned[name] = _read(errors, name, data.get(name), required=name in required)
    return cleaned


def clean_organisation_input(data: Mapping[str, Any]) -> dict[str, Any]:
    """The given fields of ORGANISATION_FIELDS checked and normalised, ready to store; the name
    and SIRET are refused. Raises Invalid with every field's messages."""
    errors = _Errors()
    for name in FIXED_ORGANISATION_FIELDS:
        if name in data:
            errors.add(name, _("This is changed through moderation, not here."))
    rest = {k: v for k, v in data.items() if k not in FIXED_ORGANISATION_FIELDS}
    cleaned = _clean(
        rest,
        ORGANISATION_FIELDS,
        errors,
        unknown_message=_("This field is not part of an organisation."),
    )
    if errors.by_field:
        raise Invalid(_("Some fields need your attention."), errors.by_field)
    return cleaned


def clean_location_input(
    data: Mapping[str, Any], location: Location | None = None
) -> dict[str, Any]:
    """The given fields of LOCATION_FIELDS checked and normalised, ready to store. A new place
    (`location` None) needs a name. Coordinates come both or neither, and must fall in a
    commune we know: a point at sea or abroad would put the place on no map of France. Raises
    Invalid with every field's messages."""
    errors = _Errors()
    cleaned = _clean(
        data,
        LOCATION_FIELDS,
        errors,
        required=("name",) if location is None else (),
        unknown_message=_("This field is not part of a place."),
    )
    if "latitude" in data or "longitude" in data:
        _check_point(errors, data, cleaned, location)
    if errors.by_field:
        raise Invalid(_("Some fields need your attention."), errors.by_field)
    return cleaned


def _check_point(
    errors: _Errors, data: Mapping[str, Any], cleaned: dict[str, Any], location: Location | None
) -> None:
    if "latitude" in errors.by_field or "longitude" in errors.by_field:
        return
    latitude = cleaned.get("latitude", location.latitude if location else None)
    longitude = cleaned.get("longitude", location.longitude if location else None)
    if (latitude is None) != (longitude is None):
        missing = "latitude" if latitude is None else "longitude"
        errors.add(missing, _("Give both the latitude and the longitude, or neither."))
        return
    if latitude is None:
        return
    unchanged = location is not None and (location.latitude, location.longitude) == (
        latitude,
        longitude,
    )
    # A stored point is not checked again: an imported place must stay editable.
    if not unchanged and get_backend().commune_at(latitude, longitude) is None:
        errors.add("latitude", _("This point is not in a French commune we know."))


# ---------------------------------------------------------------------------------------------
# Snapshots and writing


def _snapshot(record: Organisation | Location, fields: tuple[str, ...]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in fields:
        value = getattr(record, name)
        values[name] = hours_text(value) if name == "opening_hours" else value
    return values


def _apply(record: Organisation | Location, cleaned: dict[str, Any]) -> None:
    for name, value in cleaned.items():
        if name == "commune_code":
            code, city = value if value is not None else (None, None)
            record.commune_code, record.city = code, city
        else:
            setattr(record, name, value)


def _location_names(organisation: Organisation) -> list[str]:
    return sorted(location.name for location in organisation.locations)


# ---------------------------------------------------------------------------------------------
# Operations


def update_organisation(
    organisation: Organisation, data: Mapping[str, Any], actor
) -> list[ChangeRecord]:
    """Change the given fields of the organisation; return one record per field that
    changed. Changes are recorded but not queued for review: the review of territory managers
    covers the services people rely on."""
    cleaned = clean_organisation_input(data)
    before = _snapshot(organisation, ORGANISATION_FIELDS)
    _apply(organisation, cleaned)
    db.session.flush()
    return record_changes(
        ENTITY_ORGANISATION,
        organisation.id,
        before,
        _snapshot(organisation, ORGANISATION_FIELDS),
        actor,
        needs_review=False,
    )


def create_location(organisation: Organisation, data: Mapping[str, Any], actor) -> Location:
    """A new place of the organisation from the given fields (a name at least). The
    organisation's history records the new list of its places."""
    cleaned = clean_location_input(data)
    names_before = _location_names(organisation)
    location = Location(organisation=organisation)
    db.session.add(location)
    _apply(location, cleaned)
    db.session.flush()
    record_changes(
        ENTITY_ORGANISATION,
        organisation.id,
        {"locations": names_before},
        {"locations": _location_names(organisation)},
        actor,
        needs_review=False,
    )
    record_changes(
        ENTITY_LOCATION,
        location.id,
        {},
        _snapshot(location, LOCATION_FIELDS),
        actor,
        needs_review=False,
    )
    return location


def update_location(location: Location, data: Mapping[str, Any], actor) -> list[ChangeRecord]:
    """Change the given fields of a place; return one record per field that changed."""
    cleaned = clean_location_input(data, location)
    organisation = location.organisation
    names_before = _location_names(organisation)
    before = _snapshot(location, LOCATION_FIELDS)
    _apply(location, cleaned)
    db.session.flush()
    records = record_changes(
        ENTITY_LOCATION,
        location.id,
        before,
        _snapshot(location, LOCATION_FIELDS),
        actor,
        needs_review=False,
    )
    records += record_changes(
        ENTITY_ORGANISATION,
        organisation.id,
        {"locations": names_before},
        {"locations": _location_names(organisation)},
        actor,
        needs_review=False,
    )
    return records


def services_only_at(location: Location) -> list:
    """The public services delivered at this place and at no other: removing it would leave
    them with nowhere to go."""
    return sorted(
        (
            link.service
            for link in location.service_links
            if link.service.is_public() and len(link.service.location_links) == 1
        ),
        key=lambda service: service.name,
    )


def delete_location(location: Location, actor) -> None:
    """Remove a place of the organisation. Refused while a published service is delivered
    there only: its listing would tell people to come to a place that no longer exists."""
    stranded = services_only_at(location)
    if stranded:
        raise Conflict(
            _(
                "This place cannot be removed: %(services)s is only delivered there. Add "
                "another place to that service, or archive it, first.",
                services=", ".join(f"“{service.name}”" for service in stranded),
            )
        )
    organisation = location.organisation
    names_before = _location_names(organisation)
    organisation.locations.remove(location)
    db.session.delete(location)
    db.session.flush()
    record_changes(
        ENTITY_ORGANISATION,
        organisation.id,
        {"locations": names_before},
        {"locations": _location_names(organisation)},
        actor,
        needs_review=False,
    )
