"""`flask seed demo`: the demo of the Rhône, on a fresh database per store.

The demo imports the shipped geography itself (seed/reference/fr-admin), so the database starts
with taxonomies only. The command runs once for the module; the last tests run it again.
"""

from __future__ import annotations

import csv
import gzip
import os
from collections import Counter
from datetime import date

import pytest
import sqlalchemy as sa

from directory.models import (
    ARCHIVED,
    DRAFT,
    PUBLISHED,
    SUSPENDED,
    T_FRAIS,
    T_MODE_ACCUEIL,
    T_MODE_MOBILISATION,
    T_PERSONNE_MOBILISATRICE,
    T_PUBLIC,
    T_RESEAU_PORTEUR,
    T_THEMATIQUE,
    T_TYPE_SERVICE,
    ZONE_KINDS,
    Location,
    Organisation,
    Service,
    ServiceAtLocation,
    ServiceTerm,
    ServiceZone,
)
from directory.taxonomy import category_of, reference_list, terms, validate_codes
from extensions import db
from geo.models import Commune
from seed.demo import TOWN_HALLS_FILE
from seed.demo_specs import DEMO_SOURCE, REVIEW_DAYS, luhn_valid
from seed.demo_town_halls import of, split_address
from tests.conftest import STORES, build_app, drop_database


@pytest.fixture(scope="module", params=STORES)
def demo_app(request, tmp_path_factory):
    """A fresh database (taxonomies, no geography) on which the demo has run once."""
    name = f"relais_seed_demo_{os.getpid()}"
    app = build_app(request.param, name, tmp_path_factory.mktemp(request.param),
                    geography=False)
    app.config["BABEL_DEFAULT_LOCALE"] = "en"  # the CLI speaks the default locale
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    app.extensions["demo.first_output"] = result.output
    yield app
    drop_database(app)


@pytest.fixture
def session(demo_app):
    with demo_app.app_context():
        yield db.session
        db.session.rollback()
        db.session.remove()


def demo(model, *columns):
    """The demo rows of `model` (or only `columns` of them)."""
    return sa.select(*(columns or (model,))).where(model.source == DEMO_SOURCE)


def published_services(session) -> list[Service]:
    return list(session.scalars(demo(Service).where(Service.status == PUBLISHED)))


def town_hall_rows() -> list[dict[str, str]]:
    with gzip.open(TOWN_HALLS_FILE, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- the command ------------------------------------------------------------------------------


def test_command_prints_counts_and_demo_urls(demo_app):
    output = demo_app.extensions["demo.first_output"]
    assert "Organisations: " in output
    assert "Services: " in output and "published" in output and "draft" in output
    assert "Coverage zones: commune" in output
    assert "http://127.0.0.1:5000/services/" in output
    assert "http://127.0.0.1:5000/organisations/" in output
    assert "http://127.0.0.1:5000/communes/69383" in output


def test_geography_of_the_rhone_is_imported_by_the_demo(session):
    lyon_3 = session.get(Commune, "69383")
    assert lyon_3 is not None and lyon_3.parent_code == "69123"
    rhone = session.scalar(
        sa.select(sa.func.count()).select_from(Commune).where(Commune.departement_code == "69")
    )
    assert rhone > 250


# --- real town halls --------------------------------------------------------------------------


def test_every_town_hall_of_the_rhone_becomes_an_organisation_with_a_location_and_hours(session):
    communes = set(session.scalars(sa.select(Commune.code)))
    rows = [row for row in town_hall_rows() if row["commune_code"] in communes]
    # 301 town halls on file; Lyon's 9 electoral sectors repeat its arrondissements.
    assert len(rows) == 292
    for row in rows:
        organisation = session.scalar(
            demo(Organisation).where(Organisation.source_id == f"mairie-{row['commune_code']}")
        )
        assert organisation is not None, row["commune_name"]
        assert organisation.networks == ["communes"]
        assert organisation.name.startswith("Mairie")
        assert organisation.phone == (row["phone"] or None)
        assert row["address"].startswith(organisation.address)
        assert organisation.postcode in row["address"]
        [location] = organisation.locations
        assert (location.latitude, location.longitude) == (
            float(row["latitude"]), float(row["longitude"])
        )
        assert location.opening_hours and location.opening_hours["days"]
        [service] = organisation.services
        assert service.status == PUBLISHED
        assert service.locations == [location]
        assert [zone.kind for zone in service.zones] == ["commune"]


def test_town_halls_are_named_as_the_french_say_them(session):
    names = dict(session.execute(
        sa.select(Organisation.source_id, Organisation.name).where(
            Organisation.source_id.in_(["mairie-69383", "mairie-69381", "mairie-69081",
                                        "mairie-69015", "mairie-69266"])
        )
    ).all())
    assert names == {
        "mairie-69383": "Mairie du 3e arrondissement de Lyon",
        "mairie-69381": "Mairie du 1er arrondissement de Lyon",
        "mairie-69081": "Mairie d'Écully",
        "mairie-69015": "Mairie déléguée d'Avenas",
        "mairie-69266": "Mairie de Villeurbanne",
    }


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Lyon", "de Lyon"), ("Écully", "d'Écully"), ("Yzeron", "d'Yzeron"),
     ("Le Breuil", "du Breuil"), ("Les Haies", "des Haies"), ("La Tour-de-Salvagny",
                                                             "de La Tour-de-Salvagny")],
)
def test_of_elides_and_contracts_before_place_names(name, expected):
    assert of(name) == expected


