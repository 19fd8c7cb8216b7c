"""Who may open and use each listing page: anonymous people, a citizen, members and
administrators of organisation A, a member of B, a territory manager elsewhere, a platform
administrator — and A naming B's organisation and services, which changes nothing of B."""

from datetime import date, timedelta

import pytest

from directory import editing
from directory.history import ChangeRecord, changes_of
from directory.models import PUBLISHED, Service
from tests import factories
from tests.listings.helpers import cast, csrf_token, sign_in

NEED = "mobilite--etre-accompagne-dans-son-parcours-mobilite"
LOGIN, DENIED, OK = "login", 403, 200


def page_urls(org, service):
    return {
        "services": f"/espace/organisations/{org.id}/services",
        "new": f"/espace/organisations/{org.id}/services/nouveau",
        "edit": f"/espace/services/{service.id}/modifier",
        "suspend": f"/espace/services/{service.id}/suspendre",
        "history": f"/espace/services/{service.id}/historique",
    }


EDITORS = {"member_a", "admin_a", "platform_admin"}
# GET status of A's pages, per person.
EXPECTED = {
    "anonymous": {
        "services": LOGIN,
        "new": LOGIN,
        "edit": LOGIN,
        "suspend": LOGIN,
        "history": LOGIN,
    },
    **{
        person: {
            page: OK if person in EDITORS else DENIED
            for page in ("services", "new", "edit", "suspend", "history")
        }
        for person in (
            "citizen",
            "member_a",
            "admin_a",
            "member_b",
            "manager_elsewhere",
            "platform_admin",
        )
    },
}


def outcome(response):
    if response.status_code == 302 and "/login" in response.location:
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("person", list(EXPECTED))
def test_pages_of_organisation_a(client, session, person):
    people = cast()
    sign_in(client, people.people()[person])
    urls = page_urls(people.org_a, people.service_a)

    seen = {page: outcome(client.get(url)) for page, url in urls.items()}

    assert seen == EXPECTED[person]


def test_territory_managers_of_the_departement_read_the_history_but_cannot_edit(client, session):
    people = cast()
    sign_in(client, people.manager_here)
    urls = page_urls(people.org_a, people.service_a)

    assert outcome(client.get(urls["history"])) == OK
    assert {outcome(client.get(urls[p])) for p in ("services", "new", "edit", "suspend")} == {403}


@pytest.mark.parametrize(
    "person",
    [
        "anonymous",
        "citizen",
        "member_a",
        "admin_a",
        "member_b",
        "manager_elsewhere",
        "manager_here",
        "platform_admin",
    ],
)
def test_review_queue(client, session, person):
    people = cast()
    editing.update_service(people.service_a, {"summary": "Changé"}, people.member_a)
    session.commit()
    sign_in(client, getattr(people, person) if person != "anonymous" else None)

    response = client.get("/moderation/modifications")

    expected = {
        "anonymous": LOGIN,
        "manager_elsewhere": OK,
        "manager_here": OK,
        "platform_admin": OK,
    }.get(person, DENIED)
    assert outcome(response) == expected
    if expected == OK:
        shows_a = "Service de A" in response.get_data(as_text=True)
        assert shows_a is (person in ("manager_here", "platform_admin"))


def post_everything(client, service, token):
    """Every POST of the listing pages on `service`, in an order that works for an editor."""
    base = f"/espace/services/{service.id}"
    tomorrow = (date.today() + timedelta(days=30)).isoformat()
    edit = {
        "csrf_token": token,
        "name": "Nouveau nom",
        "thematiques": NEED,
        "modes_accueil": "en-presentiel",
        "update_frequency": "tous-les-3-mois",
        "contact_visibility": "everyone",
    }
    return [
        outcome(client.post(f"{base}/modifier", data=edit)),
        outcome(client.post(f"{base}/confirmer", data={"csrf_token": token})),
        outcome(client.post(f"{base}/suspendre", data={"csrf_token": token, "until": tomorrow})),
        outcome(client.post(f"{base}/publier", data={"csrf_token": token})),
        outcome(client.post(f"{base}/archiver", data={"csrf_token": token})),
        outcome(
            client.post(
                f"/espace/organisations/{service.organisation_id}/services/nouveau",
                data={**edit, "name": "Service créé"},
            )
        ),
    ]


