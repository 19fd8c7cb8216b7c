"""`flask hsds export DIR`: the public catalogue as HSDS 3.0 JSON and as a CSV data package.

    DIR/json/organizations.json    organisations with their locations (HSDS organization)
    DIR/json/services.json         fully nested services (what /api/hsds/services/{id} answers)
    DIR/json/taxonomies.json, taxonomy_terms.json
    DIR/csv/datapackage.json + one CSV per HSDS table (the official descriptor, plus the Relais
                                   profile's columns)

Each JSON file is an array of documents that validate against the official schemas. Only what
the public sees is written: approved organisations, their active services. Records are sorted
by id, keys too, so the same catalogue always gives the same bytes.
"""

from __future__ import annotations

import copy
import csv
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from directory.catalogue import zone_labels
from directory.models import MODERATION_APPROVED, Organisation, Service, ServiceAtLocation
from exchange import hsds_mapping as m
from exchange import hsds_query as q
from exchange import hsds_schemas
from exchange.hsds_tables import PROFILE_FIELDS, cell, fields_of, flatten
from extensions import db

JSON_FILES = ("organizations", "services", "taxonomies", "taxonomy_terms")


@dataclass
class Exported:
    organizations: int
    services: int
    taxonomy_terms: int
    files: list[Path]


def catalogue_documents(progress: Callable[[int, int], None] | None = None) -> dict[str, list]:
    """The public catalogue as lists of HSDS documents, keyed by the JSON file names."""
    terms = q.terms_by_pair()
    orgs = db.session.scalars(
        sa.select(Organisation).where(Organisation.moderation_status == MODERATION_APPROVED)
        .options(selectinload(Organisation.locations)).order_by(Organisation.id)).all()
    services = db.session.scalars(
        sa.select(Service).where(q.public_service_clause()).order_by(Service.id).options(
            selectinload(Service.term_links), selectinload(Service.zones),
            selectinload(Service.organisation),
            selectinload(Service.location_links).selectinload(ServiceAtLocation.location))).all()
    names = {(label.kind, label.code): label.name
             for label in zone_labels([zone for svc in services for zone in svc.zones])}
    documents = {"organizations": [], "services": []}
    total = len(orgs) + len(services)
    for done, org in enumerate(orgs, start=1):
        documents["organizations"].append(m.organization(org, terms, full=True))
        if progress:
            progress(done, total)
    for done, svc in enumerate(services, start=len(orgs) + 1):
        documents["services"].append(m.service(svc, terms, names))
        if progress:
            progress(done, total)
    ordered = sorted(terms.values(), key=lambda t: (t.taxonomy, t.position, t.code))
    documents["taxonomies"] = [m.taxonomy(name) for name in sorted({t.taxonomy for t in ordered})]
    documents["taxonomy_terms"] = [m.taxonomy_term(term) for term in ordered]
    return documents


def write_json(documents: dict[str, list], directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in JSON_FILES:
        path = directory / f"{name}.json"
        path.write_text(json.dumps(documents[name], ensure_ascii=False, indent=2, sort_keys=True)
                        + "\n", encoding="utf-8")
        written.append(path)
    return written


def tables_of(documents: dict[str, list]) -> dict[str, dict[str, dict]]:
    """Every HSDS table's rows (entity -> id -> row) from the nested documents."""
    tables: dict[str, dict[str, dict]] = defaultdict(dict)
    for org in documents["organizations"]:
        flatten("organization", org, tables)
    for svc in documents["services"]:
        flatten("service", svc, tables)
    for taxonomy in documents["taxonomies"]:
        flatten("taxonomy", taxonomy, tables)
    for term in documents["taxonomy_terms"]:
        flatten("taxonomy_term", term, tables)
    return tables


def package_descriptor() -> dict:
    """The official descriptor, named for Relais, with the profile's columns added."""
    descriptor = copy.deepcopy(hsds_schemas.datapackage())
    descriptor["name"] = "relais_hsds"
    descriptor["title"] = "Relais catalogue (HSDS 3.0, Relais profile)"
    for resource in descriptor["resources"]:
        resource["schema"]["fields"] += copy.deepcopy(PROFILE_FIELDS.get(resource["name"], []))
    return descriptor


def write_csv(documents: dict[str, list], directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    tables = tables_of(documents)
    descriptor = package_descriptor()
    written = []
    for resource in descriptor["resources"]:
        entity = resource["name"]
        columns = [field["name"] for field in fields_of(entity)]
        path = directory / resource["path"]
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            # In document order (itself sorted by id): lists keep their order on the way back.
            for row in tables.get(entity, {}).values():
                writer.writerow([cell(row.get(column)) for column in columns])
        written.append(path)
    path = directory / "datapackage.json"
    path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return [path, *written]


def export(directory: Path, progress: Callable[[int, int], None] | None = None) -> Exported:
    """Write DIR/json and DIR/csv; returns what was written."""
    documents = catalogue_documents(progress)
    files = write_json(documents, directory / "json") + write_csv(documents, directory / "csv")
    return Exported(len(documents["organizations"]), len(documents["services"]),
                    len(documents["taxonomy_terms"]), files)
