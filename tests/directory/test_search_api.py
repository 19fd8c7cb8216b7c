"""GET /api/v1/search: services for a need and a place as JSON, a page at a time; every wrong
parameter named with its message; suggestions when nothing is found."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.factories import PARIS_11E, VILLEFRANCHE, VILLEURBANNE

ENGLISH = {"Accept-Language": "en"}
PERMIS = "mobilite--preparer-un-permis"
VELO = "mobilite--mobilite-douce-partagee-collective"
CV = "preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation"
ALWAYS_OPEN = {"days": {day: [["00:00", "24:00"]] for day in
                        ("mo", "tu", "we", "th", "fr", "sa", "su")},
               "public_holidays_closed": False}


def search(client, headers=ENGLISH, **params):
    return client.get("/api/v1/search", query_string=params, headers=headers)


def names(response) -> list[str]:
    return [result["name"] for result in response.json["results"]]


@pytest.fixture
def catalogue(session):
    """Services around Villeurbanne (69100): one there, one 25 km away, one remote."""
    org = f.organisation(name="Mission locale")
    permis = f.service(org, name="Permis solidaire", at=VILLEURBANNE, thematiques=[PERMIS],
                       summary="Un coup de pouce pour le permis.", publics=["jeunes"],
                       fees="payant", type="accompagnement")
    f.service(name="Garage solidaire", at=VILLEFRANCHE, thematiques=[VELO], fees="gratuit",
              type="aide-materielle")
    f.service(name="CV en ligne", modes=["a-distance"], zones=[("country", None)],
              thematiques=[CV], type="atelier", opening_hours=ALWAYS_OPEN)
    f.service(name="Atelier parisien", zones=[("commune", "75056")], at=PARIS_11E)
    session.commit()
    return {"permis": permis}


def test_a_search_returns_the_services_covering_the_place_with_their_details(client, catalogue):
    response = search(client, postcode="69100", radius_km="30")

    assert response.status_code == 200
    body = response.json
    # Nearest in-person services first, the remote one after two of them.
    assert names(response) == ["Permis solidaire", "Garage solidaire", "CV en ligne"]
    assert (body["total"], body["page"], body["per_page"], body["pages"]) == (3, 1, 20, 1)
    assert (body["nearby"], body["remote"]) == (2, 1)
    assert body["suggestions"] == []
    permis = catalogue["permis"]
    first = body["results"][0]
    assert first == {
        "id": str(permis.id),
        "name": "Permis solidaire",
        "summary": "Un coup de pouce pour le permis.",
        "organisation": {"id": str(permis.organisation.id), "name": "Mission locale"},
        "needs": [PERMIS],
        "distance_km": first["distance_km"],
        "remote": False,
        "url": f"http://localhost/services/{permis.id}",
    }
    assert 0 < first["distance_km"] < 2 and round(first["distance_km"], 1) == first["distance_km"]
    assert 20 < body["results"][1]["distance_km"] < 30  # Villefranche-sur-Saône
    assert body["results"][2]["remote"] is True
    assert body["results"][2]["distance_km"] is None
    assert {k: body["place"][k] for k in ("commune", "label", "departement", "epci",
                                          "epci_name", "region")} == {
        "commune": "69266", "label": "Villeurbanne", "departement": "69", "epci": "200046977",
        "epci_name": "Métropole de Lyon", "region": "84"}


def test_the_link_of_a_result_opens_its_public_page(client, catalogue):
    url = search(client, postcode="69100").json["results"][0]["url"]

    assert client.get(url.removeprefix("http://localhost")).status_code == 200


def test_a_commune_code_or_coordinates_name_the_place_as_well_as_a_postcode(client, catalogue):
    by_postcode = names(search(client, postcode="69100"))

    assert names(search(client, commune="69266")) == by_postcode
    # French decimal commas are understood.
    lat, lon = (str(value).replace(".", ",") for value in VILLEURBANNE)
    response = search(client, lat=lat, lon=lon)
    assert names(response) == by_postcode
    assert response.json["place"]["commune"] == "69266"


def test_an_arrondissement_is_its_own_place(client, catalogue):
    place = search(client, postcode="69003").json["place"]

    assert (place["commune"], place["city"], place["label"]) == (
        "69383", "69123", "Lyon 3e Arrondissement")


def test_a_need_or_a_whole_category_narrows_the_results(client, catalogue):
    assert names(search(client, postcode="69100", need=PERMIS)) == ["Permis solidaire"]
    assert names(search(client, postcode="69100", need="mobilite")) == [
        "Permis solidaire", "Garage solidaire"]


def test_words_find_services_by_their_text(client, catalogue):
    assert names(search(client, postcode="69100", q="pouce")) == ["Permis solidaire"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"publics": "jeunes"}, ["Permis solidaire"]),
        ({"publics": ["jeunes", "seniors"]}, ["Permis solidaire"]),
        ({"mode": "a-distance"}, ["CV en ligne"]),
        ({"fees": "gratuit,payant"}, ["Permis solidaire", "Garage solidaire"]),
        ({"fees": ["gratuit"]}, ["Garage solidaire"]),
        ({"type": "atelier"}, ["CV en ligne"]),
        ({"type": "atelier,aide-materielle"}, ["Garage solidaire", "CV en ligne"]),
        ({"open_now": "true"}, ["CV en ligne"]),
        ({"open_now": "0"}, ["Permis solidaire", "Garage solidaire", "CV en ligne"]),
    ],
)
def test_filters_take_repeated_or_comma_separated_codes(client, catalogue, params, expected):
    assert names(search(client, postcode="69100", **params)) == expected


def test_pages_of_results_and_a_page_past_the_end(client, session):
    org = f.organisation()
    for n in range(5):
        f.service(org, name=f"Service {n}", at=VILLEURBANNE)
    session.commit()

    first = search(client, commune="69266", per_page="2")
    second = search(client, commune="69266", per_page="2", page="2")
    last = search(client, commune="69266", per_page="2", page="3")
    beyond = search(client, commune="69266", per_page="2", page="9")

    assert (first.json["total"], first.json["pages"]) == (5, 3)
    assert len(first.json["results"]) == len(second.json["results"]) == 2
    assert len(last.json["results"]) == 1
    shown = names(first) + names(second) + names(last)
    assert sorted(shown) == [f"Service {n}" for n in range(5)]
    assert beyond.status_code == 200
    assert (beyond.json["results"], beyond.json["total"], beyond.json["page"]) == ([], 5, 9)


INVALID = [
    ({"need": "cuisine"}, "need", "No need or category has the code cuisine."),
    ({"postcode": "6910"}, "postcode", "A postcode has 5 digits."),
    ({"postcode": "00000"}, "postcode", "No commune has the postcode 00000."),
    ({"commune": "99999"}, "commune", "No commune has the code 99999."),
    ({"radius_km": "0"}, "radius_km",
     "The distance must be a number of kilometres, more than 0 and at most 200."),
    ({"radius_km": "500"}, "radius_km",
     "The distance must be a number of kilometres, more than 0 and at most 200."),
    ({"radius_km": "abc"}, "radius_km",
     "The distance must be a number of kilometres, more than 0 and at most 200."),
    ({"per_page": "0"}, "per_page",
     "The number of results per page must be a whole number from 1 to 100."),
    ({"per_page": "1000"}, "per_page",
     "The number of results per page must be a whole number from 1 to 100."),
    ({"page": "0"}, "page", "The page must be a whole number, 1 or more."),
    ({"page": "2.5"}, "page", "The page must be a whole number, 1 or more."),
    ({"publics": "jeunes,martiens"}, "publics", "Unknown public code(s): martiens."),
    ({"mode": "par-pigeon"}, "mode",
     "Unknown mode(s): par-pigeon. Use en-presentiel / a-distance."),
    ({"fees": "troc"}, "fees", "Unknown fees code(s): troc."),
    ({"type": "magie"}, "type", "Unknown service type code(s): magie."),
    ({"open_now": "perhaps"}, "open_now", "“Open now” must be true or false."),
    ({"q": "mot " * 75}, "q", "Use at most 200 characters."),
]


@pytest.mark.parametrize(("params", "field", "message"), INVALID,
                         ids=[f"{case[1]}={next(iter(case[0].values()))[:20]}"
                              for case in INVALID])
def test_each_invalid_parameter_is_refused_with_a_message_on_it(client, params, field, message):
    if not {"postcode", "commune"} & set(params):
        params = {"postcode": "69100", **params}

    response = search(client, **params)

    assert response.status_code == 400
    assert response.json["error"] == "invalid"
    assert response.json["errors"] == {field: [message]}


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"lat": "45.76"}, {"lon": ["Give the longitude too."]}),
        ({"lon": "4.85"}, {"lat": ["Give the latitude too."]}),
        ({"lat": "north", "lon": "4.85"}, {"lat": ["The latitude must be a number, like 45.76."]}),
        ({"lat": "95", "lon": "4.85"},
         {"lat": ["The latitude must be a number between -90 and 90."]}),
        ({"lat": "45.5", "lon": "-30"},
         {"lat": ["This point is not in a French commune we know."]}),
        ({"postcode": "69100", "commune": "69266"},
         {"postcode": ["Give only one of a postcode, a commune or coordinates."],
          "commune": ["Give only one of a postcode, a commune or coordinates."]}),
        ({"commune": "69266", "lat": "45.76", "lon": "4.85"},
         {"commune": ["Give only one of a postcode, a commune or coordinates."],
          "lat": ["Give only one of a postcode, a commune or coordinates."],
          "lon": ["Give only one of a postcode, a commune or coordinates."]}),
        ({}, {"location": ["Give a postcode, a commune or coordinates."]}),
        ({"postcode": "  ", "need": ""},
         {"location": ["Give a postcode, a commune or coordinates."]}),
    ],
)
def test_exactly_one_location_is_required(client, params, errors):
    response = search(client, **params)

    assert response.status_code == 400
    assert response.json["errors"] == errors


def test_every_wrong_parameter_is_named_at_once(client):
    response = search(client, postcode="69100", need="cuisine", radius_km="0", per_page="1000",
                      publics="martiens", page="0")

    assert response.status_code == 400
    assert set(response.json["errors"]) == {"need", "radius_km", "per_page", "publics", "page"}


def test_a_postcode_of_several_communes_lists_them_to_choose_from(client):
    response = search(client, postcode="01400", radius_km="500")

    assert response.status_code == 400
    body = response.json
    assert len(body["choices"]) == 10
    assert body["choices"][0] == {"code": "01093", "label": "Châtillon-sur-Chalaronne"}
    assert {"code": "01393", "label": "Sandrans"} in body["choices"]
    (message,) = body["errors"]["postcode"]
    assert message.startswith("Several communes have the postcode 01400: "
                              "Châtillon-sur-Chalaronne (01093), ")
    assert "Give the commune instead" in message
    assert "radius_km" in body["errors"]  # the other mistakes are said too
    # One of the choices, given as `commune`, is a search.
    assert search(client, commune=body["choices"][0]["code"]).status_code == 200


def test_when_nothing_is_found_suggestions_say_what_would_find_something(client, catalogue):
    wider = search(client, postcode="69100", need=VELO, radius_km="10")
    neighbour = search(client, postcode="69100", need="mobilite--financer-ma-mobilite")
    fewer_filters = search(client, postcode="69100", need=PERMIS, publics="seniors")
    no_words = search(client, postcode="69100", q="xylophone")

    assert (wider.json["total"], wider.json["results"]) == (0, [])
    assert wider.json["suggestions"] == [
        {"kind": "radius", "count": 1, "radius_km": 30.0},  # Villefranche-sur-Saône
        {"kind": "need", "count": 1, "need": PERMIS, "label": "Prepare for a driving licence"},
    ]
    assert neighbour.json["suggestions"] == [
        {"kind": "need", "count": 1, "need": VELO,
         "label": "Use cycling, car sharing or public transport"},
        {"kind": "need", "count": 1, "need": PERMIS, "label": "Prepare for a driving licence"},
    ]
    assert fewer_filters.json["suggestions"] == [{"kind": "filters", "count": 1}]
    assert no_words.json["suggestions"] == [{"kind": "text", "count": 3}]


def test_need_labels_follow_the_language_asked_for(client, catalogue):
    response = search(client, headers={"Accept-Language": "fr"}, postcode="69100",
                      need="mobilite--financer-ma-mobilite")

    labels = [suggestion["label"] for suggestion in response.json["suggestions"]]
    assert labels == ["Utiliser des services de mobilité douce, partagée ou collective",
                      "Préparer un permis"]


def test_the_search_is_public_and_needs_no_cookie(app, catalogue):
    client = app.test_client(use_cookies=False)

    response = client.get("/api/v1/search?postcode=69100")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "Set-Cookie" not in response.headers


def test_past_the_rate_limit_the_answer_is_429_in_json(client):
    statuses = [search(client, postcode="6910").status_code for _ in range(121)]

    assert statuses[:120] == [400] * 120
    assert statuses[120] == 429
    assert search(client, postcode="69100").json["error"] == "too_many_requests"

