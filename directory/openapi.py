"""The OpenAPI 3 document of the Relais JSON API, built with apispec from the marshmallow
schemas the routes use (directory.schemas, match_api, service_schemas) or that describe
them (openapi_schemas). Served at /api/openapi.json and shown as a page at /api/docs.

Each operation lists every status it answers with, so a client (and the property-based test
in tests/api) can rely on the document: an answer that breaks it is a bug.
"""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from directory import openapi_schemas as docs
from directory import search_params
from directory.match_api import MAX_LIMIT, MatchRequestSchema
from directory.schemas import SearchResultsSchema
from directory.service_schemas import ErrorSchema, ServiceInputSchema, ServiceSchema
from geo.places import MAX_MATCHES

OPENAPI_VERSION = "3.0.3"
API_VERSION = "1.0.0"
BEARER = "bearerAuth"

_DESCRIPTION = (
    "Find employment and social-inclusion support services, and keep your organisation's own "
    "listings up to date. Reading is public; writing needs an organisation API token "
    "(created by the organisation's administrators in Relais), sent as "
    "`Authorization: Bearer <token>`. Errors are JSON: `error` (a code), `message` (a "
    "sentence) and `errors` (a message per field) when the problem is in what was sent. "
    "Messages follow Accept-Language (fr or en)."
)


