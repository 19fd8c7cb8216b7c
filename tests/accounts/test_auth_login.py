"""Signing in and out through the pages: the session, the lockout, the rate limit, "next",
and CSRF."""

from datetime import UTC, datetime, timedelta

import pytest

from extensions import db
from tests import factories
from tests.accounts.test_auth_support import (  # noqa: F401  (fixtures)
    browser_fixture,
    csrf_token,
    field_error,
    fresh_limits,
    new_browser,
    session_cookie,
    submit,
)
from tests.pages.html_checks import get_page, parse


def log_in(browser, email, password=factories.PASSWORD, next_path=None):
    url = "/login" + (f"?next={next_path}" if next_path else "")
    return submit(browser, "/login", {"email": email, "password": password,
                                      "next": next_path or ""}, page=url)


def test_the_sign_in_page_is_accessible_and_has_no_inline_script(browser):
    page = get_page(browser, "/login")  # get_page also checks for inline scripts and styles

    assert page.h1 == "Sign in"
    assert page.field("password").get("autocomplete") == "current-password"
    assert "script-src 'self'" in browser.get("/login").headers["Content-Security-Policy"]
    assert page.links()["Forgotten password?"] == "/mot-de-passe/oubli"


def test_signing_in_opens_a_new_session_and_lands_in_my_space(browser):
    user = factories.user("ana@example.org")
    token = user.session_token
    browser.get("/login?lang=en")
    before = session_cookie(browser)

    response = log_in(browser, "ANA@example.org")

    assert response.status_code == 302 and response.location == "/espace"
    assert session_cookie(browser) != before
    db.session.refresh(user)
    assert user.session_token != token and user.last_login_at is not None
    page = get_page(browser, "/compte")
    assert page.h1 == "My account" and "ana@example.org" in page.text
    nav = page.links()
    assert nav["My space"] == "/espace" and "Sign in" not in nav
    # The language chosen before signing in is kept.
    assert page.lang == "en"


def test_signing_in_ends_sessions_opened_before(app, browser):
    user = factories.user("ana@example.org")
    factories.login(browser, user)
    assert browser.get("/compte").status_code == 200
    other = new_browser(app)

    log_in(other, "ana@example.org")

    assert other.get("/compte").status_code == 200
    assert browser.get("/compte").status_code == 302


def test_a_wrong_password_is_refused_with_a_message_on_the_field(browser):
    factories.user("ana@example.org")

    response = log_in(browser, "ana@example.org", "not the password")

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The email address or the password is not right" in field_error(html, "password")
    assert parse(html).find_all("input")  # the form is there again
    assert 'value="ana@example.org"' in html
    assert browser.get("/compte").status_code == 302


def test_an_unknown_address_gets_the_same_answer_as_a_wrong_password(browser):
    factories.user("ana@example.org")

    known = log_in(browser, "ana@example.org", "not the password").get_data(as_text=True)
    unknown = log_in(browser, "nobody@example.org", "not the password").get_data(as_text=True)

    assert field_error(known, "password") == field_error(unknown, "password")


def test_an_unconfirmed_account_signs_in_and_sees_a_banner(browser):
    factories.user("ana@example.org", verified=False)

    response = log_in(browser, "ana@example.org")

    assert response.status_code == 302 and response.location == "/compte"
    page = get_page(browser, "/compte")
    assert "Confirm your email address" in page.text
    assert "Send me a new link" in page.text


def test_an_unconfirmed_account_can_ask_for_a_new_link(browser, smtp):
    user = factories.user("ana@example.org", verified=False)
    factories.login(browser, user)

    response = submit(browser, "/verification/nouveau-lien", {}, page="/compte")

    assert response.status_code == 302
    (message,) = smtp.to("ana@example.org")
    assert "/verification/" in smtp.body(message)
    assert "A new confirmation link was sent" in get_page(browser, "/compte").text


