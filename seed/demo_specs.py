"""The shape of the demo catalogue before it is written: plain specs, stable identities.

The demo generators (town halls, structures, associations) describe what they want as these
dataclasses; seed.demo_writer turns them into rows. Everything that must not change from one
run to the next (ids, SIRETs, phone numbers, jittered coordinates, review dates) is derived here
from the record's source_id, never from run order, so adding a structure to the demo does not
move the others.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from shapely.geometry import MultiPolygon

from accounts.organisations import luhn_valid
from directory.models import MODE_A_DISTANCE, MODE_EN_PRESENTIEL, PUBLISHED

DEMO_SOURCE = "relais-demo"
# Fixed namespace: a demo record's id is uuid5(DEMO_NAMESPACE, its source_id), so the URLs of
# the demo stay the same on every machine and after every re-run.
DEMO_NAMESPACE = uuid.UUID("5b0f2c57-4bb5-5f43-9c61-8e0a7d3c6a69")
SEED = "relais-demo-69"

IN_PERSON = [MODE_EN_PRESENTIEL]
REMOTE = [MODE_A_DISTANCE]
BOTH_MODES = [MODE_EN_PRESENTIEL, MODE_A_DISTANCE]

# DORA's review frequencies, with the number of days after which a review is overdue.
REVIEW_DAYS = {
    "tous-les-mois": 30,
    "tous-les-3-mois": 91,
    "tous-les-6-mois": 182,
    "tous-les-12-mois": 365,
    "tous-les-16-mois": 487,
    "jamais": None,
}


def demo_id(source_id: str) -> uuid.UUID:
    """The stable primary key of the demo record with this source_id."""
    return uuid.uuid5(DEMO_NAMESPACE, source_id)


def rng_for(source_id: str) -> random.Random:
    """A random generator private to one record: same draws on every run and every machine
    (str seeds are hashed with SHA-512, not with the per-process hash())."""
    return random.Random(f"{SEED}:{source_id}")


def _with_check_digit(prefix: str) -> str:
    return next(prefix + d for d in "0123456789" if luhn_valid(prefix + d))


def demo_siret(source_id: str) -> str:
    """A made-up SIRET: a Luhn-valid SIREN followed by a NIC that makes all 14 digits
    Luhn-valid, as INSEE's own numbers are, so forms and exports that check SIRETs accept
    it. Drawn at random: it is not looked up and stands for no establishment in particular."""
    rng = rng_for(f"siret:{source_id}")
    siren = _with_check_digit("".join(rng.choice("0123456789") for _ in range(8)))
    return _with_check_digit(siren + f"{rng.randint(1, 99):04d}")


def demo_phone(source_id: str) -> str:
    """A phone number in 04 65 71 xx xx, a block ARCEP keeps for fiction: never anyone's line."""
    rng = rng_for(f"phone:{source_id}")
    return f"04 65 71 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}"


def jitter(source_id: str, latitude: float, longitude: float) -> tuple[float, float]:
    """A point a few hundred metres from the commune centre, so that structures of one
    commune do not sit on top of each other on a map."""
    rng = rng_for(f"jitter:{source_id}")
    return (
        round(latitude + rng.uniform(-0.004, 0.004), 6),
        round(longitude + rng.uniform(-0.006, 0.006), 6),
    )


@dataclass(frozen=True)
class Review:
    update_frequency: str
    last_verified_on: date

    def overdue(self, today: date) -> bool:
        days = REVIEW_DAYS[self.update_frequency]
        return days is not None and (today - self.last_verified_on).days > days


def review_schedule(source_id: str, today: date, *, frequency: str | None = None,
                    overdue_share: float = 0.2) -> Review:
    """When the service was last checked, relative to today: about `overdue_share` of the
    services are past their review date, so the demo always shows some to update whatever
    day it is run."""
    rng = rng_for(f"review:{source_id}")
    frequency = frequency or rng.choice(
        ["tous-les-mois", "tous-les-3-mois", "tous-les-6-mois", "tous-les-6-mois",
         "tous-les-12-mois", "tous-les-12-mois", "tous-les-16-mois", "jamais"]
    )
    days = REVIEW_DAYS[frequency]
    if days is None:
        days_ago = rng.randint(20, 700)
    elif rng.random() < overdue_share:
        days_ago = days + rng.randint(7, 120)
    else:
        days_ago = rng.randint(1, days - 3)
    return Review(frequency, today - timedelta(days=days_ago))


@dataclass
class LocationSpec:
    """A place where the organisation receives people. Without coordinates, the location
    sits near the centre of its commune (see `jitter`); without a street, it has none."""

    key: str
    name: str
    commune_code: str
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    hours: str | None = None  # OSM opening_hours
    hours_json: dict | None = None  # already converted (town halls)
    description: str | None = None
    accessibility_details: str | None = None


