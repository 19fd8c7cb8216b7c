"""Who may do what with an organisation, as tables: each kind of user × organisations A and B.

Organisation A is in Lyon (Rhône, 69), B in Bourg-en-Bresse (Ain, 01). The helpers at the top
(`build_world`, `OrgClient`, `csrf_token`) are shared by the other organisation tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import argon2
import pytest
from flask import g
from itsdangerous import URLSafeTimedSerializer

from accounts import permissions
from accounts.models import ADMIN, PENDING
from tests import factories
from tests.conftest import PageClient

# ---------------------------------------------------------------------------------------------
# Shared helpers


@cache
def _hash_once(password: str) -> str:
    return _REAL_HASHER().hash(password)


_REAL_HASHER = argon2.PasswordHasher


class _HashOnceHasher(argon2.PasswordHasher):
    """Hashes each password once per run: these tests build a dozen accounts each and never
    check a password, and argon2 is slow on purpose."""

    def hash(self, password, *, salt=None):
        return _hash_once(password if isinstance(password, str) else password.decode())


@pytest.fixture(autouse=True)
def hash_each_password_once(monkeypatch):
    monkeypatch.setattr(argon2, "PasswordHasher", _HashOnceHasher)


@dataclass
class World:
    org_a: object
    org_b: object
    member_a: object
    admin_a: object
    member_b: object
    admin_b: object
    citizen: object
    manager_69: object
    manager_01: object
    platform: object
    unverified_member_a: object
    pending_a: object


def build_world() -> World:
    """Two organisations with their people, territory managers and a platform administrator."""
    org_a = factories.organisation(
        name="Mission locale de Lyon",
        commune_code="69383",
        postcode="69003",
        city="Lyon 3e Arrondissement",
    )
    org_b = factories.organisation(
        name="CCAS de Bourg-en-Bresse",
        commune_code="01053",
        postcode="01000",
        city="Bourg-en-Bresse",
    )
    world = World(
        org_a=org_a,
        org_b=org_b,
        member_a=factories.user("member.a@example.org", name="Alice Membre"),
        admin_a=factories.user("admin.a@example.org", name="Antoine Admin"),
        member_b=factories.user("member.b@example.org", name="Bruno Membre"),
        admin_b=factories.user("admin.b@example.org", name="Béatrice Admin"),
        citizen=factories.user("citizen@example.org", name="Camille Citoyenne"),
        manager_69=factories.territory_manager(
            "69", email="territoire.69@example.org", name="Théo Rhône"
        ),
        manager_01=factories.territory_manager(
            "01", email="territoire.01@example.org", name="Tina Ain"
        ),
        platform=factories.user(
            "platform@example.org", platform_admin=True, name="Paula Plateforme"
        ),
        unverified_member_a=factories.user("unverified.a@example.org", verified=False),
        pending_a=factories.user("pending.a@example.org", name="Pierre Attente"),
    )
    factories.membership(world.member_a, org_a)
    factories.membership(world.admin_a, org_a, role=ADMIN)
    factories.membership(world.member_b, org_b)
    factories.membership(world.admin_b, org_b, role=ADMIN)
    factories.membership(world.unverified_member_a, org_a)
    factories.membership(world.pending_a, org_a, status=PENDING)
    return world


class OrgClient(PageClient):
    """A test client that reads who is signed in afresh on each request, as production does:
    the test keeps one application context open, so Flask-Login's cached user (and
    Flask-WTF's cached token) in `g` would otherwise outlive the request that set them."""

    def open(self, *args, **kwargs):
        for key in ("_login_user", "csrf_token"):
            g.pop(key, None)
        return super().open(*args, **kwargs)


def new_client(app, account=None, *, second_factor: bool = True, lang: str = "en") -> OrgClient:
    """A client signed in as `account` (anonymous for None), reading pages in English."""
    client = OrgClient(app, app.response_class, use_cookies=True)
    if account is not None:
        factories.login(client, account, second_factor=second_factor)
    with client.session_transaction() as session:
        session["lang"] = lang
    return client


def csrf_token(client) -> str:
    """The CSRF token the client's session accepts (what csrf_token() puts in forms)."""
    app = client.application
    with client.session_transaction() as session:
        raw = session.setdefault("csrf_token", "0123456789abcdef0123456789abcdef01234567")
    return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)


def post(client, url: str, data: dict | None = None, **kwargs):
    return client.post(url, data={"csrf_token": csrf_token(client), **(data or {})}, **kwargs)


def is_sent_to_sign_in(response) -> bool:
    """Anonymous visitors are asked to sign in: Flask-Login's login view, or 401 without one."""
    if response.status_code == 401:
        return True
    return response.status_code == 302 and "login" in response.location


# ---------------------------------------------------------------------------------------------
# Tables

# Actor → (user attribute, second factor given in the session).
ACTORS = {
    "anonymous": (None, False),
    "citizen": ("citizen", True),
    "member of A": ("member_a", True),
    "admin of A": ("admin_a", True),
    "member of B": ("member_b", True),
    "unverified member of A": ("unverified_member_a", True),
    "pending member of A": ("pending_a", True),
    "territory manager of 69": ("manager_69", True),
    "territory manager of 01": ("manager_01", True),
    "platform admin with 2FA": ("platform", True),
    "platform admin without 2FA": ("platform", False),
}


