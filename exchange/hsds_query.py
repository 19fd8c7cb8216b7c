"""What the HSDS API lists: its query parameters, checked all at once, and the records they
select, one page at a time. Every filter is combined with the others (AND).

Only the public catalogue is served: active services (published, or suspended with the
suspension over) of organisations that passed moderation, those organisations, and the
locations of those services. Coverage of a postcode is geo.spatial's answer (the rule of
geo.coverage), never recomputed here.
"""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy.orm import selectinload

from directory.catalogue import active_clause, default_radius_km
from directory.finder import text_scores
from directory.models import (
    MODERATION_APPROVED,
    T_FRAIS,
    T_TYPE_SERVICE,
    Organisation,
    Service,
    ServiceAtLocation,
    ServiceTerm,
    TaxonomyTerm,
)
from errors import DomainError, Invalid
from exchange import hsds_mapping as m
from extensions import db
from geo import places
from geo.distance import distance_km
from geo.spatial import get_backend

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 200
MAX_SEARCH = 200
POSTCODE = re.compile(r"[0-9]{5}")


def _whole(minimum: int, maximum: int | None, message) -> fields.Integer:
    return fields.Integer(strict=False, validate=validate.Range(min=minimum, max=maximum,
                                                                error=message),
                          error_messages={"invalid": message})


class ListParameters(Schema):
    """The HSDS list parameters Relais understands; others (format=json, lang…) are ignored."""

    class Meta:
        unknown = EXCLUDE

    search = fields.String(validate=validate.Length(
        max=MAX_SEARCH, error=_l("The search is limited to 200 characters.")))
    page = _whole(1, None, _l("The page is a whole number from 1."))
    per_page = _whole(1, MAX_PER_PAGE, _l("per_page is a whole number from 1 to 200."))
    taxonomy_term_id = fields.UUID(error_messages={
        "invalid_uuid": _l("A taxonomy term id is a UUID.")})
    taxonomy_id = fields.UUID(error_messages={"invalid_uuid": _l("A taxonomy id is a UUID.")})
    organization_id = fields.UUID(error_messages={
        "invalid_uuid": _l("An organization id is a UUID.")})
    modified_after = fields.AwareDateTime(default_timezone=UTC, error_messages={
        "invalid": _l("modified_after is a date and time like 2024-01-31T12:00:00Z.")})
    postcode = fields.String(validate=validate.Regexp(
        POSTCODE, error=_l("A postcode has 5 digits.")))
    proximity = fields.Float(allow_nan=False, validate=validate.Range(
        min=1, max=1_000_000, error=_l("The proximity is a distance in metres, up to 1000 km.")),
        error_messages={"invalid": _l("The proximity is a distance in metres, up to 1000 km.")})
    full = fields.Boolean(error_messages={"invalid": _l("full is true or false.")})

    @validates_schema
    def proximity_needs_postcode(self, data, **kwargs):
        if "proximity" in data and "postcode" not in data:
            raise ValidationError(_("The proximity is measured from a postcode: give one."),
                                  "proximity")


@dataclass(frozen=True)
class Asked:
    search: str = ""
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    taxonomy_term_id: uuid.UUID | None = None
    taxonomy_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    modified_after: datetime | None = None
    postcode: str | None = None
    proximity: float | None = None  # metres
    full: bool = False


def read_parameters(args) -> Asked:
    """The query string as an Asked, or Invalid naming every wrong parameter."""
    try:
        data = ListParameters().load({key: args.get(key) for key in args})
    except ValidationError as error:
        messages = {key: value if isinstance(value, list) else [str(value)]
                    for key, value in error.messages.items()}
        raise Invalid(_("Some parameters are not valid."), messages) from None
    data["search"] = " ".join((data.get("search") or "").split())
    return Asked(**data)


@dataclass
class Page:
    total: int
    number: int
    per_page: int
    contents: list

    def document(self) -> dict:
        """The HSDS Page object."""
        pages = math.ceil(self.total / self.per_page) if self.total else 0
        return {
            "total_items": self.total,
            "total_pages": pages,
            "page_number": self.number,
            "size": len(self.contents),
            "first_page": self.number == 1,
            "last_page": self.number >= pages,
            "empty": not self.contents,
            "contents": self.contents,
        }


