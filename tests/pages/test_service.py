"""The service page: what, for whom, how, where, when, contact, area, and "is it for me?"."""

import re
from datetime import date, timedelta

import pytest
from shapely.geometry import MultiPolygon, box

from directory.models import ARCHIVED, DRAFT, SUSPENDED
from tests import factories
from tests.pages.html_checks import get_page

HOURS = {
    "days": {"tu": [["14:00", "17:00"]]},
    "public_holidays_closed": None,
    "note": "Sur rendez-vous",
}
LOCATION_HOURS = {
    "days": {"mo": [["09:00", "12:00"], ["14:00", "17:00"]]},
    "public_holidays_closed": True,
    "note": "",
}


def full_service(**fields):
    org = factories.organisation(name="Mission locale")
    values = dict(
        name="Permis solidaire",
        summary="Un coup de pouce pour passer le permis.",
        description="Cours de code et heures de conduite à tarif réduit.",
        type="accompagnement",
        thematiques=["mobilite--preparer-un-permis"],
        publics=["jeunes"],
        publics_details="Jeunes de 18 à 25 ans.",
        conditions="Être inscrit à la mission locale.",
        required_documents=["Pièce d’identité", "Justificatif de domicile"],
        fees="payant",
        fees_details="50 € pour l’ensemble.",
        modes=["en-presentiel"],
        mobilisation_details="Demandez à votre conseiller.",
        mobilisation_link="https://example.org/inscription",
        languages=["fr", "ar"],
        last_verified_on=date(2026, 3, 3),
        zones=[("departement", "69")],
        at=factories.LYON_3E,
        contact_name="Claire Martin",
        contact_email="claire@example.org",
        contact_phone="04 72 00 00 00",
    )
    values.update(fields)
    svc = factories.service(org, **values)
    svc.modes_mobilisation = ["telephoner", "envoyer-un-courriel"]
    svc.mobilisable_par = ["usagers", "professionnels"]
    location = svc.locations[0]
    location.name = "Antenne Part-Dieu"
    location.address = "5 rue de la Part-Dieu"
    location.postcode = "69003"
    location.city = "Lyon"
    location.accessibility_details = "Ascenseur."
    location.opening_hours = LOCATION_HOURS
    return svc


def test_service_page_tells_what_for_whom_how_and_where_in_french(client, session):
    svc = full_service()

    page = get_page(client, f"/services/{svc.id}")

    assert page.h1 == "Permis solidaire"
    for visible in (
        "Un coup de pouce pour passer le permis.",
        "Cours de code et heures de conduite à tarif réduit.",
        "Type de service Accompagnement",
        "Préparer un permis",
        "Jeunes",
        "Jeunes de 18 à 25 ans.",
        "Être inscrit à la mission locale.",
        "Pièce d’identité",
        "Justificatif de domicile",
        "Payant",
        "50 € pour l’ensemble.",
        "Sur place",
        "Téléphoner",
        "Envoyer un courriel",
        "Usagers",
        "Professionnels",
        "Demandez à votre conseiller.",
        "Antenne Part-Dieu",
        "5 rue de la Part-Dieu",
        "69003 Lyon",
        "Ascenseur.",
        "Lundi 9 h 00–12 h 00, 14 h 00–17 h 00",
        "Jours fériés Fermé",
        "Français",
        "Arabe",
        "Informations vérifiées le 3 mars 2026.",
        "Rhône",
        "En présentiel uniquement : pour les personnes qui habitent à moins de 50 km de l’un "
        "de ses lieux.",
        "Mission locale",
    ):
        assert visible in page.text, visible
    assert page.links()["S’inscrire sur le site du service"] == "https://example.org/inscription"


def test_service_page_in_english(client, session):
    svc = full_service()

    page = get_page(client, f"/services/{svc.id}?lang=en")

    for visible in (
        "Information checked on 3 March 2026.",
        "Type of service",
        "Young people",
        "Monday 9:00–12:00, 14:00–17:00",
        "French",
        "Arabic",
        "Who it is for",
        "within 50 km of one of its places",
    ):
        assert visible in page.text, visible


def test_service_hours_are_shown_when_it_has_its_own(client, session):
    svc = full_service(opening_hours=HOURS)

    page = get_page(client, f"/services/{svc.id}")

    when = page.text.split("Quand ")[1]
    assert when.startswith("Mardi 14 h 00–17 h 00 Sur rendez-vous")


