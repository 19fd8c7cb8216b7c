"""Listings written by programs with an organisation API token: the same operations as the
provider pages (directory.editing: same checks, same history, same review of changes to
public listings), reached through a token instead of a signed-in member.

A token sees its own organisation's services only: another organisation's service is "not
found", exactly like one that does not exist, so a token cannot even learn which ids exist
elsewhere. Concurrent writers are told apart by `version` (the ETag): a change sent with an
If-Match that no longer matches is refused with Conflict rather than overwriting what
someone else saved meanwhile.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, date, datetime
from typing import Any

from flask_babel import gettext as _

from accounts.api_tokens import ApiToken
from directory import editing
from directory.models import ARCHIVED, PUBLISHED, Service
from directory.service_schemas import SETTABLE_STATUSES
from errors import Conflict, Invalid, NotFound
from extensions import db


def actor_of(token: ApiToken):
    """Who the history names for a token's change: the person who created the token (None
    once their account is gone)."""
    return token.created_by


def own_service(token: ApiToken, service_id: uuid.UUID) -> Service:
    """The token organisation's service with this id; NotFound for any other."""
    service = db.session.get(Service, service_id)
    if service is None or service.organisation_id != token.organisation_id:
        raise NotFound(_("This service does not exist."))
    return service


def version_of(service: Service) -> str:
    """A fingerprint of everything a program can read of the service: it changes whenever
    the listing does, whichever way it was changed."""
    state = editing.snapshot(service)
    state.update(
        status=service.status,
        suspended_until=service.suspended_until.isoformat() if service.suspended_until else None,
        eligibility=service.eligibility,
    )
    encoded = json.dumps(state, sort_keys=True, default=str).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()[:32]


def check_version(service: Service, if_match: str | None) -> None:
    """Conflict when If-Match names another version (no header, or `*`: no check)."""
    if not if_match or if_match.strip() == "*":
        return
    current = version_of(service)
    given = {tag.strip().removeprefix("W/").strip('"') for tag in if_match.split(",")}
    if current not in given:
        raise Conflict(
            _("This service was changed since you read it: read it again, then send your "
              "change."),
            {"version": [_("The current version is %(version)s.", version=current)]},
        )


def _split_status(data: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    fields = dict(data)
    status = fields.pop("status", None)
    if status is not None and status not in SETTABLE_STATUSES:
        raise Invalid(
            _("Some fields need your attention."),
            {"status": [_("Use published or archived.")]},
        )
    return fields, status


def _apply_status(service: Service, status: str | None, actor) -> None:
    if status is None or status == service.status:
        return
    if status == PUBLISHED:
        editing.publish(service, actor)
    elif status == ARCHIVED:
        editing.archive(service, actor)


def read_body(body: Any) -> dict[str, Any]:
    """The JSON object sent, or Invalid (400 at the edge: not something to fix field by field)."""
    if not isinstance(body, dict):
        raise MalformedBody(_("Send the service as a JSON object."))
    return body


class MalformedBody(Invalid):
    """The body is not a JSON object at all."""


def create(token: ApiToken, body: Any, *, today: date | None = None) -> Service:
    """A new service of the token's organisation, a draft unless `status` publishes it."""
    fields, status = _split_status(read_body(body))
    organisation = token.organisation
    actor = actor_of(token)
    service = editing.create_service(organisation, fields, actor, today=today)
    _apply_status(service, status, actor)
    return service


def update(token: ApiToken, service: Service, body: Any, if_match: str | None = None, *,
           today: date | None = None) -> Service:
    """Change the fields sent (the others stay); `status` publishes or archives after."""
    fields, status = _split_status(read_body(body))
    check_version(service, if_match)
    actor = actor_of(token)
    if fields:
        editing.update_service(service, fields, actor, today=today)
    _apply_status(service, status, actor)
    return service


def withdraw(token: ApiToken, service: Service, if_match: str | None = None) -> None:
    """DELETE archives, as the provider pages do: the listing leaves the public lists and
    search, and its history stays. Archiving an archived service changes nothing."""
    check_version(service, if_match)
    if service.status != ARCHIVED:
        editing.archive(service, actor_of(token))


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite gives back naive times; they are UTC.
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def service_document(service: Service, public_url: str | None) -> dict[str, Any]:
    """What the API answers about one of the organisation's services (ServiceSchema)."""
    document: dict[str, Any] = {}
    for name, value in editing.snapshot(service).items():
        if name not in ("locations", "zones"):
            document[name] = value
    document.update(
        id=service.id,
        organisation={"id": service.organisation.id, "name": service.organisation.name},
        status=service.status,
        suspended_until=service.suspended_until,
        last_verified_on=service.last_verified_on,
        updated_at=_aware(service.updated_at),
        location_ids=[location.id for location in service.locations],
        zones=[{"kind": zone.kind, "code": zone.code} for zone in service.zones],
        languages=list(service.languages or []),
        required_documents=list(service.required_documents or []),
        version=version_of(service),
        url=public_url if service.is_public() else None,
    )
    return document