def _slice(items: list, asked: Asked) -> list:
    start = (asked.page - 1) * asked.per_page
    return items[start:start + asked.per_page]


# --- taxonomy terms -----------------------------------------------------------------------------


def terms_by_pair() -> dict[tuple[str, str], TaxonomyTerm]:
    return {(t.taxonomy, t.code): t for t in db.session.scalars(sa.select(TaxonomyTerm))}


def _term_pair(term_uuid: uuid.UUID) -> tuple[str, str] | None:
    wanted = str(term_uuid)
    for name, code in db.session.execute(sa.select(TaxonomyTerm.taxonomy, TaxonomyTerm.code)):
        if m.term_id(name, code) == wanted:
            return name, code
    return None


def _taxonomy_name(taxonomy_uuid: uuid.UUID) -> str | None:
    wanted = str(taxonomy_uuid)
    for name in db.session.scalars(sa.select(TaxonomyTerm.taxonomy).distinct()):
        if m.taxonomy_id(name) == wanted:
            return name
    return None


def _has_term(name: str, codes: sa.ColumnElement | None) -> sa.ColumnElement[bool]:
    """The service carries a term of this taxonomy (one of `codes` when given)."""
    if name in (T_TYPE_SERVICE, T_FRAIS):
        column = Service.type if name == T_TYPE_SERVICE else Service.fees
        return column.is_not(None) if codes is None else column.in_(codes)
    clause = sa.exists().where(ServiceTerm.service_id == Service.id, ServiceTerm.taxonomy == name)
    return clause if codes is None else clause.where(ServiceTerm.code.in_(codes))


# --- services ---------------------------------------------------------------------------------


def public_service_clause(today: date | None = None) -> sa.ColumnElement[bool]:
    return active_clause(today or date.today())


def _service_clause(asked: Asked) -> sa.ColumnElement[bool]:
    parts = [public_service_clause()]
    if asked.organization_id:
        parts.append(Service.organisation_id == asked.organization_id)
    if asked.modified_after:
        parts.append(Service.updated_at >= asked.modified_after)
    if asked.taxonomy_term_id:
        pair = _term_pair(asked.taxonomy_term_id)
        parts.append(_has_term(pair[0], [pair[1]]) if pair else sa.false())
    if asked.taxonomy_id:
        name = _taxonomy_name(asked.taxonomy_id)
        parts.append(_has_term(name, None) if name else sa.false())
    return sa.and_(*parts)


def _postcode_places(postcode: str):
    try:
        return places.places_for_postcode(postcode)
    except DomainError as problem:  # an unknown postcode is a NotFound: here a bad parameter
        raise Invalid(problem.message, {"postcode": [problem.message]}) from None


def _covering(asked: Asked, where) -> dict[uuid.UUID, float | None]:
    """Services covering a commune of the postcode, with their nearest distance in km."""
    found: dict[uuid.UUID, float | None] = {}
    for place in _postcode_places(asked.postcode):
        covered = get_backend().services_covering(
            place, default_radius_km=default_radius_km(), where=where)
        for sid, distance in covered.items():
            known = found.get(sid)
            if sid not in found or (distance is not None and (known is None or distance < known)):
                found[sid] = distance
    return found


def service_ids(asked: Asked) -> list[uuid.UUID]:
    """The ids of the services the parameters select, in the order they are listed."""
    where = _service_clause(asked)
    if asked.postcode:
        covered = _covering(asked, where)
        if asked.proximity is not None:
            reach = asked.proximity / 1000.0
            covered = {sid: d for sid, d in covered.items() if d is not None and d <= reach}
        ids = list(covered)
    else:
        ids = list(db.session.scalars(sa.select(Service.id).where(where)))
    if not ids:
        return []
    names = dict(db.session.execute(sa.select(Service.id, Service.name).where(
        Service.id.in_(ids))).all())
    if asked.search:
        scores = text_scores(ids, asked.search)
        return sorted(scores, key=lambda sid: (-scores[sid], names[sid].lower(), str(sid)))
    return sorted(ids, key=lambda sid: (names[sid].lower(), str(sid)))


