"""Relais catalogue -> HSDS 3.0 documents: the one place that says how each record is written.

The API, the JSON export and the CSV export all use these functions, so what partners read
is the same everywhere and the import (exchange.hsds_import) reads back exactly this shape.
Records keep their Relais UUIDs; the objects Relais does not store as rows (taxonomies and
terms, attributes, addresses, phones, languages…) get UUIDs derived from what they stand for
(uuid5), so the same catalogue always gives the same documents. What HSDS has no field for
(thématiques and other data·inclusion codes, INSEE zone codes, the structured eligibility
rule) follows the Relais profile, exchange/hsds_profile.json and docs/hsds.md.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from directory.hours import WeeklyHours
from directory.models import (
    ARCHIVED,
    DRAFT,
    PUBLISHED,
    SUSPENDED,
    T_FRAIS,
    T_MODE_ACCUEIL,
    T_MODE_MOBILISATION,
    T_PERSONNE_MOBILISATRICE,
    T_PUBLIC,
    T_RESEAU_PORTEUR,
    T_THEMATIQUE,
    T_TYPE_SERVICE,
    Location,
    Organisation,
    Service,
    ServiceAtLocation,
    ServiceZone,
    TaxonomyTerm,
)
from errors import Invalid

# Never change: every derived id depends on it.
NAMESPACE = uuid.UUID("5b0f8a36-8f43-4e52-9a55-2b7c4a1d0e11")

# Relais status <-> HSDS service status.
STATUS_TO_HSDS = {
    PUBLISHED: "active",
    SUSPENDED: "temporarily closed",
    ARCHIVED: "defunct",
    DRAFT: "inactive",
}
STATUS_FROM_HSDS = {value: key for key, value in STATUS_TO_HSDS.items()}

# Taxonomies a service carries as attributes (multi-valued ones, then the two single codes).
SERVICE_TAXONOMIES = (T_THEMATIQUE, T_PUBLIC, T_MODE_ACCUEIL, T_MODE_MOBILISATION,
                      T_PERSONNE_MOBILISATRICE, T_TYPE_SERVICE, T_FRAIS)
RELAIS_TAXONOMIES = (*SERVICE_TAXONOMIES, T_RESEAU_PORTEUR)
TAXONOMY_DESCRIPTIONS = {
    T_THEMATIQUE: "data·inclusion schema v1: thématiques (category--need codes)",
    T_PUBLIC: "data·inclusion schema v1: publics",
    T_MODE_ACCUEIL: "data·inclusion schema v1: modes d'accueil",
    T_MODE_MOBILISATION: "data·inclusion schema v1: modes de mobilisation",
    T_PERSONNE_MOBILISATRICE: "data·inclusion schema v1: personnes mobilisatrices",
    T_TYPE_SERVICE: "data·inclusion schema v1: types de services",
    T_FRAIS: "data·inclusion schema v1: frais",
    T_RESEAU_PORTEUR: "data·inclusion schema v1: réseaux porteurs",
}
DATA_INCLUSION_URI = "https://www.data.inclusion.gouv.fr/"
# Foreign taxonomies kept as they came are stored under this prefix (exchange.hsds_import).
EXTERNAL_PREFIX = "ext:"
SIRET_SCHEME = "FR-SIRET"


def derived_id(*parts: object) -> str:
    """A stable UUID for something Relais does not store as a row of its own."""
    return str(uuid.uuid5(NAMESPACE, ":".join(str(part) for part in parts)))


def taxonomy_id(taxonomy: str) -> str:
    return derived_id("taxonomy", taxonomy)


def term_id(taxonomy: str, code: str) -> str:
    return derived_id("term", taxonomy, code)


def timestamp(moment: datetime | None) -> str | None:
    """UTC, to the second: what the import writes back, so a round trip keeps it."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _clean(document: dict) -> dict:
    """HSDS leaves out what is unknown rather than writing null."""
    return {key: value for key, value in document.items() if value is not None}


# --- taxonomies -------------------------------------------------------------------------------


