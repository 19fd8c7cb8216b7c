"""Organisation API tokens: made and revoked by the organisation's administrators only,
stored as a fingerprint, shown once, and refused once revoked or outside their scopes."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from accounts import api_tokens
from accounts.api_tokens import SCOPE_READ, SCOPE_WRITE, ApiToken, Unauthenticated
from errors import Forbidden, Invalid, NotFound
from extensions import db
from tests import factories as f
from tests.pages.html_checks import get_page, visible_text


def test_a_token_is_stored_as_its_sha256_with_only_its_prefix_in_clear(orgs):
    a, _b = orgs
    token, secret = api_tokens.create_token(a.admin, a.organisation, "  CRM   export ",
                                            [SCOPE_WRITE, SCOPE_READ])
    db.session.commit()
    stored = db.session.scalar(sa.select(ApiToken))
    assert secret.startswith("rls_") and len(secret) > 40
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in (stored.token_hash, stored.prefix, stored.name)
    assert secret.startswith(stored.prefix) and len(stored.prefix) == 12
    assert stored.name == "CRM export"
    assert stored.scopes == [SCOPE_READ, SCOPE_WRITE]
    assert stored.created_by_id == a.admin.id and stored.last_used_at is None
    assert token.id == stored.id


@pytest.mark.parametrize("who", ["member_a", "admin_b", "citizen"])
def test_only_the_organisations_administrators_create_its_tokens(orgs, who):
    a, b = orgs
    user = {"member_a": a.member, "admin_b": b.admin, "citizen": f.user()}[who]
    with pytest.raises(Forbidden):
        api_tokens.create_token(user, a.organisation, "Mine", [SCOPE_READ])
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0


@pytest.mark.parametrize(("name", "scopes", "field"), [
    ("", [SCOPE_READ], "name"),
    ("x" * 101, [SCOPE_READ], "name"),
    ("Mine", [], "scopes"),
    ("Mine", ["services:admin"], "scopes"),
    ("Mine", "services:read", "scopes"),
])
def test_a_token_needs_a_name_and_known_scopes(orgs, name, scopes, field):
    a, _b = orgs
    with pytest.raises(Invalid) as refused:
        api_tokens.create_token(a.admin, a.organisation, name, scopes)
    assert list(refused.value.field_errors) == [field]


def test_authenticate_reads_the_bearer_header_and_marks_the_token_used(orgs):
    a, _b = orgs
    secret = a.token(SCOPE_READ)
    token = api_tokens.authenticate(f"Bearer {secret}", SCOPE_READ)
    assert token.organisation_id == a.organisation.id
    assert token.last_used_at is not None
    assert api_tokens.authenticate(f"bearer   {secret}", SCOPE_READ).id == token.id


@pytest.mark.parametrize("header", [
    None, "", "Bearer", "Basic dXNlcjpwYXNz", "Bearer rls_not-a-token", "Bearer a b",
])
def test_no_valid_bearer_token_is_unauthenticated(orgs, header):
    orgs[0].token()
    with pytest.raises(Unauthenticated):
        api_tokens.authenticate(header, SCOPE_READ)


def test_a_revoked_token_stops_working_at_once(orgs):
    a, _b = orgs
    secret = a.token()
    token = api_tokens.find_token(secret)
    api_tokens.revoke_token(a.admin, a.organisation, token.id)
    db.session.commit()
    with pytest.raises(Unauthenticated):
        api_tokens.authenticate(f"Bearer {secret}", SCOPE_READ)
    assert token.revoked_by_id == a.admin.id


def test_a_token_is_refused_what_its_scopes_do_not_allow(orgs):
    a, _b = orgs
    secret = a.token(SCOPE_READ)
    with pytest.raises(Forbidden):
        api_tokens.authenticate(f"Bearer {secret}", SCOPE_WRITE)


def test_another_organisations_token_cannot_be_revoked_and_stays_valid(orgs):
    a, b = orgs
    secret_b = b.token()
    token_b = api_tokens.find_token(secret_b)
    with pytest.raises(NotFound):
        api_tokens.revoke_token(a.admin, a.organisation, token_b.id)
    with pytest.raises(Forbidden):
        api_tokens.revoke_token(a.admin, b.organisation, token_b.id)
    assert api_tokens.authenticate(f"Bearer {secret_b}", SCOPE_READ).id == token_b.id


# --- the page ---------------------------------------------------------------------------------


def _page_url(organisation) -> str:
    return f"/organisations/{organisation.id}/jetons-api?lang=en"


def test_an_administrator_creates_a_token_sees_it_once_then_revokes_it(app, client, orgs):
    a, _b = orgs
    f.login(client, a.admin)
    page = get_page(client, _page_url(a.organisation))
    assert "No token yet." in visible_text(page.tree)
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        response = client.post(f"/organisations/{a.organisation.id}/jetons-api",
                               data={"name": "Suivi", "scopes": [SCOPE_READ, SCOPE_WRITE]})
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "Copy it now: it is shown only once." in html
        token = db.session.scalar(sa.select(ApiToken))
        secret = html.split('value="', 1)[1]
        secret = secret[secret.index("rls_"):].split('"', 1)[0]
        assert hashlib.sha256(secret.encode()).hexdigest() == token.token_hash
        assert response.headers["Cache-Control"] == "no-store"

        again = visible_text(get_page(client, _page_url(a.organisation)).tree)
        assert secret not in again and token.prefix in again and "Suivi" in again

        response = client.post(
            f"/organisations/{a.organisation.id}/jetons-api/{token.id}/revoquer")
        assert response.status_code == 302
        text = visible_text(get_page(client, _page_url(a.organisation)).tree)
        assert "is revoked: it no longer works" in text and "revoked on" in text
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    assert api_tokens.find_token(secret) is None


def test_the_form_says_what_is_wrong_on_each_field(app, client, orgs):
    a, _b = orgs
    f.login(client, a.admin)
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        response = client.post(f"/organisations/{a.organisation.id}/jetons-api?lang=en",
                               data={"name": "", "scopes": [SCOPE_READ]})
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    assert response.status_code == 422
    assert "Say which program will use it." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0


def test_members_and_other_organisations_cannot_open_the_tokens_page(client, orgs):
    a, b = orgs
    f.login(client, a.member)
    assert client.get(_page_url(a.organisation)).status_code == 403
    f.login(client, b.admin)
    assert client.get(_page_url(a.organisation)).status_code == 403
