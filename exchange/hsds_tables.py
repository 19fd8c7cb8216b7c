"""HSDS 3.0 nested documents <-> the tables of the CSV data package.

The export writes its CSV package by flattening the same nested documents as its JSON; the
import reads a CSV package (or the official tabular.json example) by nesting the rows back
into documents, then imports them like JSON. So both formats have one meaning. Column types
follow datapackage.json; the Relais profile adds a few columns (PROFILE_FIELDS), described in
the package it writes.
"""

from __future__ import annotations

import json
from collections import defaultdict

from flask_babel import gettext as _

from exchange import hsds_schemas

# Columns the Relais profile adds to the official tables (exchange/hsds_profile.json).
PROFILE_FIELDS = {
    "service": [
        {"name": "summary", "type": "string",
         "description": "Relais profile: one-sentence summary"},
        {"name": "eligibility_rule", "type": "object",
         "description": "Relais profile: structured eligibility rule (JSON), docs/eligibility.md"},
        {"name": "coverage_radius_km", "type": "number",
         "description": "Relais profile: reach of an in-person service, km"},
    ],
    "service_area": [
        {"name": "zone_type", "type": "string", "description": "Relais profile: kind of area"},
        {"name": "insee_code", "type": "string", "description": "Relais profile: INSEE code"},
    ],
    "address": [
        {"name": "insee_code", "type": "string", "description": "Relais profile: INSEE code"},
    ],
}
# Nested objects that repeat a record listed elsewhere: not flattened a second time.
REPEATED = {("service", "organization"), ("service", "program"), ("attribute", "taxonomy_term"),
            ("taxonomy_term", "taxonomy_detail"), ("service_at_location", "service")}


def fields_of(entity: str) -> list[dict]:
    return hsds_schemas.table_fields(entity) + PROFILE_FIELDS.get(entity, [])


def _children(entity: str) -> dict[str, tuple[str, bool]]:
    """property -> (child entity, is a list) for the nested objects of an entity's schema."""
    schema = hsds_schemas.load(f"{entity}.json")
    found = {}
    for name, spec in schema["properties"].items():
        ref = spec.get("$ref") or spec.get("items", {}).get("$ref")
        if ref:
            found[name] = (ref.removesuffix(".json"), spec.get("type") == "array")
    return found


def flatten(entity: str, document: dict, tables: dict[str, dict[str, dict]]) -> None:
    """Add a document and everything nested in it to `tables` (entity -> id -> row)."""
    columns = {field["name"] for field in fields_of(entity)}
    tables[entity].setdefault(document["id"], {
        key: value for key, value in document.items() if key in columns})
    for name, (child, many) in _children(entity).items():
        if name not in document or (entity, name) in REPEATED:
            continue
        for item in (document[name] if many else [document[name]]):
            flatten(child, item, tables)


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, float) and value.is_integer():
        return str(value)
    return str(value)


class CellError(ValueError):
    pass


def typed(field: dict, text: str):
    """A CSV cell as the JSON value its column type says; '' is absent (None)."""
    if text is None or text == "":
        return None
    kind = field.get("type", "string")
    try:
        if kind == "number":
            number = float(text)
            return int(number) if number.is_integer() and "." not in text else number
        if kind == "integer":
            return int(text)
        if kind == "object":
            return json.loads(text)
    except ValueError:
        raise CellError(_("%(field)s: %(text)s is not a %(kind)s", field=field["name"],
                          text=repr(text), kind=kind)) from None
    return text


# --- from tables back to documents ------------------------------------------------------------

# child table -> (foreign key column, parent entity, property of the parent)
LINKS = (
    ("phone", "service_id", "service", "phones"),
    ("phone", "organization_id", "organization", "phones"),
    ("phone", "location_id", "location", "phones"),
    ("contact", "service_id", "service", "contacts"),
    ("contact", "organization_id", "organization", "contacts"),
    ("language", "service_id", "service", "languages"),
    ("required_document", "service_id", "service", "required_documents"),
    ("schedule", "service_id", "service", "schedules"),
    ("schedule", "location_id", "location", "schedules"),
    ("service_area", "service_id", "service", "service_areas"),
    ("address", "location_id", "location", "addresses"),
    ("accessibility", "location_id", "location", "accessibility"),
    ("organization_identifier", "organization_id", "organization", "organization_identifiers"),
    ("service_at_location", "service_id", "service", "service_at_locations"),
    # Details Relais does not keep, nested so that they are not reported as orphans.
    ("phone", "contact_id", "contact", "phones"),
    ("phone", "service_at_location_id", "service_at_location", "phones"),
    ("contact", "service_at_location_id", "service_at_location", "contacts"),
    ("contact", "location_id", "location", "contacts"),
    ("schedule", "service_at_location_id", "service_at_location", "schedules"),
    ("language", "location_id", "location", "languages"),
)


def nest(tables: dict[str, list[tuple[int, dict]]]) -> dict[str, list[tuple[int, dict]]]:
    """Rows per entity (with their row numbers) -> documents per entity, children nested.
    Rows that point at a missing parent stay top-level: the import reports them."""
    by_id = {entity: {row.get("id"): row for _n, row in rows} for entity, rows in tables.items()}
    attached: set[int] = set()
    for child, key, parent, prop in LINKS:
        for _n, row in tables.get(child, []):
            owner = by_id.get(parent, {}).get(row.get(key))
            if owner is not None:
                owner.setdefault(prop, []).append(row)
                attached.add(id(row))
    for _n, row in tables.get("attribute", []):
        owner = by_id.get(row.get("link_entity") or "", {}).get(row.get("link_id"))
        term = by_id.get("taxonomy_term", {}).get(row.get("taxonomy_term_id"))
        if term is not None:
            row["taxonomy_term"] = term
        if owner is not None:
            owner.setdefault("attributes", []).append(row)
            attached.add(id(row))
    for _n, link in tables.get("service_at_location", []):
        place = by_id.get("location", {}).get(link.get("location_id"))
        if place is not None:
            link["location"] = place
    for _n, term in tables.get("taxonomy_term", []):
        detail = by_id.get("taxonomy", {}).get(term.get("taxonomy_id"))
        if detail is not None:
            term["taxonomy_detail"] = detail
    documents: dict[str, list[tuple[int, dict]]] = defaultdict(list)
    for entity, rows in tables.items():
        for number, row in rows:
            if id(row) not in attached:
                documents[entity].append((number, row))
    return documents