def test_without_hours_the_page_says_to_contact_the_service(client, session):
    svc = factories.service(name="Sans horaires", at=None)

    page = get_page(client, f"/services/{svc.id}")

    assert "Les horaires ne sont pas indiqués : contactez le service avant de vous déplacer." in (
        page.text
    )


def test_contact_is_shown_only_when_public(client, session):
    hidden = full_service(contact_public=False)
    shown = full_service(name="Public", contact_public=True)

    private_page = get_page(client, f"/services/{hidden.id}")
    public_page = get_page(client, f"/services/{shown.id}")

    assert "Les coordonnées sont réservées aux professionnels." in private_page.text
    assert "claire@example.org" not in private_page.html
    assert "04 72 00 00 00" not in private_page.html
    for visible in ("Claire Martin", "claire@example.org", "04 72 00 00 00"):
        assert visible in public_page.text
    assert "réservées aux professionnels" not in public_page.text
    assert public_page.links()["claire@example.org"] == "mailto:claire@example.org"


def test_contact_not_public_in_english(client, session):
    svc = full_service(contact_public=False)

    page = get_page(client, f"/services/{svc.id}?lang=en")

    assert "Contact details are shown to professionals only." in page.text


def test_a_suspended_service_says_until_when(client, session):
    until = date.today() + timedelta(days=30)
    svc = factories.service(name="En pause", status=SUSPENDED, suspended_until=until)

    page = get_page(client, f"/services/{svc.id}?lang=en")

    assert f"This service is suspended until {until.day} " in page.text
    notice = next(e for e in page.tree.iter() if "notice" in (e.get("class") or ""))
    assert "⚠" in notice.text() and "Suspended." in notice.text()


def test_a_suspension_that_is_over_is_not_announced(client, session):
    svc = factories.service(
        name="De retour", status=SUSPENDED, suspended_until=date.today() - timedelta(days=1)
    )

    page = get_page(client, f"/services/{svc.id}")

    assert "suspendu" not in page.text


@pytest.mark.parametrize(
    ("zones", "modes", "polygon", "expected"),
    [
        ([("country", None)], ["a-distance"], False, "Toute la France"),
        (
            [("commune", "69123"), ("epci", "200046977")],
            ["a-distance"],
            False,
            "Lyon Métropole de Lyon",
        ),
        ([], ["a-distance"], False, "Aucune restriction géographique."),
        ([], ["en-presentiel"], True, "Une zone sur mesure tracée sur la carte."),
        (
            [("region", "84")],
            ["en-presentiel"],
            False,
            "Auvergne-Rhône-Alpes En présentiel "
            "uniquement : pour les personnes qui "
            "habitent à moins de 20 km",
        ),
    ],
)
def test_the_area_covered_is_said_in_words(client, session, zones, modes, polygon, expected):
    fields = {"coverage_radius_km": 20} if "en-presentiel" in modes and zones else {}
    svc = factories.service(zones=zones, modes=modes, at=factories.LYON_3E, **fields)
    if polygon:
        svc.coverage_polygon = MultiPolygon([box(4.8, 45.7, 4.9, 45.8)])
    session.flush()

    page = get_page(client, f"/services/{svc.id}")

    area = page.text.split("Zone couverte ")[1]
    assert area.startswith(expected)
    if "a-distance" in modes:
        assert "moins de" not in area.split("Ce service est-il disponible")[0]


@pytest.mark.parametrize(
    "status_or_id",
    [DRAFT, ARCHIVED, "00000000-0000-0000-0000-000000000000", "not-a-uuid", "123", "%00"],
)
def test_unpublished_unknown_or_malformed_services_are_404_pages(client, session, status_or_id):
    if status_or_id in (DRAFT, ARCHIVED):
        ident = factories.service(status=status_or_id).id
    else:
        ident = status_or_id

    response = client.get(f"/services/{ident}")

    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "Page introuvable" in text
    if status_or_id in (DRAFT, ARCHIVED) or status_or_id.startswith("0000"):
        assert "Ce service n’existe pas ou n’est plus publié." in text


def test_unpublished_service_404_in_english(client, session):
    svc = factories.service(status=DRAFT)

    page = get_page(client, f"/services/{svc.id}?lang=en", status=404)

    assert page.h1 == "Page not found"
    assert "This service does not exist, or is no longer published." in page.text


# --- "Is this service available where I live?" ------------------------------------------------


