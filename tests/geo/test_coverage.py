"""The coverage rule on real French places, without a database."""

import pytest
from shapely.geometry import Point

from geo.coverage import (
    IN_POLYGON,
    IN_ZONE,
    OUTSIDE_AREA,
    TOO_FAR,
    UNRESTRICTED,
    Coverage,
    Zone,
    covers,
)
from geo.place import Place
from tests.factories import BOURG_EN_BRESSE, LYON_3E, PARIS_11E, VILLEFRANCHE, VILLEURBANNE

# Real codes: INSEE for communes, départements, régions; SIREN for EPCI.
LYON_3E_PLACE = Place(
    commune_code="69123",
    commune_name="Lyon",
    departement_code="69",
    region_code="84",
    epci_code="200046977",
    arrondissement_code="69383",
    arrondissement_name="Lyon 3e Arrondissement",
    latitude=LYON_3E[0],
    longitude=LYON_3E[1],
)
VILLEURBANNE_PLACE = Place(
    commune_code="69266",
    commune_name="Villeurbanne",
    departement_code="69",
    region_code="84",
    epci_code="200046977",
    latitude=VILLEURBANNE[0],
    longitude=VILLEURBANNE[1],
)
VILLEFRANCHE_PLACE = Place(
    commune_code="69264",
    commune_name="Villefranche-sur-Saône",
    departement_code="69",
    region_code="84",
    epci_code="200040590",
    latitude=VILLEFRANCHE[0],
    longitude=VILLEFRANCHE[1],
)
BOURG_PLACE = Place(
    commune_code="01053",
    commune_name="Bourg-en-Bresse",
    departement_code="01",
    region_code="84",
    epci_code="200071751",
    latitude=BOURG_EN_BRESSE[0],
    longitude=BOURG_EN_BRESSE[1],
)
PARIS_11E_PLACE = Place(
    commune_code="75056",
    commune_name="Paris",
    departement_code="75",
    region_code="11",
    epci_code="200054781",
    arrondissement_code="75111",
    arrondissement_name="Paris 11e Arrondissement",
    latitude=PARIS_11E[0],
    longitude=PARIS_11E[1],
)
REMOTE = {"remote": True}
IN_PERSON_AT_LYON = {"in_person": True, "points": (LYON_3E,)}


@pytest.mark.parametrize(
    ("zones", "place", "covered"),
    [
        # commune zone: the commune itself, not its neighbour
        ([Zone("commune", "69266")], VILLEURBANNE_PLACE, True),
        ([Zone("commune", "69266")], LYON_3E_PLACE, False),
        # Lyon as a whole covers each of its arrondissements…
        ([Zone("commune", "69123")], LYON_3E_PLACE, True),
        # …and an arrondissement zone covers only that arrondissement
        ([Zone("commune", "69383")], LYON_3E_PLACE, True),
        ([Zone("commune", "69381")], LYON_3E_PLACE, False),
        ([Zone("commune", "75111")], PARIS_11E_PLACE, True),
        ([Zone("commune", "75056")], PARIS_11E_PLACE, True),
        ([Zone("commune", "75112")], PARIS_11E_PLACE, False),
        # EPCI: the Métropole de Lyon holds Lyon and Villeurbanne, not Villefranche
        ([Zone("epci", "200046977")], LYON_3E_PLACE, True),
        ([Zone("epci", "200046977")], VILLEURBANNE_PLACE, True),
        ([Zone("epci", "200046977")], VILLEFRANCHE_PLACE, False),
        # département
        ([Zone("departement", "69")], VILLEFRANCHE_PLACE, True),
        ([Zone("departement", "69")], BOURG_PLACE, False),
        ([Zone("departement", "75")], PARIS_11E_PLACE, True),
        # région Auvergne-Rhône-Alpes holds the Ain and the Rhône, not Paris
        ([Zone("region", "84")], BOURG_PLACE, True),
        ([Zone("region", "84")], PARIS_11E_PLACE, False),
        ([Zone("region", "11")], PARIS_11E_PLACE, True),
        # the whole country
        ([Zone("country")], PARIS_11E_PLACE, True),
        ([Zone("country")], BOURG_PLACE, True),
        # any one of several zones is enough
        ([Zone("commune", "69266"), Zone("departement", "01")], BOURG_PLACE, True),
    ],
)
def test_remote_service_covers_exactly_the_places_in_its_zones(zones, place, covered):
    verdict = covers(Coverage(zones=tuple(zones), **REMOTE), place)
    assert verdict.covered is covered
    assert verdict.reason == (IN_ZONE if covered else OUTSIDE_AREA)


