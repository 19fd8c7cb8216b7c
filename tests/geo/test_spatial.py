"""The spatial backend of each store: point → commune, and which services cover a place.

The bulk answer (SQL on PostGIS, prefilter + Shapely on SQLite) must agree with the pure rule
in geo.coverage for every commune of the test geography.
"""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from shapely.geometry import MultiPolygon, Point

from directory.catalogue import active_clause, coverage_of, services_covering
from directory.models import ARCHIVED, DRAFT, SUSPENDED, Service
from extensions import db
from geo.coverage import covers
from geo.models import ARRONDISSEMENT, COMMUNE, Commune
from geo.places import place_for_commune
from geo.spatial import get_backend
from tests import factories as f
from tests.factories import BOURG_EN_BRESSE, LYON_3E, PARIS_11E, VILLEFRANCHE


def test_backend_matches_the_store(app_ctx, store):
    assert get_backend().name == {"sqlite": "in-process", "postgis": "postgis"}[store]


@pytest.mark.parametrize(
    ("point", "code"),
    [
        (LYON_3E, "69383"),  # an arrondissement, not just Lyon
        (PARIS_11E, "75111"),
        (VILLEFRANCHE, "69264"),
        (BOURG_EN_BRESSE, "01053"),
        ((45.7640, 4.8357), "69382"),  # Place Bellecour, Lyon 2e
    ],
)
def test_point_resolves_to_the_commune_or_arrondissement_containing_it(app_ctx, point, code):
    assert get_backend().commune_at(*point) == code


def test_point_outside_known_communes_resolves_to_nothing(app_ctx):
    assert get_backend().commune_at(43.0, 5.0) is None  # Mediterranean Sea
    assert get_backend().commune_at(44.84, -0.58) is None  # Bordeaux: not in the test geography


def test_every_commune_centre_resolves_back_to_itself(app_ctx):
    rows = db.session.execute(
        sa.select(Commune.code, Commune.centre_lat, Commune.centre_lon).where(
            Commune.kind.in_((COMMUNE, ARRONDISSEMENT)), Commune.centre_lat.is_not(None)
        )
    ).all()
    assert len(rows) == 687  # communes and arrondissements of the Rhône, the Ain and Paris
    with_arrondissements = {"69123", "75056"}
    wrong = [
        r.code
        for r in rows
        if r.code not in with_arrondissements
        and get_backend().commune_at(r.centre_lat, r.centre_lon) != r.code
    ]
    assert wrong == []


def _varied_services():
    """One service per coverage shape the rule knows."""
    org = f.organisation()
    around_villefranche = MultiPolygon([Point(VILLEFRANCHE[1], VILLEFRANCHE[0]).buffer(0.05)])
    return {
        "lyon-commune": f.service(org, zones=[("commune", "69123")], at=LYON_3E),
        "lyon-3e-only": f.service(org, zones=[("commune", "69383")], modes=["a-distance"]),
        "paris-11e-only": f.service(org, zones=[("commune", "75111")], modes=["a-distance"]),
        "metropole": f.service(org, zones=[("epci", "200046977")], modes=["a-distance"]),
        "rhone-10km": f.service(
            org, zones=[("departement", "69")], at=LYON_3E, coverage_radius_km=10
        ),
        "ain": f.service(org, zones=[("departement", "01")], modes=["a-distance"]),
        "region-default-radius": f.service(org, zones=[("region", "84")], at=LYON_3E),
        "region-hybrid": f.service(
            org, zones=[("region", "84")], at=PARIS_11E, modes=["en-presentiel", "a-distance"]
        ),
        "country-remote": f.service(org, zones=[("country", None)], modes=["a-distance"]),
        "polygon": f.service(
            org, zones=[], coverage_polygon=around_villefranche, modes=["a-distance"]
        ),
        "polygon-or-ain": f.service(
            org,
            zones=[("departement", "01")],
            coverage_polygon=around_villefranche,
            at=BOURG_EN_BRESSE,
        ),
        "unrestricted-in-person": f.service(
            org, zones=[], at=BOURG_EN_BRESSE, coverage_radius_km=30
        ),
        "no-location": f.service(org, zones=[("departement", "75")]),
    }


