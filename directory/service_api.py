"""The services write API: organisations' own listings, for programs holding an API token.

GET    /api/v1/services              the token organisation's services, drafts included
POST   /api/v1/services              a new service (a draft, unless `status` publishes it)
GET    /api/v1/services/<id>         one of them, with its `version` (also the ETag)
PUT    /api/v1/services/<id>         change the fields sent; If-Match: a stale version → 409
DELETE /api/v1/services/<id>         archive (as the provider pages do; history is kept)

Only `Authorization: Bearer <token>` opens these routes: a browser's session cookie never
does, so a forged cross-site request has nothing to ride on (hence no CSRF token). Each
token has its own rate limit. Answers: 400 a body that is not a JSON object, 401 no valid
token, 403 a scope the token lacks, 404 a service that is not the organisation's, 409 a
stale version or a lifecycle conflict, 422 a message for each wrong field, 429 too many
requests.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps

from flask import Blueprint, current_app, jsonify, request, url_for
from flask_limiter.util import get_remote_address

from accounts import api_tokens
from accounts.api_tokens import SCOPE_READ, SCOPE_WRITE, ApiToken, Unauthenticated
from directory import api_listings
from directory.models import Service
from directory.service_schemas import ServiceSchema
from errors import DomainError, Forbidden, Invalid
from extensions import csrf, db, limiter

bp = Blueprint("service_api", __name__, url_prefix="/api/v1/services")
csrf.exempt(bp)

DEFAULT_RATE_LIMIT = "120 per minute"
_ENVIRON_KEY = "relais.api_token"


def rate_limit() -> str:
    """The per-token budget (RELAIS_API_TOKEN_RATE_LIMIT), shared by all these routes."""
    return current_app.config.get("RELAIS_API_TOKEN_RATE_LIMIT") or DEFAULT_RATE_LIMIT


def presented_token() -> ApiToken | None:
    """The active token of this request's Authorization header, looked up once per request."""
    if _ENVIRON_KEY not in request.environ:
        request.environ[_ENVIRON_KEY] = api_tokens.find_token(
            api_tokens.bearer_secret(request.headers.get("Authorization"))
        )
    return request.environ[_ENVIRON_KEY]


def token_key() -> str:
    """Rate-limit key: the token's id, so each program has its own budget; requests without
    a valid token count against their address."""
    token = presented_token()
    return f"api-token:{token.id}" if token is not None else f"address:{get_remote_address()}"


limited = limiter.shared_limit(rate_limit, scope="api-token", key_func=token_key)


def token_required(scope: str) -> Callable:
    """Pass the request's token, allowed `scope`, to the view as `token`."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            token = api_tokens.authorise(presented_token(), scope)
            return view(*args, token=token, **kwargs)

        return wrapped

    return decorator


@bp.errorhandler(DomainError)
def api_error(error: DomainError):
    """Nothing half-written; the status says what to do; 401 and 403 say so in the Bearer
    challenge too (RFC 6750)."""
    db.session.rollback()
    if isinstance(error, api_listings.MalformedBody):
        status, code = 400, "malformed"
    elif isinstance(error, Invalid):
        status, code = 422, "invalid"
    else:
        status, code = error.status, type(error).__name__.lower()
    body = {"error": code, "message": error.message}
    if error.field_errors:
        body["errors"] = error.field_errors
    response = jsonify(body)
    response.status_code = status
    if isinstance(error, Unauthenticated):
        given = request.headers.get("Authorization")
        challenge = 'Bearer realm="relais"'
        response.headers["WWW-Authenticate"] = (
            challenge + ', error="invalid_token"' if given else challenge
        )
    elif isinstance(error, Forbidden) and "scope" in error.field_errors:
        response.headers["WWW-Authenticate"] = (
            f'Bearer realm="relais", error="insufficient_scope", '
            f'scope="{error.field_errors["scope"][0]}"'
        )
    response.headers["Cache-Control"] = "no-store"
    return response


def _answer(service: Service, status: int = 200):
    public_url = url_for("directory.service_page", service_id=service.id, _external=True)
    document = api_listings.service_document(service, public_url)
    response = jsonify(ServiceSchema().dump(document))
    response.status_code = status
    response.headers["ETag"] = f'"{document["version"]}"'
    response.headers["Cache-Control"] = "no-store"  # contacts may be for professionals only
    if status == 201:
        response.headers["Location"] = url_for(".read_service", service_id=service.id,
                                               _external=True)
    return response


@bp.get("")
@limited
@token_required(SCOPE_READ)
def list_services(token: ApiToken):
    """The organisation's services, drafts and archived ones included, by name."""
    services = sorted(token.organisation.services, key=lambda s: (s.name.lower(), str(s.id)))
    public = {s.id: url_for("directory.service_page", service_id=s.id, _external=True)
              for s in services}
    documents = [api_listings.service_document(s, public[s.id]) for s in services]
    db.session.commit()  # last_used_at
    response = jsonify({"results": ServiceSchema(many=True).dump(documents)})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("")
@limited
@token_required(SCOPE_WRITE)
def create_service(token: ApiToken):
    service = api_listings.create(token, request.get_json(silent=True))
    db.session.commit()
    return _answer(service, 201)


@bp.get("/<uuid:service_id>")
@limited
@token_required(SCOPE_READ)
def read_service(service_id: uuid.UUID, token: ApiToken):
    service = api_listings.own_service(token, service_id)
    db.session.commit()  # last_used_at
    return _answer(service)


@bp.put("/<uuid:service_id>")
@limited
@token_required(SCOPE_WRITE)
def update_service(service_id: uuid.UUID, token: ApiToken):
    service = api_listings.own_service(token, service_id)
    api_listings.update(token, service, request.get_json(silent=True),
                        request.headers.get("If-Match"))
    db.session.commit()
    return _answer(service)


@bp.delete("/<uuid:service_id>")
@limited
@token_required(SCOPE_WRITE)
def delete_service(service_id: uuid.UUID, token: ApiToken):
    service = api_listings.own_service(token, service_id)
    api_listings.withdraw(token, service, request.headers.get("If-Match"))
    db.session.commit()
    return "", 204
