"""The area page: the active services covering a place, filtered by need."""

from datetime import date, timedelta

import pytest

from directory.models import ARCHIVED, DRAFT, SUSPENDED
from tests import factories
from tests.pages.html_checks import get_page

PERMIS = "mobilite--preparer-un-permis"
CV = "preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation"


def result_names(page) -> list[str]:
    return [h.text() for h in page.tree.find_all("h3")]


def test_area_page_names_the_place_and_its_areas(client):
    page = get_page(client, "/communes/69383")

    assert page.h1 == "Services pour Lyon 3e Arrondissement"
    assert "Métropole de Lyon, Rhône, Auvergne-Rhône-Alpes" in page.text


def test_a_service_covering_lyon_is_listed_in_lyon_3e_and_one_for_paris_is_not(client, session):
    org = factories.organisation(name="Mission locale de Lyon")
    lyon = factories.service(
        org,
        name="Permis solidaire",
        zones=[("commune", "69123")],
        at=factories.LYON_3E,
        summary="Un coup de pouce pour passer le permis.",
        thematiques=[PERMIS],
        publics=["jeunes"],
        modes=["en-presentiel", "a-distance"],
    )
    factories.service(name="Atelier parisien", zones=[("commune", "75056")], at=factories.PARIS_11E)

    page = get_page(client, "/communes/69383")

    assert result_names(page) == ["Permis solidaire"]
    assert "1 service" in page.text
    assert page.links()["Permis solidaire"] == f"/services/{lyon.id}?commune=69383"
    for visible in (
        "Mission locale de Lyon",
        "Un coup de pouce pour passer le permis.",
        "Préparer un permis",
        "Jeunes",
        "Sur place ou à distance",
        "Distance",
    ):
        assert visible in page.text


def test_distance_to_the_nearest_place_is_shown_in_kilometres(client, session):
    factories.service(name="Garage solidaire", at=factories.VILLEFRANCHE)

    page = get_page(client, "/communes/69383")

    assert "Garage solidaire" in result_names(page)
    distance = page.text.split("Distance ")[1].split(" km")[0]
    assert 25 <= int(distance) <= 35  # Villefranche-sur-Saône is about 29 km north


def test_only_active_services_are_listed(client, session):
    today = date.today()
    factories.service(name="Brouillon", status=DRAFT)
    factories.service(name="Archivé", status=ARCHIVED)
    factories.service(name="En pause", status=SUSPENDED, suspended_until=today + timedelta(days=10))
    factories.service(name="De retour", status=SUSPENDED, suspended_until=today - timedelta(days=1))
    factories.service(name="Publié")

    page = get_page(client, "/communes/69383")

    assert sorted(result_names(page)) == ["De retour", "Publié"]
    assert "2 services" in page.text


def test_filter_by_a_need_or_a_whole_category(client, session):
    factories.service(name="Permis", thematiques=[PERMIS])
    factories.service(name="Mobilité", thematiques=["mobilite--financer-ma-mobilite"])
    factories.service(name="CV", thematiques=[CV])

    need = get_page(client, f"/communes/69383?need={PERMIS}")
    category = get_page(client, "/communes/69383?need=mobilite")
    everything = get_page(client, "/communes/69383")

    assert result_names(need) == ["Permis"]
    assert "1 service pour « Préparer un permis »" in need.text
    assert sorted(result_names(category)) == ["Mobilité", "Permis"]
    assert "2 services pour « Mobilité »" in category.text
    assert sorted(result_names(everything)) == ["CV", "Mobilité", "Permis"]
    selected = [o for o in need.tree.find_all("option") if "selected" in o.attrs]
    assert [o.get("value") for o in selected] == [PERMIS]
    select = need.field("need")
    assert select.tag == "select" and select.get("name") == "need"


def test_empty_states_say_so_and_offer_a_way_on(client, session):
    empty = get_page(client, "/communes/69266")
    assert "0 service" in empty.text
    assert "Aucun service couvrant Villeurbanne n’est encore référencé." in empty.text

    factories.service(name="CV", thematiques=[CV])
    filtered = get_page(client, f"/communes/69266?need={PERMIS}")
    assert "Aucun service couvrant Villeurbanne ne répond encore à ce besoin." in filtered.text
    assert filtered.links()["Voir le service pour tous les besoins."] == "/communes/69266"


def test_area_page_in_english(client, session):
    factories.service(name="Permis", thematiques=[PERMIS], publics=["jeunes"])

    page = get_page(client, "/communes/69383?lang=en")

    assert page.h1 == "Services for Lyon 3e Arrondissement"
    for visible in (
        "1 service",
        "Prepare for a driving licence",
        "Young people",
        "In person",
        "All needs",
    ):
        assert visible in page.text


def test_unknown_commune_is_a_404_page_with_the_location_form(client):
    page = get_page(client, "/communes/99999", status=404)

    assert page.h1 == "Page introuvable"
    assert "Aucune commune n’a le code 99999." in page.text
    assert page.field("place").get("name") == "q"


@pytest.mark.parametrize("code", ["abc", "123456", "6938", "69 38", "%00", "69383%00", "--"])
def test_malformed_commune_codes_are_refused_with_a_page_not_a_crash(client, code):
    response = client.get(f"/communes/{code}")

    assert response.status_code in (400, 404)
    assert "Trouver des services près de chez vous" in response.get_data(as_text=True)
