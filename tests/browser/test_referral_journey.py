"""A whole referral in a real browser, from consent to outcome: an advisor records a person
with the consent they attest, refers them to another organisation's service and sends it;
the receiving organisation opens it from its inbox, accepts it with a message, starts it and
completes it with an outcome; the advisor sees it completed, with the outcome and the message.
Fields are reached by their labels and buttons by their names, so the forms are proven
usable with assistive technology too. Drives Debian's Chromium; never downloads a browser."""

from __future__ import annotations

import re

import pytest

from extensions import db
from tests import factories
from tests.browser.test_home_to_service import browser, live_server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

MOBILITY = "mobilite--etre-accompagne-dans-son-parcours-mobilite"
CAR = "mobilite--acceder-a-un-vehicule"


def sign_in(browser, live_server, email: str):  # noqa: F811
    page = browser.new_context(locale="en-GB").new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server + "/login")
    page.get_by_label("Email address").fill(email)
    page.locator("#password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/espace$"))
    return page, errors


def action_form(page, button: str):
    """The form of one action, found by its button's name."""
    return page.locator("form").filter(has=page.get_by_role("button", name=button))


def test_a_referral_from_consent_to_outcome_in_chromium(live_server, browser):  # noqa: F811
    sending = factories.organisation(name="Mission locale de Lyon", postcode="69003")
    receiving = factories.organisation(name="CCAS de Villeurbanne", postcode="69100")
    advisor = factories.user("conseillere@mission-locale.example", name="Inès Conseillère")
    receiver = factories.user("accueil@ccas.example", name="Paul Accueil")
    factories.membership(advisor, sending)
    factories.membership(receiver, receiving)
    service = factories.service(receiving, name="Garage solidaire", thematiques=[MOBILITY, CAR])
    db.session.commit()  # the server thread reads through its own connection

    # The advisor finds the service and records the person with the consent they attest.
    page, advisor_errors = sign_in(browser, live_server, advisor.email)
    page.goto(live_server + f"/services/{service.id}")
    page.get_by_role("link", name="Refer someone to this service").click()
    page.wait_for_url(re.compile(r".*/espace/personnes/nouvelle.*"))
    page.get_by_label("First name", exact=True).fill("Camille")
    page.get_by_label("Last name", exact=True).fill("Martin")
    page.get_by_label("Date of birth", exact=True).fill("1999-05-17")
    page.get_by_role("textbox", name="Email").fill("camille.martin@example.org")
    page.get_by_role("textbox", name="Phone").fill("06 12 34 56 78")
    page.get_by_role("radio", name="Email").check()
    page.get_by_role("radio", name="In person").check()
    assert page.get_by_role("checkbox", name=re.compile("^Identity")).is_checked()
    assert "I agree that Mission locale de Lyon may see" in page.locator("blockquote").inner_text()
    page.get_by_role("button", name="Create the record").click()

    # The referral, with the person's consent to it, read out and attested.
    page.wait_for_url(re.compile(r".*/orienter.*"))
    assert page.locator("h1").inner_text() == "Refer to “Garage solidaire”"
    page.get_by_label("Need", exact=True).select_option(CAR)
    page.get_by_label("Why this referral").fill("Needs a car to reach a job in Vaulx-en-Velin.")
    page.get_by_role("radio", name="In person").check()
    assert "CCAS de Villeurbanne" in page.locator("blockquote").inner_text()
    page.get_by_role("button", name="Send the referral").click()
    page.wait_for_url(re.compile(r".*/espace/orientations/[0-9a-f-]+$"))
    assert "The referral is sent." in page.inner_text("main")
    referral_url = page.url

    # The receiving organisation opens it from its inbox, accepts with a message, starts it
    # and completes it with an outcome.
    inbox, receiver_errors = sign_in(browser, live_server, receiver.email)
    inbox.goto(live_server + "/espace/orientations")
    inbox.get_by_role("link", name="Garage solidaire").click()
    inbox.wait_for_url(referral_url)
    assert "Status: opened" in inbox.inner_text("main")
    assert "Camille Martin" in inbox.inner_text("main")
    accept = action_form(inbox, "Accept")
    accept.get_by_label("Message (optional)").fill("We call her on Monday morning.")
    accept.get_by_role("button", name="Accept").click()
    inbox.wait_for_load_state()
    assert "Status: accepted" in inbox.inner_text("main")
    inbox.get_by_role("button", name="Start").click()
    inbox.wait_for_load_state()
    assert "Status: in progress" in inbox.inner_text("main")
    complete = action_form(inbox, "Complete")
    complete.get_by_label("How did it end?").select_option(label="Job found")
    complete.get_by_role("button", name="Complete").click()
    inbox.wait_for_load_state()
    assert "Status: completed" in inbox.inner_text("main")

    # The advisor sees it completed, with the outcome and the receiver's message.
    page.goto(referral_url)
    main = page.inner_text("main")
    assert "Status: completed" in main
    assert re.search(r"Outcome\s+Job found", main)
    assert "We call her on Monday morning." in main
    assert advisor_errors == [] and receiver_errors == []


def test_a_person_asks_a_service_to_contact_them_on_a_phone(live_server, browser):  # noqa: F811
    receiving = factories.organisation(name="CCAS de Villeurbanne", postcode="69100")
    service = factories.service(receiving, name="Garage solidaire", thematiques=[MOBILITY, CAR])
    citizen = factories.user("alex.durand@example.org", name="Alex Durand")
    db.session.commit()

    page = browser.new_context(locale="en-GB", viewport={"width": 375, "height": 740}).new_page()
    page.goto(live_server + f"/services/{service.id}")
    page.get_by_role("link", name="Sign in to ask to be contacted").click()
    page.get_by_label("Email address").fill(citizen.email)
    page.locator("#password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/etre-contacte$"))  # back to the request, signed in
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.get_by_label("First name", exact=True).fill("Alex")
    page.get_by_label("Last name", exact=True).fill("Durand")
    page.get_by_role("textbox", name="Phone").fill("06 12 34 56 78")
    page.get_by_role("radio", name="Phone").check()
    page.get_by_label("What for").select_option(CAR)
    page.get_by_label("Your message to the service (optional)").fill("Pour aller travailler.")
    consent = page.locator("blockquote").inner_text()
    assert consent.startswith("I agree that CCAS de Villeurbanne may see your identity")
    page.get_by_label("I have read this text and I agree to it").check()
    page.get_by_role("button", name="Send my request").click()
    page.wait_for_url(re.compile(r".*/mon-espace/orientations/[0-9a-f-]+$"))
    main = page.inner_text("main")
    assert "Your request is sent to CCAS de Villeurbanne" in main and "Status: sent" in main
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