def state(session, service):
    session.expire_all()
    return (
        editing.snapshot(service),
        service.status,
        service.last_verified_on,
        service.suspended_until,
        len(changes_of(service)),
        session.query(Service).filter_by(organisation_id=service.organisation_id).count(),
    )


@pytest.mark.parametrize("person", ["citizen", "member_b", "manager_elsewhere", "manager_here"])
def test_people_outside_a_change_nothing_of_a(client, session, person):
    people = cast()
    people.service_a.last_verified_on = date(2025, 1, 1)
    sign_in(client, getattr(people, person))
    token = csrf_token(client, f"/services/{people.service_a.id}/signaler")
    before = state(session, people.service_a)

    assert post_everything(client, people.service_a, token) == [403] * 6
    assert state(session, people.service_a) == before


def test_anonymous_posts_change_nothing(client, session):
    people = cast()
    token = csrf_token(client, f"/services/{people.service_a.id}/signaler")
    before = state(session, people.service_a)

    assert post_everything(client, people.service_a, token) == [LOGIN] * 6
    assert state(session, people.service_a) == before


@pytest.mark.parametrize("person", ["member_a", "admin_a", "platform_admin"])
def test_editors_of_a_do_everything_on_a(client, session, person):
    people = cast()
    sign_in(client, getattr(people, person))
    token = csrf_token(client, f"/espace/services/{people.service_a.id}/modifier")

    assert post_everything(client, people.service_a, token) == [302] * 6
    session.expire_all()
    assert people.service_a.name == "Nouveau nom"
    assert people.service_a.status == "archived"
    assert session.query(Service).filter_by(name="Service créé").one().status == "draft"


@pytest.mark.parametrize("person", ["member_a", "admin_a"])
def test_a_naming_b_reads_and_changes_nothing_of_b(client, session, person):
    people = cast()
    editing.update_service(people.service_b, {"summary": "Changé par B"}, people.member_b)
    session.commit()
    sign_in(client, getattr(people, person))
    token = csrf_token(client, f"/espace/services/{people.service_a.id}/modifier")
    before = state(session, people.service_b)
    record = session.query(ChangeRecord).filter_by(entity_id=people.service_b.id).one()

    pages = page_urls(people.org_b, people.service_b)
    assert {page: outcome(client.get(url)) for page, url in pages.items()} == {
        page: 403 for page in pages
    }
    assert post_everything(client, people.service_b, token) == [403] * 6
    reviewed = client.post(
        f"/moderation/modifications/{people.service_b.id}",
        data={"csrf_token": token, "record": str(record.id)},
    )
    assert reviewed.status_code == 403
    # A's own form cannot pull B's places or services in either.
    place_b = factories.location(people.org_b)
    session.commit()
    response = client.post(
        f"/espace/services/{people.service_a.id}/modifier?lang=en",
        data={
            "csrf_token": token,
            "name": "Service de A",
            "thematiques": NEED,
            "modes_accueil": "en-presentiel",
            "update_frequency": "tous-les-6-mois",
            "location_ids": str(place_b.id),
        },
    )
    assert response.status_code == 422
    assert "Choose among your organisation" in response.get_data(as_text=True)

    assert state(session, people.service_b) == before
    session.expire_all()
    assert record.reviewed_at is None
    assert people.service_a.location_links == []


def test_ids_that_name_nothing_are_not_found(client, session):
    people = cast()
    sign_in(client, people.member_a)
    for url in (
        "/espace/services/not-a-uuid/modifier",
        "/espace/services/00000000-0000-0000-0000-000000000000/modifier",
        "/espace/organisations/00000000-0000-0000-0000-000000000000/services",
        "/espace/services/00000000-0000-0000-0000-000000000000/historique",
    ):
        assert client.get(url).status_code == 404, url


def test_posts_without_a_valid_csrf_token_are_refused(client, session):
    people = cast()
    sign_in(client, people.member_a)
    base = f"/espace/services/{people.service_a.id}"
    before = state(session, people.service_a)

    for data in ({}, {"csrf_token": "forged"}):
        assert client.post(f"{base}/archiver", data=data).status_code == 400
        assert client.post(f"{base}/modifier", data={**data, "name": "X" * 10}).status_code == 400

    assert state(session, people.service_a) == before
    assert people.service_a.status == PUBLISHED
