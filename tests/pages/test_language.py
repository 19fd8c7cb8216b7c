"""French by default, English on request, remembered for the visit; the switch is in the header."""

from tests.pages.html_checks import Page, get_page, parse


def switch_link(page):
    return next(a for a in page.tree.find_all("a") if a.get("hreflang"))


def test_pages_are_french_by_default(client):
    page = get_page(client, "/communes/69383")

    assert page.lang == "fr"
    assert "Aller au contenu principal" in page.text


def test_the_switch_offers_english_on_the_same_page_keeping_its_parameters(client):
    page = get_page(client, "/communes/69383?need=mobilite")

    link = switch_link(page)
    assert link.get("href") == "/communes/69383?need=mobilite&lang=en"
    assert link.get("lang") == "en"
    assert link.text() == "Changer de langue : English"


def test_english_is_remembered_until_french_is_asked_for(client):
    english = get_page(client, "/?lang=en")
    assert english.lang == "en"
    assert switch_link(english).get("href") == "/?lang=fr"
    assert switch_link(english).text() == "Change language: Français"

    assert get_page(client, "/communes/69383").lang == "en"
    assert get_page(client, "/?lang=fr").lang == "fr"
    assert get_page(client, "/").lang == "fr"


def test_a_browser_asking_for_english_gets_english(client):
    response = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})

    assert '<html lang="en">' in response.get_data(as_text=True)


def test_error_pages_follow_the_language_too(client):
    assert "Page not found" in client.get("/nowhere?lang=en").get_data(as_text=True)
    page = get_page(client, "/nowhere?lang=fr", status=404)
    assert page.h1 == "Page introuvable"
    assert "Cette page n’existe pas ou n’est plus publiée." in page.text


def test_the_switch_never_points_at_another_site(client):
    response = client.get(
        "/", query_string={"lang": "en"}, environ_overrides={"PATH_INFO": "//evil.example/path"}
    )

    assert response.status_code == 404
    link = switch_link(Page(404, "", parse(response.get_data(as_text=True))))
    assert link.get("href") == "/evil.example/path?lang=fr"