def test_town_hall_addresses_are_split_into_street_postcode_and_city():
    assert split_address("215 rue Duguesclin, 69423 Lyon Cedex 3") == (
        "215 rue Duguesclin", "69423", "Lyon Cedex 3"
    )
    assert split_address("Le Bourg, 69170 Affoux") == ("Le Bourg", "69170", "Affoux")
    assert split_address("Place de la Mairie") == ("Place de la Mairie", None, None)


# --- generated catalogue ----------------------------------------------------------------------


def test_every_need_category_and_every_public_has_a_published_service(session):
    services = published_services(session)
    used_categories = {category_of(code) for s in services for code in s.thematiques}
    used_publics = {code for s in services for code in s.publics}
    categories = {t.code for t in terms(T_THEMATIQUE) if t.parent_code is None}
    publics = {t.code for t in terms(T_PUBLIC)}
    assert len(categories) == 16 and len(publics) == 14
    assert categories <= used_categories
    assert publics <= used_publics


def test_generated_services_are_about_a_hundred_and_twenty(session):
    generated = session.scalar(
        sa.select(sa.func.count()).select_from(Service).where(
            Service.source == DEMO_SOURCE, Service.source_id.not_like("mairie-%")
        )
    )
    assert 110 <= generated <= 140


def test_every_coverage_kind_radius_and_a_custom_polygon_are_present(session):
    kinds = set(session.scalars(
        sa.select(ServiceZone.kind).join(Service).where(Service.source == DEMO_SOURCE)
    ))
    assert kinds == set(ZONE_KINDS)
    radii = set(session.scalars(demo(Service, Service.coverage_radius_km).where(
        Service.coverage_radius_km.is_not(None))))
    assert len(radii) >= 2
    [maraude] = session.scalars(demo(Service).where(Service.coverage_polygon.is_not(None)))
    assert maraude.coverage_polygon.geom_type == "MultiPolygon"
    # About 3 km around the Guillotière: the whole polygon lies within Lyon and Villeurbanne.
    assert maraude.coverage_polygon.bounds[0] > 4.80 and maraude.coverage_polygon.bounds[2] < 4.89


def test_services_are_in_person_remote_or_both(session):
    modes = Counter(
        tuple(service.modes_accueil) for service in session.scalars(demo(Service))
    )
    assert modes[("en-presentiel",)] and modes[("a-distance",)]
    assert modes[("a-distance", "en-presentiel")]


