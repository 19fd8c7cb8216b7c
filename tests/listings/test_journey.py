"""A member creates, edits, publishes, suspends and archives a service through the pages, as a
browser would (CSRF tokens read from the forms); wrong input is shown again on its field."""

from datetime import date, timedelta

import pytest

from directory.history import changes_of
from directory.models import ARCHIVED, DRAFT, PUBLISHED, SUSPENDED, Service
from tests import factories
from tests.listings.helpers import form_values, post_form, replace
from tests.pages.html_checks import get_page, parse

NEED = "mobilite--etre-accompagne-dans-son-parcours-mobilite"
OTHER_NEED = "numerique--acquerir-un-equipement"


@pytest.fixture
def member(session):
    org = factories.organisation(name="Mission locale", commune_code="69123")
    place = factories.location(org, name="Agence Part-Dieu")
    person = factories.user(name="Camille")
    factories.membership(person, org)
    return person, org, place


def english(url: str) -> str:
    return url + ("&" if "?" in url else "?") + "lang=en"


def test_create_edit_publish_suspend_archive(client, session, member):
    person, org, place = member
    factories.login(client, person)
    new_url = f"/espace/organisations/{org.id}/services/nouveau"

    response = post_form(
        client,
        english(new_url),
        new_url,
        name="Atelier <b>mobilité</b>",
        summary="Passer le permis",
        description="<script>alert('x')</script>\nDeux séances.",
        thematiques=[NEED],
        modes_accueil=["en-presentiel"],
        publics=["jeunes"],
        location_ids=[str(place.id)],
        opening_hours="Mo-Fr 09:00-12:00; PH off",
        zones="departement 69\ncommune 01053",
        coverage_radius_km="25",
        languages="français, anglais",
        documents_suggested=["Curriculum vitae"],
        documents_other="Une photo",
        contact_visibility="everyone",
        contact_email="atelier@example.org",
        contact_phone="04 72 00 00 00",
        update_frequency="tous-les-3-mois",
    )
    assert response.status_code == 302
    service = session.query(Service).filter_by(organisation_id=org.id).one()
    edit_url = f"/espace/services/{service.id}/modifier"
    assert response.location.endswith(edit_url)
    assert service.status == DRAFT
    assert service.languages == ["fr", "en"]
    assert service.required_documents == ["Curriculum vitae", "Une photo"]
    assert service.locations == [place] and service.contact_public
    assert sorted((z.kind, z.code) for z in service.zones) == [
        ("commune", "01053"),
        ("departement", "69"),
    ]

    page = get_page(client, english(edit_url))
    assert "is saved as a draft" in page.text
    # The form shows what is stored, so saving it untouched changes nothing.
    resp = client.post(edit_url, data=_multi(form_values(page.tree, edit_url)))
    assert resp.status_code == 302
    assert [r.field for r in changes_of(service)] == ["status"]

    response = post_form(
        client, english(edit_url), edit_url, name="Atelier mobilité", thematiques=[NEED, OTHER_NEED]
    )
    assert response.status_code == 302
    session.expire_all()
    assert {
        r.field: (r.old_value, r.new_value) for r in changes_of(service) if r.field != "status"
    } == {
        "name": ("Atelier <b>mobilité</b>", "Atelier mobilité"),
        "thematiques": ([NEED], sorted([NEED, OTHER_NEED])),
    }
    assert all(r.changed_by_id == person.id for r in changes_of(service))

    response = post_form(client, english(edit_url), f"/espace/services/{service.id}/publier")
    assert response.status_code == 302
    session.expire_all()
    assert service.status == PUBLISHED

    public = get_page(client, english(f"/services/{service.id}"))
    assert "<script>alert('x')</script>" in public.text  # shown as text
    assert "<script>alert" not in public.html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in public.html
    assert "Report an error on this page" in public.text

    until = date.today() + timedelta(days=20)
    suspend_url = f"/espace/services/{service.id}/suspendre"
    response = post_form(client, english(suspend_url), suspend_url, until=until.isoformat())
    assert response.status_code == 302
    session.expire_all()
    assert (service.status, service.suspended_until) == (SUSPENDED, until)

    response = post_form(client, english(edit_url), f"/espace/services/{service.id}/archiver")
    assert response.status_code == 302
    session.expire_all()
    assert service.status == ARCHIVED
    assert client.get(f"/services/{service.id}").status_code == 404

    listing = get_page(client, english(f"/espace/organisations/{org.id}/services"))
    assert "Atelier mobilité" in listing.text and "Archived" in listing.text
    history = get_page(client, english(f"/espace/services/{service.id}/historique"))
    assert "Camille" in history.text and "Atelier <b>mobilité</b>" in history.text
    assert "Suspended" in history.text and "Archived" in history.text


def _multi(values):
    from werkzeug.datastructures import MultiDict

    return MultiDict(values)


