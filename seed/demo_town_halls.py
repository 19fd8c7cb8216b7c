"""Real town halls of the Rhône as real service points of the demo.

Each commune's mairie (from the Annuaire de l'administration, DILA, shipped in
seed/reference/fr-admin/town_halls.csv.gz) becomes an organisation with one location at the
town hall and one social front-desk service covering the commune: the first door a person in
difficulty can knock on anywhere, and real addresses and hours to look at in the demo.
"""

from __future__ import annotations

import csv
import gzip
import re
from pathlib import Path

from directory.hours import WeeklyHours
from geo.models import ARRONDISSEMENT, DELEGATED
from seed.demo_places import CommuneInfo
from seed.demo_specs import (
    ID_CARD,
    IN_PERSON,
    PROOF_OF_ADDRESS,
    LocationSpec,
    OrganisationSpec,
    ServiceSpec,
    rng_for,
)

# A CCAS is compulsory from 1,500 inhabitants; smaller communes may run social aid directly.
CCAS_THRESHOLD = 1500

_ADDRESS = re.compile(r"^(?P<street>.*),\s*(?P<postcode>\d{5})\s+(?P<city>.+)$")
_ARRONDISSEMENT = re.compile(r"^(?P<city>.+) (?P<number>\d+(?:er|e)) Arrondissement$")
_VOWELS = tuple("AEIOUYÂÀÉÈÊÎÏÔÛ")

ACCESS_TO_RIGHTS = (
    "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits"
)
BASE_THEMATIQUES = [
    ACCESS_TO_RIGHTS,
    "difficultes-financieres--prevenir-une-degradation-de-la-situation-financiere",
    "logement-hebergement--sinformer-sur-les-demarches-liees-a-lacces-au-logement",
]
EXTRA_THEMATIQUES = [
    "difficultes-financieres--ameliorer-sa-gestion-budgetaire",
    "difficultes-financieres--situation-dendettement-surendettement",
    "logement-hebergement--rechercher-une-solution-dhebergement-temporaire",
    "logement-hebergement--reduire-les-impayes-de-loyer",
    "logement-hebergement--se-maintenir-dans-le-logement",
]


def of(name: str) -> str:
    """French "de" before a place name: "d'Écully", "du Breuil", "des Haies", "de Lyon"."""
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    if name.startswith(_VOWELS):
        return "d'" + name
    return "de " + name


def split_address(address: str) -> tuple[str, str | None, str | None]:
    """"105 rue de la République, 69220 Belleville-en-Beaujolais" -> street, postcode, city."""
    match = _ADDRESS.match(address.strip())
    if not match:
        return address.strip(), None, None
    return match["street"].strip(), match["postcode"], match["city"].strip()


def town_hall_name(commune: CommuneInfo) -> str:
    if commune.kind == ARRONDISSEMENT:
        match = _ARRONDISSEMENT.match(commune.name)
        if match:
            return f"Mairie du {match['number']} arrondissement {of(match['city'])}"
    if commune.kind == DELEGATED:
        return f"Mairie déléguée {of(commune.name)}"
    return f"Mairie {of(commune.name)}"


