"""Marshmallow schemas of the JSON API's answers (the query string is read by
directory.search_params).

Schemas dump plain objects that the views prepare: a page of search results with its place,
counts and suggestions. Links are absolute, so an answer can be used outside the site.
"""

from __future__ import annotations

from flask import url_for
from marshmallow import Schema, fields

from directory.models import T_THEMATIQUE


class PlaceSchema(Schema):
    """Where the search looked: the code naming the place (a Paris, Lyon or Marseille
    arrondissement's own code, else the commune's: give it back as `commune=`), its name, and
    its areas' codes and names."""

    commune = fields.Method("code_of")
    label = fields.String(attribute="place.label")
    city = fields.String(attribute="place.commune_code")
    epci = fields.String(attribute="place.epci_code", allow_none=True)
    epci_name = fields.String(attribute="names.epci_name", allow_none=True)
    departement = fields.String(attribute="place.departement_code")
    departement_name = fields.String(attribute="names.departement_name")
    region = fields.String(attribute="place.region_code")
    region_name = fields.String(attribute="names.region_name")
    latitude = fields.Float(attribute="place.latitude", allow_none=True)
    longitude = fields.Float(attribute="place.longitude", allow_none=True)

    def code_of(self, value) -> str:
        place = value["place"]
        return place.arrondissement_code or place.commune_code


class OrganisationRefSchema(Schema):
    id = fields.UUID()
    name = fields.String()


class ResultSchema(Schema):
    """One service found (a directory.search_params.Result)."""

    id = fields.UUID(attribute="service.id")
    name = fields.String(attribute="service.name")
    summary = fields.String(attribute="service.summary", allow_none=True)
    organisation = fields.Nested(OrganisationRefSchema, attribute="service.organisation")
    needs = fields.Method("needs_of")
    distance_km = fields.Method("distance_of")
    remote = fields.Boolean()
    url = fields.Method("url_of")

    def needs_of(self, result) -> list[str]:
        return result.service.codes(T_THEMATIQUE)

    def distance_of(self, result) -> float | None:
        return None if result.distance_km is None else round(result.distance_km, 1)

    def url_of(self, result) -> str:
        return url_for("directory.service_page", service_id=result.service.id, _external=True)


class SuggestionSchema(Schema):
    """What would find something when nothing is found (a directory.finder.Suggestion, with the
    need's label in the request's language)."""

    kind = fields.String()
    count = fields.Integer()
    radius_km = fields.Float()
    need = fields.String()
    label = fields.String()


class SearchResultsSchema(Schema):
    place = fields.Nested(PlaceSchema)
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    pages = fields.Integer()
    nearby = fields.Integer()
    remote = fields.Integer()
    results = fields.List(fields.Nested(ResultSchema))
    suggestions = fields.List(fields.Nested(SuggestionSchema))


class PlaceChoiceSchema(Schema):
    """One commune a person may mean (a postcode several communes share)."""

    code = fields.String()
    label = fields.String()
