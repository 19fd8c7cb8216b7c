"""The location step: /lieu turns what was typed into an area page, a choice, or the form again
with a message next to the field."""

import pytest

from tests.pages.html_checks import get_page


def lookup(client, query: str):
    return client.get(f"/lieu?{query}")


@pytest.mark.parametrize("typed", ["69100", "villeurbanne", "  Villeurbanne ", "VILLEURBANNE"])
def test_a_postcode_or_name_with_one_commune_goes_to_its_area(client, typed):
    response = lookup(client, f"q={typed}")

    assert response.status_code == 302
    assert response.location == "/communes/69266"


def test_an_arrondissement_goes_to_its_own_area(client):
    assert lookup(client, "q=69003").location == "/communes/69383"
    assert lookup(client, "q=Lyon+3").location == "/communes/69383"


def test_the_need_is_kept_on_the_way_to_the_area(client):
    response = lookup(client, "q=69100&need=mobilite--preparer-un-permis")

    assert response.location == "/communes/69266?need=mobilite--preparer-un-permis"


def test_a_commune_chosen_in_the_autocomplete_wins_over_the_text(client):
    response = lookup(client, "q=Lyon+3e+Arrondissement+(69)&commune=69383")

    assert response.location == "/communes/69383"


def test_a_stale_autocomplete_code_falls_back_to_the_text(client):
    assert lookup(client, "q=villeurbanne&commune=99999").location == "/communes/69266"
    assert lookup(client, "q=villeurbanne&commune=nonsense").location == "/communes/69266"


def test_a_postcode_of_several_communes_offers_a_choice(client):
    page = get_page(client, "/lieu?q=01400&need=mobilite")

    assert page.h1 == "De quel lieu s’agit-il ?"
    assert "10 lieux correspondent à « 01400 »." in page.text
    links = page.links()
    assert links["Châtillon-sur-Chalaronne (01400)"] == "/communes/01093?need=mobilite"
    assert "Sandrans (01400)" in links


def test_a_name_shared_by_several_places_offers_a_choice(client):
    page = get_page(client, "/lieu?q=lyon")

    assert "Lyon (69)" in page.links()
    assert page.links()["Lyon 3e Arrondissement (69)"] == "/communes/69383"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Saisissez un code postal ou le nom d’une commune."),
        ("   ", "Saisissez un code postal ou le nom d’une commune."),
        (
            "00000",
            "Aucune commune n’a le code postal 00000. Vérifiez-le ou saisissez le nom "
            "de la commune.",
        ),
        (
            "zzzz",
            "Aucune commune ne correspond à « zzzz ». Vérifiez l’orthographe ou saisissez "
            "un code postal.",
        ),
        ("690", "Un code postal a 5 chiffres, par exemple 69003."),
        ("x" * 101, "Saisissez un code postal (5 chiffres) ou le nom d’une commune."),
        (
            "%",
            "Aucune commune ne correspond à « % ». Vérifiez l’orthographe ou saisissez un "
            "code postal.",
        ),
    ],
)
def test_nothing_found_shows_the_form_again_with_the_message_next_to_the_field(
    client, typed, message
):
    page = get_page(client, f"/lieu?q={typed.replace('%', '%25')}", status=422)

    assert page.h1 == "Trouver un service d’accompagnement près de chez vous"
    error = page.field("place-error")
    assert error.text() == f"⚠ Erreur : {message}"
    box = page.field("place")
    assert box.get("value") == typed
    assert box.get("aria-invalid") == "true"
    assert box.get("aria-describedby") == "place-hint place-error"
    assert page.tree.find_all("title")[0].text().startswith("Erreur :")


def test_the_message_is_in_english_for_english_readers(client):
    page = get_page(client, "/lieu?q=zzzz&lang=en", status=422)

    assert "No commune matches “zzzz”. Check the spelling, or enter a postcode." in page.text


def test_the_need_survives_a_failed_lookup(client):
    page = get_page(client, "/lieu?q=zzzz&need=mobilite--preparer-un-permis", status=422)

    assert "Vous cherchez : Préparer un permis" in page.text
    hidden = [i.get("value") for i in page.tree.find_all("input") if i.get("name") == "need"]
    assert hidden == ["mobilite--preparer-un-permis"]


def test_an_unknown_need_is_dropped_rather_than_refused(client):
    assert lookup(client, "q=69100&need=nonsense").location == "/communes/69266"
