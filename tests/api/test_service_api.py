"""The services write API: a token writes its own organisation's listings through the same
rules as the provider pages (checks, history, review, search index), and nothing of another
organisation's."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from accounts import api_tokens
from accounts.api_tokens import SCOPE_READ, SCOPE_WRITE
from directory.history import ChangeRecord
from directory.models import ARCHIVED, DRAFT, PUBLISHED, Service
from extensions import db
from tests import factories as f
from tests.api.conftest import bearer

NEED = "mobilite--etre-accompagne-dans-son-parcours-mobilite"
PUBLISHABLE = {
    "name": "Garage solidaire",
    "summary": "Réparer sa voiture à petit prix",
    "thematiques": [NEED],
    "modes_accueil": ["en-presentiel"],
    "publics": ["tous-publics"],
    "zones": [{"kind": "departement", "code": "69"}],
}


def _records(service_id) -> list[ChangeRecord]:
    return list(db.session.scalars(
        sa.select(ChangeRecord).where(ChangeRecord.entity_id == service_id)
        .order_by(ChangeRecord.field)))


def _search(client, **params) -> list[str]:
    response = client.get("/api/v1/search", query_string={"postcode": "69003", **params})
    assert response.status_code == 200, response.json
    return [result["name"] for result in response.json["results"]]


def test_a_token_creates_a_draft_recorded_in_the_history(client, orgs):
    a, _b = orgs
    response = client.post("/api/v1/services", json={"name": "Atelier CV"},
                           headers=bearer(a.token()))
    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == DRAFT and body["name"] == "Atelier CV" and body["url"] is None
    assert body["organisation"] == {"id": str(a.organisation.id), "name": "Organisation A"}
    assert response.headers["ETag"] == f'"{body["version"]}"'
    assert response.headers["Location"].endswith(f"/api/v1/services/{body['id']}")
    service = db.session.get(Service, uuid.UUID(body["id"]))
    assert service.organisation_id == a.organisation.id
    [record] = _records(service.id)
    assert (record.field, record.new_value, record.changed_by_id) == ("status", DRAFT,
                                                                      a.admin.id)


def test_a_published_service_written_by_api_is_found_by_search_and_withdrawn_by_delete(
        client, orgs):
    a, _b = orgs
    headers = bearer(a.token())
    response = client.post("/api/v1/services", json={**PUBLISHABLE, "status": "published"},
                           headers=headers)
    assert response.status_code == 201, response.json
    service_id = response.json["id"]
    assert response.json["status"] == PUBLISHED and response.json["url"]
    assert "Garage solidaire" in _search(client, need=NEED)

    response = client.delete(f"/api/v1/services/{service_id}", headers=headers)
    assert response.status_code == 204
    assert "Garage solidaire" not in _search(client, need=NEED)
    service = db.session.get(Service, uuid.UUID(service_id))
    assert service.status == ARCHIVED  # archived, not destroyed: its history stays
    assert {r.new_value for r in _records(service.id) if r.field == "status"} == {
        DRAFT, PUBLISHED, ARCHIVED}
    assert client.delete(f"/api/v1/services/{service_id}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/services/{service_id}",
                      headers=headers).json["status"] == ARCHIVED


def test_a_change_to_a_published_service_awaits_review_like_a_provider_edit(client, orgs):
    a, _b = orgs
    headers = bearer(a.token())
    read = client.get(f"/api/v1/services/{a.service.id}", headers=headers)
    assert read.status_code == 200 and read.json["name"] == "Service A"
    response = client.put(f"/api/v1/services/{a.service.id}",
                          json={"name": "Service A renamed", "contact_email": "a@example.org"},
                          headers={**headers, "If-Match": read.headers["ETag"]})
    assert response.status_code == 200, response.json
    assert response.json["name"] == "Service A renamed"
    assert response.json["version"] != read.json["version"]
    records = _records(a.service.id)
    assert [(r.field, r.new_value, r.needs_review) for r in records] == [
        ("contact_email", "a@example.org", True), ("name", "Service A renamed", True)]
    assert "Service A renamed" in _search(client)


def test_a_stale_version_is_refused_and_changes_nothing(client, orgs):
    a, _b = orgs
    headers = bearer(a.token())
    stale = client.get(f"/api/v1/services/{a.service.id}", headers=headers).headers["ETag"]
    assert client.put(f"/api/v1/services/{a.service.id}", json={"summary": "First"},
                      headers=headers).status_code == 200
    response = client.put(f"/api/v1/services/{a.service.id}", json={"summary": "Second"},
                          headers={**headers, "If-Match": stale})
    assert response.status_code == 409
    assert response.json["error"] == "conflict" and "version" in response.json["errors"]
    db.session.expire_all()
    assert db.session.get(Service, a.service.id).summary == "First"
    response = client.delete(f"/api/v1/services/{a.service.id}",
                             headers={**headers, "If-Match": stale})
    assert response.status_code == 409


def test_wrong_fields_get_a_message_each_and_nothing_is_written(client, orgs):
    a, _b = orgs
    headers = bearer(a.token())
    response = client.post("/api/v1/services", headers=headers, json={
        "name": "X", "thematiques": ["pas-un-besoin"], "contact_email": "nope",
        "duration_weeks": 0, "organisation_id": str(uuid.uuid4()),
    })
    assert response.status_code == 422
    errors = response.json["errors"]
    assert set(errors) == {"name", "thematiques", "contact_email", "duration_weeks",
                           "organisation_id"}
    assert errors["name"] == ["Use at least 3 characters."]
    assert errors["organisation_id"] == ["This field is not part of a service."]
    assert db.session.scalar(sa.select(sa.func.count(Service.id))) == 2

    response = client.put(f"/api/v1/services/{a.service.id}", headers=headers,
                          json={"thematiques": []})
    assert response.status_code == 422 and "thematiques" in response.json["errors"]
    response = client.post("/api/v1/services", headers=headers,
                           json={"name": "Brouillon", "status": "suspended"})
    assert response.status_code == 422 and list(response.json["errors"]) == ["status"]
    assert _records(a.service.id) == []


@pytest.mark.parametrize("body", ["not json{", "[1, 2]", '"text"'])
def test_a_body_that_is_not_a_json_object_is_a_400(client, orgs, body):
    a, _b = orgs
    response = client.post("/api/v1/services", data=body, content_type="application/json",
                           headers=bearer(a.token()))
    assert response.status_code == 400
    assert response.json["error"] == "malformed"


def test_a_token_of_a_cannot_read_change_or_delete_a_service_of_b(client, orgs):
    a, b = orgs
    headers = bearer(a.token())
    before = (b.service.name, b.service.status, b.service.summary)
    url = f"/api/v1/services/{b.service.id}"
    for response in (
        client.get(url, headers=headers),
        client.put(url, json={"name": "Taken over"}, headers=headers),
        client.put(url, json={"status": "archived"}, headers=headers),
        client.delete(url, headers=headers),
    ):
        assert response.status_code == 404
        assert response.json["error"] == "notfound"
    # A service created with the token belongs to A, whatever the body says.
    response = client.post("/api/v1/services", headers=headers,
                           json={"name": "Intrus", "organisation": str(b.organisation.id)})
    assert response.status_code == 422
    listed = client.get("/api/v1/services", headers=headers).json["results"]
    assert [s["name"] for s in listed] == ["Service A"]
    db.session.expire_all()
    service_b = db.session.get(Service, b.service.id)
    assert (service_b.name, service_b.status, service_b.summary) == before
    assert db.session.scalar(sa.select(sa.func.count(Service.id)).where(
        Service.organisation_id == b.organisation.id)) == 1
    assert _records(b.service.id) == []


def test_an_unknown_service_is_a_404_as_for_another_organisation(client, orgs):
    a, _b = orgs
    response = client.get(f"/api/v1/services/{uuid.uuid4()}", headers=bearer(a.token()))
    assert response.status_code == 404


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer rls_forged"},
                                     {"Authorization": "Basic YTpi"}])
def test_without_a_valid_token_the_answer_is_401_with_a_bearer_challenge(client, orgs,
                                                                          headers):
    a, _b = orgs
    response = client.put(f"/api/v1/services/{a.service.id}", json={"name": "Nope"},
                          headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="relais"')
    assert response.json["error"] == "unauthenticated"


def test_a_revoked_token_is_refused(client, orgs):
    a, _b = orgs
    secret = a.token()
    token = api_tokens.find_token(secret)
    api_tokens.revoke_token(a.admin, a.organisation, token.id)
    db.session.commit()
    response = client.post("/api/v1/services", json={"name": "Après"}, headers=bearer(secret))
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_scopes_are_enforced(client, orgs):
    a, _b = orgs
    reader, writer = bearer(a.token(SCOPE_READ)), bearer(a.token(SCOPE_WRITE))
    url = f"/api/v1/services/{a.service.id}"
    response = client.post("/api/v1/services", json={"name": "Lecture"}, headers=reader)
    assert response.status_code == 403
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]
    assert client.put(url, json={"name": "Lecture"}, headers=reader).status_code == 403
    assert client.delete(url, headers=reader).status_code == 403
    assert client.get(url, headers=writer).status_code == 403
    assert client.get(url, headers=reader).status_code == 200
    assert client.put(url, json={"summary": "ok"}, headers=writer).status_code == 200


def test_a_signed_in_member_without_a_token_cannot_write(app, client, orgs):
    """The browser's session cookie never opens the API: no CSRF to forge."""
    a, _b = orgs
    f.login(client, a.member)
    response = client.put(f"/api/v1/services/{a.service.id}", json={"name": "Cookie"})
    assert response.status_code == 401
    response = client.post("/api/v1/services", json={"name": "Cookie"})
    assert response.status_code == 401


def test_each_token_has_its_own_rate_limit(app, client, orgs):
    a, b = orgs
    saved = app.config.get("RELAIS_API_TOKEN_RATE_LIMIT")
    app.config["RELAIS_API_TOKEN_RATE_LIMIT"] = "3 per minute"
    try:
        first, other = bearer(a.token()), bearer(b.token())
        statuses = [client.get("/api/v1/services", headers=first).status_code
                    for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = client.get("/api/v1/services", headers=first)
        assert limited.status_code == 429 and limited.json["error"] == "too_many_requests"
        assert client.get("/api/v1/services", headers=other).status_code == 200
    finally:
        app.config["RELAIS_API_TOKEN_RATE_LIMIT"] = saved


def test_the_token_records_when_it_was_last_used(client, orgs):
    a, _b = orgs
    secret = a.token(SCOPE_READ)
    assert api_tokens.find_token(secret).last_used_at is None
    client.get("/api/v1/services", headers=bearer(secret))
    db.session.expire_all()
    assert api_tokens.find_token(secret).last_used_at is not None