BAD_INPUT = [
    # field group, changes, the field whose message shows, words of the message
    ("presentation", {"name": ""}, "name", "This field is required."),
    ("presentation", {"name": "x" * 151}, "name", "Use at most 150 characters"),
    ("presentation", {"summary": "<script>" + "x" * 300}, "summary", "at most 280"),
    ("presentation", {"type": "pas-un-type"}, "type", "is not one of the choices"),
    ("needs", {"thematiques": ["pas-un-besoin"]}, "thematiques", "not among the choices"),
    ("needs", {"thematiques": []}, "thematiques", "Choose at least one need"),
    ("publics", {"publics": ["tous-publics", "jeunes"]}, "publics", "choose it alone"),
    ("modes", {"modes_accueil": []}, "modes_accueil", "Say how the service is delivered"),
    (
        "modes",
        {"mobilisation_link": "javascript:alert(1)"},
        "mobilisation_link",
        "Enter a web address",
    ),
    ("fees", {"fees": "cher"}, "fees", "is not one of the choices"),
    ("documents", {"documents_other": "y" * 201}, "documents_other", "at most 200 characters"),
    ("languages", {"languages": "français, elfique"}, "languages", "not a language we know"),
    ("duration", {"duration_weeks": "deux"}, "duration_weeks", "Enter a whole number."),
    ("contact", {"contact_email": "<script>@"}, "contact_email", "Enter an email address"),
    ("contact", {"contact_phone": "02-30-février"}, "contact_phone", "Enter a phone number"),
    ("hours", {"opening_hours": "Mo 25:00-26:00"}, "opening_hours", "opening_hours"),
    ("coverage", {"zones": "commune 99999"}, "zones", "No commune has the code 99999."),
    ("coverage", {"zones": "Atlantide"}, "zones", "is not an area"),
    ("coverage", {"coverage_radius_km": "500"}, "coverage_radius_km", "from 1 to 200"),
    ("coverage", {"coverage_radius_km": "loin"}, "coverage_radius_km", "Enter a number"),
    ("frequency", {"update_frequency": "parfois"}, "update_frequency", "how often"),
]


@pytest.mark.parametrize(
    ("group", "changes", "field", "words"),
    BAD_INPUT,
    ids=[f"{g}-{f}-{i}" for i, (g, _c, f, _w) in enumerate(BAD_INPUT)],
)
def test_bad_input_is_shown_on_its_field_and_changes_nothing(
    client, session, member, group, changes, field, words
):
    person, org, _place = member
    service = factories.service(org, name="Atelier", status=PUBLISHED, description="Avant")
    factories.login(client, person)
    edit_url = f"/espace/services/{service.id}/modifier"
    page = get_page(client, english(edit_url))
    values = replace(form_values(page.tree, edit_url), description="Typed text kept", **changes)

    response = client.post(english(edit_url), data=_multi(values))

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    tree = parse(html)
    error = next(e for e in tree.iter() if e.get("id") == f"{field}-error")
    assert words in error.text()
    assert "Typed text kept" in html  # what was typed is kept
    session.expire_all()
    assert service.description == "Avant"
    assert service.name == "Atelier"
    assert changes_of(service) == []


def test_the_form_pages_pass_the_accessibility_checks_with_errors(client, session, member):
    person, org, _place = member
    service = factories.service(org, status=PUBLISHED)
    factories.login(client, person)
    edit_url = f"/espace/services/{service.id}/modifier"
    page = get_page(client, english(edit_url))
    values = replace(
        form_values(page.tree, edit_url),
        name="",
        thematiques=[],
        zones="nulle part",
        contact_email="x",
    )
    response = client.post(english(edit_url), data=_multi(values))
    from tests.pages.html_checks import accessibility_problems

    tree = parse(response.get_data(as_text=True))
    assert accessibility_problems(tree) == []
    name = next(e for e in tree.iter() if e.get("id") == "name")
    assert name.get("aria-invalid") == "true" and "name-error" in name.get("aria-describedby")
    summary = next(e for e in tree.iter() if e.get("id") == "error-summary-title")
    assert summary is not None
    for url in (
        f"/espace/organisations/{org.id}/services",
        f"/espace/organisations/{org.id}/services/nouveau",
        f"/espace/services/{service.id}/suspendre",
        f"/espace/services/{service.id}/historique",
    ):
        get_page(client, english(url))


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2026-02-30", "is not a date that exists"),
        ("31/04/2027", "is not a date that exists"),
        ("2020-01-01", "Choose a date after today."),
        (date.today().isoformat(), "Choose a date after today."),
        ("bientôt", "Enter a date like 31/03/2026."),
        ("", "Enter a date."),
    ],
)
def test_impossible_or_past_suspension_dates_are_refused(client, session, member, typed, message):
    person, org, _place = member
    service = factories.service(org, status=PUBLISHED)
    factories.login(client, person)
    url = f"/espace/services/{service.id}/suspendre"

    response = post_form(client, english(url), url, until=typed)

    assert response.status_code == 422
    tree = parse(response.get_data(as_text=True))
    error = next(e for e in tree.iter() if e.get("id") == "until-error")
    assert message in error.text()
    session.expire_all()
    assert service.status == PUBLISHED and service.suspended_until is None


def test_publishing_without_needs_says_why_and_keeps_the_draft(client, session, member):
    person, org, _place = member
    service = factories.service(org, status=DRAFT, thematiques=[])
    factories.login(client, person)
    edit_url = f"/espace/services/{service.id}/modifier"

    response = post_form(client, english(edit_url), f"/espace/services/{service.id}/publier")

    assert response.status_code == 302
    page = get_page(client, english(edit_url))
    assert "Choose at least one need to publish this service." in page.text
    session.expire_all()
    assert service.status == DRAFT


def test_confirming_marks_the_service_checked_today(client, session, member):
    person, org, _place = member
    service = factories.service(org, last_verified_on=date(2024, 1, 1))
    factories.login(client, person)
    edit_url = f"/espace/services/{service.id}/modifier"
    page = get_page(client, english(edit_url))
    assert "This information is due for a check." in page.text

    response = post_form(client, english(edit_url), f"/espace/services/{service.id}/confirmer")

    assert response.status_code == 302
    session.expire_all()
    assert service.last_verified_on == date.today()
