"""`flask hsds import PATH`: HSDS 3.0 records into the Relais catalogue, all or nothing.

Three passes: every record is checked against the official schema and what Relais can hold
(problems: file, row, reason); references are resolved (a service needs its organisation, a
link its location and service); then, only when no error was found, everything is written in
one transaction. Records are keyed by source + HSDS id, so importing the same data again
updates what the first import created; a new record keeps its HSDS id as its Relais id when
that id is free, so an export imported elsewhere gives back the same documents.

Warnings do not stop an import: details Relais has no place for (programs, funding, foreign
service areas…), optional references to records that are not there, values it cannot hold.
Terms of foreign taxonomies are kept as external terms (taxonomy "ext:<name>"); data·inclusion
terms map to Relais' own. See docs/hsds.md.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _

from directory.models import Location, Organisation, Service
from exchange import hsds_schemas
from exchange.hsds_reading import Record
from exchange.hsds_records import Builder, Problem
from extensions import db

# Records Relais imports; the others are details of these, or have no place in Relais.
MAIN = ("taxonomy", "taxonomy_term", "organization", "location", "service",
        "service_at_location")
CHILD_KEYS = {  # a detail left on its own: its parent was not found
    "address": "location_id", "phone": "service_id", "contact": "service_id",
    "language": "service_id", "schedule": "service_id", "service_area": "service_id",
    "required_document": "service_id", "accessibility": "location_id",
    "attribute": "link_id", "organization_identifier": "organization_id",
}
MODELS = {"organization": Organisation, "location": Location, "service": Service}


@dataclass
class Report:
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return not self.errors


def _flatten_nested(records: list[Record]) -> list[Record]:
    """Organisations, services and locations nested in other records become records of their
    own (an organization_full lists its services; a service_at_location holds both ends)."""
    found, queue = [], list(records)
    while queue:
        record = queue.pop(0)
        found.append(record)
        doc = record.document
        nested: list[Record] = []
        if record.entity == "organization":
            for n, svc in enumerate(doc.get("services") or [], start=1):
                if isinstance(svc, dict):
                    svc.setdefault("organization_id", doc.get("id"))
                    nested.append(Record("service", svc, record.file, f"{record.row}.services.{n}"))
            for n, loc in enumerate(doc.get("locations") or [], start=1):
                if isinstance(loc, dict):
                    loc.setdefault("organization_id", doc.get("id"))
                    nested.append(Record("location", loc, record.file,
                                        f"{record.row}.locations.{n}"))
        if record.entity == "service":
            if isinstance(doc.get("organization"), dict):
                doc.setdefault("organization_id", doc["organization"].get("id"))
                nested.append(Record("organization", doc["organization"], record.file,
                                    f"{record.row}.organization"))
            for n, link in enumerate(doc.get("service_at_locations") or [], start=1):
                if isinstance(link, dict) and isinstance(link.get("location"), dict):
                    nested.append(Record("location", link["location"], record.file,
                                        f"{record.row}.service_at_locations.{n}.location"))
        if record.entity == "service_at_location":
            for end in ("service", "location"):
                if isinstance(doc.get(end), dict):
                    doc.setdefault(f"{end}_id", doc[end].get("id"))
                    nested.append(Record(end, doc[end], record.file, f"{record.row}.{end}"))
        if record.entity == "taxonomy" and doc.get("taxonomy_terms"):
            for n, term in enumerate(doc["taxonomy_terms"], start=1):
                if isinstance(term, dict):
                    term.setdefault("taxonomy_id", doc.get("id"))
                    nested.append(Record("taxonomy_term", term, record.file,
                                        f"{record.row}.taxonomy_terms.{n}"))
        queue = nested + queue
    return found


def _rank(record: Record) -> tuple[bool, int]:
    """Which copy of a record to keep: one of its own (reported on its own row) before one
    nested in another record, then the one with more fields."""
    nested = "." in str(record.row).removeprefix("contents.")
    return (not nested, len(record.document))


def check(records: list[Record], report: Report) -> dict[str, dict[str, Record]]:
    """Schema-check and deduplicate: entity -> HSDS id -> the record (the fullest copy)."""
    kept: dict[str, dict[str, Record]] = {entity: {} for entity in MAIN}
    not_kept: Counter = Counter()
    for record in _flatten_nested(records):
        if record.entity == "invalid":
            report.errors.append(Problem(record.file, record.row, record.document["reason"]))
            continue
        if record.entity in CHILD_KEYS:
            keys = [k for k, v in record.document.items() if k.endswith("_id") and v
                    and k != "taxonomy_term_id"]
            if keys:
                reason = _("dangling reference: %(entity)s %(refs)s not in the data; left out",
                           entity=record.entity, refs=", ".join(
                               f"{key} {record.document[key]}" for key in keys))
            else:
                reason = _("%(entity)s belongs to no record (no %(key)s); left out",
                           entity=record.entity, key=CHILD_KEYS[record.entity])
            report.warnings.append(Problem(record.file, record.row, reason))
            continue
        if record.entity not in MAIN:
            not_kept[(record.file, record.entity)] += 1
            continue
        problems = hsds_schemas.errors(record.entity, record.document)
        if problems:
            report.errors += [Problem(record.file, record.row, p) for p in problems]
            continue
        known = kept[record.entity].get(record.document["id"])
        if known is None or _rank(record) > _rank(known):
            kept[record.entity][record.document["id"]] = record
    for (file, entity), count in sorted(not_kept.items()):
        report.warnings.append(Problem(file, "-", _(
            "%(n)d %(entity)s record(s) not kept: Relais has no place for them",
            n=count, entity=entity)))
    return kept


def existing(model, source: str, ids: list[str]) -> dict[str, object]:
    """Rows a previous import of this source created, by HSDS id."""
    rows = db.session.scalars(sa.select(model).where(model.source == source,
                                                     model.source_id.in_(ids))).all()
    return {row.source_id: row for row in rows}


def import_records(records: list[Record], source: str,
                   progress: Callable[[int, int], None] | None = None) -> Report:
    """Check, resolve and write. Commits only when there is no error; otherwise rolls back
    and the report says why, row by row."""
    report = Report()
    kept = check(records, report)
    builder = Builder(source, report.errors, report.warnings)
    for entity in ("organization", "location", "service"):
        ids = list(kept[entity])
        builder.known[entity] = {
            hsds_id: row for start in range(0, len(ids), 500)
            for hsds_id, row in existing(MODELS[entity], source, ids[start:start + 500]).items()
        }
    total = sum(len(kept[e]) for e in ("organization", "location", "service",
                                       "service_at_location"))
    done = 0
    # Rows are half-built while their fields are set: nothing is flushed before the end.
    with db.session.no_autoflush:
        builder.terms(kept["taxonomy"], kept["taxonomy_term"])
        for entity in ("organization", "location", "service", "service_at_location"):
            for record in kept[entity].values():
                builder.build(entity, record, kept)
                done += 1
                if progress:
                    progress(done, total)
    if report.errors:
        db.session.rollback()
        return report
    try:
        db.session.flush()
    except sa.exc.IntegrityError as error:
        db.session.rollback()
        report.errors.append(Problem("-", "-", _(
            "the data conflicts with the catalogue: %(reason)s", reason=str(error.orig))))
        return report
    report.created, report.updated = builder.created, builder.updated
    db.session.commit()
    return report