def actor(world: World, name: str):
    attribute, second_factor = ACTORS[name]
    return (getattr(world, attribute) if attribute else None), second_factor


# function → organisation → the actors allowed (every other actor is refused).
TABLE = {
    "is_member": {
        "A": {"member of A", "admin of A", "unverified member of A"},
        "B": {"member of B"},
    },
    "is_org_admin": {"A": {"admin of A"}, "B": set()},
    "can_edit_listings": {
        "A": {"member of A", "admin of A", "platform admin with 2FA"},
        "B": {"member of B", "platform admin with 2FA"},
    },
    "can_manage_members": {
        "A": {"admin of A", "platform admin with 2FA"},
        "B": {"platform admin with 2FA"},
    },
    "can_moderate": {
        "A": {"territory manager of 69", "platform admin with 2FA"},
        "B": {"territory manager of 01", "platform admin with 2FA"},
    },
}
TAKES_SECOND_FACTOR = {"can_edit_listings", "can_manage_members", "can_moderate"}


@pytest.mark.parametrize("function", list(TABLE))
@pytest.mark.parametrize("org_name", ["A", "B"])
def test_permission_table(app_ctx, function, org_name):
    world = build_world()
    org = world.org_a if org_name == "A" else world.org_b
    check = getattr(permissions, function)
    answers = {}
    for name in ACTORS:
        user, second_factor = actor(world, name)
        if function in TAKES_SECOND_FACTOR:
            answers[name] = check(user, org, second_factor=second_factor)
        else:
            answers[name] = check(user, org)
    assert {name for name, allowed in answers.items() if allowed} == TABLE[function][org_name]


def test_platform_admin_needs_the_second_factor_of_the_current_session(app):
    with app.app_context():
        world = build_world()
        with app.test_request_context():
            assert not permissions.can_manage_members(world.platform, world.org_a)
            from flask import session

            session[permissions.SECOND_FACTOR_DONE] = True
            assert permissions.can_manage_members(world.platform, world.org_a)
        # Outside a request nobody has given a second factor.
        assert not permissions.acts_as_platform_admin(world.platform)
        assert permissions.acts_as_platform_admin(world.platform, second_factor=True)


def test_second_factor_key_is_the_one_sign_in_sets():
    assert permissions.SECOND_FACTOR_DONE == factories.SECOND_FACTOR_DONE


@pytest.mark.parametrize(
    "fields, expected",
    [
        ({"commune_code": "69383", "postcode": "01000"}, "69"),  # the commune wins
        ({"commune_code": "01053"}, "01"),
        ({"postcode": "69003"}, "69"),
        ({"postcode": "01000"}, "01"),
        ({"postcode": "20000"}, "2A"),
        ({"postcode": "20200"}, "2B"),
        ({"postcode": "97400"}, "974"),
        ({"commune_code": "99999", "postcode": "75011"}, "75"),  # unknown commune: postcode
        ({}, None),
        ({"postcode": "69"}, None),
    ],
)
def test_departement_of_an_organisation(app_ctx, fields, expected):
    assert permissions.departement_of(factories.organisation(**fields)) == expected


def test_organisation_without_departement_is_moderated_by_platform_admins_only(app_ctx):
    org = factories.organisation()
    manager = factories.territory_manager("69")
    platform = factories.user(platform_admin=True)
    assert not permissions.can_moderate(manager, org, second_factor=True)
    assert permissions.can_moderate(platform, org, second_factor=True)
    assert permissions.moderators_of(org) == [platform]


def test_unverified_territory_manager_moderates_nothing(app_ctx):
    org = factories.organisation(commune_code="69383")
    manager = factories.territory_manager("69", verified=False)
    assert not permissions.can_moderate(manager, org)
    assert manager not in permissions.moderators_of(org)


def test_moderators_of_an_organisation_are_its_territory_managers_and_platform_admins(app_ctx):
    world = build_world()
    assert set(permissions.moderators_of(world.org_a)) == {world.manager_69, world.platform}
    assert set(permissions.moderators_of(world.org_b)) == {world.manager_01, world.platform}


def test_requests_are_decided_by_admins_or_by_moderators_when_there_is_none(app_ctx):
    world = build_world()
    request_a = factories.membership(world.citizen, world.org_a, status=PENDING)
    orphan = factories.organisation(commune_code="69266")
    request_orphan = factories.membership(world.citizen, orphan, role=ADMIN, status=PENDING)

    def deciders(link):
        allowed = set()
        for name in ACTORS:
            user, second_factor = actor(world, name)
            if permissions.can_decide_membership(user, link, second_factor=second_factor):
                allowed.add(name)
        return allowed

    assert deciders(request_a) == {"admin of A", "platform admin with 2FA"}
    assert deciders(request_orphan) == {"territory manager of 69", "platform admin with 2FA"}


def test_can_decide_membership_takes_the_second_factor(app_ctx):
    world = build_world()
    link = factories.membership(world.citizen, world.org_a, status=PENDING)
    assert permissions.can_decide_membership(world.platform, link, second_factor=True)
    assert not permissions.can_decide_membership(world.platform, link, second_factor=False)


def test_require_raises_forbidden():
    from errors import Forbidden

    permissions.require(True)
    with pytest.raises(Forbidden):
        permissions.require(False)