def test_in_person_service_reaches_places_within_the_default_50_km():
    coverage = Coverage(zones=(Zone("region", "84"),), **IN_PERSON_AT_LYON)
    near = covers(coverage, VILLEFRANCHE_PLACE)  # ~27 km
    far = covers(coverage, BOURG_PLACE)  # ~57 km
    assert near.covered and near.radius_km == 50 and 27 < near.distance_km < 28
    assert not far.covered and far.reason == TOO_FAR and 57 < far.distance_km < 58


def test_in_person_radius_set_by_the_provider_replaces_the_default():
    coverage = Coverage(zones=(Zone("departement", "69"),), radius_km=10, **IN_PERSON_AT_LYON)
    assert covers(coverage, VILLEURBANNE_PLACE).covered  # ~2.5 km
    verdict = covers(coverage, VILLEFRANCHE_PLACE)
    assert (verdict.covered, verdict.reason, verdict.radius_km) == (False, TOO_FAR, 10)


def test_default_radius_is_a_setting():
    coverage = Coverage(zones=(Zone("region", "84"),), **IN_PERSON_AT_LYON)
    assert covers(coverage, BOURG_PLACE, default_radius_km=60).covered


def test_radius_is_measured_from_the_given_coordinates_not_only_the_commune_centre():
    coverage = Coverage(zones=(Zone("region", "84"),), radius_km=5, **IN_PERSON_AT_LYON)
    centre = LYON_3E_PLACE
    out_east = Place(**{**centre.__dict__, "latitude": 45.76, "longitude": 4.95, "precise": True})
    assert covers(coverage, centre).covered
    assert not covers(coverage, out_east).covered  # ~8 km east of the location


def test_nearest_location_counts_when_a_service_has_several():
    coverage = Coverage(
        zones=(Zone("region", "84"),),
        in_person=True,
        radius_km=10,
        points=(LYON_3E, BOURG_EN_BRESSE),
    )
    assert covers(coverage, BOURG_PLACE).distance_km < 1


def test_remote_and_hybrid_services_have_no_distance_limit():
    far_point = {"points": (PARIS_11E,)}
    remote = Coverage(zones=(Zone("country"),), remote=True, radius_km=1, **far_point)
    hybrid = Coverage(
        zones=(Zone("country"),), remote=True, in_person=True, radius_km=1, **far_point
    )
    for coverage in (remote, hybrid):
        verdict = covers(coverage, LYON_3E_PLACE)
        assert verdict.covered and verdict.radius_km is None and verdict.distance_km > 390


def test_zones_still_apply_to_remote_services():
    coverage = Coverage(zones=(Zone("departement", "75"),), remote=True)
    assert not covers(coverage, LYON_3E_PLACE).covered


def test_custom_polygon_covers_the_points_inside_it_only():
    around_lyon_3e = Point(LYON_3E[1], LYON_3E[0]).buffer(0.02)  # ~2 km
    coverage = Coverage(polygon=around_lyon_3e, remote=True)
    verdict = covers(coverage, LYON_3E_PLACE)
    assert verdict.covered and verdict.reason == IN_POLYGON
    assert not covers(coverage, VILLEFRANCHE_PLACE).covered


def test_polygon_adds_to_zones():
    polygon = Point(VILLEFRANCHE[1], VILLEFRANCHE[0]).buffer(0.02)
    coverage = Coverage(zones=(Zone("commune", "69266"),), polygon=polygon, remote=True)
    assert covers(coverage, VILLEURBANNE_PLACE).reason == IN_ZONE
    assert covers(coverage, VILLEFRANCHE_PLACE).reason == IN_POLYGON
    assert not covers(coverage, BOURG_PLACE).covered


def test_service_without_zones_or_polygon_has_no_geographic_restriction():
    assert covers(Coverage(remote=True), PARIS_11E_PLACE).reason == UNRESTRICTED
    in_person = covers(Coverage(**IN_PERSON_AT_LYON), PARIS_11E_PLACE)
    assert (in_person.covered, in_person.reason) == (False, TOO_FAR)


def test_in_person_service_without_geolocated_place_is_judged_on_its_area_only():
    verdict = covers(
        Coverage(zones=(Zone("departement", "69"),), in_person=True), VILLEFRANCHE_PLACE
    )
    assert verdict.covered and verdict.distance_km is None


def test_unknown_zone_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        covers(Coverage(zones=(Zone("canton", "6901"),)), LYON_3E_PLACE)
