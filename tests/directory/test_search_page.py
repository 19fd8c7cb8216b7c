"""The search page, /recherche: the form, results as cards a page at a time, the form again
with messages next to the fields, a choice of communes, and suggestions when nothing is
found. In English (?lang=en) unless the test is about French."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests import factories as f
from tests.factories import LYON_3E, VILLEFRANCHE, VILLEURBANNE
from tests.pages.html_checks import get_page

PERMIS = "mobilite--preparer-un-permis"
VELO = "mobilite--mobilite-douce-partagee-collective"


def result_names(page) -> list[str]:
    return [h.text() for h in page.tree.find_all("h3")]


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def field_error(page, field_id: str) -> str:
    return page.field(f"{field_id}-error").text()


@pytest.fixture
def catalogue(session):
    org = f.organisation(name="Mission locale")
    permis = f.service(org, name="Permis solidaire", at=VILLEURBANNE, thematiques=[PERMIS],
                       summary="Un coup de pouce pour le permis.", publics=["jeunes"])
    f.service(name="Garage solidaire", at=VILLEFRANCHE, thematiques=[VELO])
    f.service(name="Conseil en ligne", modes=["a-distance"], zones=[("country", None)])
    session.commit()
    return {"permis": permis}


def test_the_empty_page_shows_the_form_and_no_results(client):
    page = get_page(client, "/recherche?lang=en")

    assert page.h1 == "Search services"
    assert result_names(page) == []
    for label in ("Need", "Words (optional)", "Postcode or commune", "Distance", "More filters",
                  "For whom", "How", "Cost", "Kind of service", "Open now"):
        assert label in page.text
    assert page.field("where").get("data-autocomplete") == "/api/v1/communes"
    selected = [o.get("value") for o in page.field("radius_km").find_all("option")
                if "selected" in o.attrs]
    assert selected == ["50"]  # the platform's default reach


def test_a_link_may_preset_the_need(client):
    page = get_page(client, "/recherche?lang=en&need=mobilite")

    selected = [o.get("value") for o in page.field("need").find_all("option")
                if "selected" in o.attrs]
    assert selected == ["mobilite"]
    assert "Transport and mobility: all needs" in page.text


def test_results_are_cards_with_organisation_summary_distance_and_needs(client, catalogue):
    page = get_page(client, "/recherche?lang=en&where=69100&radius_km=30")

    assert result_names(page) == ["Permis solidaire", "Garage solidaire", "Conseil en ligne"]
    assert "3 services" in page.text
    assert "Around Villeurbanne" in page.text
    permis = catalogue["permis"]
    assert page.links()["Permis solidaire"] == f"/services/{permis.id}?commune=69266"
    cards = page.tree.find_all("li")
    card = next(c for c in cards if c.get("class") == "result" and "Permis" in c.text())
    for visible in ("Mission locale", "Un coup de pouce pour le permis.", "Distance 0.9 km",
                    "Needs Prepare for a driving licence"):
        assert visible in card.text()
    remote = next(c for c in cards if c.get("class") == "result" and "Conseil" in c.text())
    assert "Remote: by phone or online" in remote.text()
    assert "km" not in remote.text()
    # The form shows what was asked, and keeps the place for the next search.
    assert page.field("where").get("value") == "69100"
    hidden = {i.get("name"): i.get("value") for i in page.tree.find_all("input")
              if i.get("type") == "hidden"}
    assert hidden == {"kept_commune": "69266", "kept_where": "69100"}


def test_a_commune_chosen_in_the_autocomplete_is_searched(client, catalogue):
    page = get_page(client, "/recherche?lang=en&where=Lyon+3e+Arrondissement+(69)&commune=69383")

    assert "Around Lyon 3e Arrondissement" in page.text
    assert page.field("where").get("value") == "Lyon 3e Arrondissement (69)"


def test_searching_again_with_the_same_text_keeps_the_place_shown(client, catalogue):
    again = get_page(client, "/recherche?lang=en&where=Lyon+3e+Arrondissement+(69)"
                             "&kept_commune=69383&kept_where=Lyon+3e+Arrondissement+(69)"
                             f"&need={PERMIS}")
    changed = get_page(client, "/recherche?lang=en&where=Villeurbanne"
                               "&kept_commune=69383&kept_where=Lyon+3e+Arrondissement+(69)")

    assert "Around Lyon 3e Arrondissement" in again.text
    assert result_names(again) == ["Permis solidaire"]
    assert "Around Villeurbanne" in changed.text


def test_need_words_and_filters_narrow_the_results(client, catalogue):
    need = get_page(client, f"/recherche?lang=en&where=69100&need={PERMIS}")
    words = get_page(client, "/recherche?lang=en&where=69100&q=garage")
    remote = get_page(client, "/recherche?lang=en&where=69100&mode=a-distance")
    young = get_page(client, "/recherche?lang=en&where=69100&publics=jeunes&publics=seniors")

    assert result_names(need) == ["Permis solidaire"]
    assert "1 service" in need.text
    assert result_names(words) == ["Garage solidaire"]
    assert words.field("q").get("value") == "garage"
    assert result_names(remote) == ["Conseil en ligne"]
    assert result_names(young) == ["Permis solidaire"]
    checked = [i.get("value") for i in young.tree.find_all("input")
               if i.get("name") == "publics" and "checked" in i.attrs]
    assert checked == ["jeunes", "seniors"]
    assert "open" in young.tree.find_all("details")[0].attrs  # a filter set is not hidden
    assert "open" not in need.tree.find_all("details")[0].attrs


def test_wrong_fields_show_the_form_again_with_each_message_next_to_its_field(client, catalogue):
    page = get_page(client, "/recherche?lang=en&where=&q=permis&radius_km=abc&publics=martiens",
                    status=422)

    assert page.tree.find_all("title")[0].text().startswith("Error:")
    assert result_names(page) == []
    assert field_error(page, "where") == "⚠ Error: Enter a postcode or a commune name."
    assert field_error(page, "radius_km") == (
        "⚠ Error: The distance must be a number of kilometres, more than 0 and at most 200.")
    assert field_error(page, "publics") == "⚠ Error: Unknown public code(s): martiens."
    where = page.field("where")
    assert where.get("aria-invalid") == "true"
    assert "where-error" in where.get("aria-describedby").split()
    assert page.field("q").get("value") == "permis"  # as typed
    summary = page.field("error-summary-title").parent
    links = [(a.get("href"), a.text()) for a in summary.find_all("a")]
    assert [href for href, _text in links] == ["#where", "#radius_km", "#publics"]
    assert links[0][1] == "Postcode or commune: Enter a postcode or a commune name."
    assert "open" in page.tree.find_all("details")[0].attrs  # the wrong filter is visible


def test_a_place_nobody_knows_is_said_next_to_the_place_box(client):
    page = get_page(client, "/recherche?lang=en&where=Atlantide", status=422)

    assert field_error(page, "where") == (
        "⚠ Error: No commune matches “Atlantide”. Check the spelling, or enter a postcode.")
    assert page.field("where").get("value") == "Atlantide"


def test_a_postcode_of_several_communes_offers_them_as_links(client):
    page = get_page(client, f"/recherche?lang=en&where=01400&need={PERMIS}&q=aide", status=422)

    assert field_error(page, "where") == (
        "⚠ Error: “01400” matches several places: choose yours below.")
    links = page.links()
    chosen = links["Sandrans (01400)"]
    assert query_of(chosen)["commune"] == ["01393"]
    assert query_of(chosen)["need"] == [PERMIS]  # the rest of the search is kept
    assert "Châtillon-sur-Chalaronne (01400)" in links
    # Following a choice searches there.
    choice = get_page(client, links["Châtillon-sur-Chalaronne (01400)"].replace("&q=aide", ""))
    assert "Around Châtillon-sur-Chalaronne" in choice.text


def test_a_postcode_given_in_the_address_works_like_the_place_box(client, catalogue):
    page = get_page(client, "/recherche?lang=en&postcode=69100")

    assert "Around Villeurbanne" in page.text
    assert page.field("where").get("value") == "69100"
    ambiguous = get_page(client, "/recherche?lang=en&postcode=01400", status=422)
    assert "Sandrans" in ambiguous.links()


def test_when_nothing_is_found_the_suggestions_are_links_that_apply_them(client, catalogue):
    radius = get_page(client, f"/recherche?lang=en&where=69100&need={VELO}&radius_km=10")
    filters = get_page(client, f"/recherche?lang=en&where=69100&need={PERMIS}&publics=seniors"
                               "&open_now=on")
    words = get_page(client, "/recherche?lang=en&where=69100&q=xylophone")

    assert result_names(radius) == []
    assert "0 services" in radius.text
    wider = radius.links()["Widen to 30 km (1 service)"]
    assert query_of(wider)["radius_km"] == ["30"]
    widened = get_page(client, wider)
    assert result_names(widened) == ["Garage solidaire"]
    # The wider distance is shown as chosen in the form.
    selected = [o.get("value") for o in widened.field("radius_km").find_all("option")
                if "selected" in o.attrs]
    assert selected == ["30"]
    need = radius.links()["Try the need “Prepare for a driving licence” (1 service)"]
    assert result_names(get_page(client, need)) == ["Permis solidaire"]

    unfiltered = filters.links()["Remove the filters (1 service)"]
    assert "publics" not in query_of(unfiltered) and "open_now" not in query_of(unfiltered)
    assert result_names(get_page(client, unfiltered)) == ["Permis solidaire"]

    without_words = words.links()["Search without the words (3 services)"]
    assert "q" not in query_of(without_words)
    assert len(result_names(get_page(client, without_words))) == 3


def test_nothing_found_and_nothing_to_suggest_says_so(client):
    page = get_page(client, "/recherche?lang=en&where=69100")

    assert "No service matches this search here." in page.text


def test_results_come_twenty_a_page_with_previous_and_next_links(client, session):
    org = f.organisation()
    for n in range(23):
        f.service(org, name=f"Service {n:02d}", at=LYON_3E)
    session.commit()

    first = get_page(client, "/recherche?lang=en&where=69003")
    assert "23 services" in first.text
    assert len(result_names(first)) == 20
    assert "Page 1 of 2" in first.text
    nav = first.tree.find_all("nav")[-1]
    assert nav.get("aria-label") == "Pages of results"
    (following,) = [a for a in nav.find_all("a")]
    assert (following.get("rel"), following.text()) == ("next", "Next page")
    assert query_of(following.get("href"))["page"] == ["2"]

    second = get_page(client, following.get("href"))
    assert len(result_names(second)) == 3
    assert "Page 2 of 2" in second.text
    (previous,) = second.tree.find_all("nav")[-1].find_all("a")
    assert (previous.get("rel"), previous.text()) == ("prev", "Previous page")
    assert set(result_names(first)) | set(result_names(second)) == {
        f"Service {n:02d}" for n in range(23)}
    assert second.tree.find_all("ol")[0].get("start") == "21"

    beyond = get_page(client, "/recherche?lang=en&where=69003&page=7")
    assert "23 services" in beyond.text
    assert "This page is past the last one." in beyond.text
    assert query_of(beyond.links()["Back to the first page"]).get("page") is None


def test_a_wrong_page_number_is_said_in_the_summary(client):
    page = get_page(client, "/recherche?lang=en&where=69003&page=0", status=422)

    assert "Page: The page must be a whole number, 1 or more." in page.text


def test_home_and_area_pages_lead_to_the_search_page(client):
    home = get_page(client, "/?lang=en")
    area = get_page(client, "/communes/69383?lang=en&need=mobilite")

    assert home.links()["Search with words and more filters"] == "/recherche"
    link = area.links()["Search with more filters"]
    assert urlsplit(link).path == "/recherche"
    assert query_of(link) == {"commune": ["69383"], "where": ["Lyon 3e Arrondissement"],
                              "need": ["mobilite"]}
    assert "Around Lyon 3e Arrondissement" in get_page(client, link).text


def test_the_page_speaks_french_by_default(client, catalogue):
    page = get_page(client, "/recherche?where=69100")

    assert page.lang == "fr"
    assert page.h1 == "Rechercher des services"
    assert "3 services" in page.text
    assert "À distance : par téléphone ou en ligne" in page.text
