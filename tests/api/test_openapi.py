"""The OpenAPI document is valid OpenAPI 3, covers the whole JSON API, and reads as a page."""

from __future__ import annotations

from openapi_spec_validator import validate

from directory.openapi import build_spec
from tests.pages.html_checks import get_page, visible_text

OPERATIONS = {
    ("/api/v1/search", "get"), ("/api/v1/match", "post"), ("/api/v1/communes", "get"),
    ("/api/v1/places", "get"), ("/api/v1/zones", "get"), ("/api/v1/services", "get"),
    ("/api/v1/services", "post"), ("/api/v1/services/{service_id}", "get"),
    ("/api/v1/services/{service_id}", "put"), ("/api/v1/services/{service_id}", "delete"),
}


def test_the_document_is_valid_openapi_3_and_covers_the_api(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.json
    validate(document)
    assert document["openapi"].startswith("3.")
    found = {(path, method) for path, item in document["paths"].items()
             for method in item if method in ("get", "post", "put", "delete")}
    assert found == OPERATIONS
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer",
        "description": "An organisation API token, created by its administrators in Relais."}
    put = document["paths"]["/api/v1/services/{service_id}"]["put"]
    assert put["security"] == [{"bearerAuth": []}]
    assert {"400", "401", "403", "404", "409", "422"} <= set(put["responses"])
    assert document == build_spec()  # what the property-based test checks the API against


def test_every_route_under_api_v1_is_documented(app, client):
    documented = {path for path, _method in OPERATIONS}
    routes = {rule.rule.replace("<uuid:service_id>", "{service_id}")
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")}
    assert routes == documented


def test_the_docs_page_shows_each_operation_with_translated_headings(client):
    english = visible_text(get_page(client, "/api/docs?lang=en").tree)
    for words in ("Relais API documentation", "Authentication", "Parameters", "Responses",
                  "PUT /api/v1/services/{service_id}", "Needs an organisation API token.",
                  "Fields of ServiceInput"):
        assert words in english


def test_the_docs_page_headings_are_in_french(client):
    """Needs translations/pending/api.po merged into the French catalogue."""
    french = visible_text(get_page(client, "/api/docs?lang=fr").tree)
    assert "Documentation de l’API Relais" in french
    assert "Authentification" in french
