"""A large, seeded, realistic catalogue for benchmarks, written with bulk inserts.

    generate_catalogue(100_000, seed=2026, progress=...)  # inside an app context

Organisations (one per five services) sit in real communes drawn by population, with one to
three locations near the commune centre. Their services mix what the real directory holds:
coverage zones (commune 40 %, EPCI 20 %, département 25 %, région 10 %, country 5 %, and a
few in-person services with a radius only), delivery modes (in person 60 %, remote 15 %,
both 25 %), one to three thématiques of the national taxonomy (mostly of one category),
publics, fees, types, a few drafts and suspensions, and for about half an eligibility rule
(ages, benefits, RQTH, employment situation, months registered at France Travail). Names,
summaries and descriptions are French sentences built from the words of each category, so
free-text search has real work to do.

Rows go in with SQLAlchemy Core executemany in batches: no ORM objects, no session events,
so the search index is untouched (benchmarks rebuild it).
"""

from __future__ import annotations

import bisect
import itertools
import random
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from shapely.geometry import Point

from directory.eligibility import parse_rule
from directory.models import (
    ARCHIVED,
    DRAFT,
    MODE_A_DISTANCE,
    MODE_EN_PRESENTIEL,
    MODERATION_APPROVED,
    MODERATION_PENDING,
    PUBLISHED,
    SUSPENDED,
    T_MODE_ACCUEIL,
    T_PUBLIC,
    T_THEMATIQUE,
    Location,
    Organisation,
    Service,
    ServiceAtLocation,
    ServiceTerm,
    ServiceZone,
    TaxonomyTerm,
)
from extensions import db
from geo.models import ARRONDISSEMENT, COMMUNE, Commune, Departement

SOURCE = "relais-bench"
BATCH = 2000

# What a category's services are about: words for names, descriptions and searches.
TOPICS = {
    "trouver-un-emploi": ["recherche d'emploi", "retour à l'emploi", "job dating",
                          "offres d'emploi", "candidatures spontanées", "emploi saisonnier"],
    "preparer-sa-candidature": ["CV et lettre de motivation", "simulation d'entretien",
                                "valorisation des compétences", "tenue pour l'entretien"],
    "choisir-un-metier": ["découverte des métiers", "orientation professionnelle",
                          "immersion en entreprise", "bilan de compétences"],
    "se-former": ["remise à niveau", "formation qualifiante", "apprentissage",
                  "validation des acquis", "préqualification"],
    "creer-une-entreprise": ["création d'entreprise", "micro-entreprise", "business plan",
                             "financement du projet"],
    "mobilite": ["permis de conduire", "location de scooter", "garage solidaire",
                 "transport à la demande", "auto-école sociale"],
    "numerique": ["initiation à l'ordinateur", "démarches en ligne", "usage du smartphone",
                  "inclusion numérique", "messagerie électronique"],
    "logement-hebergement": ["hébergement d'urgence", "recherche de logement",
                             "logement social", "maintien dans le logement"],
    "sante": ["accès aux soins", "bilan de santé", "soutien psychologique", "addictions",
              "couverture maladie"],
    "famille": ["garde d'enfants", "soutien à la parentalité", "crèche",
                "médiation familiale"],
    "difficultes-financieres": ["gestion du budget", "microcrédit", "surendettement",
                                "aide aux factures d'énergie"],
    "equipement-et-alimentation": ["épicerie solidaire", "colis alimentaires",
                                   "vestiaire solidaire", "mobilier et électroménager"],
    "difficultes-administratives-ou-juridiques": ["accès aux droits", "écrivain public",
                                                  "aide juridique", "titre de séjour"],
    "lecture-ecriture-calcul": ["français langue étrangère", "lutte contre l'illettrisme",
                                "ateliers sociolinguistiques", "calcul du quotidien"],
    "remobilisation": ["confiance en soi", "chantier d'insertion", "activités collectives",
                       "sport et insertion", "bénévolat"],
    "souvrir-a-linternational": ["mobilité internationale", "volontariat européen",
                                 "langues étrangères", "stage à l'étranger"],
}
KIND_WORDS = {
    "accompagnement": ["Accompagnement", "Suivi personnalisé", "Permanence"],
    "atelier": ["Atelier", "Session collective"],
    "formation": ["Formation", "Parcours"],
    "information": ["Point information", "Réunion d'information"],
    "aide-financiere": ["Aide financière", "Coup de pouce"],
    "aide-materielle": ["Aide matérielle", "Prêt solidaire"],
}
AUDIENCES = ["pour les jeunes", "pour les demandeurs d'emploi", "pour les seniors",
             "pour les femmes", "pour les personnes en situation de handicap",
             "pour les allocataires du RSA", "pour tous", "pour les familles",
             "pour les habitants des quartiers"]
