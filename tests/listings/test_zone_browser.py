"""In a real browser, a member adds coverage areas with the keyboard through the autocomplete,
saves, and the service covers them. Drives Debian's Chromium; never downloads a browser."""

from __future__ import annotations

import pytest

from directory.models import DRAFT
from extensions import db
from tests import factories
from tests.browser.test_home_to_service import browser, live_server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def test_areas_are_added_by_keyboard_and_saved(live_server, browser, session):  # noqa: F811
    org = factories.organisation(name="Mission locale", commune_code="69123")
    member = factories.user(email="camille@example.org")
    factories.membership(member, org)
    service = factories.service(org, name="Atelier", status=DRAFT, zones=[])
    db.session.commit()

    page = browser.new_page(locale="en-GB")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server}/login?lang=en")
    page.fill("#email", member.email)
    page.fill("#password", factories.PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.goto(f"{live_server}/espace/services/{service.id}/modifier")

    search = page.locator("#zone-search")
    assert search.is_visible()  # shown only when the script runs
    search.press_sequentially("rhon", delay=30)
    page.wait_for_selector("#zone-search-suggestions [role=option]")
    assert search.get_attribute("aria-expanded") == "true"
    search.press("ArrowDown")
    assert search.get_attribute("aria-activedescendant") == "zone-search-suggestions-0"
    search.press("Enter")  # adds the area, does not submit the form
    assert page.input_value("#zones") == "departement 69 (Rhône)"

    search.press_sequentially("bourg-en", delay=30)
    page.wait_for_selector("#zone-search-suggestions [role=option]")
    search.press("ArrowDown")
    search.press("Enter")
    assert page.input_value("#zones").splitlines()[1].startswith("commune 01053")
    with page.expect_navigation():
        page.click("main form.service-form button[type=submit]")

    assert "Your changes are saved." in page.inner_text("main")
    assert errors == []
    db.session.expire_all()
    assert sorted((z.kind, z.code) for z in service.zones) == [
        ("commune", "01053"),
        ("departement", "69"),
    ]