def test_every_status_is_present_and_suspensions_end_on_both_sides_of_today(session):
    services = list(session.scalars(demo(Service)))
    statuses = Counter(service.status for service in services)
    assert set(statuses) == {DRAFT, PUBLISHED, SUSPENDED, ARCHIVED}
    assert statuses[PUBLISHED] > 0.9 * len(services)
    today = date.today()
    ends = [s.suspended_until for s in services if s.status == SUSPENDED]
    assert all(end is not None for end in ends)
    assert sum(end < today for end in ends) == 1
    assert sum(end > today for end in ends) >= 3
    assert all(s.suspended_until is None for s in services if s.status != SUSPENDED)


def test_some_reviews_are_overdue_and_most_are_not(session):
    today = date.today()
    services = list(session.scalars(demo(Service)))
    overdue = [
        s for s in services
        if REVIEW_DAYS[s.update_frequency] is not None
        and (today - s.last_verified_on).days > REVIEW_DAYS[s.update_frequency]
    ]
    assert 0.05 * len(services) < len(overdue) < 0.4 * len(services)
    dora_frequencies = {choice.value for choice in reference_list("update_frequencies")}
    assert {s.update_frequency for s in services} == dora_frequencies


def test_every_code_is_a_term_of_its_taxonomy(session):
    links = session.execute(
        sa.select(ServiceTerm.taxonomy, ServiceTerm.code).join(Service)
        .where(Service.source == DEMO_SOURCE).distinct()
    ).all()
    by_taxonomy: dict[str, set[str]] = {}
    for taxonomy, code in links:
        by_taxonomy.setdefault(taxonomy, set()).add(code)
    assert set(by_taxonomy) == {T_THEMATIQUE, T_PUBLIC, T_MODE_ACCUEIL, T_MODE_MOBILISATION,
                                T_PERSONNE_MOBILISATRICE}
    services = list(session.scalars(demo(Service)))
    by_taxonomy[T_TYPE_SERVICE] = {s.type for s in services}
    by_taxonomy[T_FRAIS] = {s.fees for s in services}
    by_taxonomy[T_RESEAU_PORTEUR] = {
        code for o in session.scalars(demo(Organisation)) for code in o.networks
    }
    for taxonomy, codes in by_taxonomy.items():
        assert validate_codes(taxonomy, codes) == [], taxonomy
    documents = set(reference_list("credentials"))
    assert {d for s in services for d in s.required_documents} <= documents
    assert any(s.required_documents for s in services)
    assert {lang for s in services for lang in s.languages} == {"fr", "en", "ar", "es"}
    assert {s.fees for s in services} == {"gratuit", "payant"}
    assert all(s.fees_details for s in services if s.fees == "payant")


def test_services_are_mobilised_by_people_professionals_or_both(session):
    who = Counter(tuple(s.mobilisable_par) for s in session.scalars(demo(Service)))
    assert who[("professionnels",)] and who[("usagers",)]
    assert who[("professionnels", "usagers")]
    contacts = Counter(s.contact_public for s in session.scalars(demo(Service)))
    assert contacts[True] and contacts[False]


def test_generated_structures_have_valid_sirets_and_example_contacts_only(session):
    generated = list(session.scalars(
        demo(Organisation).where(Organisation.source_id.not_like("mairie-%"))
    ))
    assert len(generated) >= 35
    for organisation in generated:
        assert len(organisation.siret) == 14 and luhn_valid(organisation.siret)
        assert organisation.email.endswith("@example.org")
        assert organisation.website.startswith("https://example.org/")
        assert organisation.opening_hours and organisation.opening_hours["days"]
        assert 1 <= len(organisation.locations) <= 2
        for location in organisation.locations:
            assert location.commune_code.startswith("69")
            # Near the commune centre (the Rhône spans about 4.2-5.2 E, 45.4-46.3 N).
            assert 45.4 < location.latitude < 46.4 and 4.2 < location.longitude < 5.2


# --- running again ----------------------------------------------------------------------------


