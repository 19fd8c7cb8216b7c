"""The Open Referral HSDS 3.0 read API (/api/hsds/): the public catalogue for partners.

Public and read-only. Lists take search, page, per_page, taxonomy_term_id, taxonomy_id,
organization_id, modified_after, postcode and proximity (exchange.hsds_query), combined with
AND, and answer an HSDS Page; wrong parameters get a 400 naming each one (errors.py). The
documents are written by exchange.hsds_mapping and follow the Relais profile served at
/api/hsds/profile/.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path

from flask import Blueprint, jsonify, request, url_for
from flask_babel import gettext as _

from directory.catalogue import public_organisation, public_service, zone_labels
from errors import NotFound
from exchange import hsds_mapping as m
from exchange import hsds_query as q
from exchange.hsds_schemas import HSDS_VERSION
from extensions import limiter

bp = Blueprint("hsds", __name__, url_prefix="/api/hsds")

RATE_LIMIT = "120 per minute"
OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"
PROFILE = Path(__file__).parent / "hsds_profile.json"


@cache
def profile_document() -> dict:
    return json.loads(PROFILE.read_text(encoding="utf-8"))


def zone_names(services) -> dict:
    zones = [zone for svc in services for zone in svc.zones]
    return {(label.kind, label.code): label.name for label in zone_labels(zones)}


@bp.get("/")
def about():
    return jsonify({
        "version": HSDS_VERSION,
        "profile": url_for("hsds.profile", _external=True),
        "openapi_url": OPENAPI_URL,
    })


@bp.get("/profile/")
def profile():
    """The Relais profile: the properties Relais adds to HSDS, as JSON Schema definitions."""
    return jsonify({**profile_document(), "$id": url_for("hsds.profile", _external=True)})


@bp.get("/services")
@limiter.limit(RATE_LIMIT)
def services():
    asked = q.read_parameters(request.args)
    total, found = q.services_page(asked)
    if asked.full:
        terms, names = q.terms_by_pair(), zone_names(found)
        contents = [m.service(svc, terms, names) for svc in found]
    else:
        contents = [{**m.service_summary(svc), "organization": m.organization(svc.organisation, {})}
                    for svc in found]
    return jsonify(q.Page(total, asked.page, asked.per_page, contents).document())


@bp.get("/services/<service_id>")
@limiter.limit(RATE_LIMIT)
def service(service_id: str):
    svc = public_service(service_id)
    if not svc.is_active(date.today()):
        raise NotFound(_("This service does not exist, or is no longer published."))
    return jsonify(m.service(svc, q.terms_by_pair(), zone_names([svc])))


@bp.get("/organizations")
@limiter.limit(RATE_LIMIT)
def organizations():
    asked = q.read_parameters(request.args)
    total, found = q.organizations_page(asked)
    terms = q.terms_by_pair() if asked.full else {}
    contents = [m.organization(org, terms, full=asked.full) for org in found]
    return jsonify(q.Page(total, asked.page, asked.per_page, contents).document())


@bp.get("/organizations/<organization_id>")
@limiter.limit(RATE_LIMIT)
def organization(organization_id: str):
    org = public_organisation(organization_id)
    document = m.organization(org, q.terms_by_pair(), full=True)
    ids = q.service_ids(q.Asked(organization_id=org.id))
    document["services"] = [m.service_summary(svc) for svc in q.load_services(ids)]
    return jsonify(document)


@bp.get("/service_at_locations")
@limiter.limit(RATE_LIMIT)
def service_at_locations():
    asked = q.read_parameters(request.args)
    total, links = q.service_at_locations_page(asked)
    contents = [m.service_at_location(link, with_service=True) for link in links]
    return jsonify(q.Page(total, asked.page, asked.per_page, contents).document())


@bp.get("/service_at_locations/<link_id>")
@limiter.limit(RATE_LIMIT)
def service_at_location(link_id: str):
    link = q.public_service_at_location(link_id)
    if link is None:
        raise NotFound(_("This service does not exist, or is no longer published."))
    return jsonify(m.service_at_location(link, with_service=True))


@bp.get("/taxonomies")
@limiter.limit(RATE_LIMIT)
def taxonomies():
    asked = q.read_parameters(request.args)
    names = q.taxonomy_names(asked.search)
    page = names[(asked.page - 1) * asked.per_page:asked.page * asked.per_page]
    contents = [m.taxonomy(name) for name in page]
    return jsonify(q.Page(len(names), asked.page, asked.per_page, contents).document())


@bp.get("/taxonomies/<taxonomy_id>")
@limiter.limit(RATE_LIMIT)
def taxonomy(taxonomy_id: str):
    name = q.taxonomy_by_id(taxonomy_id)
    if name is None:
        raise NotFound(_("This taxonomy does not exist."))
    return jsonify(m.taxonomy(name))


@bp.get("/taxonomy_terms")
@limiter.limit(RATE_LIMIT)
def taxonomy_terms():
    asked = q.read_parameters(request.args)
    total, terms = q.taxonomy_terms_page(asked)
    contents = [m.taxonomy_term(term, detail=True) for term in terms]
    return jsonify(q.Page(total, asked.page, asked.per_page, contents).document())


@bp.get("/taxonomy_terms/<term_id>")
@limiter.limit(RATE_LIMIT)
def taxonomy_term(term_id: str):
    term = q.term_by_id(term_id)
    if term is None:
        raise NotFound(_("This taxonomy term does not exist."))
    return jsonify(m.taxonomy_term(term, detail=True))
