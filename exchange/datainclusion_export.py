"""`flask datainclusion export DIR`: the public catalogue in the data·inclusion schema v1, so a
listing maintained in Relais can be published to the national aggregator.

    DIR/structures.json   approved organisations (data·inclusion structures)
    DIR/services.json     their active services

Relais stores data·inclusion codes natively (thématiques, publics, frais…), so this is a
mapping of names. Coverage zones become `zone_eligibilite` (a région is listed as its
départements, as the schema asks; the whole country is `france`). Every document is validated
against the vendored schema (exchange/datainclusion_schema) before the files are written: an
export that does not validate is refused with the record and the reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _
from jsonschema import Draft202012Validator
from sqlalchemy.orm import selectinload

from directory.hours import WeeklyHours
from directory.models import MODERATION_APPROVED, Organisation, Service, ServiceAtLocation
from errors import Invalid
from exchange import hsds_query as q
from extensions import db
from geo.models import Departement

SCHEMA_DIR = Path(__file__).parent / "datainclusion_schema"
SOURCE = "relais"


@cache
def validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def problems(name: str, document: dict) -> list[str]:
    """How a document breaks the data·inclusion schema of `name` (structure or service)."""
    return [f"{'.'.join(map(str, e.absolute_path)) or name}: {e.message}"
            for e in validator(name).iter_errors(document)]


def _enum(name: str) -> set[str]:
    schema = json.loads((SCHEMA_DIR / "service.json").read_text(encoding="utf-8"))
    return set(schema["$defs"][name]["enum"])


def _hours(data: dict | None) -> str | None:
    if not data:
        return None
    try:
        return WeeklyHours.from_json(data).to_osm() or None
    except Invalid:
        return None


def _text(value: str | None, minimum: int) -> str | None:
    value = (value or "").strip()
    return value if len(value) >= minimum else None


def _name(value: str) -> str:
    """3 to 150 characters, not ending with a full stop (the schema's rule for names)."""
    name = value.strip()
    if name.endswith(".") and not name.endswith("etc."):
        name = name.rstrip(".")
    return name if len(name) >= 3 else f"{name} (Relais)"


def _address(place) -> dict:
    if place is None:
        return {}
    return {
        "adresse": place.address, "complement_adresse": place.address_complement,
        "code_postal": place.postcode, "code_insee": place.commune_code,
        "commune": place.city, "latitude": place.latitude, "longitude": place.longitude,
    }


def structure(org: Organisation) -> dict:
    return _clean({
        "source": SOURCE,
        "id": f"{SOURCE}--{org.id}",
        "nom": _name(org.name),
        "date_maj": org.updated_at.date().isoformat(),
        "siret": org.siret,
        "description": _text(org.description, 5),
        "telephone": org.phone,
        "courriel": org.email,
        "site_web": org.website,
        "accessibilite_lieu": org.accessibility_url,
        "horaires_accueil": _hours(org.opening_hours),
        "reseaux_porteurs": sorted(org.networks) or None,
        **_address(org),
    })


def zone_eligibilite(svc: Service, departements_of: dict[str, list[str]]) -> list[str] | None:
    codes: list[str] = []
    for zone in svc.zones:
        if zone.kind == "country":
            return ["france"]
        if zone.kind == "region":
            codes += departements_of.get(zone.code, [])
        else:
            codes.append(zone.code)
    return sorted(set(codes)) or None


def service(svc: Service, departements_of: dict[str, list[str]], needs: set[str]) -> dict:
    place = next((link.location for link in svc.location_links), None)
    public = svc.contact_public
    return _clean({
        "source": SOURCE,
        "id": f"{SOURCE}--{svc.id}",
        "structure_id": f"{SOURCE}--{svc.organisation_id}",
        "nom": _name(svc.name),
        "description": _text(svc.description, 5) or _text(svc.summary, 5) or svc.name,
        "date_maj": svc.updated_at.date().isoformat(),
        "type": svc.type,
        "thematiques": [code for code in svc.thematiques if code in needs] or None,
        "frais": svc.fees,
        "frais_precisions": svc.fees_details,
        "publics": svc.publics or None,
        "publics_precisions": svc.publics_details,
        "conditions_acces": svc.conditions,
        "contact_nom_prenom": svc.contact_name if public else None,
        "courriel": svc.contact_email if public else None,
        "telephone": svc.contact_phone if public else None,
        "modes_accueil": svc.modes_accueil or None,
        "modes_mobilisation": svc.modes_mobilisation or None,
        "mobilisable_par": svc.mobilisable_par or None,
        "mobilisation_precisions": svc.mobilisation_details,
        "lien_mobilisation": svc.mobilisation_link,
        "nombre_semaines": svc.duration_weeks,
        "volume_horaire_hebdomadaire": svc.hours_per_week,
        "horaires_accueil": _hours(svc.opening_hours) or _hours(
            place.opening_hours if place else None),
        "zone_eligibilite": zone_eligibilite(svc, departements_of),
        **_address(place),
    })


def _clean(document: dict) -> dict:
    return {key: value for key, value in document.items() if value is not None}


@dataclass
class Exported:
    structures: int
    services: int
    files: list[Path]


def export(directory: Path, progress: Callable[[int, int], None] | None = None) -> Exported:
    """Write DIR/structures.json and DIR/services.json, or Invalid naming each record that
    does not validate (and write nothing)."""
    orgs = db.session.scalars(
        sa.select(Organisation).where(Organisation.moderation_status == MODERATION_APPROVED)
        .order_by(Organisation.id)).all()
    services = db.session.scalars(
        sa.select(Service).where(q.public_service_clause()).order_by(Service.id).options(
            selectinload(Service.term_links), selectinload(Service.zones),
            selectinload(Service.location_links).selectinload(ServiceAtLocation.location))).all()
    departements_of: dict[str, list[str]] = {}
    for code, region in db.session.execute(
            sa.select(Departement.code, Departement.region_code).order_by(Departement.code)):
        departements_of.setdefault(region, []).append(code)
    needs = _enum("Thematique")
    documents = {"structures": [], "services": []}
    errors: dict[str, list[str]] = {}
    total = len(orgs) + len(services)
    for done, (kind, row) in enumerate(
            [("structure", o) for o in orgs] + [("service", s) for s in services], start=1):
        document = (structure(row) if kind == "structure"
                    else service(row, departements_of, needs))
        found = problems(kind, document)
        if found:
            errors[f"{kind} {row.id}"] = found
        documents[f"{kind}s"].append(document)
        if progress:
            progress(done, total)
    if errors:
        raise Invalid(_("Some records do not fit the data·inclusion schema."), errors)
    directory.mkdir(parents=True, exist_ok=True)
    files = []
    for name, items in documents.items():
        path = directory / f"{name}.json"
        path.write_text(json.dumps(items, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                        encoding="utf-8")
        files.append(path)
    return Exported(len(documents["structures"]), len(documents["services"]), files)
