"""Generated family and women's rights structures of the demo.

All names and contacts are made up; the places are real communes of the Rhône.
"""

from __future__ import annotations

from seed.demo_specs import (
    BOTH_MODES,
    CAF_NUMBER,
    CHILD_HEALTH_RECORD,
    DEPARTEMENT_69,
    FAMILY_QUOTIENT,
    FAMILY_RECORD,
    FT_REGISTRATION,
    METROPOLE_DE_LYON,
    LocationSpec,
    OrganisationSpec,
    ServiceSpec,
    communes,
    contact_details,
    epcis,
)

ACCESS_TO_RIGHTS = (
    "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits"
)
CONFLICT = "famille--surmonter-conflits-separation-violence"


def family_house() -> OrganisationSpec:
    key = "maison-des-familles-venissieux"
    hours = "Mo-Fr 09:00-12:00,13:30-18:00; Sa 09:30-12:00"
    zones = communes("69259", "69199", "69276")
    return OrganisationSpec(
        key=key,
        name="Maison des familles de Vénissieux",
        networks=["fcsf"],
        description="Centre social et espace familles : accueil parents-enfants, médiation "
        "familiale, crèche à vocation d'insertion et activités pour les habitants des "
        "Minguettes.",
        locations=[LocationSpec("minguettes", "Maison des familles", "69259",
                                "14 avenue Jean-Cagne", hours=hours)],
        services=[
            ServiceSpec(
                key="laep",
                name="Lieu d'accueil enfants-parents",
                summary="Un espace de jeu et d'échange pour les enfants de moins de 6 ans "
                "et leurs parents, sans inscription.",
                description="Deux accueillantes formées à l'écoute reçoivent parents et "
                "enfants, anonymement et gratuitement : un temps pour jouer, souffler et "
                "parler des questions d'éducation.",
                type="atelier",
                thematiques=["famille--soutien-a-la-parentalite-et-a-leducation"],
                publics=["familles"],
                zones=zones,
                modes_mobilisation=["se-presenter"],
                hours="We 09:00-11:30; Sa 09:30-11:30",
                languages=["fr", "ar"],
            ),
            ServiceSpec(
                key="mediation-familiale",
                name="Médiation familiale",
                summary="Renouer le dialogue lors d'une séparation et s'accorder sur "
                "l'organisation de la vie des enfants.",
                description="Un médiateur diplômé reçoit les deux parents, ensemble ou "
                "séparément, pour trouver des accords (résidence, pension, vacances) qui "
                "peuvent être homologués par le juge.",
                type="accompagnement",
                thematiques=[CONFLICT],
                publics=["familles"],
                zones=zones,
                modes_mobilisation=["telephoner", "envoyer-un-courriel"],
                fees="payant",
                fees_details="De 2 € à 131 € par séance, selon le barème national de la "
                "CAF.",
                required_documents=[CAF_NUMBER, FAMILY_RECORD],
            ),
            ServiceSpec(
                key="creche-avip",
                name="Crèche à vocation d'insertion professionnelle",
                summary="Une place en crèche pour son enfant de moins de 3 ans pendant "
                "qu'on cherche un emploi ou une formation.",
                description="Places réservées aux parents en recherche d'emploi, avec un "
                "accompagnement intensif de France Travail pendant six mois.",
                type="aide-materielle",
                thematiques=["famille--garde-denfants"],
                publics=["familles", "demandeurs-emploi"],
                zones=zones,
                mobilisable_par=["professionnels"],
                modes_mobilisation=["envoyer-un-courriel"],
                fees="payant",
                fees_details="Tarif horaire de la CAF, selon les revenus et la "
                "composition du foyer.",
                required_documents=[CHILD_HEALTH_RECORD, FT_REGISTRATION, FAMILY_QUOTIENT],
                contact_public=False,
            ),
            ServiceSpec(
                key="sport-culture",
                name="Sport et culture en bas des tours",
                summary="Football, danse, sorties au théâtre : des activités gratuites "
                "pour les habitants du quartier.",
                description="Activités encadrées toute l'année et séjours pendant les "
                "vacances, pour reprendre un rythme, rencontrer ses voisins et découvrir "
                "la ville.",
                type="atelier",
                thematiques=["remobilisation--activites-sportives-et-culturelles",
                             "remobilisation--lien-social"],
                publics=["residents-qpv-frr", "jeunes"],
                zones=communes("69259"),
                mobilisable_par=["usagers"],
                hours="We 14:00-18:00; Sa 14:00-18:00",
            ),
        ],
        hours=hours,
        **contact_details(key),
    )


def womens_rights() -> OrganisationSpec:
    key = "espace-droits-femmes-familles-rhone"
    hours = "Mo-Fr 09:00-12:30,13:30-17:00"
    return OrganisationSpec(
        key=key,
        name="Espace droits des femmes et des familles du Rhône",
        networks=["cidff"],
        description="Information juridique, accompagnement des femmes victimes de "
        "violences et soutien à l'emploi des femmes.",
        locations=[LocationSpec("terreaux", "Espace droits des femmes", "69381",
                                "18 place Tolozan", hours=hours)],
        services=[
            ServiceSpec(
                key="permanence-juridique",
                name="Permanence juridique gratuite",
                summary="Une juriste répond à vos questions : divorce, pension "
                "alimentaire, droit du travail, droit des étrangers.",
                description="Entretiens confidentiels sur rendez-vous, sur place ou par "
                "téléphone, et orientation vers un avocat ou une procédure si besoin.",
                type="information",
                thematiques=[ACCESS_TO_RIGHTS, CONFLICT],
                publics=["femmes", "familles"],
                zones=DEPARTEMENT_69,
                modes_accueil=list(BOTH_MODES),
                languages=["fr", "en"],
            ),
            ServiceSpec(
                key="violences",
                name="Accompagnement des femmes victimes de violences",
                summary="Être écoutée, mise en sécurité et accompagnée dans ses "
                "démarches, à son rythme.",
                description="Écoute, évaluation du danger, aide au dépôt de plainte, "
                "ordonnance de protection, hébergement en lien avec le 115 et suivi "
                "psychologique. Le numéro national 3919 est joignable 24 h sur 24.",
                type="accompagnement",
                thematiques=[CONFLICT,
                             "logement-hebergement--rechercher-une-solution-dhebergement-temporaire"],
                publics=["femmes", "personnes-en-situation-durgence"],
                zones=DEPARTEMENT_69,
                modes_accueil=list(BOTH_MODES),
                modes_mobilisation=["telephoner", "se-presenter"],
                languages=["fr", "ar", "en"],
                contact_public=False,
            ),
            ServiceSpec(
                key="emploi-femmes",
                name="Emploi au féminin : reprendre une activité",
                summary="Trois mois pour reprendre confiance, choisir un métier et "
                "trouver un emploi après une longue interruption.",
                description="Ateliers collectifs, entretiens individuels, découverte de "
                "métiers en entreprise et solutions de garde d'enfants pendant le "
                "parcours.",
                type="accompagnement",
                thematiques=["choisir-un-metier--identifier-ses-points-forts-et-ses-competences",
                             "remobilisation--bien-etre-confiance-en-soi"],
                publics=["femmes", "demandeurs-emploi"],
                zones=epcis(METROPOLE_DE_LYON),
                duration_weeks=12,
                hours_per_week=9,
                hours="Tu,Th 09:00-12:00",
            ),
        ],
        hours=hours,
        **contact_details(key),
    )
