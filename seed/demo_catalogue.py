"""The whole generated catalogue of the demo, with the lifecycle of its services, checked
against the national taxonomies before anything is written."""

from __future__ import annotations

from directory.models import (
    ARCHIVED,
    DRAFT,
    SUSPENDED,
    T_FRAIS,
    T_MODE_ACCUEIL,
    T_MODE_MOBILISATION,
    T_PERSONNE_MOBILISATRICE,
    T_PUBLIC,
    T_RESEAU_PORTEUR,
    T_THEMATIQUE,
    T_TYPE_SERVICE,
    ZONE_KINDS,
)
from directory.taxonomy import reference_list, validate_codes
from seed import (
    demo_ccas,
    demo_employment,
    demo_families,
    demo_france_travail,
    demo_inclusion,
    demo_solidarity,
    demo_training,
    demo_wide,
)
from seed.demo_specs import REVIEW_DAYS, OrganisationSpec

# Services that are not simply published: (status, days from today to the end of a suspension).
# Drafts are being written; suspensions mostly end in the future, one is already over (the
# service shows again); archived services are kept for history.
LIFECYCLE: dict[str, tuple[str, int | None]] = {
    "france-travail-tarare/service/club-seniors": (DRAFT, None),
    "mission-locale-rhone-sud-est/service/point-sante": (DRAFT, None),
    "association-connexions-solidaires/service/acces-libre": (DRAFT, None),
    "fabrique-numerique-solidaire-lyon/service/decouverte-numerique": (DRAFT, None),
    "e2c-rhone/service/information-collective": (DRAFT, None),
    "ressourcerie-du-beaujolais/service/benevolat": (DRAFT, None),
    "ccas-saint-priest/service/soutien-aidants": (DRAFT, None),
    "garage-solidaire-val-de-saone/service/location-vehicules": (SUSPENDED, 45),
    "epicerie-solidaire-la-passerelle/service/ateliers-cuisine": (SUSPENDED, 21),
    "afpa-venissieux/service/promo-16-18": (SUSPENDED, 90),
    "france-travail-givors/service/atelier-entretien": (SUSPENDED, 14),
    "ressourcerie-du-beaujolais/service/vestiaire": (SUSPENDED, -10),
    "france-travail-lyon-gerland/service/atelier-creation": (ARCHIVED, None),
    "couveuse-lyon-confluence/service/formation-entreprendre": (ARCHIVED, None),
    "mission-locale-beaujolais-val-de-saone/service/logement-jeunes": (ARCHIVED, None),
    "epide-meyzieu/service/permis": (ARCHIVED, None),
}

# What the demo shows first: a rich published service and a real town hall.
NOTABLE_SERVICE = "france-travail-lyon-part-dieu/service/accompagnement"
NOTABLE_ORGANISATION = "mairie-69383"
NOTABLE_COMMUNE = "69383"


class DemoSpecError(ValueError):
    """The demo's own definitions are inconsistent (a typo in a code or a key)."""


def generated_structures() -> list[OrganisationSpec]:
    """Every generated (non town hall) structure of the demo, lifecycle applied."""
    organisations = [
        *demo_france_travail.france_travail(),
        *demo_employment.missions_locales(),
        demo_employment.cap_emploi(),
        *demo_ccas.ccas(),
        demo_solidarity.shelter(),
        demo_solidarity.food_aid(),
        demo_solidarity.health(),
        demo_solidarity.budget_advice(),
        demo_inclusion.digital(),
        demo_inclusion.mobility(),
        demo_inclusion.french_language(),
        demo_inclusion.second_hand(),
        demo_inclusion.release_from_prison(),
        demo_families.family_house(),
        demo_families.womens_rights(),
        demo_training.afpa(),
        demo_training.second_chance_school(),
        demo_training.epide(),
        demo_training.digital_school(),
        demo_training.business_incubator(),
        demo_training.microcredit(),
        demo_wide.regional_youth_information(),
        *demo_wide.national_helplines(),
    ]
    _apply_lifecycle(organisations)
    return organisations


def _apply_lifecycle(organisations: list[OrganisationSpec]) -> None:
    services = {
        organisation.service_source_id(service): service
        for organisation in organisations
        for service in organisation.services
    }
    unknown = sorted(LIFECYCLE.keys() - services.keys())
    if unknown:
        raise DemoSpecError(f"LIFECYCLE names services the demo does not define: {unknown}")
    for source_id, (status, days) in LIFECYCLE.items():
        services[source_id].status = status
        services[source_id].suspended_for_days = days


def check_specs(organisations: list[OrganisationSpec], commune_codes: set[str]) -> None:
    """Refuse the catalogue if any code is not a term of its taxonomy, any supporting
    document is not in DORA's list, any commune is unknown, or two records share an id."""
    problems: list[str] = []
    codes: dict[str, set[str]] = {taxonomy: set() for taxonomy in (
        T_THEMATIQUE, T_PUBLIC, T_MODE_ACCUEIL, T_MODE_MOBILISATION, T_PERSONNE_MOBILISATRICE,
        T_TYPE_SERVICE, T_FRAIS, T_RESEAU_PORTEUR,
    )}
    documents = set(reference_list("credentials"))
    seen: set[str] = set()
    for organisation in organisations:
        codes[T_RESEAU_PORTEUR].update(organisation.networks)
        source_ids = [organisation.source_id]
        for location in organisation.locations:
            source_ids.append(organisation.location_source_id(location))
            if location.commune_code not in commune_codes:
                problems.append(f"{organisation.key}: unknown commune {location.commune_code}")
        location_keys = {location.key for location in organisation.locations}
        for service in organisation.services:
            source_id = organisation.service_source_id(service)
            source_ids.append(source_id)
            codes[T_THEMATIQUE].update(service.thematiques)
            codes[T_PUBLIC].update(service.publics)
            codes[T_MODE_ACCUEIL].update(service.modes_accueil)
            codes[T_MODE_MOBILISATION].update(service.modes_mobilisation)
            codes[T_PERSONNE_MOBILISATRICE].update(service.mobilisable_par)
            codes[T_TYPE_SERVICE].add(service.type)
            codes[T_FRAIS].add(service.fees)
            problems += [f"{source_id}: unknown document {doc!r}"
                         for doc in service.required_documents if doc not in documents]
            problems += [f"{source_id}: unknown location {key}"
                         for key in service.location_keys or () if key not in location_keys]
            problems += [f"{source_id}: unknown zone kind {kind}"
                         for kind, _code in service.zones if kind not in ZONE_KINDS]
            if service.update_frequency and service.update_frequency not in REVIEW_DAYS:
                problems.append(f"{source_id}: unknown frequency {service.update_frequency}")
        for source_id in source_ids:
            if source_id in seen:
                problems.append(f"{source_id}: defined twice")
            seen.add(source_id)
    for taxonomy, wanted in codes.items():
        problems += [f"unknown {taxonomy} code {code!r}"
                     for code in validate_codes(taxonomy, sorted(wanted))]
    if problems:
        raise DemoSpecError("The demo catalogue is inconsistent:\n" + "\n".join(problems))
