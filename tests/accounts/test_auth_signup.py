"""Signing up through the pages: the form, the confirmation email through real SMTP, the link,
and what bad input, a taken address and a forged CSRF token get."""

import pytest
import sqlalchemy as sa

from accounts.models import User
from extensions import db
from tests import factories
from tests.accounts.test_auth_support import (  # noqa: F401  (fixtures)
    browser_fixture,
    csrf_token,
    field_error,
    fresh_limits,
    link_in,
    submit,
)
from tests.pages.html_checks import get_page, parse, visible_text

GOOD = "a long enough passphrase"


def sign_up(browser, **fields):
    data = {"name": "Ana Martin", "email": "ana@example.org", "password": GOOD,
            "password_confirmation": GOOD}
    data.update(fields)
    return submit(browser, "/inscription", data)


def accounts():
    return db.session.scalars(sa.select(User)).all()


def test_the_sign_up_page_is_an_accessible_form(browser):
    page = get_page(browser, "/inscription")

    assert page.h1 == "Create an account"
    for field in ("name", "email", "password", "password_confirmation"):
        assert page.field(field).get("name") == field
    assert page.field("password").get("type") == "password"
    assert page.field("password").get("autocomplete") == "new-password"


def test_sign_up_then_the_emailed_link_confirms_the_address(browser, smtp):
    response = sign_up(browser, email="  Ana@Example.org ")

    assert response.status_code == 302
    assert response.location == "/inscription/envoye"
    page = get_page(browser, "/inscription/envoye")
    assert "ana@example.org" in page.text
    (user,) = accounts()
    assert user.email == "ana@example.org" and not user.is_verified

    (message,) = smtp.to("ana@example.org")
    assert message["Subject"] == "Confirm your email address for Relais"
    body = smtp.body(message)
    assert "Hello Ana Martin" in body
    link = link_in(body, "/verification/")

    page = get_page(browser, link)
    assert page.h1 == "Your email address is confirmed"
    db.session.refresh(user)
    assert user.is_verified

    page = get_page(browser, link)
    assert page.h1 == "Your email address was already confirmed"


def test_a_forged_confirmation_link_gets_a_clear_page(browser):
    page = get_page(browser, "/verification/not-a-real-token", status=400)

    assert "This link is not valid" in page.text


def test_a_taken_address_gets_the_same_answer_and_its_owner_an_email(browser, smtp):
    factories.user("ana@example.org", name="Ana Owner")

    response = sign_up(browser, name="Someone Else", email="ANA@example.org")

    assert response.status_code == 302 and response.location == "/inscription/envoye"
    assert [u.name for u in accounts()] == ["Ana Owner"]
    (message,) = smtp.to("ana@example.org")
    assert "tried to create a Relais account" in smtp.body(message)


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"name": ""}, "name", "Enter your name."),
    ({"name": "   "}, "name", "Enter your name."),
    ({"name": "x" * 151}, "name", "Use at most 150 characters."),
    ({"name": "<script>alert('x')</script>"}, "name", "cannot contain the characters < and >"),
    ({"email": ""}, "email", "Enter your email address."),
    ({"email": "ana at example"}, "email", "like name@example.org"),
    ({"email": "<script>@example.org"}, "email", "like name@example.org"),
    ({"email": "a" * 250 + "@example.org"}, "email", "at most 254 characters"),
    ({"password": "", "password_confirmation": ""}, "password", "Choose a password."),
    ({"password": "short", "password_confirmation": "short"}, "password", "at least 12"),
    ({"password": "x" * 129, "password_confirmation": "x" * 129}, "password", "at most 128"),
    ({"password": "ana@example.org", "password_confirmation": "ana@example.org"}, "password",
     "cannot be your email address"),
    ({"password_confirmation": "another long passphrase"}, "password_confirmation",
     "The two passwords are different"),
])
def test_bad_input_is_shown_on_its_field_and_nothing_is_stored(browser, smtp, fields, field,
                                                                message):
    response = sign_up(browser, **fields)

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in field_error(html, field)
    summary = parse(html).find_all("div")
    assert any("error-summary" in (div.get("class") or "") for div in summary)
    assert accounts() == [] and smtp.messages == []


def test_what_was_typed_is_kept_except_the_passwords(browser):
    response = sign_up(browser, name="Ana Martin", email="ana at example")

    tree = parse(response.get_data(as_text=True))
    values = {e.get("name"): e.get("value") for e in tree.find_all("input")}
    assert values["name"] == "Ana Martin" and values["email"] == "ana at example"
    assert not values.get("password") and not values.get("password_confirmation")
    assert "&lt;" not in visible_text(tree)


def test_a_script_in_the_name_is_shown_as_text_not_run(browser):
    response = sign_up(browser, name="<script>alert(1)</script>")

    html = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_sign_up_without_a_valid_csrf_token_is_refused(browser, token):
    data = {"name": "Ana", "email": "ana@example.org", "password": GOOD,
            "password_confirmation": GOOD}
    if token:
        data["csrf_token"] = token
    browser.get("/inscription")

    assert browser.post("/inscription", data=data).status_code == 400
    assert accounts() == []


def test_sign_up_is_limited_to_five_a_minute_from_one_address(browser):
    html = browser.get("/inscription").get_data(as_text=True)
    token = csrf_token(html, "/inscription")
    for n in range(5):
        response = browser.post("/inscription", data={"csrf_token": token, "name": ""})
        assert response.status_code == 400, n

    response = browser.post("/inscription", data={"csrf_token": token, "name": ""})
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
