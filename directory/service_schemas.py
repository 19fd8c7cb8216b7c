"""Marshmallow schemas of the services write API (/api/v1/services) and of its errors.

The body a program sends is checked by directory.service_input, the same reader as the
provider forms (one set of rules, one set of messages); `ServiceInputSchema` describes that
body for the OpenAPI document and people reading it. `ServiceSchema` is what the API answers.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from directory.models import SERVICE_STATUSES, ZONE_KINDS
from directory.service_input import (
    DURATION_WEEKS,
    HOURS_PER_WEEK,
    NAME_MIN_LENGTH,
    RADIUS_KM,
    TEXT_LIMITS,
)

# What a program may ask of the lifecycle through `status` (suspension needs a date and is
# done on the provider pages).
SETTABLE_STATUSES = ("published", "archived")


def _text(name: str, **kwargs) -> fields.String:
    return fields.String(validate=validate.Length(max=TEXT_LIMITS[name]), **kwargs)


class ZoneSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(ZONE_KINDS),
                         metadata={"description": "commune, epci, departement, region, country"})
    code = fields.String(allow_none=True,
                         metadata={"description": "INSEE code of the area; null for country"})


class OwnerSchema(Schema):
    """The organisation a service belongs to."""

    id = fields.UUID(required=True)
    name = fields.String(required=True)


class _ServiceFields(Schema):
    """Fields shared by what is sent and what is answered."""

    summary = _text("summary", allow_none=True)
    description = _text("description", allow_none=True)
    type = fields.String(allow_none=True, metadata={"description": "a type-service code"})
    thematiques = fields.List(fields.String(), metadata={
        "description": "thématique codes of data·inclusion (the needs the service answers)"})
    publics = fields.List(fields.String(), metadata={"description": "public codes"})
    publics_details = _text("publics_details", allow_none=True)
    modes_accueil = fields.List(fields.String(), metadata={
        "description": "en-presentiel and/or a-distance"})
    modes_mobilisation = fields.List(fields.String())
    mobilisable_par = fields.List(fields.String())
    mobilisation_details = _text("mobilisation_details", allow_none=True)
    mobilisation_link = fields.String(allow_none=True, metadata={"format": "uri"})
    fees = fields.String(allow_none=True, metadata={"description": "a frais code"})
    fees_details = _text("fees_details", allow_none=True)
    languages = fields.List(fields.String(), metadata={
        "description": "ISO 639-1 codes (names in English or French are accepted in input)"})
    required_documents = fields.List(fields.String())
    conditions = _text("conditions", allow_none=True)
    duration_weeks = fields.Integer(allow_none=True,
                                    validate=validate.Range(*DURATION_WEEKS))
    hours_per_week = fields.Float(allow_none=True, validate=validate.Range(*HOURS_PER_WEEK))
    contact_name = _text("contact_name", allow_none=True)
    contact_email = fields.String(allow_none=True, metadata={"format": "email"})
    contact_phone = fields.String(allow_none=True)
    contact_public = fields.Boolean(metadata={
        "description": "false: the contact is shown to professionals only"})
    location_ids = fields.List(fields.UUID(), metadata={
        "description": "places of the token's organisation where the service is delivered"})
    opening_hours = fields.String(allow_none=True, metadata={
        "description": "OpenStreetMap opening_hours, e.g. Mo-Fr 09:00-12:00"})
    update_frequency = fields.String(metadata={
        "description": "how often the listing is checked (a DORA code)"})
    zones = fields.List(fields.Nested(ZoneSchema), metadata={"description": "areas covered"})
    coverage_radius_km = fields.Float(allow_none=True, validate=validate.Range(*RADIUS_KM))


class ServiceInputSchema(_ServiceFields):
    """A service as a program sends it. POST needs `name`; PUT changes the fields given and
    leaves the others as they are. `status` publishes or archives."""

    name = fields.String(required=True,
                         validate=validate.Length(min=NAME_MIN_LENGTH, max=TEXT_LIMITS["name"]))
    status = fields.String(validate=validate.OneOf(SETTABLE_STATUSES), metadata={
        "description": "published (needs thématiques and modes_accueil) or archived"})


class ServiceSchema(_ServiceFields):
    """A service of the token's organisation, drafts included."""

    id = fields.UUID(required=True)
    organisation = fields.Nested(OwnerSchema, required=True)
    name = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(SERVICE_STATUSES))
    suspended_until = fields.Date(allow_none=True)
    last_verified_on = fields.Date(allow_none=True)
    updated_at = fields.DateTime(allow_none=True)
    version = fields.String(required=True, metadata={
        "description": "the ETag: send it back in If-Match so a stale change is refused"})
    url = fields.String(allow_none=True, metadata={
        "description": "the public page, when the service has one"})


class ErrorSchema(Schema):
    """Every error of the JSON API: a code, a sentence, and a message per field when the
    problem is in what was sent."""

    error = fields.String(required=True)
    message = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
