"""POST /api/v1/match: the services for a place and needs, each with its eligibility for the
situation given, grouped and explained, and the questions still worth asking.

The situation is read, used and forgotten: it is never stored or logged.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request, url_for
from flask_babel import gettext as _
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from directory import finder, matching, taxonomy
from directory.eligibility_words import describe
from directory.models import T_THEMATIQUE
from errors import Invalid, NotFound
from extensions import csrf, limiter
from geo import places

bp = Blueprint("matching", __name__)
# A JSON API without cookies: nothing for a forged cross-site form to ride on.
csrf.exempt(bp)

MAX_LIMIT = 200


class LocationSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    postcode = fields.String(load_default=None)
    commune = fields.String(load_default=None)
    lat = fields.Raw(load_default=None)
    lon = fields.Raw(load_default=None)


class MatchRequestSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    location = fields.Nested(LocationSchema, required=True)
    needs = fields.List(fields.String(validate=validate.Length(max=120)), load_default=list,
                        validate=validate.Length(max=20))
    q = fields.String(load_default="", validate=validate.Length(max=200))
    radius_km = fields.Float(load_default=None, validate=validate.Range(min=0, max=200,
                                                                         min_inclusive=False))
    situation = fields.Dict(load_default=dict)
    include_not_eligible = fields.Boolean(load_default=True)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_LIMIT))


def _messages(error: ValidationError) -> dict[str, list[str]]:
    """marshmallow's nested messages flattened to "location.lat": [...]."""
    flat: dict[str, list[str]] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        else:
            flat[prefix or "body"] = [str(m) for m in (value if isinstance(value, list)
                                                       else [value])]

    walk("", error.messages)
    return flat


def read_request(body: Any) -> tuple[finder.Criteria, dict[str, Any], dict[str, Any]]:
    """(criteria, situation, options) from the JSON body, or Invalid with field messages."""
    if not isinstance(body, dict):
        raise Invalid(_("Send a JSON object."), {"body": [_("Send a JSON object.")]})
    try:
        data = MatchRequestSchema().load(body)
    except ValidationError as error:
        raise Invalid(_("Some parameters are not valid."), _messages(error)) from None
    errors: dict[str, list[str]] = {}
    place = None
    try:
        candidates = places.resolve(**data["location"])
        if len(candidates) > 1:
            names = ", ".join(f"{p.label} ({p.commune_code})" for p in candidates)
            errors["location.postcode"] = [_(
                "This postcode covers several communes (%(names)s): give the commune code.",
                names=names)]
        else:
            place = candidates[0]
    except NotFound as error:
        errors["location.commune"] = [error.message]
    except Invalid as error:
        for name, messages in (error.field_errors or {"location": [error.message]}).items():
            errors[f"location.{name}" if name != "location" else name] = list(messages)
    unknown = taxonomy.validate_codes(T_THEMATIQUE, data["needs"], allow_categories=True)
    if unknown:
        errors["needs"] = [_("Unknown need(s): %(codes)s.", codes=", ".join(unknown))]
    try:
        situation = matching.parse_facts(data["situation"])
    except Invalid as error:
        situation = {}
        for name, messages in error.field_errors.items():
            errors[f"situation.{name}"] = list(messages)
    if errors:
        raise Invalid(_("Some parameters are not valid."), errors)
    needs = tuple(code for need in data["needs"] for code in finder.expand_need(need))
    criteria = finder.Criteria(place=place, needs=needs, text=data["q"].strip(),
                               radius_km=data["radius_km"])
    options = {"include_not_eligible": data["include_not_eligible"], "limit": data["limit"]}
    return criteria, situation, options


def _service(item: matching.ServiceMatch, services) -> dict:
    service = services.get(item.service_id)
    evaluation = item.evaluation
    return {
        "id": str(item.service_id),
        "name": item.hit.name,
        "organisation": {"id": str(service.organisation.id), "name": service.organisation.name}
        if service else None,
        "summary": service.summary if service else None,
        "distance_km": round(item.hit.distance_km, 1) if item.hit.distance_km is not None
        else None,
        "remote": item.hit.remote,
        "url": url_for("directory.service_page", service_id=item.service_id, _external=True),
        "status": item.group,
        "met": [describe(c) for c in evaluation.met],
        "not_met": [describe(c) for c in evaluation.not_met],
        "to_confirm": [describe(c) for c in evaluation.to_confirm],
        "to_ask": list(evaluation.to_ask),
    }


@bp.post("/api/v1/match")
@limiter.limit("120 per minute")
def match():
    criteria, situation, options = read_request(request.get_json(silent=True))
    result = matching.match(criteria, situation)
    limit = options["limit"]
    groups = {
        "eligible": result.eligible[:limit],
        "maybe": result.maybe[:limit],
        "not_eligible": result.not_eligible[:limit] if options["include_not_eligible"] else [],
    }
    shown = [item.hit for items in groups.values() for item in items]
    services = finder.load_services(shown)
    place = criteria.place
    response = jsonify({
        "place": {"commune": place.arrondissement_code or place.commune_code,
                  "label": place.label, "departement": place.departement_code},
        "counts": {"eligible": len(result.eligible), "maybe": len(result.maybe),
                   "not_eligible": len(result.not_eligible)},
        **{name: [_service(item, services) for item in items] for name, items in groups.items()},
        "questions": [
            {"fact": asked.question.fact, "text": asked.question.text,
             "kind": asked.question.kind,
             "choices": [{"value": v, "label": label} for v, label in asked.question.choices],
             "minimum": asked.question.minimum, "maximum": asked.question.maximum,
             "services": asked.services}
            for asked in result.questions
        ],
    })
    # A situation may say health or benefits: no cache anywhere keeps the answer.
    response.headers["Cache-Control"] = "no-store"
    return response
