"""A provider's first day in a real browser: sign up, confirm from the email (a real SMTP
sink), sign in, ask to join, get accepted, edit a draft service and publish it."""

from __future__ import annotations

import re

import pytest

from extensions import db
from tests import factories
from tests.browser.test_home_to_service import browser, live_server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
PASSWORD = "a long enough passphrase 2026"


def _link(body: str, path: str) -> str:
    match = re.search(r"https?://[^/\s]+(" + re.escape(path) + r"\S+)", body)
    assert match, body
    return match.group(1)


def test_provider_journey_in_chromium(live_server, browser, smtp):  # noqa: F811
    org = factories.organisation(name="Mission locale Rhône Sud", commune_code="69266",
                                 postcode="69100")
    draft = factories.service(org, name="Atelier CV (brouillon)", status="draft")
    admin = factories.user(email="direction@mlrs.example.org", name="Direction")
    factories.membership(admin, org, role="admin")
    db.session.commit()  # the server thread reads through its own connection

    page = browser.new_context(locale="en-GB").new_page()
    page.goto(live_server + "/inscription")
    page.get_by_label("Your name").fill("Inès Conseillère")
    page.get_by_label("Email address").fill("ines@mlrs.example.org")
    page.locator("#password").fill(PASSWORD)
    page.locator("#password_confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_url("**/inscription/envoye")

    (welcome,) = smtp.to("ines@mlrs.example.org")
    page.goto(live_server + _link(welcome.get_content(), "/verification/"))
    assert page.locator("h1").inner_text() == "Your email address is confirmed"

    page.goto(live_server + "/login")
    page.get_by_label("Email address").fill("ines@mlrs.example.org")
    page.locator("#password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/espace$"))

    page.goto(live_server + "/organisations/rejoindre?q=rhone+sud")
    page.get_by_role("link", name=re.compile("Mission locale Rhône Sud")).first.click()
    page.get_by_role("button", name="Send my request").click()
    page.wait_for_url(re.compile(r".*/espace$"))

    admin_page = browser.new_context(locale="en-GB").new_page()
    admin_page.goto(live_server + "/login")
    admin_page.get_by_label("Email address").fill("direction@mlrs.example.org")
    admin_page.locator("#password").fill(factories.PASSWORD)
    admin_page.get_by_role("button", name="Sign in").click()
    admin_page.wait_for_url(re.compile(r".*/espace$"))
    admin_page.goto(live_server + f"/organisations/{org.id}/membres")
    admin_page.get_by_role("button", name="Accept Inès Conseillère").click()
    admin_page.wait_for_load_state()

    page.goto(live_server + f"/espace/services/{draft.id}/modifier")
    page.locator("#name").fill("Atelier CV et lettre de motivation")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r".*/espace/.*"))
    page.goto(live_server + f"/espace/services/{draft.id}/modifier")
    page.get_by_role("button", name="Publish").click()
    page.wait_for_load_state()

    page.goto(live_server + f"/services/{draft.id}")
    assert page.locator("h1").inner_text() == "Atelier CV et lettre de motivation"