WORDS = (
    "accompagnement individuel collectif rendez-vous conseiller référent parcours insertion "
    "projet professionnel entreprise compétences réseau partenaires démarches dossier "
    "orientation écoute confiance autonomie emploi formation atelier semaine mois horaires "
    "gratuit inscription prescripteur diagnostic entretien objectifs étapes suivi durable "
    "solidaire association bénévoles quartier ville territoire proximité mairie centre social "
    "famille enfants santé logement mobilité numérique budget droits administratif courrier "
    "ordinateur internet téléphone transport voiture vélo permis code apprentissage métier "
    "stage immersion employeur recrutement contrat intérim alternance qualification diplôme "
    "langue français lecture écriture calcul alimentation vêtements meubles énergie factures "
    "urgence hébergement accueil écrivain juridique avocat médiation parentalité crèche "
    "garde soutien psychologue médecin soins mutuelle sport culture loisirs vacances "
    "coaching bilan valorisation savoir-faire talents reconversion création activité"
).split()
ORGANISATION_KINDS = ["Association", "Mission locale", "Centre social", "CCAS",
                      "Maison de l'emploi", "Espace solidaire", "Atelier chantier",
                      "Organisme de formation", "Point conseil", "Régie de quartier"]

# Eligibility rules (docs/eligibility.md), each drawn with its own numbers.
def _age_between(rng):
    low = rng.choice((16, 16, 18))
    return {"fact": "age", "op": "between", "value": [low, rng.choice((25, 25, 26, 30))]}


RULE_MAKERS: list[Callable[[random.Random], dict]] = [
    lambda rng: {"all_of": [_age_between(rng)]},
    lambda rng: {"any_of": [[_age_between(rng)],
                            [{"fact": "age", "op": "between", "value": [16, 30]},
                             {"fact": "rqth", "op": "is", "value": True}]]},
    lambda rng: {"all_of": [{"fact": "employment_situation", "op": "in",
                             "value": ["jobseeker"]}]},
    lambda rng: {"all_of": [{"fact": "employment_situation", "op": "not_in",
                             "value": ["employed", "retired"]}]},
    lambda rng: {"all_of": [{"fact": "registered_france_travail", "op": "is", "value": True},
                            {"fact": "months_registered_france_travail", "op": ">=",
                             "value": rng.choice((6, 12, 24))}]},
    lambda rng: {"all_of": [{"fact": "benefits", "op": "contains_any",
                             "value": rng.choice((["rsa"], ["rsa", "ass"],
                                                  ["rsa", "ass", "aah"]))}]},
    lambda rng: {"all_of": [{"fact": "rqth", "op": "is", "value": True}]},
    lambda rng: {"all_of": [{"fact": "age", "op": ">=", "value": rng.choice((45, 50, 55))},
                            {"fact": "employment_situation", "op": "in",
                             "value": ["jobseeker", "inactive"]}]},
    lambda rng: {"all_of": [{"fact": "age", "op": ">=", "value": 18},
                            {"manual": "Être motivé pour commencer dans le mois"}]},
    lambda rng: {"all_of": [{"fact": "resident_qpv", "op": "is", "value": True}]},
    lambda rng: {"all_of": [{"fact": "education_level", "op": "in",
                             "value": ["none", "cap-bep"]}],
                 "any_of": [[{"fact": "age", "op": "<", "value": 26}],
                            [{"fact": "benefits", "op": "contains_any", "value": ["rsa"]}]]},
]


@dataclass(frozen=True)
class CommuneRow:
    code: str
    name: str
    population: int
    departement: str
    region: str
    epci: str | None
    lat: float
    lon: float
    postcode: str | None


@dataclass
class GeneratedCatalogue:
    organisations: int
    locations: int
    services: int
    with_rule: int
    rows: int  # every row written, links included
    communes: list[CommuneRow]  # the communes drawn from, for the queries


class Weighted:
    """Draws from a list with weights, in O(log n) per draw."""

    def __init__(self, items: list, weights: list[float]):
        self.items = items
        self.cumulative = list(itertools.accumulate(weights))

    def draw(self, rng: random.Random):
        point = rng.random() * self.cumulative[-1]
        return self.items[bisect.bisect_right(self.cumulative, point)]