def snapshot(session) -> dict[str, list]:
    demo_services = sa.select(Service.id).where(Service.source == DEMO_SOURCE)
    return {
        "organisations": sorted(session.scalars(demo(Organisation, Organisation.id))),
        "locations": sorted(session.scalars(demo(Location, Location.id))),
        "services": sorted(
            session.execute(demo(Service, Service.id, Service.status, Service.name)).all()
        ),
        "zones": sorted(session.execute(
            sa.select(ServiceZone.id, ServiceZone.kind, sa.func.coalesce(ServiceZone.code, ""))
            .where(ServiceZone.service_id.in_(demo_services))
        ).all()),
        "links": sorted(session.scalars(
            sa.select(ServiceAtLocation.id).where(ServiceAtLocation.service_id.in_(demo_services))
        )),
        "terms": sorted(session.execute(
            sa.select(ServiceTerm.service_id, ServiceTerm.taxonomy, ServiceTerm.code)
            .where(ServiceTerm.service_id.in_(demo_services))
        ).all()),
    }


def test_running_again_keeps_ids_removes_stale_demo_rows_and_spares_other_data(demo_app):
    with demo_app.app_context():
        before = snapshot(db.session)
        # Someone else's organisation, holding (by chance) the SIRET the demo gives Tarare's
        # agency: the demo must leave it alone rather than fail on the unique SIRET.
        tarare = db.session.scalar(
            demo(Organisation).where(Organisation.source_id == "france-travail-tarare")
        )
        siret, tarare.siret = tarare.siret, None
        db.session.flush()
        mine = Organisation(name="Association du quartier", networks=[], source="manual",
                            siret=siret)
        db.session.add(mine)
        db.session.flush()
        db.session.add(Service(organisation_id=mine.id, name="Permanence du mardi",
                               status=PUBLISHED))
        stale = Organisation(name="Ancienne structure", networks=[], source=DEMO_SOURCE,
                             source_id="structure-disparue")
        db.session.add(stale)
        db.session.commit()
        mine_id, stale_id = mine.id, stale.id
        db.session.remove()

    result = demo_app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    assert "Removed 1 demo records no longer generated." in result.output

    with demo_app.app_context():
        assert snapshot(db.session) == before
        mine = db.session.get(Organisation, mine_id)
        assert mine is not None and mine.name == "Association du quartier"
        assert mine.siret == siret
        assert db.session.scalar(
            demo(Organisation, Organisation.siret)
            .where(Organisation.source_id == "france-travail-tarare")
        ) is None
        assert [s.name for s in mine.services] == ["Permanence du mardi"]
        assert db.session.get(Organisation, stale_id) is None
        db.session.remove()


def test_demo_has_an_account_for_each_role_with_the_printed_password(demo_app, session):
    from argon2 import PasswordHasher

    from accounts.models import ACTIVE, ADMIN, MEMBER, PENDING, Membership, User
    from seed.demo_accounts import DEMO_PASSWORD

    output = demo_app.extensions["demo.first_output"]
    assert f"Demo accounts (password: {DEMO_PASSWORD})" in output
    users = {u.email: u for u in session.scalars(sa.select(User))}
    assert len(users) == 9 and all(u.is_verified for u in users.values())
    for email in users:
        assert email in output
    assert PasswordHasher().verify(users["admin.ft@example.org"].password_hash, DEMO_PASSWORD)

    roles = {
        (m.user.email, m.organisation.name, m.role, m.status)
        for m in session.scalars(sa.select(Membership))
    }
    assert ("admin.ft@example.org", "France Travail Lyon Part-Dieu", ADMIN, ACTIVE) in roles
    assert ("conseillere.ft@example.org", "France Travail Lyon Part-Dieu", MEMBER, ACTIVE) in roles
    assert any(email == "demande.capemploi@example.org" and status == PENDING
               for email, _org, _role, status in roles)
    assert [t.departement_code for t in users["territoire.rhone@example.org"].territories] == ["69"]
    assert users["admin.plateforme@example.org"].is_platform_admin
    assert not users["camille.martin@example.org"].memberships
    # Ids do not depend on the language the command speaks.
    from seed.demo_specs import demo_id

    assert users["camille.martin@example.org"].id == demo_id("account/citizen")
