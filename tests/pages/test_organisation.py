"""The organisation page: who they are, how to reach them, their places and public services."""

import pytest

from directory.models import ARCHIVED, DRAFT, SUSPENDED
from tests import factories
from tests.pages.html_checks import get_page

HOURS = {
    "days": {"mo": [["09:00", "12:00"]], "tu": [["09:00", "12:00"]], "we": [["09:00", "12:00"]]},
    "public_holidays_closed": True,
    "note": "",
}


def test_organisation_page_shows_who_they_are_and_how_to_reach_them(client, session):
    org = factories.organisation(
        name="CCAS de Villeurbanne",
        networks=["ccas-cias"],
        description="Le centre communal d’action sociale.",
        address="1 place Lazare-Goujon",
        postcode="69100",
        city="Villeurbanne",
        phone="04 78 00 00 00",
        email="ccas@example.org",
        website="https://ccas.example.org",
        accessibility_details="Entrée de plain-pied.",
        accessibility_url="https://acceslibre.beta.gouv.fr/ccas",
        opening_hours=HOURS,
    )
    factories.location(
        org,
        factories.VILLEURBANNE,
        name="Antenne Grandclément",
        address="12 rue Jean-Jaurès",
        postcode="69100",
        city="Villeurbanne",
    )
    factories.service(org, name="Domiciliation")
    factories.service(org, name="Suspendu", status=SUSPENDED)
    factories.service(org, name="Brouillon", status=DRAFT)
    factories.service(org, name="Archivé", status=ARCHIVED)

    page = get_page(client, f"/organisations/{org.id}")

    assert page.h1 == "CCAS de Villeurbanne"
    for visible in (
        "Réseau : Les Centres Communaux d’Action Sociale",
        "Le centre communal d’action sociale.",
        "1 place Lazare-Goujon",
        "69100 Villeurbanne",
        "04 78 00 00 00",
        "ccas@example.org",
        "https://ccas.example.org",
        "Entrée de plain-pied.",
        "Lundi au mercredi 9 h 00–12 h 00",
        "Jours fériés Fermé",
        "Antenne Grandclément",
        "12 rue Jean-Jaurès",
    ):
        assert visible in page.text
    services = [h.text() for h in page.tree.find_all("h3") if h.text() != "Antenne Grandclément"]
    assert services == ["Domiciliation", "Suspendu"]
    assert page.links()["Informations d’accessibilité sur acceslibre"] == (
        "https://acceslibre.beta.gouv.fr/ccas"
    )


def test_organisation_page_in_english(client, session):
    org = factories.organisation(name="CCAS", opening_hours=HOURS)
    session.flush()

    page = get_page(client, f"/organisations/{org.id}?lang=en")

    assert "Network: Municipal and inter-municipal social action centres" in page.text
    assert "Monday to Wednesday 9:00–12:00" in page.text
    assert "This organisation has no published service yet." in page.text


@pytest.mark.parametrize("ident", ["00000000-0000-0000-0000-000000000000", "not-an-id", "42"])
def test_unknown_or_malformed_organisation_is_a_404_page(client, ident):
    page = get_page(client, f"/organisations/{ident}", status=404)

    assert page.h1 == "Page introuvable"
