"""Members keep their organisation's details and places true: every field checked at once,
nothing written while anything is wrong, changes recorded, and another organisation's ids
refused."""

import pytest
import sqlalchemy as sa

from directory import organisation_editing
from directory.history import ENTITY_ORGANISATION, ChangeRecord
from directory.models import PUBLISHED, Location, Organisation, ServiceAtLocation
from errors import Conflict, Invalid
from extensions import db
from tests import factories
from tests.listings.helpers import csrf_token, form_values, post_form, replace
from tests.pages.html_checks import get_page, parse

SCRIPT = "<script>alert('x')</script>"


def english(url: str) -> str:
    return url + ("&" if "?" in url else "?") + "lang=en"


def _records(entity_id) -> list[ChangeRecord]:
    return list(
        db.session.scalars(sa.select(ChangeRecord).where(ChangeRecord.entity_id == entity_id))
    )


@pytest.fixture
def member(session):
    org = factories.organisation(
        name="Mission locale", commune_code="69123", postcode="69003", email="ml@example.org"
    )
    place = factories.location(org, name="Agence Part-Dieu")
    person = factories.user(name="Camille")
    factories.membership(person, org)
    session.commit()
    return person, org, place


def _deliver_at(service, place) -> None:
    db.session.add(ServiceAtLocation(service=service, location=place))
    db.session.commit()
    db.session.expire_all()


# ---------------------------------------------------------------------------------------------
# The domain


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"postcode": "6900"}, "postcode", "A postcode has 5 digits"),
        ({"postcode": "69OO3"}, "postcode", "A postcode has 5 digits"),
        ({"commune_code": "99999"}, "commune_code", "No commune has the code 99999."),
        ({"commune_code": "lyon"}, "commune_code", "A commune code has 5 characters"),
        ({"website": "javascript:alert(1)"}, "website", "starting with https://"),
        ({"accessibility_url": "ftp://example.org"}, "accessibility_url", "https://"),
        ({"email": "not an email"}, "email", "email address"),
        ({"phone": "call me"}, "phone", "phone number"),
        ({"description": "x" * 10_001}, "description", "at most 10000 characters"),
        ({"opening_hours": "whenever"}, "opening_hours", ""),
        ({"name": "Autre nom"}, "name", "moderation"),
        ({"siret": "12345678901234"}, "siret", "moderation"),
        ({"colour": "blue"}, "colour", "not part of an organisation"),
    ],
)
def test_wrong_organisation_input_is_refused_and_nothing_changes(
    session, english, member, data, field, message
):
    person, org, _place = member
    before = (org.postcode, org.commune_code, org.website, org.email, org.description)
    with pytest.raises(Invalid) as raised:
        organisation_editing.update_organisation(org, data, person)
    assert message in " ".join(raised.value.field_errors[field])
    session.rollback()
    session.expire_all()
    assert (org.postcode, org.commune_code, org.website, org.email, org.description) == before
    assert _records(org.id) == []


def test_every_wrong_field_is_reported_at_once(session, english, member):
    person, org, _place = member
    with pytest.raises(Invalid) as raised:
        organisation_editing.update_organisation(
            org,
            {"postcode": "1", "commune_code": "99999", "website": "javascript:x", "phone": "?"},
            person,
        )
    assert set(raised.value.field_errors) == {"postcode", "commune_code", "website", "phone"}


def test_organisation_changes_are_stored_as_typed_and_recorded(session, english, member):
    person, org, _place = member
    changes = organisation_editing.update_organisation(
        org,
        {
            "description": SCRIPT,
            "website": "https://mission-locale.example.org",
            "commune_code": "69266",
            "postcode": "69100",
            "opening_hours": "Mo-Fr 09:00-12:00",
        },
        person,
    )
    session.commit()
    assert org.description == SCRIPT  # text, escaped where shown
    assert (org.commune_code, org.city) == ("69266", "Villeurbanne")
    assert org.opening_hours
    assert {c.field for c in changes} == {
        "description",
        "website",
        "commune_code",
        "postcode",
        "opening_hours",
    }
    assert all(c.entity == ENTITY_ORGANISATION and c.changed_by_id == person.id for c in changes)
    assert [c.old_value for c in changes if c.field == "commune_code"] == ["69123"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "required"),
        ({"name": "AB"}, "name", "at least 3"),
        ({"name": "x" * 151}, "name", "at most 150"),
        ({"name": "Lieu", "postcode": "123456"}, "postcode", "5 digits"),
        ({"name": "Lieu", "commune_code": "99999"}, "commune_code", "No commune"),
        ({"name": "Lieu", "latitude": "91", "longitude": "4.8"}, "latitude", "between -90"),
        ({"name": "Lieu", "latitude": "45.7", "longitude": "181"}, "longitude", "between -180"),
        ({"name": "Lieu", "latitude": "abc", "longitude": "4.8"}, "latitude", "between -90"),
        ({"name": "Lieu", "latitude": "45.7"}, "longitude", "both"),
        ({"name": "Lieu", "latitude": "43.0", "longitude": "5.0"}, "latitude", "not in a French"),
        ({"name": "Lieu", "accessibility_url": "javascript:alert(1)"}, "accessibility_url", "http"),
    ],
)
def test_wrong_place_input_is_refused_and_nothing_is_created(
    session, english, member, data, field, message
):
    person, org, _place = member
    with pytest.raises(Invalid) as raised:
        organisation_editing.create_location(org, data, person)
    assert message in " ".join(raised.value.field_errors[field])
    session.rollback()
    names = session.scalars(sa.select(Location.name).where(Location.organisation_id == org.id))
    assert list(names) == ["Agence Part-Dieu"]
    assert _records(org.id) == []