def taxonomy(name: str) -> dict:
    external = name.startswith(EXTERNAL_PREFIX)
    return _clean({
        "id": taxonomy_id(name),
        "name": name,
        "description": (f"Taxonomy {name[len(EXTERNAL_PREFIX):]} kept from an import"
                        if external else TAXONOMY_DESCRIPTIONS.get(name, name)),
        "uri": None if external else DATA_INCLUSION_URI,
        "version": None if external else "1",
    })


def taxonomy_term(term: TaxonomyTerm, *, detail: bool = False) -> dict:
    document = _clean({
        "id": term_id(term.taxonomy, term.code),
        "code": term.code,
        "name": term.label_fr,
        "description": term.description_fr or term.label_fr,
        "parent_id": term_id(term.taxonomy, term.parent_code) if term.parent_code else None,
        "taxonomy": term.taxonomy,
        "taxonomy_id": taxonomy_id(term.taxonomy),
        "language": "fr",
    })
    if detail:
        document["taxonomy_detail"] = taxonomy(term.taxonomy)
    return document


def _attribute(entity: str, owner_id: object, term: TaxonomyTerm) -> dict:
    return {
        "id": derived_id("attribute", owner_id, term.taxonomy, term.code),
        "link_id": str(owner_id),
        "link_type": term.taxonomy,
        "link_entity": entity,
        "taxonomy_term_id": term_id(term.taxonomy, term.code),
        "taxonomy_term": taxonomy_term(term),
    }


def service_codes(service: Service) -> list[tuple[str, str]]:
    """(taxonomy, code) of everything a service is classified with, in a stable order."""
    pairs = sorted((link.taxonomy, link.code) for link in service.term_links)
    for name, code in ((T_TYPE_SERVICE, service.type), (T_FRAIS, service.fees)):
        if code:
            pairs.append((name, code))
    return pairs


# --- organisations and locations --------------------------------------------------------------


def organization(org: Organisation, terms: dict, *, full: bool = False) -> dict:
    """An organisation; `full` adds its locations, phones, identifiers and networks."""
    document = _clean({
        "id": str(org.id),
        "name": org.name,
        "description": org.description or org.name,  # required, and "" is missing in CSV
        "email": org.email,
        "website": org.website,
    })
    if not full:
        return document
    document["phones"] = [_phone("organization", org.id, org.phone)] if org.phone else []
    document["organization_identifiers"] = (
        [{"id": derived_id("siret", org.id), "organization_id": str(org.id),
          "identifier_scheme": SIRET_SCHEME, "identifier_type": "SIRET",
          "identifier": org.siret}] if org.siret else [])
    document["attributes"] = [
        _attribute("organization", org.id, terms[(T_RESEAU_PORTEUR, code)])
        for code in sorted(org.networks or []) if (T_RESEAU_PORTEUR, code) in terms
    ]
    document["locations"] = [location(loc) for loc in org.locations]
    return document


def _phone(owner: str, owner_id: object, number: str) -> dict:
    return {"id": derived_id("phone", owner, owner_id), f"{owner}_id": str(owner_id),
            "number": number}


def _state_province(code: str | None) -> str | None:
    """The département of an INSEE commune code (three characters overseas)."""
    if not code:
        return None
    return code[:3] if code.startswith("97") else code[:2]


def location(loc: Location, *, full: bool = True) -> dict:
    document = _clean({
        "id": str(loc.id),
        "location_type": "physical",
        "organization_id": str(loc.organisation_id),
        "name": loc.name,
        "description": loc.description,
        "latitude": loc.latitude,
        "longitude": loc.longitude,
    })
    if not full:
        return document
    addresses = []
    if loc.address and loc.city and loc.postcode:
        addresses.append(_clean({
            "id": derived_id("address", loc.id),
            "location_id": str(loc.id),
            "address_1": loc.address,
            "address_2": loc.address_complement,
            "city": loc.city,
            "state_province": _state_province(loc.commune_code or loc.postcode),
            "postal_code": loc.postcode,
            "country": "FR",
            "address_type": "physical",
            "insee_code": loc.commune_code,  # Relais profile
        }))
    document["addresses"] = addresses
    document["accessibility"] = (
        [_clean({"id": derived_id("accessibility", loc.id), "location_id": str(loc.id),
                 "url": loc.accessibility_url, "details": loc.accessibility_details})]
        if loc.accessibility_url or loc.accessibility_details else [])
    document["schedules"] = _schedules("location", loc.id, loc.opening_hours)
    return document


