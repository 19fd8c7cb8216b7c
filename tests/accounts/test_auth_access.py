"""Who may open each account page, and what the access decorators let through, for every kind
of user: anonymous, unconfirmed, citizen, member and administrator of organisation A, member of
organisation B, a territory manager of another département, a platform administrator (with and
without the second factor given in this session)."""

import argon2
import pyotp
import pytest
from flask import session
from flask_login import login_user

from accounts import access, tokens
from errors import Forbidden
from extensions import db
from tests import factories
from tests.accounts.test_auth_support import (  # noqa: F401  (fixtures)
    browser_fixture,
    csrf_token,
    fresh_limits,
)
from tests.pages.html_checks import accessibility_problems, parse

ROLES = ("anonymous", "unconfirmed", "citizen", "member_a", "admin_a", "member_b",
         "manager_01", "platform_admin", "platform_admin_without_2fa")
SIGNED_IN = ROLES[1:-1]  # everybody signed in, second factor given where due


@pytest.fixture
def people(app_ctx, monkeypatch):
    """One user per role, organisation A and B in the Rhône. Their passwords are hashed with
    cheap argon2 parameters: these tests never type them, and nine users a test add up."""
    cheap = argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(argon2, "PasswordHasher", lambda: cheap)
    org_a, org_b = factories.organisation(name="A"), factories.organisation(name="B")
    secret = pyotp.random_base32()
    users = {
        "anonymous": None,
        "unconfirmed": factories.user(verified=False),
        "citizen": factories.user(),
        "member_a": factories.membership(factories.user(), org_a).user,
        "admin_a": factories.membership(factories.user(), org_a, role="admin").user,
        "member_b": factories.membership(factories.user(), org_b).user,
        "manager_01": factories.territory_manager("01"),
        "platform_admin": factories.user(platform_admin=True, totp_secret=secret,
                                         totp_confirmed_at=db.func.now()),
    }
    users["platform_admin_without_2fa"] = users["platform_admin"]
    db.session.commit()
    return users


def as_role(browser, people, role):
    user = people[role]
    if user is not None:
        factories.login(browser, user, second_factor=role != "platform_admin_without_2fa")
    return browser


def expect(response, status, location=None):
    assert response.status_code == status, (response.status_code, response.location)
    if location is not None:
        assert response.location == location


# --- pages anyone may open ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", ["/inscription", "/inscription/envoye", "/mot-de-passe/oubli",
                                 "/mot-de-passe/oubli/envoye"])
def test_public_account_pages_open_for_everyone(browser, people, role, url):
    expect(as_role(browser, people, role).get(url), 200)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", ["/verification/forged", "/mot-de-passe/forged"])
def test_forged_links_get_400_for_everyone(browser, people, role, url):
    expect(as_role(browser, people, role).get(url), 400)


@pytest.mark.parametrize("role", ROLES)
def test_signing_out_answers_everyone_with_the_home_page(browser, people, role):
    as_role(browser, people, role)
    token = csrf_token(browser.get("/mot-de-passe/oubli").get_data(as_text=True))

    expect(browser.post("/logout", data={"csrf_token": token}), 302, "/")
    expect(browser.get("/compte"), 302, "/login?next=/compte")


# --- the sign-in pages -------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status", "location"), [
    ("anonymous", 200, None),
    ("unconfirmed", 302, "/compte"),
    *[(role, 302, "/espace") for role in SIGNED_IN if role != "unconfirmed"],
    ("platform_admin_without_2fa", 302, "/login/2fa"),
])
def test_the_sign_in_page_sends_signed_in_people_on(browser, people, role, status, location):
    expect(as_role(browser, people, role).get("/login"), status, location)


@pytest.mark.parametrize(("role", "status", "location"), [
    ("anonymous", 302, "/login"),
    ("unconfirmed", 302, "/compte"),
    *[(role, 302, "/espace") for role in SIGNED_IN if role != "unconfirmed"],
    ("platform_admin_without_2fa", 200, None),
])
def test_the_code_step_is_only_for_whoever_owes_a_code(browser, people, role, status,
                                                        location):
    expect(as_role(browser, people, role).get("/login/2fa"), status, location)


# --- the account pages -------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/compte", "/compte/2fa"])
@pytest.mark.parametrize("role", ROLES)
def test_account_pages_are_for_signed_in_people(browser, people, role, url):
    response = as_role(browser, people, role).get(url)
    if role == "anonymous":
        expect(response, 302, f"/login?next={url}")
    elif role == "platform_admin_without_2fa":
        expect(response, 302, f"/login/2fa?next={url}")
    else:
        expect(response, 200)
        assert people[role].email in response.get_data(as_text=True) or url != "/compte"


