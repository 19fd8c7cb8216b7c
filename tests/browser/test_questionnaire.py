"""The questionnaire in a real browser: two questions answered with the keyboard only, and the
service they decide moves to "You can use"."""

from __future__ import annotations

import pytest

from extensions import db
from tests import factories
from tests.browser.test_home_to_service import browser, live_server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def test_answering_two_questions_by_keyboard_moves_a_service_to_you_can_use(live_server, browser):  # noqa: F811
    org = factories.organisation(name="Mission locale de Lyon")
    service = factories.service(org, name="Parcours jeunes", at=factories.LYON_3E)
    service.eligibility = {
        "version": 1,
        "all_of": [
            {"fact": "age", "op": "between", "value": [16, 25]},
            {"fact": "registered_france_travail", "op": "is", "value": True},
        ],
    }
    db.session.commit()  # the server thread reads through its own connection

    page = browser.new_context(locale="en-GB").new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server + "/pour-moi?commune=69123")
    maybe = page.locator("section", has=page.locator("#maybe-title"))
    eligible = page.locator("section", has=page.locator("#eligible-title"))
    assert "Parcours jeunes" in maybe.inner_text()

    page.get_by_label("Age").focus()
    page.keyboard.type("19")
    page.keyboard.press("Tab")  # into the next question: the first radio, "Yes"
    assert page.evaluate("document.activeElement.value") == "yes"
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # the radio group is one stop: on to the button
    assert page.evaluate("document.activeElement.textContent").strip() == "Show my results"
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.locator("#eligible-title").inner_text() == "✓ You can use (1)"
    assert "Parcours jeunes" in eligible.inner_text()
    assert "Parcours jeunes" not in maybe.inner_text()
    # The answers (age 19…) travel in the POST body, never in the address (the port may
    # hold any digits: only the path and query are compared).
    assert page.url.split("/", 3)[3] == "pour-moi?commune=69123"
    assert errors == []


def test_the_questionnaire_fits_a_phone_screen(live_server, browser):  # noqa: F811
    service = factories.service(
        name="Un service au nom assez long pour passer à la ligne sur un téléphone",
        at=factories.LYON_3E,
    )
    service.eligibility = {
        "version": 1,
        "all_of": [{"fact": "benefits", "op": "contains_any", "value": ["rsa", "ass"]}],
    }
    db.session.commit()
    page = browser.new_page(viewport={"width": 375, "height": 740}, locale="fr-FR")

    page.goto(live_server + "/pour-moi?commune=69123")

    assert page.locator("input[name=benefits]").count() == 7
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