def test_bulk_answer_agrees_with_the_rule_for_every_commune(app_ctx):
    services = _varied_services()
    db.session.commit()
    codes = db.session.scalars(
        sa.select(Commune.code)
        .where(Commune.kind.in_((COMMUNE, ARRONDISSEMENT)))
        .order_by(Commune.code)
    ).all()
    coverages = {s.id: coverage_of(s) for s in services.values()}
    names = {s.id: name for name, s in services.items()}
    disagreements, covered_somewhere = [], set()
    for code in codes:
        place = place_for_commune(code)
        bulk = get_backend().services_covering(place, default_radius_km=50)
        for sid, coverage in coverages.items():
            verdict = covers(coverage, place, 50)
            if verdict.covered:
                covered_somewhere.add(names[sid])
            if verdict.covered != (sid in bulk):
                disagreements.append((code, names[sid], verdict.reason))
            elif verdict.covered and verdict.distance_km is not None:
                assert bulk[sid] == pytest.approx(verdict.distance_km, abs=0.01)
    assert disagreements == []
    assert covered_somewhere == set(services)  # every shape was exercised


@pytest.mark.parametrize(
    ("code", "expected", "not_expected"),
    [
        (
            "69383",
            {
                "lyon-commune",
                "lyon-3e-only",
                "metropole",
                "rhone-10km",
                "region-hybrid",
                "region-default-radius",
                "country-remote",
            },
            {"paris-11e-only", "ain"},
        ),
        ("75111", {"paris-11e-only", "country-remote", "no-location"}, {"lyon-commune"}),
        (
            "69264",
            {"polygon", "polygon-or-ain", "region-default-radius"},
            {"rhone-10km", "metropole"},
        ),
        (
            "01053",
            {"ain", "polygon-or-ain", "unrestricted-in-person", "region-hybrid"},
            {"region-default-radius", "polygon"},
        ),
    ],
)
def test_services_covering_real_places(app_ctx, code, expected, not_expected):
    services = _varied_services()
    found = get_backend().services_covering(place_for_commune(code), default_radius_km=50)
    names = {name for name, s in services.items() if s.id in found}
    assert expected <= names
    assert not names & not_expected


def test_only_active_services_are_listed(app_ctx):
    today = date.today()
    org = f.organisation()
    kinds = {
        "published": f.service(org),
        "draft": f.service(org, status=DRAFT),
        "archived": f.service(org, status=ARCHIVED),
        "suspended": f.service(org, status=SUSPENDED, suspended_until=today + timedelta(days=9)),
        "suspension-over": f.service(
            org, status=SUSPENDED, suspended_until=today - timedelta(days=1)
        ),
    }
    listed = {h.service.id for h in services_covering(place_for_commune("69383"), today)}
    assert {name for name, s in kinds.items() if s.id in listed} == {"published", "suspension-over"}
    # the SQL clause and the Python method say the same thing
    active_sql = set(db.session.scalars(sa.select(Service.id).where(active_clause(today))))
    assert active_sql == {s.id for s in kinds.values() if s.is_active(today)}


def test_listing_puts_nearest_in_person_first_and_remote_after(app_ctx):
    org = f.organisation()
    remote = f.service(org, name="A distance", modes=["a-distance"])
    far = f.service(org, name="Villefranche", at=VILLEFRANCHE)
    near = f.service(org, name="Lyon", at=LYON_3E)
    hits = services_covering(place_for_commune("69266"), date.today())
    assert [h.service.id for h in hits] == [near.id, far.id, remote.id]
    assert hits[0].distance_km < 4 and hits[2].distance_km is None
