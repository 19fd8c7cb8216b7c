"""New organisations are moderated: created pending, hidden from the public pages until a
territory manager of their département (or a platform administrator) approves them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from accounts import organisations
from accounts.models import ACTIVE, ADMIN, PENDING, REFUSED, Membership, OutboxEmail
from accounts.organisations import NewOrganisation, find_organisations, siret_problem
from directory.models import (
    MODERATION_APPROVED,
    MODERATION_PENDING,
    MODERATION_REFUSED,
    Organisation,
)
from errors import Conflict, Forbidden, Invalid
from extensions import db
from tests import factories
from tests.accounts.test_permissions import (  # noqa: F401  (fixture)
    build_world,
    hash_each_password_once,
    new_client,
    post,
)

VALID_SIRET = "73282932000074"  # Luhn-valid
LA_POSTE_SIRET = "35600000049837"  # La Poste: digits add up to a multiple of 5


@pytest.fixture
def world(app, app_ctx):
    with app.test_request_context("/?lang=en"):
        yield build_world()


def organisation(**fields):
    """An organisation as stored (column defaults such as its moderation status applied)."""
    org = factories.organisation(**fields)
    db.session.flush()
    return org


def outbox(recipient: str) -> list[OutboxEmail]:
    return list(
        db.session.scalars(sa.select(OutboxEmail).where(OutboxEmail.recipient == recipient))
    )


def declaration(**fields) -> NewOrganisation:
    values = {
        "name": "Épicerie solidaire de la Croix-Rousse",
        "address": "3 rue d'Austerlitz",
        "postcode": "69004",
        "commune": "Lyon",
        "networks": ["ccas-cias"],
    }
    values.update(fields)
    return NewOrganisation(**values)


# ---------------------------------------------------------------------------------------------
# SIRET


@pytest.mark.parametrize(
    "siret, valid",
    [
        (VALID_SIRET, True),
        (LA_POSTE_SIRET, True),
        ("73282932000075", False),  # one digit off
        ("35600000049838", False),
        ("7328293200007", False),  # 13 digits
        ("7328293200007A", False),
    ],
)
def test_siret_is_14_digits_with_its_checksum(app_ctx, siret, valid):
    assert (siret_problem(siret) is None) == valid


# ---------------------------------------------------------------------------------------------
# Creating


def test_a_declared_organisation_is_pending_with_its_creator_asking_to_be_admin(world):
    org = organisations.create_organisation(
        world.citizen, declaration(siret="732 829 320 00074", email="Contact@Epicerie.example")
    )
    assert org.moderation_status == MODERATION_PENDING
    assert (org.siret, org.commune_code, org.city) == (
        VALID_SIRET,
        "69384",
        "Lyon 4e Arrondissement",
    )
    assert org.email == "contact@epicerie.example"
    link = db.session.scalar(sa.select(Membership).where(Membership.organisation_id == org.id))
    assert (link.user_id, link.role, link.status) == (world.citizen.id, ADMIN, PENDING)
    assert len(outbox("territoire.69@example.org")) == 1
    assert len(outbox("platform@example.org")) == 1
    assert outbox("territoire.01@example.org") == []


@pytest.mark.parametrize(
    "fields, code",
    [
        ({"commune": "69266", "postcode": "69100"}, "69266"),  # a typed code
        ({"commune": "Villeurbanne (69)", "postcode": ""}, "69266"),  # an autocomplete label
        ({"commune": "villeurbanne", "postcode": "69100"}, "69266"),
        ({"commune": "", "commune_code": "01053", "postcode": "01000"}, "01053"),
    ],
)
def test_the_commune_is_found_from_a_code_a_name_or_the_autocomplete(world, fields, code):
    values, errors = organisations.validate_new_organisation(declaration(**fields))
    assert values.get("commune_code") == code
    assert "commune" not in errors


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 151}, "name"),
        ({"siret": "12345678901234"}, "siret"),
        ({"siret": "123"}, "siret"),
        ({"networks": ["pas-un-reseau"]}, "networks"),
        ({"address": ""}, "address"),
        ({"postcode": "6900"}, "postcode"),
        ({"commune": "Atlantide"}, "commune"),
        ({"commune": ""}, "commune"),
        ({"commune": "", "commune_code": "99999"}, "commune"),
        ({"email": "pas une adresse"}, "email"),
        ({"phone": "<script>"}, "phone"),
        ({"website": "javascript:alert(1)"}, "website"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_stored(world, fields, field):
    with pytest.raises(Invalid) as error:
        organisations.create_organisation(world.citizen, declaration(**fields))
    assert field in error.value.field_errors
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Organisation.id)).where(Organisation.source == "relais")
        )
        == 0
    )


def test_a_siret_already_on_relais_is_refused(world):
    organisation(siret=VALID_SIRET)
    with pytest.raises(Invalid) as error:
        organisations.create_organisation(world.citizen, declaration(siret=VALID_SIRET))
    assert "siret" in error.value.field_errors


def test_only_verified_users_declare_organisations(world):
    with pytest.raises(Forbidden):
        organisations.create_organisation(factories.user(verified=False), declaration())


# ---------------------------------------------------------------------------------------------
# Deciding


def test_approving_publishes_the_organisation_and_names_its_admin(world):
    org = organisations.create_organisation(world.citizen, declaration())
    queue = organisations.moderation_queue(world.manager_69, second_factor=False)
    assert [item.organisation for item in queue.organisations] == [org]
    assert organisations.moderation_queue(world.manager_01).organisations == []
    organisations.decide_organisation(world.manager_69, org, True, second_factor=False)
    assert org.moderation_status == MODERATION_APPROVED
    link = db.session.scalar(sa.select(Membership).where(Membership.organisation_id == org.id))
    assert (link.status, link.role, link.decided_by_id) == (ACTIVE, ADMIN, world.manager_69.id)
    assert any("approved" in m.subject for m in outbox("citizen@example.org"))
    with pytest.raises(Conflict):
        organisations.decide_organisation(world.manager_69, org, False, second_factor=False)


def test_refusing_refuses_the_organisation_and_its_creator(world):
    org = organisations.create_organisation(world.citizen, declaration())
    organisations.decide_organisation(world.platform, org, False, second_factor=True)
    assert org.moderation_status == MODERATION_REFUSED
    link = db.session.scalar(sa.select(Membership).where(Membership.organisation_id == org.id))
    assert link.status == REFUSED


@pytest.mark.parametrize(
    "who, factor", [("manager_01", True), ("admin_a", True), ("platform", False), ("citizen", True)]
)
def test_others_cannot_moderate(world, who, factor):
    org = organisations.create_organisation(world.citizen, declaration())
    with pytest.raises(Forbidden):
        organisations.decide_organisation(getattr(world, who), org, True, second_factor=factor)
    assert org.moderation_status == MODERATION_PENDING


def test_queue_lists_first_admin_requests_of_organisations_without_admin(world):
    orphan = organisation(name="Sans admin", commune_code="69266")
    request = factories.membership(world.citizen, orphan, role=ADMIN, status=PENDING)
    factories.membership(world.member_b, world.org_a, status=PENDING)  # A has an admin
    assert organisations.moderation_queue(world.manager_69).first_admin_requests == [request]
    assert organisations.moderation_queue(world.manager_01).first_admin_requests == []
    everything = organisations.moderation_queue(world.platform, second_factor=True)
    assert everything.first_admin_requests == [request]
    assert organisations.moderation_queue(world.platform, second_factor=False).count == 0


# ---------------------------------------------------------------------------------------------
# Finding organisations to join


def test_search_by_name_ignores_accents_and_case_and_hides_unapproved(world):
    organisation(name="École de la deuxième chance")
    organisation(name="Ecole cachée", moderation_status=MODERATION_PENDING)
    assert [o.name for o in find_organisations("ecole DEUXIEME")] == ["École de la deuxième chance"]
    assert [o.name for o in find_organisations("bourg")] == ["CCAS de Bourg-en-Bresse"]
    assert find_organisations("") == []


def test_search_by_exact_siret(world):
    org = organisation(name="Avec SIRET", siret=VALID_SIRET)
    assert find_organisations("732 829 320 00074") == [org]
    assert find_organisations("73282932000075") == []


# ---------------------------------------------------------------------------------------------
# Public pages hide everything of unapproved organisations


@pytest.mark.parametrize("status", [MODERATION_PENDING, MODERATION_REFUSED])
def test_public_pages_hide_services_of_unapproved_organisations(app, app_ctx, status):
    hidden_org = organisation(name="Structure en attente", moderation_status=status)
    hidden = factories.service(hidden_org, name="Service caché")
    shown = factories.service(organisation(), name="Service visible")
    db.session.commit()
    client = new_client(app)

    area = client.get("/communes/69383")
    assert area.status_code == 200
    text = area.get_data(as_text=True)
    assert "Service visible" in text and "Service caché" not in text
    assert client.get(f"/services/{hidden.id}").status_code == 404
    assert client.get(f"/organisations/{hidden_org.id}").status_code == 404
    assert client.get(f"/services/{shown.id}").status_code == 200

    hidden_org.moderation_status = MODERATION_APPROVED
    db.session.commit()
    assert "Service caché" in client.get("/communes/69383").get_data(as_text=True)
    assert client.get(f"/services/{hidden.id}").status_code == 200
    assert client.get(f"/organisations/{hidden_org.id}").status_code == 200


def test_approval_through_the_moderation_page_publishes_the_services(app, app_ctx, smtp):
    world = build_world()
    org = organisation(
        name="Nouvelle structure", commune_code="69266", moderation_status=MODERATION_PENDING
    )
    factories.membership(world.citizen, org, role=ADMIN, status=PENDING)
    service = factories.service(org, name="Aide nouvelle")
    db.session.commit()
    visitor = new_client(app)
    assert visitor.get(f"/services/{service.id}").status_code == 404

    manager = new_client(app, world.manager_69)
    page = manager.get("/moderation")
    assert "Nouvelle structure" in page.get_data(as_text=True)
    response = post(manager, f"/moderation/organisations/{org.id}", {"decision": "accept"})
    assert response.status_code == 302
    assert visitor.get(f"/services/{service.id}").status_code == 200
    (email,) = smtp.to("citizen@example.org")
    assert "Nouvelle structure" in email["Subject"]