def read_town_halls(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def town_hall_organisations(
    rows: list[dict[str, str]],
    communes: dict[str, CommuneInfo],
    communes_with_own_ccas: set[str],
) -> list[OrganisationSpec]:
    """One organisation per town hall row whose commune is in `communes` (rows for Lyon's
    electoral sectors, which duplicate the arrondissements, have no commune and are skipped).
    Communes in `communes_with_own_ccas` get a front desk that orients to their CCAS instead
    of a CCAS desk of their own, since the demo lists that CCAS as a structure."""
    organisations = []
    for row in rows:
        commune = communes.get(row["commune_code"])
        if commune is None:
            continue
        organisations.append(_town_hall(row, commune, communes_with_own_ccas))
    return organisations


def _town_hall(row: dict[str, str], commune: CommuneInfo, own_ccas: set[str]) -> OrganisationSpec:
    key = f"mairie-{commune.code}"
    name = town_hall_name(commune)
    street, postcode, city = split_address(row["address"])
    postcode = postcode or (commune.postal_codes[0] if commune.postal_codes else None)
    hours = WeeklyHours.from_town_hall_json(row["opening_hours_json"]).to_json()
    accessibility = row.get("accessibility_details") or None
    location = LocationSpec(
        key="mairie",
        name=name,
        commune_code=commune.main_code,
        street=street,
        postcode=postcode,
        city=city or commune.postal_city,
        latitude=float(row["latitude"]) if row["latitude"] else None,
        longitude=float(row["longitude"]) if row["longitude"] else None,
        hours_json=hours,
        accessibility_details=accessibility,
    )
    return OrganisationSpec(
        key=key,
        name=name,
        networks=["communes"],
        description=(
            f"{name} : accueil des habitants, état civil, élections, urbanisme et premier "
            "accueil social. Adresse, horaires et contacts issus de l'Annuaire de "
            "l'administration (service-public.fr)."
        ),
        locations=[location],
        services=[_front_desk(key, row, commune, own_ccas)],
        email=row["email"] or None,
        phone=row["phone"] or None,
        website=row["website"] or None,
        hours_json=hours,
        accessibility_details=accessibility,
    )


def _front_desk(key: str, row: dict[str, str], commune: CommuneInfo, own_ccas: set[str]):
    rng = rng_for(f"{key}/accueil-social")
    thematiques = BASE_THEMATIQUES + rng.sample(EXTRA_THEMATIQUES, rng.randint(1, 3))
    has_ccas_desk = (
        commune.kind not in (ARRONDISSEMENT, DELEGATED)
        and commune.population >= CCAS_THRESHOLD
        and commune.main_code not in own_ccas
    )
    if has_ccas_desk:
        name = f"Accueil du CCAS {of(commune.name)}"
        description = (
            f"Le centre communal d'action sociale {of(commune.name)} reçoit les habitants "
            "à la mairie : information sur les aides et les droits, aides facultatives "
            "(secours d'urgence, bons alimentaires), constitution des dossiers d'aide sociale "
            "légale, domiciliation, demande de logement social et orientation vers les "
            "partenaires (maison du Rhône ou de la Métropole, CAF, France Travail)."
        )
    else:
        if commune.kind in (ARRONDISSEMENT, DELEGATED):
            # "… de la mairie du 3e arrondissement de Lyon", "… de la mairie déléguée d'Avenas"
            hall = town_hall_name(commune)
            name = f"Point d'accueil social de la {hall[0].lower()}{hall[1:]}"
        else:
            name = f"Point d'accueil social {of(commune.name)}"
        description = (
            "L'accueil de la mairie écoute les habitants qui rencontrent des difficultés "
            "(budget, logement, démarches), les aide à constituer leurs premières demandes "
            "et les oriente vers le bon interlocuteur : CCAS, travailleurs sociaux du "
            "département ou de la Métropole, CAF, associations."
        )
    mobilisation = ["se-presenter", "telephoner"]
    if row["email"]:
        mobilisation.append("envoyer-un-courriel")
    return ServiceSpec(
        key="accueil-social",
        name=name[:150],
        summary="Accueil, information et orientation des habitants en difficulté "
        "(aides, logement, accès aux droits).",
        description=description,
        type="information",
        thematiques=thematiques,
        publics=["tous-publics"] + (["seniors", "familles"] if has_ccas_desk else []),
        zones=[("commune", commune.main_code)],
        modes_accueil=list(IN_PERSON),
        modes_mobilisation=mobilisation,
        mobilisable_par=["usagers", "professionnels"],
        conditions=(
            "Habiter l'arrondissement." if commune.kind == ARRONDISSEMENT else "Habiter la commune."
        ),
        mobilisation_details="Se présenter aux horaires d'ouverture de la mairie ou téléphoner "
        "pour prendre rendez-vous.",
        required_documents=[ID_CARD, PROOF_OF_ADDRESS],
        contact_public=True,
        update_frequency="tous-les-12-mois",
        overdue_share=0.15,
    )
