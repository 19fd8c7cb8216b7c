"""The home page: what Relais is, the location box, and the needs to browse."""

from tests import factories
from tests.pages.html_checks import get_page

PERMIS = "mobilite--preparer-un-permis"


def test_home_page_explains_relais_and_asks_where_the_person_lives_in_french(client):
    page = get_page(client, "/")

    assert page.lang == "fr"
    assert page.h1 == "Trouver un service d’accompagnement près de chez vous"
    assert "Où habitez-vous ?" in page.text
    box = page.field("place")
    assert box.get("name") == "q" and box.get("type") == "text"
    assert "Code postal ou commune" in page.text
    assert "Un code postal ou le nom d’une commune, par exemple 69003 ou Villeurbanne." in page.text
    form = next(a for a in box.ancestors() if a.tag == "form")
    assert form.get("action") == "/lieu" and form.get("method") == "get"


def test_home_page_lists_the_sixteen_categories_with_their_needs(client):
    page = get_page(client, "/")

    categories = page.tree.find_all("h3")
    assert len(categories) == 16
    assert "Mobilité" in [h.text() for h in categories]
    assert "Préparer un permis" in page.text
    assert "Trouver un emploi" in page.text


def test_without_a_place_a_need_leads_to_the_location_step_keeping_the_need(client):
    page = get_page(client, "/")

    assert page.links()["Préparer un permis"] == f"/lieu?need={PERMIS}"
    step = get_page(client, f"/lieu?need={PERMIS}")
    assert step.h1 == "Où habitez-vous ?"
    assert "Vous cherchez : Préparer un permis" in step.text
    hidden = [i for i in step.tree.find_all("input") if i.get("name") == "need"]
    assert [i.get("value") for i in hidden] == [PERMIS]


def test_once_a_place_is_known_needs_link_straight_to_its_area(client, session):
    get_page(client, "/communes/69383")

    page = get_page(client, "/")

    assert page.links()["Préparer un permis"] == f"/communes/69383?need={PERMIS}"
    assert "services pour Lyon 3e Arrondissement" in page.text


def test_home_page_in_english(client):
    page = get_page(client, "/?lang=en")

    assert page.lang == "en"
    assert page.h1 == "Find a support service near you"
    assert "Postcode or commune" in page.text
    assert "Transport and mobility" in page.text
    assert "Prepare for a driving licence" in page.text


def test_location_box_is_ready_for_the_autocomplete_script(client):
    page = get_page(client, "/")

    box = page.field("place")
    assert box.get("data-autocomplete") == "/api/v1/communes"
    assert box.get("autocomplete") == "off"
    assert box.get("aria-describedby") == "place-hint"
    scripts = [s.get("src") for s in page.tree.find_all("script")]
    assert scripts == ["/static/js/place-autocomplete.js"]


def test_static_files_are_served_from_the_site(client):
    for path in ("/static/js/place-autocomplete.js", "/static/css/relais.css"):
        response = client.get(path)
        assert response.status_code == 200
        response.close()


def test_footer_credits_the_geographic_data_and_data_inclusion(client, session):
    factories.service()
    page = get_page(client, "/")

    assert "Données géographiques : INSEE, IGN, DILA — Licence Ouverte / Etalab 2.0" in page.text
    assert "data·inclusion" in page.text