@pytest.mark.parametrize(("role", "status"), [
    ("anonymous", 302),
    *[(role, 400) for role in SIGNED_IN if role != "platform_admin"],  # no TOTP: wrong code
    ("platform_admin", 403),
    ("platform_admin_without_2fa", 302),
])
def test_only_people_who_may_turn_totp_off_can(browser, people, role, status):
    as_role(browser, people, role)
    token = csrf_token(browser.get("/mot-de-passe/oubli").get_data(as_text=True))

    response = browser.post("/compte/2fa/desactiver", data={"csrf_token": token, "code": "1"})

    expect(response, status)


@pytest.mark.parametrize(("role", "location"), [
    ("anonymous", "/login"),
    *[(role, "/compte") for role in SIGNED_IN],
    ("platform_admin_without_2fa", "/login/2fa"),
])
def test_a_new_confirmation_link_is_for_signed_in_people(browser, people, role, location):
    as_role(browser, people, role)
    token = csrf_token(browser.get("/mot-de-passe/oubli").get_data(as_text=True))

    expect(browser.post("/verification/nouveau-lien", data={"csrf_token": token}), 302, location)


def test_a_link_for_b_confirms_b_and_leaves_a_signed_in_as_a(browser, people):
    unconfirmed = people["unconfirmed"]
    as_role(browser, people, "member_a")

    link = f"/verification/{tokens.make_verification_token(unconfirmed)}"
    expect(browser.get(link), 200)

    db.session.refresh(unconfirmed)
    assert unconfirmed.is_verified
    assert people["member_a"].email in browser.get("/compte").get_data(as_text=True)


def test_a_reset_link_for_b_changes_only_b(browser, people):
    as_role(browser, people, "member_a")
    member_b = people["member_b"]
    with browser.application.test_request_context():
        link = f"/mot-de-passe/{tokens.make_reset_token(member_b)}"

    page = browser.get(link).get_data(as_text=True)
    assert member_b.email in page and people["member_a"].email not in page.split("<main")[1]


# --- the decorators, as other pages use them ---------------------------------------------------


def view():
    return "the page"


GUARDS = {
    "login": access.login_required(view),
    "verified": access.verified_required(view),
    "platform_admin": access.platform_admin_required(view),
}
OPEN = "open"
TO_LOGIN, TO_CODE = "/login?next=/probe", "/login/2fa?next=/probe"
EXPECTED = {  # role: (login_required, verified_required, platform_admin_required)
    "anonymous": (TO_LOGIN, TO_LOGIN, TO_LOGIN),
    "unconfirmed": (OPEN, 403, Forbidden),
    "citizen": (OPEN, OPEN, Forbidden),
    "member_a": (OPEN, OPEN, Forbidden),
    "admin_a": (OPEN, OPEN, Forbidden),
    "member_b": (OPEN, OPEN, Forbidden),
    "manager_01": (OPEN, OPEN, Forbidden),
    "platform_admin": (OPEN, OPEN, OPEN),
    "platform_admin_without_2fa": (TO_CODE, TO_CODE, TO_CODE),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("guard", list(GUARDS))
def test_the_access_decorators(app, people, role, guard):
    expected = EXPECTED[role][list(GUARDS).index(guard)]
    with app.test_request_context("/probe", headers={"Accept-Language": "en"}):
        if people[role] is not None:
            login_user(people[role])
            session["relais_2fa"] = role != "platform_admin_without_2fa"
        if expected is Forbidden:
            with pytest.raises(Forbidden):
                GUARDS[guard]()
            return
        result = GUARDS[guard]()
    if expected == OPEN:
        assert result == "the page"
    elif expected == 403:
        body, status = result
        assert status == 403 and "Confirm your email address first" in body
        assert accessibility_problems(parse(body)) == []
    else:
        assert result.status_code == 302 and result.location == expected


def test_flask_login_sends_anonymous_people_to_the_sign_in_page(app):
    from extensions import login_manager

    with app.test_request_context("/probe?x=1"):
        response = login_manager.unauthorized()

    assert response.status_code == 302
    assert response.location == "/login?next=%2Fprobe%3Fx%3D1"


@pytest.mark.parametrize(("target", "safe"), [
    ("/espace", True), ("/communes/69383?need=x", True), ("/", True),
    ("//evil.example", False), ("/\\evil.example", False), ("https://evil.example/", False),
    ("evil.example", False), ("javascript:alert(1)", False), ("", False), (None, False),
    ("/x\r\nLocation: https://evil.example", False),
])
def test_next_must_be_a_path_of_this_site(target, safe):
    assert access.local_path(target) == (target if safe else None)
