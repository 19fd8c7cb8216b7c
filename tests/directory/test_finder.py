"""Finding services for a need and a place (directory.finder): coverage with real communes,
radius, remote services, ranking, filters and suggestions — on both stores, through the
search index kept in step after commit."""

from __future__ import annotations

from datetime import datetime

import pytest

from directory import finder
from directory.finder import Criteria
from extensions import db
from geo.places import place_for_commune
from tests import factories as f
from tests.factories import BOURG_EN_BRESSE, LYON_3E, VILLEFRANCHE, VILLEURBANNE

LYON_3E_CODE = "69383"
TERNAND = "69245"  # 684 inhabitants, in the Rhône
TREVOUX = "01427"  # the Ain, across the Saône from the Rhône
PERMIS = "mobilite--preparer-un-permis"
MOBILITY = "mobilite--etre-accompagne-dans-son-parcours-mobilite"


def names(found) -> list[str]:
    return [hit.name for hit in found.hits]


def search(code: str, **criteria):
    return finder.find(Criteria(place_for_commune(code), **criteria))


def test_a_departement_wide_service_is_found_from_a_small_commune_of_it_not_from_the_next(
    session,
):
    f.service(name="Accompagnement Rhône", zones=[("departement", "69")], modes=["a-distance"])
    session.commit()
    assert names(search(TERNAND)) == ["Accompagnement Rhône"]
    assert names(search(TREVOUX)) == []


def test_commune_and_epci_zones_cover_their_own_communes_only(session):
    f.service(name="Villeurbanne seulement", zones=[("commune", "69266")], modes=["a-distance"])
    f.service(name="Métropole", zones=[("epci", "200046977")], modes=["a-distance"])
    session.commit()
    assert names(search("69266")) == ["Métropole", "Villeurbanne seulement"]
    assert names(search(LYON_3E_CODE)) == ["Métropole"]  # Lyon is in the Métropole
    assert names(search(TERNAND)) == []


def test_in_person_services_beyond_the_radius_are_left_out_and_a_wider_radius_suggested(
    session,
):
    f.service(name="Villefranche", at=VILLEFRANCHE)  # ~25 km from Lyon 3e
    session.commit()
    assert names(search(LYON_3E_CODE, radius_km=30)) == ["Villefranche"]
    narrow = search(LYON_3E_CODE, radius_km=10)
    assert narrow.hits == []
    radius = [s for s in narrow.suggestions if s.kind == "radius"]
    assert radius == [finder.Suggestion("radius", 1, radius_km=30.0)]


def test_the_service_own_reach_limits_in_person_services(session):
    f.service(name="Proche seulement", at=LYON_3E, coverage_radius_km=5)
    session.commit()
    assert names(search(LYON_3E_CODE)) == ["Proche seulement"]
    assert names(search("69264")) == []  # Villefranche is 25 km away


def test_a_hybrid_service_beyond_the_radius_stays_as_remote(session):
    f.service(name="Hybride", at=VILLEFRANCHE, modes=["en-presentiel", "a-distance"])
    session.commit()
    found = search(LYON_3E_CODE, radius_km=10)
    assert [(h.name, h.remote) for h in found.hits] == [("Hybride", True)]


def test_nearest_first_and_remote_services_interleaved_two_to_one(session):
    org = f.organisation()
    for name, point in (("Lyon 3e", LYON_3E), ("Villeurbanne", VILLEURBANNE),
                        ("Villefranche", VILLEFRANCHE), ("Bourg", BOURG_EN_BRESSE)):
        f.service(org, name=name, at=point, zones=[("region", "84")])
    f.service(org, name="Distance 1", modes=["a-distance"], zones=[("country", None)])
    f.service(org, name="Distance 2", modes=["a-distance"], zones=[("country", None)])
    session.commit()
    found = search("69266", radius_km=100)  # from Villeurbanne
    # Bourg-en-Bresse is beyond the 50 km an in-person service reaches by default.
    assert names(found) == ["Villeurbanne", "Lyon 3e", "Distance 1", "Villefranche",
                            "Distance 2"]
    assert (found.nearby, found.remote, found.total) == (3, 2, 5)
    assert [hit.remote for hit in found.hits] == [False, False, True, False, True]
    distances = [hit.distance_km for hit in found.hits if not hit.remote]
    assert distances == sorted(distances)


def test_words_rank_by_relevance_then_distance(session):
    f.service(name="Aide au permis de conduire", at=VILLEFRANCHE, thematiques=[PERMIS])
    f.service(name="Point mobilité", at=LYON_3E,
              description="Conseils, dont un mot sur le permis.")
    session.commit()
    assert names(search(LYON_3E_CODE, text="permis")) == [
        "Aide au permis de conduire", "Point mobilité"]
    assert names(search(LYON_3E_CODE)) == ["Point mobilité", "Aide au permis de conduire"]


def test_need_labels_work_as_synonyms_of_the_text(session):
    # Nothing in its own words says "permis": its need does ("Préparer un permis").
    f.service(name="Auto-école sociale", thematiques=[PERMIS], at=LYON_3E,
              summary="Des heures de conduite à prix solidaire.")
    f.service(name="Autre chose", at=LYON_3E)
    session.commit()
    assert names(search(LYON_3E_CODE, text="permis")) == ["Auto-école sociale"]


def test_case_accents_and_plurals_do_not_matter(session):
    f.service(name="Chantier de réinsertion", at=LYON_3E)
    session.commit()
    for text in ("REINSERTION", "réinsertions", "Reinsertion chantiers"):
        assert names(search(LYON_3E_CODE, text=text)) == ["Chantier de réinsertion"], text


