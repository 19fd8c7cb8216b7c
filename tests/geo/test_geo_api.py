"""The geography JSON API: commune autocomplete and location resolution, errors as JSON."""

from __future__ import annotations

import pytest

from tests.factories import LYON_3E

ENGLISH = {"Accept-Language": "en"}


def get(client, url, **params):
    return client.get(url, query_string=params, headers=ENGLISH)


def test_autocomplete_returns_matches_with_labels_and_postcodes(client):
    response = get(client, "/api/v1/communes", q="villeurb")
    assert response.status_code == 200
    assert response.json == {
        "results": [
            {
                "code": "69266",
                "name": "Villeurbanne",
                "label": "Villeurbanne (69)",
                "departement_code": "69",
                "kind": "COM",
                "postcodes": ["69100"],
                "parent_code": None,
                "parent_name": None,
            }
        ]
    }


def test_autocomplete_honours_the_limit(client):
    response = get(client, "/api/v1/communes", q="saint", limit="4")
    assert response.status_code == 200 and len(response.json["results"]) == 4
    assert get(client, "/api/v1/communes", q="e").json == {"results": []}


@pytest.mark.parametrize("limit", ["0", "51", "ten", "-3", "2.5"])
def test_autocomplete_refuses_a_bad_limit_with_a_field_error(client, limit):
    response = get(client, "/api/v1/communes", q="lyon", limit=limit)
    assert response.status_code == 400
    assert response.json["errors"] == {"limit": ["The limit must be a whole number from 1 to 50."]}


def test_postcode_gives_places_with_the_names_of_their_areas(client):
    response = get(client, "/api/v1/places", postcode="69003")
    assert response.status_code == 200
    (place,) = response.json["places"]
    assert place["label"] == "Lyon 3e Arrondissement"
    assert {k: place[k] for k in ("commune_code", "commune_name", "arrondissement_code")} == {
        "commune_code": "69123",
        "commune_name": "Lyon",
        "arrondissement_code": "69383",
    }
    assert {k: place[k] for k in ("epci_name", "departement_name", "region_name")} == {
        "epci_name": "Métropole de Lyon",
        "departement_name": "Rhône",
        "region_name": "Auvergne-Rhône-Alpes",
    }
    assert place["precise"] is False and isinstance(place["latitude"], float)


def test_shared_postcode_gives_every_commune(client):
    places = get(client, "/api/v1/places", postcode="01400").json["places"]
    assert len(places) == 10 and places[0]["commune_name"] == "Châtillon-sur-Chalaronne"


def test_commune_and_coordinates_give_one_place(client):
    (by_code,) = get(client, "/api/v1/places", commune="69266").json["places"]
    assert (by_code["label"], by_code["epci_code"]) == ("Villeurbanne", "200046977")
    (by_point,) = get(client, "/api/v1/places", lat=str(LYON_3E[0]), lon=str(LYON_3E[1])).json[
        "places"
    ]
    assert (by_point["arrondissement_code"], by_point["precise"]) == ("69383", True)
    assert [by_point["latitude"], by_point["longitude"]] == list(LYON_3E)


@pytest.mark.parametrize(
    ("params", "status", "message", "errors"),
    [
        (
            {"postcode": "6900"},
            400,
            "A postcode has 5 digits.",
            {"postcode": ["A postcode has 5 digits."]},
        ),
        (
            {"lat": "north", "lon": "4.85"},
            400,
            "The latitude must be a number, like 45.76.",
            {"lat": ["The latitude must be a number, like 45.76."]},
        ),
        ({"lat": "45.76"}, 400, "Give the longitude too.", {"lon": ["Give the longitude too."]}),
        ({}, 400, "Give a postcode, a commune or coordinates.", None),
        (
            {"postcode": "69003", "commune": "69123"},
            400,
            "Give only one of a postcode, a commune or coordinates.",
            None,
        ),
        ({"postcode": "00000"}, 404, "No commune has the postcode 00000.", None),
        ({"commune": "99999"}, 404, "No commune has the code 99999.", None),
        (
            {"lat": "43.0", "lon": "5.0"},
            404,
            "This point is not in a French commune we know.",
            None,
        ),
    ],
)
def test_bad_or_unknown_locations_are_json_errors(client, params, status, message, errors):
    response = get(client, "/api/v1/places", **params)
    assert response.status_code == status
    assert response.is_json
    assert response.json["message"] == message
    assert response.json.get("errors") == errors