def _error(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": "Error"}}}


def _ok(schema: str, description: str = "OK", headers: dict | None = None) -> dict:
    answer = {"description": description,
              "content": {"application/json": {"schema": schema}}}
    if headers:
        answer["headers"] = headers
    return answer


def _query(name: str, description: str, schema: dict | None = None,
           required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description,
            "schema": schema or {"type": "string"}}


TOO_MANY = _error("Too many requests: wait (see Retry-After) and try again.")
ETAG = {"ETag": {"description": "the service's version, for If-Match",
                 "schema": {"type": "string"}}}

_LOCATION_PARAMETERS = [
    _query("postcode", "A French postcode (5 digits). Give one of postcode, commune, or "
           "lat and lon.", {"type": "string", "maxLength": 10}),
    _query("commune", "An INSEE commune code (arrondissements of Paris, Lyon, Marseille "
           "accepted).", {"type": "string", "maxLength": 10}),
    _query("lat", "Latitude (WGS 84), with lon.", {"type": "number", "minimum": -90,
                                                   "maximum": 90}),
    _query("lon", "Longitude (WGS 84), with lat.", {"type": "number", "minimum": -180,
                                                    "maximum": 180}),
]


def _search_operation() -> dict:
    return {
        "operationId": "search",
        "tags": ["search"],
        "summary": "Services for a need and a place, ranked, one page at a time",
        "description": "Services covering the place (zones, distance) or delivered remotely. "
                       "A postcode several communes share answers 400 with `choices`.",
        "parameters": [
            *_LOCATION_PARAMETERS,
            _query("need", "A thématique code or category of data·inclusion."),
            _query("q", "Words to look for.", {"type": "string",
                                                "maxLength": search_params.MAX_TEXT}),
            _query("radius_km", "How far to look for in-person services.",
                   {"type": "number", "exclusiveMinimum": True, "minimum": 0,
                    "maximum": search_params.MAX_RADIUS_KM}),
            _query("publics", "Public codes, comma-separated."),
            _query("mode", "en-presentiel or a-distance.",
                   {"type": "string", "enum": list(search_params.MODES)}),
            _query("fees", "Frais codes, comma-separated."),
            _query("type", "Type-service codes, comma-separated."),
            _query("open_now", "Only services open now.", {"type": "boolean"}),
            _query("page", "Page number, from 1.", {"type": "integer", "minimum": 1}),
            _query("per_page", "Results per page.",
                   {"type": "integer", "minimum": 1, "maximum": search_params.MAX_PER_PAGE}),
        ],
        "responses": {
            "200": _ok("SearchResults", "A page of services"),
            "400": _error("A wrong parameter (named in `errors`); a shared postcode also "
                          "gives `choices`"),
            "404": _error("The place does not exist"),
            "429": TOO_MANY,
        },
    }


def _match_operation() -> dict:
    return {
        "operationId": "match",
        "tags": ["search"],
        "summary": "Services for a place and needs, with their eligibility for a situation",
        "description": "The situation is used for this answer only: never stored or logged. "
                       f"At most {MAX_LIMIT} services per group.",
        "requestBody": {"required": True,
                        "content": {"application/json": {"schema": "MatchRequest"}}},
        "responses": {
            "200": _ok("MatchResult", "Services grouped: eligible, maybe, not eligible"),
            "400": _error("A wrong field (named in `errors`)"),
            "429": TOO_MANY,
        },
    }


def _geo_operations() -> dict[str, dict]:
    return {
        "/api/v1/communes": {"get": {
            "operationId": "communes",
            "tags": ["geography"],
            "summary": "Communes whose name or postcode starts with the words (autocomplete)",
            "parameters": [
                _query("q", "Name or postcode typed so far.", {"type": "string",
                                                               "maxLength": 100}),
                _query("limit", "How many suggestions.",
                       {"type": "integer", "minimum": 1, "maximum": MAX_MATCHES}),
            ],
            "responses": {"200": _ok("Communes"), "400": _error("A wrong limit")},
        }},
        "/api/v1/places": {"get": {
            "operationId": "places",
            "tags": ["geography"],
            "summary": "The commune(s) a postcode, a commune code or coordinates name",
            "parameters": _LOCATION_PARAMETERS,
            "responses": {"200": _ok("Places"), "400": _error("A wrong parameter"),
                          "404": _error("No such place")},
        }},
        "/api/v1/zones": {"get": {
            "operationId": "zones",
            "tags": ["geography"],
            "summary": "Areas (communes, EPCI, départements, régions) a service may cover",
            "parameters": [_query("q", "Name or code typed so far.",
                                  {"type": "string", "maxLength": 100})],
            "responses": {"200": _ok("Zones")},
        }},
    }


def _service_id() -> dict:
    return {"name": "service_id", "in": "path", "required": True,
            "description": "A service of the token's organisation",
            "schema": {"type": "string", "format": "uuid"}}


def _if_match() -> dict:
    return {"name": "If-Match", "in": "header", "required": False,
            "description": "The version last read: a service changed since is not "
                           "overwritten (409)",
            "schema": {"type": "string"}}


def _write_errors(*, body: bool = True, found: bool = True) -> dict:
    errors = {
        "401": _error("No valid token (missing, unknown or revoked)"),
        "403": _error("The token does not allow this (scope)"),
        "429": TOO_MANY,
    }
    if body:
        errors["400"] = _error("The body is not a JSON object")
        errors["422"] = _error("Wrong fields, each with its messages in `errors`")
    if found:
        errors["404"] = _error("No such service in the token's organisation")
        errors["409"] = _error("A stale If-Match, or a lifecycle conflict")
    return errors


def _service_operations() -> dict[str, dict]:
    secured = [{BEARER: []}]
    body = {"required": True, "content": {"application/json": {"schema": "ServiceInput"}}}
    return {
        "/api/v1/services": {
            "get": {
                "operationId": "listServices", "tags": ["services"], "security": secured,
                "summary": "The token organisation's services, drafts and archived included",
                "description": "Scope services:read.",
                "responses": {"200": _ok("ServiceList"),
                              **_write_errors(body=False, found=False)},
            },
            "post": {
                "operationId": "createService", "tags": ["services"], "security": secured,
                "summary": "Create a service (a draft, unless status publishes it)",
                "description": "Scope services:write. Checked like the provider form; "
                               "recorded in the listing's history.",
                "requestBody": body,
                "responses": {"201": _ok("Service", "Created", ETAG),
                              **_write_errors(found=False),
                              "409": _error("A lifecycle conflict (publishing before the "
                                            "organisation is approved)")},
            },
        },
        "/api/v1/services/{service_id}": {
            "parameters": [_service_id()],
            "get": {
                "operationId": "readService", "tags": ["services"], "security": secured,
                "summary": "One of the organisation's services, with its version",
                "description": "Scope services:read.",
                "responses": {"200": _ok("Service", headers=ETAG),
                              **_write_errors(body=False)},
            },
            "put": {
                "operationId": "updateService", "tags": ["services"], "security": secured,
                "summary": "Change the fields sent; the others stay as they are",
                "description": "Scope services:write. A change to a published service is "
                               "published and awaits the territory manager's review, as on "
                               "the provider pages.",
                "parameters": [_if_match()],
                "requestBody": body,
                "responses": {"200": _ok("Service", headers=ETAG), **_write_errors()},
            },
            "delete": {
                "operationId": "deleteService", "tags": ["services"], "security": secured,
                "summary": "Archive the service (it leaves the public lists; history stays)",
                "description": "Scope services:write.",
                "parameters": [_if_match()],
                "responses": {"204": {"description": "Archived"},
                              **_write_errors(body=False)},
            },
        },
    }


def build_spec() -> dict[str, Any]:
    """The OpenAPI document as a dict (no request needed: it describes, it does not serve)."""
    spec = APISpec(
        title="Relais API",
        version=API_VERSION,
        openapi_version=OPENAPI_VERSION,
        plugins=[MarshmallowPlugin()],
        info={"description": _DESCRIPTION,
              "license": {"name": "AGPL-3.0-or-later"}},
        tags=[
            {"name": "search", "description": "Find services (public)"},
            {"name": "geography", "description": "Places and areas (public)"},
            {"name": "services", "description": "Your organisation's listings (API token)"},
        ],
    )
    spec.components.security_scheme(
        BEARER,
        {"type": "http", "scheme": "bearer",
         "description": "An organisation API token, created by its administrators in Relais."},
    )
    for name, schema in (
        ("Error", ErrorSchema),
        ("SearchResults", SearchResultsSchema),
        ("MatchRequest", MatchRequestSchema),
        ("MatchResult", docs.MatchResultSchema),
        ("Communes", docs.CommunesSchema),
        ("Places", docs.PlacesSchema),
        ("Zones", docs.ZonesSchema),
        ("ServiceInput", ServiceInputSchema),
        ("Service", ServiceSchema),
        ("ServiceList", docs.ServiceListSchema),
    ):
        spec.components.schema(name, schema=schema)
    spec.path(path="/api/v1/search", operations={"get": _search_operation()})
    spec.path(path="/api/v1/match", operations={"post": _match_operation()})
    for path, operations in {**_geo_operations(), **_service_operations()}.items():
        parameters = operations.pop("parameters", None)
        spec.path(path=path, operations=operations, parameters=parameters)
    return spec.to_dict()