def load_services(ids: list[uuid.UUID]) -> list[Service]:
    """Services with what their documents show, in the order of `ids`."""
    if not ids:
        return []
    rows = db.session.scalars(sa.select(Service).where(Service.id.in_(ids)).options(
        selectinload(Service.term_links), selectinload(Service.zones),
        selectinload(Service.organisation),
        selectinload(Service.location_links).selectinload(ServiceAtLocation.location),
    )).all()
    by_id = {row.id: row for row in rows}
    return [by_id[sid] for sid in ids if sid in by_id]


def services_page(asked: Asked) -> tuple[int, list[Service]]:
    ids = service_ids(asked)
    return len(ids), load_services(_slice(ids, asked))


def service_at_locations_page(asked: Asked) -> tuple[int, list[ServiceAtLocation]]:
    """Links of the selected services to their places; with a proximity, only the places
    within it of the postcode's commune centre."""
    ids = service_ids(asked)
    if not ids:
        return 0, []
    order = {sid: n for n, sid in enumerate(ids)}
    links = db.session.scalars(sa.select(ServiceAtLocation).where(
        ServiceAtLocation.service_id.in_(ids))).all()
    if asked.proximity is not None:
        centres = [p for p in _postcode_places(asked.postcode) if p.has_point]
        reach = asked.proximity / 1000.0
        links = [
            link for link in links if link.location.has_coordinates and any(
                distance_km(p.latitude, p.longitude, link.location.latitude,
                            link.location.longitude) <= reach for p in centres)
        ]
    links.sort(key=lambda link: (order[link.service_id], str(link.id)))
    return len(links), _slice(links, asked)


def public_service_at_location(link_id: str) -> ServiceAtLocation | None:
    try:
        wanted = uuid.UUID(link_id)
    except ValueError:
        return None
    return db.session.scalar(sa.select(ServiceAtLocation).join(Service).where(
        ServiceAtLocation.id == wanted, public_service_clause()))


# --- organisations ------------------------------------------------------------------------------


def organizations_page(asked: Asked) -> tuple[int, list[Organisation]]:
    query = sa.select(Organisation).where(Organisation.moderation_status == MODERATION_APPROVED)
    if asked.search:
        query = query.where(sa.func.lower(Organisation.name).contains(asked.search.lower(),
                                                                       autoescape=True))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.order_by(Organisation.name, Organisation.id)
        .offset((asked.page - 1) * asked.per_page).limit(asked.per_page)
        .options(selectinload(Organisation.locations))
    ).all()
    return total, list(rows)


# --- taxonomies ---------------------------------------------------------------------------------


def taxonomy_names(search: str = "") -> list[str]:
    names = sorted(db.session.scalars(sa.select(TaxonomyTerm.taxonomy).distinct()))
    return [name for name in names if search.lower() in name.lower()]


def taxonomy_terms_page(asked: Asked) -> tuple[int, list[TaxonomyTerm]]:
    query = sa.select(TaxonomyTerm)
    if asked.taxonomy_id:
        query = query.where(TaxonomyTerm.taxonomy == (_taxonomy_name(asked.taxonomy_id) or ""))
    if asked.search:
        words = asked.search.lower()
        query = query.where(sa.or_(
            sa.func.lower(TaxonomyTerm.label_fr).contains(words, autoescape=True),
            sa.func.lower(TaxonomyTerm.label_en).contains(words, autoescape=True),
            TaxonomyTerm.code.contains(words, autoescape=True)))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.order_by(TaxonomyTerm.taxonomy, TaxonomyTerm.position, TaxonomyTerm.code)
        .offset((asked.page - 1) * asked.per_page).limit(asked.per_page)).all()
    return total, list(rows)


def term_by_id(term_uuid: str) -> TaxonomyTerm | None:
    try:
        pair = _term_pair(uuid.UUID(term_uuid))
    except ValueError:
        return None
    return db.session.get(TaxonomyTerm, pair) if pair else None


def taxonomy_by_id(taxonomy_uuid: str) -> str | None:
    try:
        return _taxonomy_name(uuid.UUID(taxonomy_uuid))
    except ValueError:
        return None
