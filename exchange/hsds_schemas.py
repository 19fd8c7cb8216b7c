"""The official HSDS 3.0 schemas, vendored in exchange/hsds_schema, as jsonschema validators.

One place loads them: the import validates what it reads with them and the tests validate
what the API and the export write. The core files refer to each other by relative names
("attribute.json"); they are registered under the specification's own URL so those references
resolve without the network.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_DIR = Path(__file__).parent / "hsds_schema"
BASE_URI = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
HSDS_VERSION = "3.0"

# Entity name (HSDS "name" of the schema) -> file.
ENTITIES = (
    "organization", "program", "service", "attribute", "service_at_location", "location",
    "phone", "contact", "address", "schedule", "funding", "service_area", "required_document",
    "language", "accessibility", "taxonomy_term", "metadata", "meta_table_description",
    "cost_option", "organization_identifier", "taxonomy",
)


def load(name: str) -> dict:
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


@cache
def registry() -> Registry:
    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        if path.name in ("openapi.json", "datapackage.json"):
            continue
        contents = {**load(path.name), "$id": BASE_URI + path.name}
        resources.append((BASE_URI + path.name, DRAFT202012.create_resource(contents)))
    return Registry().with_resources(resources)


@cache
def validator(entity: str) -> Draft202012Validator:
    """A validator of one HSDS entity (a core schema, with its nested objects)."""
    return Draft202012Validator(
        {"$ref": BASE_URI + f"{entity}.json"},
        registry=registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


@cache
def compiled_validator(name: str) -> Draft202012Validator:
    """A validator of a compiled schema: `service_with_definitions` (the fully nested service
    that /services/{id} answers), `service_list`, `organization_list`,
    `service_at_location_list` (the items of the API's lists)."""
    schema = load(f"compiled/{name}.json")
    return Draft202012Validator(
        schema, format_checker=Draft202012Validator.FORMAT_CHECKER,
        registry=Registry().with_resource(BASE_URI + f"compiled/{name}.json",
                                          Resource.from_contents(schema, DRAFT202012)),
    )


def errors(entity: str, document: dict) -> list[str]:
    """Every way `document` breaks the schema of `entity`, as "path: message" strings."""
    found = []
    for error in sorted(validator(entity).iter_errors(document), key=lambda e: list(e.path)):
        where = ".".join(str(part) for part in error.absolute_path) or entity
        found.append(f"{where}: {error.message}")
    return found


@cache
def datapackage() -> dict:
    """The HSDS 3.0 tabular data package descriptor (one resource per CSV file)."""
    return load("datapackage.json")


def table_fields(entity: str) -> list[dict]:
    """The fields (name, type, constraints) of one entity's CSV file, in the official order."""
    for resource in datapackage()["resources"]:
        if resource["name"] == entity:
            return resource["schema"]["fields"]
    raise KeyError(entity)


def table_path(entity: str) -> str:
    for resource in datapackage()["resources"]:
        if resource["name"] == entity:
            return resource["path"]
    raise KeyError(entity)
