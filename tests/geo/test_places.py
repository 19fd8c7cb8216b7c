"""Resolving where a person is (postcode, commune, coordinates) and commune autocomplete."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from errors import Invalid
from geo.models import Commune
from geo.places import (
    UnknownPlace,
    area_names,
    place_at,
    place_for_commune,
    places_for_postcode,
    resolve,
    search_communes,
)
from tests.factories import LYON_3E, PARIS_11E, VILLEURBANNE

METROPOLE_DE_LYON = "200046977"
IN_THE_MEDITERRANEAN = (43.0, 5.0)


@pytest.fixture
def english(session):
    """Messages in the source language, whatever the catalogue holds."""
    with force_locale("en"):
        yield session


def summary(place):
    return (place.commune_code, place.commune_name, place.arrondissement_code, place.label)


# --- postcodes -------------------------------------------------------------------------------


def test_postcode_of_one_commune_gives_that_commune(english):
    (villeurbanne,) = places_for_postcode("69100")
    assert summary(villeurbanne) == ("69266", "Villeurbanne", None, "Villeurbanne")
    assert (villeurbanne.epci_code, villeurbanne.departement_code) == (METROPOLE_DE_LYON, "69")
    assert villeurbanne.region_code == "84"
    assert not villeurbanne.precise and villeurbanne.has_point


def test_postcode_of_an_arrondissement_gives_the_city_and_its_arrondissement(english):
    (lyon_3e,) = places_for_postcode("69003")
    assert summary(lyon_3e) == ("69123", "Lyon", "69383", "Lyon 3e Arrondissement")
    assert lyon_3e.commune_codes == ("69123", "69383")
    assert lyon_3e.epci_code == METROPOLE_DE_LYON
    (paris_11e,) = places_for_postcode("75011")
    assert summary(paris_11e) == ("75056", "Paris", "75111", "Paris 11e Arrondissement")
    assert (paris_11e.departement_code, paris_11e.region_code) == ("75", "11")


def test_postcode_shared_by_villages_lists_them_most_populous_first(english):
    places = places_for_postcode("01400")
    assert len(places) == 10
    assert places[0].commune_name == "Châtillon-sur-Chalaronne"
    populations = [english.get(Commune, p.commune_code).population for p in places]
    assert populations == sorted(populations, reverse=True)
    assert {p.departement_code for p in places} == {"01"}


@pytest.mark.parametrize("postcode", ["6910", "691000", "69 100", "abcde", ""])
def test_malformed_postcode_is_refused_with_a_field_message(english, postcode):
    with pytest.raises(Invalid) as refused:
        places_for_postcode(postcode)
    assert refused.value.field_errors == {"postcode": ["A postcode has 5 digits."]}


def test_postcode_no_commune_has_is_unknown(english):
    with pytest.raises(UnknownPlace) as unknown:
        places_for_postcode("00000")
    assert unknown.value.message == "No commune has the postcode 00000."
    assert unknown.value.status == 404


# --- commune codes ---------------------------------------------------------------------------


def test_commune_code_gives_the_commune_at_its_centre(english):
    villeurbanne = place_for_commune("69266")
    assert summary(villeurbanne) == ("69266", "Villeurbanne", None, "Villeurbanne")
    commune = english.get(Commune, "69266")
    assert (villeurbanne.latitude, villeurbanne.longitude) == (
        commune.centre_lat,
        commune.centre_lon,
    )
    assert not villeurbanne.precise


def test_arrondissement_code_gives_the_city_with_the_arrondissement(english):
    lyon_3e = place_for_commune("69383")
    assert summary(lyon_3e) == ("69123", "Lyon", "69383", "Lyon 3e Arrondissement")
    assert (lyon_3e.departement_code, lyon_3e.region_code, lyon_3e.epci_code) == (
        "69",
        "84",
        METROPOLE_DE_LYON,
    )
    # Its own centre, not Lyon's: distances are measured from nearer the person.
    assert lyon_3e.latitude == english.get(Commune, "69383").centre_lat


def test_city_code_gives_the_whole_city(english):
    assert summary(place_for_commune("69123")) == ("69123", "Lyon", None, "Lyon")


def test_delegated_or_associated_commune_gives_its_commune_nouvelle(english):
    cordieux = place_for_commune("01120")  # associated with Montluel
    assert summary(cordieux) == ("01262", "Montluel", None, "Montluel")
    ruffieu = place_for_commune("01330")  # delegated, no outline of its own
    parent = english.get(Commune, "01187")
    assert ruffieu.commune_code == "01187" and ruffieu.commune_name == parent.name
    assert (ruffieu.latitude, ruffieu.longitude) == (parent.centre_lat, parent.centre_lon)


@pytest.mark.parametrize("code", ["6912", "691230", "69 12", "ABCDE", ""])
def test_malformed_commune_code_is_refused(english, code):
    with pytest.raises(Invalid) as refused:
        place_for_commune(code)
    assert refused.value.field_errors == {
        "commune": ["A commune code has 5 characters, like 69123 or 2A004."]
    }


def test_commune_code_nobody_has_is_unknown(english):
    with pytest.raises(UnknownPlace) as unknown:
        place_for_commune("99999")
    assert unknown.value.message == "No commune has the code 99999."
    with pytest.raises(UnknownPlace, match="2A004"):
        place_for_commune("2a004")  # well-formed (Corsica), just not in the test geography


# --- coordinates -----------------------------------------------------------------------------


def test_point_in_an_arrondissement_gives_the_city_and_keeps_the_point(english):
    place = place_at(*LYON_3E)
    assert summary(place) == ("69123", "Lyon", "69383", "Lyon 3e Arrondissement")
    assert (place.latitude, place.longitude, place.precise) == (*LYON_3E, True)
    assert place.epci_code == METROPOLE_DE_LYON
    assert summary(place_at(*PARIS_11E))[:3] == ("75056", "Paris", "75111")
    assert summary(place_at(*VILLEURBANNE)) == ("69266", "Villeurbanne", None, "Villeurbanne")


def test_point_in_the_sea_is_in_no_commune(english):
    with pytest.raises(UnknownPlace) as unknown:
        place_at(*IN_THE_MEDITERRANEAN)
    assert unknown.value.message == "This point is not in a French commune we know."


def test_out_of_range_coordinates_are_refused_field_by_field(english):
    with pytest.raises(Invalid) as refused:
        place_at(91.0, -181.0)
    assert refused.value.field_errors == {
        "lat": ["The latitude must be a number between -90 and 90."],
        "lon": ["The longitude must be a number between -180 and 180."],
    }
    with pytest.raises(Invalid) as refused:
        place_at(float("nan"), 4.85)
    assert list(refused.value.field_errors) == ["lat"]


# --- resolve: the entry point for forms and the API ------------------------------------------


def test_resolve_accepts_each_way_of_saying_where(english):
    assert [p.commune_code for p in resolve(postcode="69100")] == ["69266"]
    assert [p.arrondissement_code for p in resolve(commune="69383")] == ["69383"]
    (place,) = resolve(lat=" 45,760292 ", lon="4.849019")  # strings, French decimal comma
    assert (place.arrondissement_code, place.latitude, place.longitude) == (
        "69383",
        45.760292,
        4.849019,
    )
    assert resolve(lat=LYON_3E[0], lon=LYON_3E[1])[0].precise


@pytest.mark.parametrize(
    ("given", "message", "field_errors"),
    [
        ({}, "Give a postcode, a commune or coordinates.", {}),
        ({"postcode": " ", "commune": ""}, "Give a postcode, a commune or coordinates.", {}),
        (
            {"postcode": "69100", "commune": "69266"},
            "Give only one of a postcode, a commune or coordinates.",
            {},
        ),
        (
            {"commune": "69266", "lat": "45.7"},
            "Give only one of a postcode, a commune or coordinates.",
            {},
        ),
        ({"lat": "45.76"}, "Give the longitude too.", {"lon": ["Give the longitude too."]}),
        ({"lon": "4.85"}, "Give the latitude too.", {"lat": ["Give the latitude too."]}),
        (
            {"lat": "north", "lon": "4.85"},
            "The latitude must be a number, like 45.76.",
            {"lat": ["The latitude must be a number, like 45.76."]},
        ),
        (
            {"lat": "45.76", "lon": "inf"},
            "The longitude must be a number, like 4.85.",
            {"lon": ["The longitude must be a number, like 4.85."]},
        ),
    ],
)
def test_resolve_refuses_none_or_several_ways_or_bad_numbers(english, given, message, field_errors):
    with pytest.raises(Invalid) as refused:
        resolve(**given)
    assert (refused.value.message, refused.value.field_errors) == (message, field_errors)


def test_area_names_name_the_epci_departement_and_region(english):
    names = area_names(place_for_commune("69383"))
    assert (names.epci_name, names.departement_name, names.region_name) == (
        "Métropole de Lyon",
        "Rhône",
        "Auvergne-Rhône-Alpes",
    )


# --- autocomplete ----------------------------------------------------------------------------


def labels(matches):
    return [match.label for match in matches]


@pytest.mark.parametrize("typed", ["villeurbanne", "VILLEURB", "Villeurbanne ", "VilleurBanne"])
def test_autocomplete_ignores_case(english, typed):
    (match,) = search_communes(typed)
    assert (match.code, match.name, match.label) == ("69266", "Villeurbanne", "Villeurbanne (69)")
    assert (match.postcodes, match.departement_code, match.kind) == (["69100"], "69", "COM")


@pytest.mark.parametrize("typed", ["ÉCULLY", "ecully", "Écu", "ecu"])
def test_autocomplete_ignores_accents(english, typed):
    assert labels(search_communes(typed))[0] == "Écully (69)"


@pytest.mark.parametrize("typed", ["st genis", "St-Genis", "saint genis", "Saint-Génis"])
def test_autocomplete_expands_saint(english, typed):
    found = search_communes(typed)
    assert [m.name for m in found][:2] == ["Saint-Genis-Laval", "Saint-Genis-Pouilly"]
    assert all(m.name.startswith("Saint-Genis-") for m in found) and len(found) == 5


def test_autocomplete_lists_names_starting_with_the_text_before_inner_words(english):
    found = search_communes("pierre", limit=20)
    names = [m.name for m in found]
    # Pierre-Bénite (10,000 people) starts with it, so comes before the bigger Oullins-Pierre-
    # Bénite, where it only starts a word.
    assert names[0] == "Pierre-Bénite"
    assert names.index("Oullins-Pierre-Bénite") > names.index("Pierre-Bénite")
    assert "Saint-Pierre-de-Chandieu" in names
    assert all(n.startswith("Pierre") or " pierre" in n.lower().replace("-", " ") for n in names)


def test_autocomplete_shows_arrondissements_and_the_whole_city_first(english):
    found = search_communes("lyon")
    assert labels(found)[:2] == ["Lyon (69)", "Lyon 3e Arrondissement (69)"]
    assert {m.kind for m in found[1:]} == {"ARM"}
    # Lyon has no postcode of its own: its arrondissements' are shown.
    assert found[0].postcodes == [f"6900{n}" for n in range(1, 10)]
    assert labels(search_communes("paris 11"))[0] == "Paris 11e Arrondissement (75)"


def test_autocomplete_labels_delegated_communes_with_their_commune_nouvelle(english):
    (cordieux,) = search_communes("cordieux")
    assert cordieux.label == "Cordieux (Montluel, 01)"
    assert (cordieux.code, cordieux.parent_code, cordieux.parent_name) == (
        "01120",
        "01262",
        "Montluel",
    )
    assert cordieux.postcodes == ["01120"]  # its commune nouvelle's
    assert place_for_commune(cordieux.code).commune_name == "Montluel"


def test_autocomplete_by_postcode_prefix(english):
    assert labels(search_communes("69100")) == ["Villeurbanne (69)"]
    found = search_communes("6900", limit=20)
    assert sorted(m.code for m in found) == [f"6938{n}" for n in range(1, 10)]
    populations = [english.get(Commune, m.code).population for m in found]
    assert populations == sorted(populations, reverse=True)
    assert len(search_communes("01", limit=7)) == 7


@pytest.mark.parametrize("typed", ["", " ", "v", "É", "-", "123456", "zzzz"])
def test_autocomplete_gives_nothing_for_too_short_or_unknown_text(english, typed):
    assert search_communes(typed) == []


def test_autocomplete_limit_caps_the_matches_and_must_be_sensible(english):
    assert len(search_communes("saint", limit=3)) == 3
    assert len(search_communes("saint", limit=50)) == 50
    for limit in (0, 51, -1):
        with pytest.raises(Invalid) as refused:
            search_communes("saint", limit=limit)
        assert refused.value.field_errors == {
            "limit": ["The limit must be a whole number from 1 to 50."]
        }


def test_autocomplete_finds_delegated_communes_that_kept_their_commune_nouvelles_code(english):
    # Liergues and Bellegarde-sur-Valserine share their commune nouvelle's code, so they have
    # no row of their own; people still type the old name.
    (liergues,) = search_communes("liergues")
    assert (liergues.code, liergues.label) == ("69114", "Liergues (Porte des Pierres Dorées, 69)")
    assert place_for_commune(liergues.code).commune_name == "Porte des Pierres Dorées"
    (bellegarde,) = search_communes("Bellegarde sur")
    assert (bellegarde.code, bellegarde.parent_name) == ("01033", "Valserhône")


def test_commune_nouvelle_without_an_outline_takes_its_delegated_communes_territory(english):
    # The national file gives Porte des Pierres Dorées no polygon; its three delegated communes
    # have one, so a point in Liergues resolves to the commune nouvelle.
    place = place_at(45.9676, 4.6650)
    assert place.commune_code == "69114"