@dataclass
class ServiceSpec:
    key: str
    name: str
    summary: str
    description: str
    type: str
    thematiques: list[str]
    publics: list[str]
    zones: list[tuple[str, str | None]]
    modes_accueil: list[str] = field(default_factory=lambda: list(IN_PERSON))
    modes_mobilisation: list[str] = field(default_factory=lambda: ["se-presenter", "telephoner"])
    mobilisable_par: list[str] = field(default_factory=lambda: ["usagers", "professionnels"])
    fees: str = "gratuit"
    fees_details: str | None = None
    publics_details: str | None = None
    conditions: str | None = None
    # The structured rule (docs/eligibility.md) beside the free text, so matching can explain.
    eligibility: dict | None = None
    mobilisation_details: str | None = None
    mobilisation_link: str | None = None
    languages: list[str] = field(default_factory=lambda: ["fr"])
    required_documents: list[str] = field(default_factory=list)
    duration_weeks: int | None = None
    hours_per_week: float | None = None
    contact_name: str | None = None
    contact_email: str | None = None  # None: the organisation's
    contact_phone: str | None = None  # None: the organisation's
    contact_public: bool = True
    hours: str | None = None  # OSM; None: the location's hours apply
    # None: every location of the organisation (in-person services); [] for none.
    location_keys: list[str] | None = None
    coverage_radius_km: float | None = None
    coverage_polygon: MultiPolygon | None = None
    status: str = PUBLISHED
    # Days from today to the end of a suspension (negative: already over).
    suspended_for_days: int | None = None
    update_frequency: str | None = None  # None: drawn by review_schedule
    overdue_share: float = 0.2


@dataclass
class OrganisationSpec:
    key: str
    name: str
    networks: list[str]
    description: str
    locations: list[LocationSpec]
    services: list[ServiceSpec]
    siret: str | None = None
    email: str | None = None
    phone: str | None = None
    website: str | None = None
    hours: str | None = None  # OSM
    hours_json: dict | None = None
    accessibility_details: str | None = None

    @property
    def source_id(self) -> str:
        return self.key

    def location_source_id(self, location: LocationSpec) -> str:
        return f"{self.key}/lieu/{location.key}"

    def service_source_id(self, service: ServiceSpec) -> str:
        return f"{self.key}/service/{service.key}"


def contact_details(key: str) -> dict:
    """Made-up contact details for a generated structure, on the reserved example.org domain."""
    return {
        "siret": demo_siret(key),
        "email": f"{key}@example.org",
        "phone": demo_phone(key),
        "website": f"https://example.org/{key}",
    }


# Supporting documents, spelled exactly as in DORA's list (seed/reference/dora, "credentials").
ID_CARD = "Pièce d'identite en cours de validité"
PROOF_OF_ADDRESS = "Justificatif de domicile de moins de 3 mois"
CV = "Curriculum vitae"
BANK_DETAILS = "Relevé d'identité Bancaire"
FT_REGISTRATION = "Attestation d'inscription France Travail"
SIX_MONTHS_JOBSEEKER = (
    "Justifier de 6 mois d'inscription en continu en tant que demandeur d'emploi"
)
JOB_PROMISE = "Justifier d'une promesse d'embauche"
TRAINING_PROJECT = "Justifier d'un projet de formation validé"
TRAINING_ENTRY = "Justificatif d'entrée en formation"
RQTH = "Attestation Reconnaissance Qualité Travailleur Handicapé"
AAH = "Attestation Allocation Adulte Handicapé (AAH)"
TAX_NOTICE = "Avis d'imposition"
INCOME_PROOF = "Justificatif de ressource"
BANK_STATEMENTS = "3 derniers relevés de compte bancaire"
RSA = "Attestation Revenu de Solidarité Active (RSA)"
CAF_CERTIFICATE = "Attestation Caisse Allocation Familiale (CAF)"
CAF_NUMBER = "Le numéro d'allocataire Caisse Allocation Familiale (CAF)"
FAMILY_QUOTIENT = "Justificatif coefficient familial (cf) inférieur à 950 euros"
VEHICLE_REGISTRATION = "Carte grise du véhicule"
DRIVING_LICENCE = "Permis de conduire en cours de validité"
SWORN_STATEMENT = "Attestation sur l'honneur"
FAMILY_RECORD = "Copie du livret de famille ou acte de naissance"
CHILD_HEALTH_RECORD = "Le carnet de santé du ou des enfants"
LEASE = "Contrat de location ou bail"
REFERRED_BY_PARTNER = "Suivi par un partenaire prescripteur"
JOB_SEARCH_STEPS = "Justifier d'une démarche d'insertion et de recherche d'emploi"
INTEGRATION_CONTRACT = "Contrat d'intégration Républicaine de - 24 mois"
DISTANT_INTERVIEW = (
    "Justifier d'un entretien d'embauche à + de 60km aller/retour ou de 2h aller/retour "
    "du lieu de résidence"
)


def communes(*codes: str) -> list[tuple[str, str | None]]:
    return [("commune", code) for code in codes]


def epcis(*codes: str) -> list[tuple[str, str | None]]:
    return [("epci", code) for code in codes]


DEPARTEMENT_69 = [("departement", "69")]
REGION_84 = [("region", "84")]
COUNTRY = [("country", None)]
METROPOLE_DE_LYON = "200046977"