def test_a_place_in_france_is_created_with_its_point(session, english, member):
    person, org, _place = member
    place = organisation_editing.create_location(
        org,
        {"name": "Antenne Lyon 3e", "latitude": "45,7603", "longitude": "4.849",
         "commune_code": "69383", "postcode": "69003", "description": SCRIPT},
        person,
    )
    session.commit()
    assert (place.latitude, place.longitude, place.commune_code) == (45.7603, 4.849, "69383")
    assert place.description == SCRIPT
    assert [r.new_value for r in _records(org.id) if r.field == "locations"] == [
        ["Agence Part-Dieu", "Antenne Lyon 3e"]
    ]


def test_a_stored_point_is_not_checked_again(session, english, member):
    person, org, _place = member
    imported = factories.location(org, at=(43.0, 5.0), name="Lieu importé")
    session.commit()
    organisation_editing.update_location(
        imported, {"name": "Lieu renommé", "latitude": "43.0", "longitude": "5.0"}, person
    )
    assert imported.name == "Lieu renommé"


def test_the_only_place_of_a_published_service_cannot_be_removed(session, english, member):
    person, org, place = member
    service = factories.service(org, name="Atelier CV", status=PUBLISHED)
    _deliver_at(service, place)
    with pytest.raises(Conflict) as raised:
        organisation_editing.delete_location(place, person)
    assert "“Atelier CV” is only delivered there" in raised.value.message

    other = factories.location(org, name="Autre lieu")
    _deliver_at(service, other)
    organisation_editing.delete_location(place, person)
    session.commit()
    assert session.get(Location, place.id) is None


# ---------------------------------------------------------------------------------------------
# Through the pages, as a browser


def test_a_member_edits_the_organisation_through_the_page(client, session, member):
    person, org, _place = member
    factories.login(client, person)
    services_url = f"/espace/organisations/{org.id}/services"
    edit_url = f"/espace/organisations/{org.id}/modifier"

    listing = get_page(client, english(services_url))
    assert listing.links()[f"Edit the details of {org.name}"] == edit_url

    # Saved untouched: nothing changes.
    page = get_page(client, english(edit_url))
    assert page.h1 == "Details of Mission locale"
    response = client.post(edit_url, data=_multi(form_values(page.tree, edit_url)))
    assert response.status_code == 302
    assert _records(org.id) == []

    response = post_form(
        client,
        english(edit_url),
        edit_url,
        description=SCRIPT,
        website="https://ml.example.org",
        opening_hours="Mo-Fr 09:00-12:00; PH off",
    )
    assert response.status_code == 302
    assert response.location.endswith(services_url)
    session.expire_all()
    assert org.description == SCRIPT and org.website == "https://ml.example.org"
    assert {r.field for r in _records(org.id)} == {"description", "website", "opening_hours"}
    assert "Your changes are saved." in get_page(client, english(services_url)).text

    public = get_page(client, english(f"/organisations/{org.id}"))
    assert SCRIPT in public.text
    assert "<script>alert" not in public.html
    assert "&lt;script&gt;" in public.html


def test_wrong_input_is_shown_again_on_its_field(client, session, member):
    person, org, _place = member
    factories.login(client, person)
    edit_url = f"/espace/organisations/{org.id}/modifier"
    response = post_form(
        client, english(edit_url), edit_url, postcode="6900", website="javascript:alert(1)"
    )
    assert response.status_code == 422
    tree = parse(response.get_data(as_text=True))
    postcode = next(e for e in tree.iter() if e.get("id") == "postcode")
    assert postcode.get("value") == "6900"
    assert postcode.get("aria-invalid") == "true"
    assert "postcode-error" in postcode.get("aria-describedby")
    website = next(e for e in tree.iter() if e.get("id") == "website")
    assert website.get("value") == "javascript:alert(1)"
    assert "Enter a web address starting with https://" in response.get_data(as_text=True)
    session.expire_all()
    assert org.postcode == "69003" and org.website is None