def verdict_text(page) -> str:
    return next(e for e in page.tree.iter() if e.get("role") == "status").text()


def test_coverage_check_says_yes_for_a_place_in_the_area(client, session):
    svc = factories.service(zones=[("departement", "69")], at=factories.LYON_3E)

    page = get_page(client, f"/services/{svc.id}?q=69100")

    verdict = verdict_text(page)
    assert verdict.startswith("✓ Oui.")
    assert "Villeurbanne se trouve dans la zone couverte par ce service (Rhône)." in verdict
    assert re.search(r"Son lieu le plus proche est à environ \d,\d km\.", verdict)
    assert page.field("check-place").get("value") == "69100"


def test_coverage_check_says_no_outside_the_area(client, session):
    svc = factories.service(zones=[("departement", "69")], modes=["a-distance"])

    page = get_page(client, f"/services/{svc.id}?q=Paris+11e&lang=en")

    assert verdict_text(page) == (
        "✗ No. Paris 11e Arrondissement is outside the area this service covers."
    )


def test_coverage_check_says_too_far_with_the_distance_and_the_limit(client, session):
    svc = factories.service(zones=[("region", "84")], at=factories.LYON_3E, coverage_radius_km=50)

    page = get_page(client, f"/services/{svc.id}?q=Bourg-en-Bresse&lang=en")

    verdict = verdict_text(page)
    assert verdict.startswith("✗ No. This service is in person only and Bourg-en-Bresse is")
    assert re.search(r"about (5[5-9]|6\d) km away, the limit is 50 km\.$", verdict)


def test_coverage_check_for_a_service_without_restriction(client, session):
    svc = factories.service(zones=[], modes=["a-distance"])

    page = get_page(client, f"/services/{svc.id}?q=75011")

    assert verdict_text(page) == "✓ Oui. Ce service n’a pas de restriction géographique."


def test_coverage_check_with_several_places_asks_which_one(client, session):
    svc = factories.service(zones=[("departement", "01")], modes=["a-distance"])

    page = get_page(client, f"/services/{svc.id}?q=01400")

    assert "Plusieurs lieux correspondent à « 01400 ». Lequel ?" in page.text
    link = page.links()["Sandrans (01400)"]
    assert link.startswith(f"/services/{svc.id}?commune=01")
    chosen = get_page(client, link)
    assert verdict_text(chosen).startswith("✓ Oui. Sandrans se trouve dans la zone")


def test_coming_from_an_area_page_answers_for_that_place(client, session):
    svc = factories.service(zones=[("commune", "69123")], modes=["a-distance"])

    page = get_page(client, f"/services/{svc.id}?commune=69383")

    assert verdict_text(page) == (
        "✓ Oui. Lyon 3e Arrondissement se trouve dans la zone couverte par ce service (Lyon)."
    )
    assert page.field("check-place").get("value") == "Lyon 3e Arrondissement"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("zzzz", "Aucune commune ne correspond à « zzzz »."),
        ("00000", "Aucune commune n’a le code postal 00000."),
        ("", "Saisissez un code postal ou le nom d’une commune."),
    ],
)
def test_coverage_check_with_an_unknown_place_shows_a_message_next_to_the_field(
    client, session, typed, message
):
    svc = factories.service()

    page = get_page(client, f"/services/{svc.id}?q={typed}")

    assert page.h1 == svc.name
    assert message in page.field("check-place-error").text()
    assert page.field("check-place").get("aria-invalid") == "true"
    assert not [e for e in page.tree.iter() if e.get("role") == "status"]


def test_the_first_of_the_month_is_written_as_french_writes_it(client, session):
    svc = factories.service(last_verified_on=date(2026, 3, 1))

    assert (
        "Informations vérifiées le 1er mars 2026." in get_page(client, f"/services/{svc.id}").text
    )
    english = get_page(client, f"/services/{svc.id}?lang=en")
    assert "Information checked on 1 March 2026." in english.text


def test_only_web_links_become_clickable(client, session):
    svc = factories.service(mobilisation_link="javascript:alert(1)")
    org = svc.organisation
    org.website = "javascript:alert(2)"
    factories.location(org, accessibility_url="data:text/html,hello")
    session.flush()

    for url in (f"/services/{svc.id}", f"/organisations/{org.id}"):
        page = get_page(client, url)
        hrefs = [a.get("href") or "" for a in page.tree.find_all("a")]
        assert not [h for h in hrefs if h.startswith(("javascript:", "data:"))], url