def load_communes() -> list[CommuneRow]:
    """Communes (and Paris, Lyon, Marseille districts) that have a centre, by code."""
    rows = db.session.execute(
        sa.select(Commune.code, Commune.kind, Commune.name, Commune.population,
                  Commune.departement_code, Departement.region_code, Commune.epci_code,
                  Commune.centre_lat, Commune.centre_lon, Commune.postal_codes)
        .join(Departement, Departement.code == Commune.departement_code)
        .where(Commune.kind.in_((COMMUNE, ARRONDISSEMENT)), Commune.centre_lat.is_not(None))
        .order_by(Commune.code)
    ).all()
    # A city divided into districts counts its people in the districts: drawing both would
    # count them twice, so the city itself is left out of the draws.
    divided = {code for code, kind, *_ in rows if kind == ARRONDISSEMENT}
    cities_of_districts = {
        code for (code,) in db.session.execute(
            sa.select(Commune.parent_code).where(Commune.code.in_(divided)))
    }
    return [
        CommuneRow(code, name, max(population or 0, 1), dep, region, epci, lat, lon,
                   (postcodes or "").split()[0] if postcodes else None)
        for code, _kind, name, population, dep, region, epci, lat, lon, postcodes in rows
        if code not in cities_of_districts
    ]


def generate_catalogue(
    count: int, *, seed: int = 2026, progress: Callable[[str, int, int], None] | None = None
) -> GeneratedCatalogue:
    """Write `count` services (and their organisations, locations, links) and commit."""
    rng = random.Random(seed)
    communes = load_communes()
    by_population = Weighted(communes, [c.population for c in communes])
    by_epci: dict[str, list[CommuneRow]] = defaultdict(list)
    by_departement: dict[str, list[CommuneRow]] = defaultdict(list)
    for commune in communes:
        by_departement[commune.departement].append(commune)
        if commune.epci:
            by_epci[commune.epci].append(commune)
    needs_by_category = _needs_by_category()
    categories = sorted(needs_by_category)
    publics = _codes(T_PUBLIC)
    for make in RULE_MAKERS:  # a rule the platform would refuse would measure nothing
        parse_rule({"version": 1, **make(random.Random(0))})

    def note(step: str, done: int, total: int) -> None:
        if progress:
            progress(step, done, total)

    # Organisations and their locations.
    organisations, locations, org_home, org_locations = [], [], [], []
    organisation_count = max(1, count // 5)
    for i in range(organisation_count):
        home = by_population.draw(rng)
        org_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        kind = rng.choice(ORGANISATION_KINDS)
        lat, lon = _near(rng, home)
        organisations.append({
            "id": org_id, "source": SOURCE, "source_id": f"org-{i}",
            "name": f"{kind} {rng.choice(WORDS)} {home.name}"[:150],
            "description": _sentence(rng, 12),
            "address": f"{rng.randint(1, 120)} rue {rng.choice(WORDS)}",
            "postcode": home.postcode, "commune_code": home.code, "city": home.name,
            "latitude": lat, "longitude": lon,
            "moderation_status": MODERATION_APPROVED if rng.random() < 0.98
            else MODERATION_PENDING,
        })
        org_home.append(home)
        own = []
        for j in range(rng.choice((1, 1, 1, 2, 2, 3))):
            place = home if j == 0 else rng.choice(by_departement[home.departement])
            lat, lon = _near(rng, place)
            location_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            locations.append({
                "id": location_id, "organisation_id": org_id, "source": SOURCE,
                "source_id": f"loc-{i}-{j}", "name": f"{kind} — {place.name}"[:150],
                "address": f"{rng.randint(1, 120)} avenue {rng.choice(WORDS)}",
                "postcode": place.postcode, "commune_code": place.code, "city": place.name,
                "latitude": lat, "longitude": lon, "point": Point(lon, lat),
            })
            own.append(location_id)
        org_locations.append(own)
    note("organisations", organisation_count, organisation_count)

    # Services and their links.
    services, terms, zones, at_locations = [], [], [], []
    with_rule = 0
    today = date.today()
    for i in range(count):
        o = rng.randrange(organisation_count)
        home = org_home[o]
        service_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        category = rng.choice(categories)
        needs = rng.sample(needs_by_category[category],
                           k=min(len(needs_by_category[category]), rng.choice((1, 1, 2, 3))))
        if rng.random() < 0.15:  # a second category now and then
            needs.append(rng.choice(needs_by_category[rng.choice(categories)]))
        kind = rng.choice(sorted(KIND_WORDS))
        topic = rng.choice(TOPICS.get(category, WORDS))
        audience = rng.choice(AUDIENCES)

        mode_draw = rng.random()
        modes = ([MODE_EN_PRESENTIEL] if mode_draw < 0.60 else
                 [MODE_A_DISTANCE] if mode_draw < 0.75 else
                 [MODE_EN_PRESENTIEL, MODE_A_DISTANCE])
        radius_only = MODE_A_DISTANCE not in modes and rng.random() < 0.03
        radius = rng.choice((10.0, 20.0, 30.0)) if radius_only or (
            MODE_EN_PRESENTIEL in modes and rng.random() < 0.1) else None

        status_draw = rng.random()
        status = (PUBLISHED if status_draw < 0.94 else SUSPENDED if status_draw < 0.96
                  else DRAFT if status_draw < 0.99 else ARCHIVED)
        suspended_until = (today + timedelta(days=rng.choice((-10, 30)))
                           if status == SUSPENDED else None)
        rule = None
        if rng.random() < 0.5:
            rule = {"version": 1, "all_of": [], "any_of": [], **rng.choice(RULE_MAKERS)(rng)}
            with_rule += 1
        services.append({
            "id": service_id, "organisation_id": organisations[o]["id"], "source": SOURCE,
            "source_id": f"svc-{i}",
            "name": f"{rng.choice(KIND_WORDS[kind])} {topic} {audience}"[:150],
            "summary": f"{topic.capitalize()} {audience} à {home.name}. {_sentence(rng, 10)}"[
                :280],
            "description": " ".join(_sentence(rng, rng.randint(10, 20))
                                    for _ in range(rng.randint(2, 4))),
            "type": kind,
            "fees": rng.choices(("gratuit", "payant", None), (80, 10, 10))[0],
            "conditions": _sentence(rng, 8) if rng.random() < 0.3 else None,
            "eligibility": rule, "eligibility_revision": 1 if rule else 0,
            "status": status, "suspended_until": suspended_until,
            "coverage_radius_km": radius,
        })
        for code in dict.fromkeys(needs):
            terms.append({"service_id": service_id, "taxonomy": T_THEMATIQUE, "code": code})
        for code in rng.sample(publics, k=rng.choice((1, 1, 2, 3))):
            terms.append({"service_id": service_id, "taxonomy": T_PUBLIC, "code": code})
        for code in modes:
            terms.append({"service_id": service_id, "taxonomy": T_MODE_ACCUEIL, "code": code})
        if not radius_only:
            for kind_, code in _zones(rng, home, by_epci):
                zones.append({"id": uuid.UUID(int=rng.getrandbits(128), version=4),
                              "service_id": service_id, "kind": kind_, "code": code})
        own = org_locations[o]
        if MODE_EN_PRESENTIEL in modes or rng.random() < 0.5:
            for location_id in rng.sample(own, k=rng.randint(1, min(2, len(own)))):
                at_locations.append({"id": uuid.UUID(int=rng.getrandbits(128), version=4),
                                     "service_id": service_id, "location_id": location_id})
        if (i + 1) % 10_000 == 0:
            note("drawing services", i + 1, count)

    steps = [(Organisation.__table__, organisations), (Location.__table__, locations),
             (Service.__table__, services), (ServiceTerm.__table__, terms),
             (ServiceZone.__table__, zones), (ServiceAtLocation.__table__, at_locations)]
    total_rows = sum(len(rows) for _, rows in steps)
    written = 0
    try:
        for table, rows in steps:
            for start in range(0, len(rows), BATCH):
                db.session.execute(sa.insert(table), rows[start:start + BATCH])
                written += len(rows[start:start + BATCH])
                if (start // BATCH) % 25 == 0 or start + BATCH >= len(rows):
                    note(f"writing {table.name}", written, total_rows)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return GeneratedCatalogue(len(organisations), len(locations), len(services), with_rule,
                              total_rows, communes)


def _needs_by_category() -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for code, parent in db.session.execute(
        sa.select(TaxonomyTerm.code, TaxonomyTerm.parent_code)
        .where(TaxonomyTerm.taxonomy == T_THEMATIQUE, TaxonomyTerm.parent_code.is_not(None))
        .order_by(TaxonomyTerm.code)
    ):
        found[parent].append(code)
    return dict(found)


def _codes(taxonomy: str) -> list[str]:
    return list(db.session.scalars(
        sa.select(TaxonomyTerm.code).where(TaxonomyTerm.taxonomy == taxonomy)
        .order_by(TaxonomyTerm.code)))


def _near(rng: random.Random, commune: CommuneRow) -> tuple[float, float]:
    """A point a kilometre or two from the commune centre."""
    return (round(commune.lat + rng.uniform(-0.015, 0.015), 6),
            round(commune.lon + rng.uniform(-0.02, 0.02), 6))


def _sentence(rng: random.Random, length: int) -> str:
    words = [rng.choice(WORDS) for _ in range(length)]
    return " ".join(words).capitalize() + "."


def _zones(rng: random.Random, home: CommuneRow,
           by_epci: dict[str, list[CommuneRow]]) -> list[tuple[str, str | None]]:
    draw = rng.random()
    if draw < 0.40:
        codes = [home.code]
        if rng.random() < 0.3 and home.epci:  # a few neighbours too
            codes += [c.code for c in rng.sample(by_epci[home.epci],
                                                 k=min(3, len(by_epci[home.epci])))]
        return [("commune", code) for code in dict.fromkeys(codes)]
    if draw < 0.60 and home.epci:
        return [("epci", home.epci)]
    if draw < 0.85:
        return [("departement", home.departement)]
    if draw < 0.95:
        return [("region", home.region)]
    return [("country", None)]