def test_five_failures_pause_signing_in_and_say_when_to_retry(browser):
    user = factories.user("ana@example.org")
    for _ in range(4):
        assert log_in(browser, "ana@example.org", "not the password").status_code == 400

    html = log_in(browser, "ana@example.org", "not the password").get_data(as_text=True)
    assert "Try again in 1 minute" in field_error(html, "password")
    html = log_in(browser, "ana@example.org").get_data(as_text=True)
    assert "Try again in 1 minute" in field_error(html, "password")

    # A minute later (moved back in the database rather than waited for) it opens again.
    db.session.refresh(user)
    user.locked_until = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()
    assert log_in(browser, "ana@example.org").status_code == 302
    db.session.refresh(user)
    assert user.failed_logins == 0 and user.locked_until is None


def test_the_21st_sign_in_attempt_in_a_minute_from_one_address_gets_429(browser):
    factories.user("ana@example.org")
    token = csrf_token(browser.get("/login").get_data(as_text=True), "/login")
    for n in range(20):
        response = browser.post("/login", data={"csrf_token": token, "email": f"x{n}@example.org",
                                                "password": "not the password"})
        assert response.status_code == 400, n

    response = browser.post("/login", data={"csrf_token": token, "email": "ana@example.org",
                                            "password": factories.PASSWORD})

    assert response.status_code == 429
    assert "Too many attempts from your connection" in response.get_data(as_text=True)
    assert "Retry-After" in response.headers
    assert browser.get("/login").status_code == 200  # reading the page is not limited


@pytest.mark.parametrize(("asked", "landing"), [
    ("/compte", "/compte"),
    ("/communes/69383?need=x", "/communes/69383?need=x"),
    ("https://evil.example/", "/espace"),
    ("//evil.example/", "/espace"),
    ("/\\evil.example", "/espace"),
    ("javascript:alert(1)", "/espace"),
])
def test_next_is_honoured_only_for_a_page_of_this_site(browser, asked, landing):
    factories.user("ana@example.org")

    response = log_in(browser, "ana@example.org", next_path=asked)

    assert response.status_code == 302 and response.location == landing


def test_a_protected_page_sends_anonymous_people_to_sign_in_and_back(browser):
    factories.user("ana@example.org")

    response = browser.get("/compte")
    assert response.status_code == 302 and response.location == "/login?next=/compte"
    page = get_page(browser, response.location)
    assert "Sign in to see this page." in page.text
    assert page.field("next").get("value") == "/compte"

    assert log_in(browser, "ana@example.org", next_path="/compte").location == "/compte"


def test_signing_out_takes_a_post_with_a_csrf_token(browser):
    user = factories.user("ana@example.org")
    log_in(browser, "ana@example.org")
    db.session.refresh(user)
    token = user.session_token

    assert browser.get("/logout").status_code == 405
    assert browser.post("/logout").status_code == 400
    assert browser.get("/compte").status_code == 200

    page = get_page(browser, "/compte")
    response = browser.post("/logout", data={"csrf_token": csrf_token(page.html, "/logout")})
    assert response.status_code == 302 and response.location == "/"
    assert browser.get("/compte").status_code == 302
    db.session.refresh(user)
    assert user.session_token != token  # a copied cookie of this session is dead too
    assert get_page(browser, "/").links()["Sign in"] == "/login"


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_sign_in_without_a_valid_csrf_token_is_refused(browser, token):
    factories.user("ana@example.org")
    browser.get("/login")
    data = {"email": "ana@example.org", "password": factories.PASSWORD}
    if token:
        data["csrf_token"] = token

    assert browser.post("/login", data=data).status_code == 400
    assert browser.get("/compte").status_code == 302


def test_a_csrf_token_from_another_session_is_refused(app, browser):
    factories.user("ana@example.org")
    other = new_browser(app)
    token = csrf_token(other.get("/login").get_data(as_text=True), "/login")
    browser.get("/login")

    response = browser.post("/login", data={"csrf_token": token, "email": "ana@example.org",
                                            "password": factories.PASSWORD})
    assert response.status_code == 400
