"""Marshmallow descriptions of the answers of the JSON routes that build their JSON by hand
(geography, zones, match), so the OpenAPI document (directory.openapi) says what they return.
They describe; they are not used to serialise, and tests/api check that the answers conform.
"""

from __future__ import annotations

from marshmallow import Schema, fields

from directory.service_schemas import ServiceSchema


class CommuneMatchSchema(Schema):
    code = fields.String(required=True, metadata={"description": "the commune's own code"})
    name = fields.String(required=True)
    label = fields.String(required=True, metadata={"example": "Villeurbanne (69)"})
    departement_code = fields.String(required=True)
    kind = fields.String(required=True)
    postcodes = fields.List(fields.String(), required=True)
    parent_code = fields.String(allow_none=True)
    parent_name = fields.String(allow_none=True)


class CommunesSchema(Schema):
    results = fields.List(fields.Nested(CommuneMatchSchema), required=True)


class ResolvedPlaceSchema(Schema):
    commune_code = fields.String(required=True)
    commune_name = fields.String(required=True)
    departement_code = fields.String(required=True)
    region_code = fields.String(required=True)
    epci_code = fields.String(allow_none=True)
    arrondissement_code = fields.String(allow_none=True)
    arrondissement_name = fields.String(allow_none=True)
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    precise = fields.Boolean(required=True)
    label = fields.String(required=True)
    departement_name = fields.String(allow_none=True)
    region_name = fields.String(allow_none=True)
    epci_name = fields.String(allow_none=True)


class PlacesSchema(Schema):
    places = fields.List(fields.Nested(ResolvedPlaceSchema), required=True)


class ZoneMatchSchema(Schema):
    kind = fields.String(required=True)
    code = fields.String(allow_none=True)
    label = fields.String(required=True)
    name = fields.String(required=True)


class ZonesSchema(Schema):
    results = fields.List(fields.Nested(ZoneMatchSchema), required=True)


class MatchOrganisationSchema(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)


class MatchServiceSchema(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    organisation = fields.Nested(MatchOrganisationSchema, allow_none=True)
    summary = fields.String(allow_none=True)
    distance_km = fields.Float(allow_none=True)
    remote = fields.Boolean()
    url = fields.String(required=True)
    status = fields.String(required=True, metadata={
        "description": "eligible, maybe or not_eligible"})
    met = fields.List(fields.String(), metadata={"description": "conditions met, in words"})
    not_met = fields.List(fields.String())
    to_confirm = fields.List(fields.String())
    to_ask = fields.List(fields.String(), metadata={"description": "facts still unknown"})


class ChoiceSchema(Schema):
    value = fields.Raw()
    label = fields.String()


class QuestionSchema(Schema):
    fact = fields.String(required=True)
    text = fields.String(required=True)
    kind = fields.String(required=True)
    choices = fields.List(fields.Nested(ChoiceSchema))
    minimum = fields.Raw(allow_none=True)
    maximum = fields.Raw(allow_none=True)
    services = fields.Integer(metadata={
        "description": "how many 'maybe' services the answer may decide"})


class MatchPlaceSchema(Schema):
    commune = fields.String(required=True)
    label = fields.String(required=True)
    departement = fields.String(required=True)


class MatchCountsSchema(Schema):
    eligible = fields.Integer(required=True)
    maybe = fields.Integer(required=True)
    not_eligible = fields.Integer(required=True)


class MatchResultSchema(Schema):
    place = fields.Nested(MatchPlaceSchema, required=True)
    counts = fields.Nested(MatchCountsSchema, required=True)
    eligible = fields.List(fields.Nested(MatchServiceSchema), required=True)
    maybe = fields.List(fields.Nested(MatchServiceSchema), required=True)
    not_eligible = fields.List(fields.Nested(MatchServiceSchema), required=True)
    questions = fields.List(fields.Nested(QuestionSchema), required=True)


class ServiceListSchema(Schema):
    results = fields.List(fields.Nested(ServiceSchema), required=True)