def test_a_member_creates_edits_and_removes_a_place(client, session, member):
    person, org, _place = member
    factories.login(client, person)
    services_url = f"/espace/organisations/{org.id}/services"
    new_url = f"/espace/organisations/{org.id}/lieux/nouveau"

    response = post_form(
        client, english(new_url), new_url, name="AB", latitude="43.0", longitude="5.0"
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Use at least 3 characters." in text
    assert "This point is not in a French commune we know." in text
    assert session.scalar(sa.select(sa.func.count(Location.id))) == 1

    response = post_form(
        client,
        english(new_url),
        new_url,
        name="Antenne Villeurbanne",
        postcode="69100",
        commune_code="69266",
        latitude="45.7719",
        longitude="4.8902",
        opening_hours="Mo 14:00-17:00",
    )
    assert response.status_code == 302 and response.location.endswith(services_url)
    place = session.scalars(sa.select(Location).filter_by(name="Antenne Villeurbanne")).one()
    assert place.commune_code == "69266" and place.has_coordinates

    edit_url = f"/espace/lieux/{place.id}/modifier"
    listing = get_page(client, english(services_url))
    assert "The place “Antenne Villeurbanne” is added." in listing.text
    assert listing.links()["Edit the place Antenne Villeurbanne"] == edit_url

    response = post_form(client, english(edit_url), edit_url, name="Antenne Gratte-Ciel")
    assert response.status_code == 302
    session.expire_all()
    assert place.name == "Antenne Gratte-Ciel"
    assert [r.field for r in _records(place.id)].count("name") == 2  # created, then renamed

    delete_url = f"/espace/lieux/{place.id}/supprimer"
    response = post_form(client, english(edit_url), delete_url)
    assert response.status_code == 302 and response.location.endswith(services_url)
    session.expire_all()
    assert session.get(Location, place.id) is None
    assert "The place “Antenne Gratte-Ciel” is removed." in get_page(
        client, english(services_url)
    ).text


def test_removing_the_only_place_of_a_published_service_is_refused(client, session, member):
    person, org, place = member
    service = factories.service(org, name="Atelier CV", status=PUBLISHED)
    _deliver_at(service, place)
    factories.login(client, person)
    edit_url = f"/espace/lieux/{place.id}/modifier"
    response = post_form(client, english(edit_url), f"/espace/lieux/{place.id}/supprimer")
    assert response.status_code == 409
    assert "“Atelier CV” is only delivered there" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Location, place.id) is not None


def test_a_member_of_another_organisation_changes_nothing(client, session, member):
    _person, org_b, place_b = member
    org_a = factories.organisation(name="Structure A", commune_code="69123")
    member_a = factories.user()
    factories.membership(member_a, org_a)
    session.commit()
    factories.login(client, member_a)
    token = csrf_token(client, f"/espace/organisations/{org_a.id}/modifier")

    assert client.get(f"/espace/organisations/{org_b.id}/modifier").status_code == 403
    assert client.get(f"/espace/lieux/{place_b.id}/modifier").status_code == 403
    attempts = [
        (f"/espace/organisations/{org_b.id}/modifier", {"description": "Intrus"}),
        (f"/espace/organisations/{org_b.id}/lieux/nouveau", {"name": "Lieu intrus"}),
        (f"/espace/lieux/{place_b.id}/modifier", {"name": "Renommé"}),
        (f"/espace/lieux/{place_b.id}/supprimer", {}),
    ]
    for url, data in attempts:
        response = client.post(url, data={"csrf_token": token, **data})
        assert response.status_code == 403, url
    session.expire_all()
    assert org_b.description is None
    assert [location.name for location in org_b.locations] == ["Agence Part-Dieu"]
    assert session.get(Organisation, org_b.id).name == "Mission locale"
    assert _records(org_b.id) == [] and _records(place_b.id) == []


def test_anonymous_people_are_sent_to_sign_in(client, member):
    _person, org, place = member
    for url in (
        f"/espace/organisations/{org.id}/modifier",
        f"/espace/organisations/{org.id}/lieux/nouveau",
        f"/espace/lieux/{place.id}/modifier",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.location


def _multi(values):
    from werkzeug.datastructures import MultiDict

    return MultiDict(replace(values))
