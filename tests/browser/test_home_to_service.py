"""A person's way through the site in a real browser: home → area → service, by keyboard, and
the pages fit a phone screen. Drives Debian's Chromium; never downloads a browser."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from extensions import db
from tests import factories

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def live_server(app, app_ctx) -> Iterator[str]:
    """The app served on 127.0.0.1 from a background thread, for the browser."""
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium package to run this test")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def test_from_the_home_page_to_a_service_by_keyboard(live_server, browser):
    org = factories.organisation(name="Mission locale de Lyon")
    factories.service(
        org, name="Permis solidaire", zones=[("commune", "69123")], at=factories.LYON_3E
    )
    db.session.commit()  # the server thread reads through its own connection

    page = browser.new_page(locale="fr-FR")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(live_server + "/")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"

    box = page.get_by_role("combobox", name="Code postal ou commune")
    box.focus()
    box.press_sequentially("Lyon 3", delay=20)
    # The autocomplete offers the arrondissement; Enter without choosing submits what was typed.
    page.get_by_role("option", name="Lyon 3e Arrondissement (69)").wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    box.press("Enter")

    page.wait_for_url("**/communes/69383")
    assert page.locator("h1").inner_text() == "Services pour Lyon 3e Arrondissement"
    page.get_by_role("link", name="Permis solidaire").click()

    page.wait_for_url("**/services/**")
    assert page.locator("h1").inner_text() == "Permis solidaire"
    assert errors == []


def test_choosing_a_suggestion_with_the_arrow_keys(live_server, browser):
    page = browser.new_page(locale="fr-FR")
    page.goto(live_server + "/")

    box = page.get_by_role("combobox", name="Code postal ou commune")
    box.press_sequentially("villeur", delay=20)
    page.get_by_role("option", name="Villeurbanne (69)").wait_for()
    box.press("ArrowDown")
    active = box.get_attribute("aria-activedescendant")
    assert page.locator(f"#{active}").inner_text() == "Villeurbanne (69)"
    box.press("Enter")  # chooses the option
    assert box.input_value() == "Villeurbanne (69)"
    assert box.get_attribute("aria-expanded") == "false"
    box.press("Enter")  # submits

    page.wait_for_url("**/communes/69266")


@pytest.mark.parametrize("path", ["/", "/communes/69383", "/lieu?q=01400"])
def test_pages_fit_a_phone_screen_without_horizontal_scrolling(live_server, browser, path):
    factories.service(
        name="Un service au nom assez long pour passer à la ligne sur un téléphone",
        zones=[("commune", "69123")],
        at=factories.LYON_3E,
    )
    db.session.commit()
    page = browser.new_page(viewport={"width": 375, "height": 740}, locale="fr-FR")

    page.goto(live_server + path)

    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 16
