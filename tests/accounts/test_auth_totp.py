"""Two-factor authentication through the pages: a platform administrator sets it up at first
sign-in, then gives a code after the password every time; anyone may turn it on."""

import re
import time
from urllib.parse import quote

import pyotp

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
from tests.pages.html_checks import get_page


def log_in(browser, email, next_path=""):
    return submit(browser, "/login", {"email": email, "password": factories.PASSWORD,
                                      "next": next_path})


def secret_on(page) -> str:
    match = re.search(r"\b([A-Z2-7]{32})\b", page.text)
    assert match, page.text
    return match.group(1)


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_a_new_platform_administrator_sets_up_totp_before_anything_else(browser):
    admin = factories.user("root@example.org", platform_admin=True)

    response = log_in(browser, "root@example.org", next_path="/compte")
    assert response.status_code == 302
    assert response.location == "/compte/2fa?next=/compte"
    # Until the setup is done, protected pages send back to it.
    assert browser.get("/compte").location == "/compte/2fa?next=/compte"

    page = get_page(browser, response.location)
    assert page.h1 == "Set up two-factor authentication"
    secret = secret_on(page)
    assert f"otpauth://totp/Relais:{quote(admin.email)}?secret={secret}" in page.text
    assert page.field("code").get("autocomplete") == "one-time-code"

    refused = submit(browser, "/compte/2fa", {"code": wrong(pyotp.TOTP(secret).now()),
                                              "next": "/compte"})
    assert refused.status_code == 400
    assert "This code is not right" in field_error(refused.get_data(as_text=True), "code")
    assert secret_on(get_page(browser, "/compte/2fa")) == secret  # the same key until done

    response = submit(browser, "/compte/2fa", {"code": pyotp.TOTP(secret).now(),
                                               "next": "/compte"})
    assert response.status_code == 302 and response.location == "/compte"
    db.session.refresh(admin)
    assert admin.has_totp and admin.totp_secret == secret
    with browser.session_transaction() as session:
        assert session.get("relais_2fa") is True
    assert "Two-factor authentication is on" in get_page(browser, "/compte").text


def test_a_platform_administrator_gives_a_code_after_the_password(browser):
    secret = pyotp.random_base32()
    factories.user("root@example.org", platform_admin=True, totp_secret=secret,
                   totp_confirmed_at=db.func.now())
    before = session_cookie(browser)

    response = log_in(browser, "root@example.org", next_path="/compte")
    assert response.location == "/login/2fa?next=/compte"
    assert session_cookie(browser) != before
    assert browser.get("/compte").location == "/login/2fa?next=/compte"
    with browser.session_transaction() as session:
        assert "relais_2fa" not in session

    page = get_page(browser, "/login/2fa?next=/compte")
    assert page.h1 == "Enter your code"
    refused = submit(browser, "/login/2fa?next=/compte",
                     {"code": wrong(pyotp.TOTP(secret).now()), "next": "/compte"},
                     action="/login/2fa")
    assert refused.status_code == 400
    assert "This code is not right" in field_error(refused.get_data(as_text=True), "code")

    response = submit(browser, "/login/2fa?next=/compte",
                      {"code": pyotp.TOTP(secret).now(), "next": "/compte"}, action="/login/2fa")
    assert response.status_code == 302 and response.location == "/compte"
    assert browser.get("/compte").status_code == 200


def test_five_wrong_codes_pause_the_account(app, browser):
    secret = pyotp.random_base32()
    factories.user("root@example.org", platform_admin=True, totp_secret=secret,
                   totp_confirmed_at=db.func.now())
    log_in(browser, "root@example.org")
    bad = wrong(pyotp.TOTP(secret).now())
    for _ in range(4):
        submit(browser, "/login/2fa", {"code": bad})

    response = submit(browser, "/login/2fa", {"code": bad})
    assert "Try again in 1 minute" in field_error(response.get_data(as_text=True), "code")
    response = submit(browser, "/login/2fa", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 400
    # And the password step is paused too, for any browser.
    response = log_in(new_browser(app), "root@example.org")
    assert "Try again in 1 minute" in field_error(response.get_data(as_text=True), "password")


def test_anyone_may_turn_totp_on_and_then_signing_in_asks_for_a_code(app, browser):
    user = factories.user("ana@example.org")
    factories.login(browser, user)
    page = get_page(browser, "/compte/2fa")
    secret = secret_on(page)
    assert "Platform administrators must" not in page.text

    assert submit(browser, "/compte/2fa", {"code": pyotp.TOTP(secret).now()}).status_code == 302
    submit(browser, "/logout", {}, page="/compte")

    assert log_in(browser, "ana@example.org").location == "/login/2fa"
    # The code that turned TOTP on cannot be used again: the next one (still valid) is.
    next_code = pyotp.TOTP(secret).at(time.time() + 30)
    response = submit(browser, "/login/2fa", {"code": next_code})
    assert response.location == "/espace"


def test_a_person_may_turn_totp_off_with_a_code_but_an_administrator_may_not(browser):
    secret = pyotp.random_base32()
    user = factories.user("ana@example.org", totp_secret=secret, totp_confirmed_at=db.func.now())
    factories.login(browser, user)
    page = get_page(browser, "/compte/2fa")
    assert page.h1 == "Two-factor authentication"

    response = submit(browser, "/compte/2fa/desactiver", {"code": pyotp.TOTP(secret).now()},
                      page="/compte/2fa")
    assert response.status_code == 302
    db.session.refresh(user)
    assert not user.has_totp

    admin = factories.user("root@example.org", platform_admin=True, totp_secret=secret,
                           totp_confirmed_at=db.func.now())
    factories.login(browser, admin)
    page = get_page(browser, "/compte/2fa")
    assert "you must keep it" in page.text
    response = browser.post("/compte/2fa/desactiver", data={
        "csrf_token": csrf_token(page.html), "code": pyotp.TOTP(secret).now()})
    assert response.status_code == 403
    db.session.refresh(admin)
    assert admin.has_totp
