"""Choosing a new password through the pages: the neutral request, the emailed link, once."""

from tests import factories
from tests.accounts.test_auth_support import (  # noqa: F401  (fixtures)
    browser_fixture,
    csrf_token,
    field_error,
    fresh_limits,
    link_in,
    new_browser,
    submit,
)
from tests.pages.html_checks import get_page

NEW = "my brand new passphrase"


def ask_for_a_link(browser, email):
    return submit(browser, "/mot-de-passe/oubli", {"email": email})


def log_in(browser, email, password):
    return submit(browser, "/login", {"email": email, "password": password})


def test_any_address_gets_the_same_answer_and_only_an_account_gets_an_email(browser, smtp):
    factories.user("ana@example.org")

    for email in ("nobody@example.org", "Ana@example.org"):
        response = ask_for_a_link(browser, email)
        assert response.status_code == 302
        assert response.location == "/mot-de-passe/oubli/envoye"
    page = get_page(browser, "/mot-de-passe/oubli/envoye")
    assert "If an account uses this address" in page.text

    assert smtp.to("nobody@example.org") == []
    (message,) = smtp.to("ana@example.org")
    assert message["Subject"] == "Choose a new password for Relais"


def test_the_link_sets_a_new_password_once_and_ends_every_other_session(app, browser, smtp):
    user = factories.user("ana@example.org")
    elsewhere = new_browser(app)
    log_in(elsewhere, "ana@example.org", factories.PASSWORD)
    assert elsewhere.get("/compte").status_code == 200
    old_cookie = elsewhere.get_cookie("session").value

    ask_for_a_link(browser, "ana@example.org")
    link = link_in(smtp.body(smtp.to("ana@example.org")[0]), "/mot-de-passe/")
    page = get_page(browser, link)
    assert page.h1 == "Choose a new password" and user.email in page.text

    response = submit(browser, link, {"password": NEW, "password_confirmation": NEW})
    assert response.status_code == 302 and response.location == "/login"
    assert "Your password has been changed" in get_page(browser, "/login").text

    # The session opened before, and a copy of its cookie, no longer work.
    assert elsewhere.get("/compte").status_code == 302
    copy = new_browser(app)
    copy.set_cookie("session", old_cookie)
    assert copy.get("/compte").status_code == 302

    # The old password is gone, the new one works, and the link is spent.
    assert log_in(browser, "ana@example.org", factories.PASSWORD).status_code == 400
    assert log_in(browser, "ana@example.org", NEW).status_code == 302
    page = get_page(browser, link, status=400)
    assert "already been used" in page.text


def test_a_bad_new_password_is_shown_on_its_field_and_changes_nothing(browser, smtp):
    factories.user("ana@example.org")
    ask_for_a_link(browser, "ana@example.org")
    link = link_in(smtp.body(smtp.to("ana@example.org")[0]), "/mot-de-passe/")

    for password, confirmation, field, message in (
        ("short", "short", "password", "at least 12"),
        ("ana@example.org", "ana@example.org", "password", "cannot be your email address"),
        (NEW, "something else entirely", "password_confirmation", "different"),
    ):
        response = submit(browser, link, {"password": password,
                                          "password_confirmation": confirmation})
        assert response.status_code == 400
        assert message in field_error(response.get_data(as_text=True), field)

    assert log_in(browser, "ana@example.org", factories.PASSWORD).status_code == 302


def test_a_forged_reset_link_gets_a_clear_page(browser):
    page = get_page(browser, "/mot-de-passe/forged.token.value", status=400)

    assert "This link is not valid" in page.text


def test_asking_for_links_is_limited_to_five_a_minute(browser):
    token = csrf_token(browser.get("/mot-de-passe/oubli").get_data(as_text=True),
                       "/mot-de-passe/oubli")
    for _ in range(5):
        response = browser.post("/mot-de-passe/oubli",
                                data={"csrf_token": token, "email": "x@example.org"})
        assert response.status_code == 302
    response = browser.post("/mot-de-passe/oubli",
                            data={"csrf_token": token, "email": "x@example.org"})
    assert response.status_code == 429
