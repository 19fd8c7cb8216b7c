"""Checking documents against the official HSDS 3.0 schemas (vendored in exchange/hsds_schema)
and the Relais profile, for the API and export tests."""

from __future__ import annotations

import json

from jsonschema import Draft202012Validator
from referencing.jsonschema import DRAFT202012

from exchange import hsds_schemas
from exchange.hsds_api import PROFILE

PROFILE_URI = "https://relais.test/api/hsds/profile/"
PAGE_KEYS = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page",
             "empty", "contents"}


def _problems(validator, document) -> list[str]:
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(document)]


def assert_valid(entity: str, document: dict) -> None:
    """Valid against the core schema of `entity` and, for the entities the profile extends,
    against the Relais profile too."""
    assert hsds_schemas.errors(entity, document) == []
    profile = json.loads(PROFILE.read_text(encoding="utf-8"))
    if entity in profile["$defs"]:
        registry = hsds_schemas.registry().with_resource(
            PROFILE_URI, DRAFT202012.create_resource({**profile, "$id": PROFILE_URI}))
        validator = Draft202012Validator(
            {"$ref": f"{PROFILE_URI}#/$defs/{entity}"}, registry=registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER)
        assert _problems(validator, document) == []


def assert_full_service(document: dict) -> None:
    """A fully nested service, as /services/{id} promises (the compiled official schema)."""
    assert _problems(hsds_schemas.compiled_validator("service_with_definitions"), document) == []
    assert_valid("service", document)


# The official compiled schemas of list items (what the HSDS OpenAPI document names).
LIST_SCHEMAS = {"service": "service_list", "organization": "organization_list",
                "service_at_location": "service_at_location_list"}


def assert_page(document: dict, entity: str) -> list[dict]:
    """An HSDS Page whose contents are each valid `entity` documents (the core schema, the
    official list schema when there is one, the profile); returns the contents."""
    assert set(document) == PAGE_KEYS
    assert document["size"] == len(document["contents"])
    assert document["empty"] == (not document["contents"])
    for item in document["contents"]:
        assert_valid(entity, item)
        if entity in LIST_SCHEMAS:
            listed = hsds_schemas.compiled_validator(LIST_SCHEMAS[entity])
            assert _problems(listed, item) == []
    return document["contents"]