def test_all_words_are_required_unless_no_service_has_them_all(session):
    f.service(name="Garde d'enfants", at=LYON_3E)
    f.service(name="Garde de nuit et enfants malades", at=LYON_3E)
    f.service(name="Atelier numérique", at=LYON_3E)
    session.commit()
    assert names(search(LYON_3E_CODE, text="garde nuit")) == [
        "Garde de nuit et enfants malades"]
    # No service says both: any of the words will do.
    assert set(names(search(LYON_3E_CODE, text="garde numérique"))) == {
        "Garde d'enfants", "Garde de nuit et enfants malades", "Atelier numérique"}


def test_a_need_or_a_whole_category_filters(session):
    f.service(name="Permis", thematiques=[PERMIS], at=LYON_3E)
    f.service(name="Logement", thematiques=["logement-hebergement--changer-de-logement"],
              at=LYON_3E)
    session.commit()
    assert names(search(LYON_3E_CODE, needs=(PERMIS,))) == ["Permis"]
    assert names(search(LYON_3E_CODE, needs=finder.expand_need("mobilite"))) == ["Permis"]


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({"publics": ("jeunes",)}, ["Jeunes"]),
        ({"modes": ("a-distance",)}, ["À distance"]),
        ({"fees": ("payant",)}, ["Jeunes"]),
        ({"types": ("formation",)}, ["À distance"]),
    ],
)
def test_filters_on_publics_modes_fees_and_type(session, criteria, expected):
    f.service(name="Jeunes", publics=["jeunes"], fees="payant", type="accompagnement",
              at=LYON_3E)
    f.service(name="À distance", modes=["a-distance"], fees="gratuit", type="formation")
    session.commit()
    assert names(search(LYON_3E_CODE, **criteria)) == expected


def test_open_now_keeps_services_open_at_that_moment_by_their_hours_or_their_places(session):
    weekdays = {"days": {day: [["09:00", "17:00"]] for day in ("mo", "tu", "we", "th", "fr")}}
    org = f.organisation()
    f.service(org, name="Horaires du service", at=LYON_3E, opening_hours=weekdays)
    place_hours = f.service(org, name="Horaires du lieu", at=LYON_3E)
    place_hours.locations[0].opening_hours = weekdays
    f.service(org, name="Horaires inconnus", at=LYON_3E)
    session.commit()
    tuesday_morning = datetime(2026, 11, 24, 10, 0)
    sunday = datetime(2026, 11, 29, 10, 0)
    assert names(search(LYON_3E_CODE, open_now=True, now=tuesday_morning)) == [
        "Horaires du lieu", "Horaires du service"]
    found = search(LYON_3E_CODE, open_now=True, now=sunday)
    assert found.hits == []
    assert [s.kind for s in found.suggestions] == ["filters"]


def test_unpublished_suspended_and_unapproved_services_are_not_found(session):
    f.service(name="Brouillon", status="draft", at=LYON_3E)
    f.service(name="Suspendu", status="suspended", suspended_until=datetime(2099, 1, 1).date(),
              at=LYON_3E)
    f.service(name="Suspension finie", status="suspended",
              suspended_until=datetime(2020, 1, 1).date(), at=LYON_3E)
    f.service(f.organisation(moderation_status="pending"), name="En attente", at=LYON_3E)
    session.commit()
    assert names(search(LYON_3E_CODE)) == ["Suspension finie"]


def test_suggestions_name_neighbouring_needs_and_the_search_without_words(session):
    f.service(name="Vélo solidaire", thematiques=["mobilite--mobilite-douce-partagee-collective"],
              at=LYON_3E)
    session.commit()
    found = search(LYON_3E_CODE, needs=(PERMIS,))
    assert found.suggestions == [
        finder.Suggestion("need", 1, need="mobilite--mobilite-douce-partagee-collective")]
    found = search(LYON_3E_CODE, text="xylophone")
    assert found.suggestions == [finder.Suggestion("text", 1)]


def test_the_database_fallback_finds_what_the_index_finds(session, app, monkeypatch):
    f.service(name="Aide au permis de conduire", at=VILLEFRANCHE, thematiques=[PERMIS])
    f.service(name="Point mobilité", at=LYON_3E, description="Un mot sur le permis.")
    f.service(name="Garde d'enfants", at=LYON_3E, publics=["familles"])
    f.service(name="Distance", modes=["a-distance"], zones=[("country", None)])
    session.commit()
    cases = [{}, {"text": "permis"}, {"text": "enfants garde"}, {"needs": (PERMIS,)},
             {"publics": ("familles",)}, {"radius_km": 5.0}]
    with_index = [names(search(LYON_3E_CODE, **c)) for c in cases]

    def unavailable(*args, **kwargs):
        raise finder.search.IndexUnavailable("test")

    monkeypatch.setattr(finder.search_query, "matching", unavailable)
    monkeypatch.setattr(finder, "_repair_index", lambda problem: None)
    without = [search(LYON_3E_CODE, **c) for c in cases]
    assert not any(found.used_index for found in without)
    assert [names(found) for found in without] == with_index
    assert db.session.is_active


def test_query_syntax_is_read_as_plain_words(session):
    f.service(name="Aide au permis de conduire", at=LYON_3E)
    session.commit()
    for text in ("permis*", "NOT permis", "name:permis", '"permis"', "permis^3", "+permis"):
        assert names(search(LYON_3E_CODE, text=text)) == ["Aide au permis de conduire"], text
