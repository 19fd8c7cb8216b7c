"""Generated services of the demo that reach beyond the Rhône: one regional structure
(Auvergne-Rhône-Alpes) and national remote services, reachable by phone or online from
anywhere in France.

All names and contacts are made up (phone numbers in the blocks ARCEP keeps for fiction).
"""

from __future__ import annotations

from seed.demo_specs import (
    BOTH_MODES,
    COUNTRY,
    REGION_84,
    REMOTE,
    LocationSpec,
    OrganisationSpec,
    ServiceSpec,
    contact_details,
)

HELPLINE_HOURS = "Mo-Fr 09:00-18:00; PH off"


def regional_youth_information() -> OrganisationSpec:
    key = "info-jeunes-auvergne-rhone-alpes"
    hours = "Mo-Fr 10:00-18:00; Sa 10:00-13:00"
    return OrganisationSpec(
        key=key,
        name="Centre régional Info Jeunes Auvergne-Rhône-Alpes",
        networks=["reseau-information-jeunesse"],
        description="Information des jeunes sur les études, l'emploi, le logement, la "
        "santé et la mobilité internationale, sur place et en ligne dans toute la région.",
        locations=[LocationSpec("lyon", "Info Jeunes Lyon", "69382", "66 cours Charlemagne",
                                hours=hours)],
        services=[
            ServiceSpec(
                key="partir-etranger",
                name="Partir étudier, travailler ou faire du volontariat à l'étranger",
                summary="Programmes européens, volontariat, jobs à l'étranger : les bonnes "
                "adresses et les aides pour partir.",
                description="Conseillers spécialisés en mobilité internationale, ateliers "
                "mensuels et information sur les bourses régionales et Erasmus+.",
                type="information",
                thematiques=[
                    "souvrir-a-linternational--connaitre-les-opportunites-demploi-a-letranger",
                    "souvrir-a-linternational--sinformer-sur-les-aides-pour-travailler-a-letranger",
                ],
                publics=["jeunes", "etudiants"],
                zones=REGION_84,
                modes_accueil=list(BOTH_MODES),
                modes_mobilisation=["se-presenter", "utiliser-lien-mobilisation"],
                mobilisation_link=f"https://example.org/{key}/mobilite-internationale",
                languages=["fr", "en", "es"],
            ),
            ServiceSpec(
                key="retour-en-france",
                name="Revenir en France après une expérience à l'étranger",
                summary="Valoriser son expérience, retrouver ses droits et un emploi à son "
                "retour.",
                description="Entretien à distance pour faire le point sur la couverture "
                "santé, l'inscription à France Travail et la reconnaissance des diplômes "
                "obtenus à l'étranger.",
                type="information",
                thematiques=[
                    "souvrir-a-linternational--sorganiser-suite-a-son-retour-en-france"
                ],
                publics=["jeunes"],
                zones=REGION_84,
                modes_accueil=list(REMOTE),
                modes_mobilisation=["envoyer-un-courriel", "telephoner"],
                location_keys=[],
            ),
            ServiceSpec(
                key="jobs-ete",
                name="Jobs d'été et premiers emplois",
                summary="Offres de jobs saisonniers, aide au CV et forum annuel de "
                "recrutement.",
                description="Offres mises à jour chaque semaine, relecture de CV sur "
                "place et forum jobs d'été chaque printemps.",
                type="information",
                thematiques=["trouver-un-emploi--faire-des-candidatures-spontanees",
                             "preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation"],
                publics=["etudiants", "jeunes"],
                zones=REGION_84,
                modes_accueil=list(BOTH_MODES),
            ),
        ],
        hours=hours,
        **contact_details(key),
    )


def _helpline(key, name, description, service: ServiceSpec, phone: str) -> OrganisationSpec:
    details = contact_details(key) | {"phone": phone}
    return OrganisationSpec(
        key=key,
        name=name,
        networks=[],
        description=description,
        locations=[LocationSpec("siege", f"{name} (siège)", "69386", "5 rue Vauban",
                                hours=HELPLINE_HOURS)],
        services=[service],
        hours=HELPLINE_HOURS,
        **details,
    )


def national_helplines() -> list[OrganisationSpec]:
    remote = {
        "zones": COUNTRY,
        "modes_accueil": list(REMOTE),
        "location_keys": [],
        "hours": HELPLINE_HOURS,
    }
    return [
        _helpline(
            "ecoute-budget-solidaire", "Écoute budget solidaire",
            "Association nationale de prévention du surendettement, animée par des "
            "bénévoles formés.",
            ServiceSpec(
                key="ligne-ecoute",
                name="Ligne d'écoute budget et surendettement",
                summary="Un conseiller bénévole au téléphone pour faire le point sur ses "
                "dettes et savoir par où commencer.",
                description="Appel anonyme et gratuit ; si besoin, un rendez-vous "
                "téléphonique de suivi et une orientation vers le point conseil budget le "
                "plus proche.",
                type="information",
                thematiques=["difficultes-financieres--situation-dendettement-surendettement",
                             "difficultes-financieres--prevenir-une-degradation-de-la-situation-financiere"],
                publics=["tous-publics"],
                modes_mobilisation=["telephoner"],
                languages=["fr", "en"],
                **remote,
            ),
            "01 99 00 12 34",
        ),
        _helpline(
            "assistance-numerique-solidaire", "Assistance numérique solidaire",
            "Plateforme nationale d'aide aux démarches administratives en ligne, par "
            "téléphone et en visio.",
            ServiceSpec(
                key="assistance-telephonique",
                name="Assistance téléphonique aux démarches en ligne",
                summary="Un médiateur vous guide par téléphone pas à pas dans vos démarches "
                "sur internet.",
                description="Créer un compte, téléverser un justificatif, prendre un "
                "rendez-vous : le médiateur vous accompagne à l'écran, en partage d'écran "
                "si vous le souhaitez.",
                type="accompagnement",
                thematiques=["numerique--acceder-a-des-services-en-ligne"],
                publics=["tous-publics", "seniors"],
                modes_mobilisation=["telephoner", "utiliser-lien-mobilisation"],
                mobilisation_link="https://example.org/assistance-numerique-solidaire",
                **remote,
            ),
            "01 99 00 45 67",
        ),
        _helpline(
            "ecoute-familles-france", "Écoute familles France",
            "Service national d'écoute des parents et des aidants familiaux.",
            ServiceSpec(
                key="ligne-parents-aidants",
                name="Ligne d'écoute parents et aidants",
                summary="Des psychologues à l'écoute des parents débordés et des proches "
                "aidants, anonymement.",
                description="Écoute, conseils et orientation vers les ressources locales "
                "(lieux d'accueil enfants-parents, plateformes de répit).",
                type="information",
                thematiques=["famille--soutien-a-la-parentalite-et-a-leducation",
                             "famille--soutien-aidants"],
                publics=["familles"],
                modes_mobilisation=["telephoner"],
                languages=["fr", "ar"],
                **remote,
            ),
            "01 99 00 78 90",
        ),
    ]
