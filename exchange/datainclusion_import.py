"""`flask datainclusion import PATH`: structures and services in the data·inclusion schema v1
into the catalogue, all or nothing.

PATH is a JSON file holding a list of structures or of services, an object
{"structures": [...], "services": [...]}, or a folder with structures.json and services.json
(what `flask datainclusion export` writes). Every record is validated against the vendored
schema; a service needs its structure (in the data, or imported before from the same source).
Records are keyed by their own `source` and `id`, so importing again updates them. A service's
address becomes a location of its organisation.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _

from directory.hours import WeeklyHours
from directory.models import (
    MODERATION_APPROVED,
    PUBLISHED,
    Location,
    Organisation,
    Service,
    ServiceAtLocation,
    ServiceZone,
)
from errors import Invalid
from exchange.datainclusion_export import problems
from exchange.hsds_reading import MAX_BYTES, Unreadable, check_size, load_json
from exchange.hsds_records import Problem, new_id
from extensions import db

PREFIX = "di:"  # Relais `source` of records imported from data·inclusion: di:<their source>


@dataclass
class Report:
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)


def read(path: Path, max_bytes: int = MAX_BYTES) -> dict[str, list[tuple[str, int, dict]]]:
    """{"structures": [(file, row, record)], "services": [...]}, or Unreadable."""
    if path.is_dir():
        files = [path / "structures.json", path / "services.json"]
        if not any(f.is_file() for f in files):
            raise Unreadable(_("%(path)s: no structures.json or services.json in this folder.",
                               path=path))
    elif path.suffix.lower() == ".json":
        files = [path]
    else:
        raise Unreadable(_("%(file)s: not a JSON file.", file=path.name))
    found: dict[str, list] = {"structures": [], "services": []}
    for file in files:
        if not file.is_file():
            continue
        check_size(file, max_bytes)
        data = load_json(file)
        parts = data if isinstance(data, dict) else {_kind(file, data): data}
        for kind, items in parts.items():
            if kind not in found or not isinstance(items, list):
                raise Unreadable(_("%(file)s: a list of structures or services was expected.",
                                   file=file.name))
            found[kind] += [(file.name, n, item) for n, item in enumerate(items, start=1)]
    return found


def _kind(file: Path, items) -> str:
    if file.stem in ("structures", "services"):
        return file.stem
    first = items[0] if isinstance(items, list) and items else {}
    return "services" if isinstance(first, dict) and "structure_id" in first else "structures"


def import_records(found: dict[str, list], report: Report | None = None) -> Report:
    report = report or Report()
    with db.session.no_autoflush:
        orgs = {}
        for file, row, record in found["structures"]:
            errors = _problems("structure", record)
            if errors:
                report.errors += [Problem(file, row, e) for e in errors]
                continue
            orgs[(record["source"], record["id"])] = _structure(record, report)
        for file, row, record in found["services"]:
            errors = _problems("service", record)
            if errors:
                report.errors += [Problem(file, row, e) for e in errors]
                continue
            key = (record["source"], record["structure_id"])
            org = orgs.get(key) or _existing(Organisation, *key)
            if org is None:
                report.errors.append(Problem(file, row, _(
                    "dangling reference: structure_id %(id)s is not in the data",
                    id=record["structure_id"])))
                continue
            _service(record, org, report)
    if report.errors:
        db.session.rollback()
        return report
    db.session.commit()
    return report


def _problems(kind: str, record) -> list[str]:
    if not isinstance(record, dict):
        return [_("%(kind)s: not an object", kind=kind)]
    return problems(kind, record)


def _existing(model, source: str, source_id: str):
    return db.session.scalar(sa.select(model).where(model.source == PREFIX + source,
                                                    model.source_id == source_id))


def _row(model, record: dict, report: Report, kind: str, source_id: str | None = None):
    source_id = source_id or record["id"]
    row = _existing(model, record["source"], source_id)
    if row is None:
        # "relais--<uuid>" (what Relais exports) keeps its UUID when it is free.
        row = model(id=new_id(model, source_id.rpartition("--")[2]),
                    source=PREFIX + record["source"], source_id=source_id)
        db.session.add(row)
        report.created[kind] += 1
    else:
        report.updated[kind] += 1
    return row


def _moment(text: str) -> datetime:
    return datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)


def _hours(text: str | None) -> dict | None:
    if not text:
        return None
    try:
        return WeeklyHours.from_osm(text).to_json()
    except Invalid:
        return None


def _address(row, record: dict) -> None:
    row.address, row.address_complement = record.get("adresse"), record.get("complement_adresse")
    row.postcode, row.commune_code = record.get("code_postal"), record.get("code_insee")
    row.city = record.get("commune")
    row.latitude, row.longitude = record.get("latitude"), record.get("longitude")


def _structure(record: dict, report: Report) -> Organisation:
    org = _row(Organisation, record, report, "structure")
    org.name, org.siret = record["nom"], record.get("siret")
    org.description, org.phone = record.get("description"), record.get("telephone")
    org.email, org.website = record.get("courriel"), record.get("site_web")
    org.accessibility_url = record.get("accessibilite_lieu")
    org.opening_hours = _hours(record.get("horaires_accueil"))
    org.networks = sorted(record.get("reseaux_porteurs") or [])
    org.moderation_status = MODERATION_APPROVED
    org.updated_at = _moment(record["date_maj"])
    _address(org, record)
    return org


def _zones(codes: list[str] | None) -> list[ServiceZone]:
    zones = []
    for code in codes or []:
        if code == "france" or code == "99100":
            return [ServiceZone(kind="country", code=None)]
        kind = {5: "commune", 9: "epci"}.get(len(code), "departement")
        if not code.startswith("99"):
            zones.append(ServiceZone(kind=kind, code=code))
    return zones


def _service(record: dict, org: Organisation, report: Report) -> None:
    svc = _row(Service, record, report, "service")
    svc.organisation, svc.status = org, PUBLISHED
    svc.name, svc.description = record["nom"], record["description"]
    svc.type, svc.fees = record.get("type"), record.get("frais")
    svc.fees_details, svc.publics_details = (record.get("frais_precisions"),
                                             record.get("publics_precisions"))
    svc.conditions = record.get("conditions_acces")
    svc.contact_name, svc.contact_email = record.get("contact_nom_prenom"), record.get("courriel")
    svc.contact_phone = record.get("telephone")
    svc.contact_public = bool(svc.contact_name or svc.contact_email or svc.contact_phone)
    svc.mobilisation_details = record.get("mobilisation_precisions")
    svc.mobilisation_link = record.get("lien_mobilisation")
    svc.duration_weeks = record.get("nombre_semaines")
    svc.hours_per_week = record.get("volume_horaire_hebdomadaire")
    svc.opening_hours = _hours(record.get("horaires_accueil"))
    svc.thematiques = record.get("thematiques") or []
    svc.publics = record.get("publics") or []
    svc.modes_accueil = record.get("modes_accueil") or []
    svc.modes_mobilisation = record.get("modes_mobilisation") or []
    svc.mobilisable_par = record.get("mobilisable_par") or []
    wanted = _zones(record.get("zone_eligibilite"))
    current = {(z.kind, z.code): z for z in svc.zones}
    svc.zones = [current.get((z.kind, z.code), z) for z in wanted]
    svc.updated_at = _moment(record["date_maj"])
    if record.get("adresse") or record.get("latitude") is not None:
        place = _row(Location, record, report, "location", source_id=f"{record['id']}:lieu")
        place.organisation, place.name = org, (record.get("adresse") or record["nom"])[:150]
        _address(place, record)
        if not any(link.location is place for link in svc.location_links):
            svc.location_links.append(ServiceAtLocation(location=place))
