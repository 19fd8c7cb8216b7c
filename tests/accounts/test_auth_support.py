"""What the test_auth_* modules share (no tests here): an English-speaking browser, reading the
CSRF token from a form as a browser would, submitting forms, links from emails, and fresh rate
limits for each test.

Test modules import the fixtures (`browser_fixture` provides `browser`; `fresh_limits` is
automatic). Pages are read in English (the browser asks for it), so assertions do not depend
on the French catalogue; French text is the translations' business.
"""

from __future__ import annotations

import re

import pytest
from flask import g

from accounts.auth import unknown_address_failures
from extensions import limiter
from tests.conftest import PageClient
from tests.pages.html_checks import parse


@pytest.fixture(autouse=True)
def fresh_limits():
    """Rate limits (and failures of unknown addresses) count in memory across the whole
    session: start each test from zero."""
    limiter.reset()
    unknown_address_failures.clear()
    yield
    limiter.reset()
    unknown_address_failures.clear()


class Browser(PageClient):
    """A PageClient whose requests each start with an empty `g`, as in production: `app_ctx`
    keeps one application context for the whole test, and extensions cache per-request
    things in `g` (Flask-Login the signed-in user, Flask-WTF the CSRF token), which would
    otherwise leak from one request, or one browser, to the next."""

    def open(self, *args, **kwargs):
        for name in list(g):
            g.pop(name)
        return super().open(*args, **kwargs)


def new_browser(app) -> Browser:
    """Another browser (its own cookies), speaking English."""
    browser = Browser(app, app.response_class, use_cookies=True)
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return browser


@pytest.fixture(name="browser")
def browser_fixture(app, app_ctx):
    """A browser speaking English."""
    return new_browser(app)


def csrf_token(html: str, action: str | None = None) -> str:
    """The CSRF token of the form posting to `action` (the first form's when None)."""
    for form in parse(html).find_all("form"):
        if action is not None and form.get("action") != action:
            continue
        for field in form.find_all("input"):
            if field.get("name") == "csrf_token":
                return field.get("value")
    raise AssertionError(f"no form with a CSRF token posting to {action}")


def submit(client, url: str, data: dict, *, action: str | None = None, page: str | None = None):
    """GET `page` (default `url`), then POST `data` to `url` with the form's CSRF token."""
    html = client.get(page or url).get_data(as_text=True)
    token = csrf_token(html, action or url.split("?")[0])
    return client.post(url, data={"csrf_token": token, **data})


def link_in(body: str, path_prefix: str) -> str:
    """The path of the first absolute link in an email body starting with `path_prefix`."""
    match = re.search(r"https?://[^/\s]+(" + re.escape(path_prefix) + r"\S+)", body)
    assert match, body
    return match.group(1)


def field_error(html: str, field_id: str) -> str:
    """The message shown next to a field, checking the field points at it."""
    tree = parse(html)
    field = next(e for e in tree.iter() if e.get("id") == field_id)
    assert field.get("aria-invalid") == "true"
    assert f"{field_id}-error" in (field.get("aria-describedby") or "").split()
    return next(e for e in tree.iter() if e.get("id") == f"{field_id}-error").text()


def session_cookie(client) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None