def _schedules(owner: str, owner_id: object, hours: dict | None) -> list[dict]:
    if not hours:
        return []
    try:
        schedules = WeeklyHours.from_json(hours).to_hsds_schedules()
    except Invalid:
        return []  # hours Relais cannot read promise nothing to partners either
    return [{"id": derived_id("schedule", owner, owner_id, n), f"{owner}_id": str(owner_id),
             **schedule} for n, schedule in enumerate(schedules)]


# --- services ---------------------------------------------------------------------------------


def service_summary(service: Service) -> dict:
    """The one-to-one fields of a service (HSDS service_list), with the Relais profile's."""
    return _clean({
        "id": str(service.id),
        "organization_id": str(service.organisation_id),
        "name": service.name,
        "description": service.description or service.summary or service.name,
        "email": service.contact_email if service.contact_public else None,
        "status": STATUS_TO_HSDS.get(service.status, "inactive"),
        "application_process": service.mobilisation_details,
        "fees_description": service.fees_details,
        "eligibility_description": service.conditions,
        "assured_date": service.last_verified_on.isoformat()
        if isinstance(service.last_verified_on, date) else None,
        "last_modified": timestamp(service.updated_at),
        # Relais profile
        "summary": service.summary,
        "eligibility_rule": service.eligibility,
        "coverage_radius_km": service.coverage_radius_km,
    })


def service_area(zone: ServiceZone, names: dict) -> dict:
    return _clean({
        "id": str(zone.id),
        "service_id": str(zone.service_id),
        "name": names.get((zone.kind, zone.code)) or ("France" if zone.code is None else zone.code),
        "extent_type": "insee" if zone.code else "country",
        "extent": zone.code or "FR",
        # Relais profile
        "zone_type": zone.kind,
        "insee_code": zone.code,
    })


def service(svc: Service, terms: dict, zone_names: dict) -> dict:
    """The fully nested service (/services/{id}, the JSON export)."""
    document = service_summary(svc)
    document["organization"] = organization(svc.organisation, terms)
    document["phones"] = (
        [_phone("service", svc.id, svc.contact_phone)]
        if svc.contact_phone and svc.contact_public else [])
    document["contacts"] = (
        [_clean({"id": derived_id("contact", svc.id), "service_id": str(svc.id),
                 "name": svc.contact_name, "email": svc.contact_email})]
        if svc.contact_public and (svc.contact_name or svc.contact_email) else [])
    document["languages"] = [
        {"id": derived_id("language", svc.id, code), "service_id": str(svc.id), "code": code}
        for code in svc.languages or []
    ]
    document["required_documents"] = [
        {"id": derived_id("document", svc.id, n), "service_id": str(svc.id), "document": text}
        for n, text in enumerate(svc.required_documents or [])
    ]
    document["schedules"] = _schedules("service", svc.id, svc.opening_hours)
    document["service_areas"] = [service_area(zone, zone_names) for zone in sorted(
        svc.zones, key=lambda zone: (zone.kind, zone.code or ""))]
    document["service_at_locations"] = [
        service_at_location(link) for link in sorted(svc.location_links, key=lambda x: str(x.id))
    ]
    document["attributes"] = [
        _attribute("service", svc.id, terms[pair]) for pair in service_codes(svc) if pair in terms
    ]
    return document


def service_at_location(link: ServiceAtLocation, *, with_service: bool = False) -> dict:
    document = {
        "id": str(link.id),
        "service_id": str(link.service_id),
        "location_id": str(link.location_id),
        "location": location(link.location),
    }
    if with_service:
        document["service"] = service_summary(link.service)
    return document
