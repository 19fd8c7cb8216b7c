"""Generated France Travail agencies of the demo, each covering real communes and EPCIs of
the Rhône. Agency names, addresses and contacts are made up (contacts on example.org); the
territories are real.
"""

from __future__ import annotations

from seed.demo_specs import (
    BANK_DETAILS,
    BOTH_MODES,
    CV,
    FT_REGISTRATION,
    ID_CARD,
    JOB_PROMISE,
    PROOF_OF_ADDRESS,
    SIX_MONTHS_JOBSEEKER,
    TRAINING_PROJECT,
    LocationSpec,
    OrganisationSpec,
    ServiceSpec,
    communes,
    contact_details,
    epcis,
)

FT_HOURS = "Mo-We 08:30-16:30; Th 08:30-12:30; Fr 08:30-15:30; PH off"


def _france_travail_core(key: str, zones) -> list[ServiceSpec]:
    return [
        ServiceSpec(
            key="accompagnement",
            name="Inscription et accompagnement vers l'emploi",
            summary="S'inscrire comme demandeur d'emploi et être suivi par un conseiller "
            "pour construire son projet et retrouver un emploi.",
            description=(
                "Après l'inscription, un conseiller fait le point avec vous sur votre "
                "situation, vos compétences et le marché du travail local, puis vous "
                "propose un accompagnement adapté : suivi guidé, renforcé ou global avec un "
                "travailleur social du département. Il peut mobiliser des formations, des "
                "aides à la mobilité et les offres des entreprises du bassin."
            ),
            type="accompagnement",
            thematiques=[
                "trouver-un-emploi--repondre-a-des-offres-demploi",
                "preparer-sa-candidature--organiser-ses-demarches-de-recherche-demploi",
                "choisir-un-metier--connaitre-les-opportunites-demploi",
            ],
            publics=["demandeurs-emploi", "beneficiaires-des-minimas-sociaux", "jeunes"],
            zones=zones,
            modes_accueil=list(BOTH_MODES),
            modes_mobilisation=["utiliser-lien-mobilisation", "se-presenter", "telephoner"],
            mobilisation_link=f"https://example.org/{key}/inscription",
            mobilisation_details="L'inscription se fait en ligne ; le premier entretien a "
            "lieu en agence ou par téléphone dans les 10 jours.",
            languages=["fr", "en"],
            required_documents=[ID_CARD, CV, BANK_DETAILS],
        ),
        ServiceSpec(
            key="atelier-cv",
            name="Atelier « Réussir son CV et sa lettre de motivation »",
            summary="Un atelier collectif de deux heures et demie pour mettre à jour son CV "
            "et adapter sa lettre à une offre.",
            description=(
                "En petit groupe (8 personnes au plus), un conseiller vous aide à mettre en "
                "valeur votre parcours, à choisir les bons mots-clés pour les recruteurs et "
                "à rédiger une lettre de motivation ciblée. Venez avec une offre qui vous "
                "intéresse et, si possible, un ordinateur portable ou une clé USB."
            ),
            type="atelier",
            thematiques=[
                "preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation",
                "preparer-sa-candidature--valoriser-ses-competences",
            ],
            publics=["demandeurs-emploi"],
            zones=zones,
            modes_mobilisation=["utiliser-lien-mobilisation", "se-presenter"],
            mobilisation_link=f"https://example.org/{key}/ateliers",
            hours="Tu 09:30-12:00",
            hours_per_week=2.5,
            required_documents=[FT_REGISTRATION, CV],
        ),
        ServiceSpec(
            key="aide-permis",
            name="Aide au financement du permis de conduire",
            summary="Une aide pouvant aller jusqu'à 1 200 € pour passer le permis B quand "
            "il conditionne un retour à l'emploi.",
            description=(
                "Quand l'absence de permis empêche d'accepter un emploi ou une formation, "
                "votre conseiller peut demander une aide versée directement à l'auto-école. "
                "La demande est instruite avec vous lors d'un entretien ; l'aide n'est pas "
                "cumulable avec une autre aide au permis pour le même objet."
            ),
            type="aide-financiere",
            thematiques=["mobilite--financer-ma-mobilite", "mobilite--preparer-un-permis"],
            publics=["demandeurs-emploi"],
            zones=zones,
            modes_accueil=list(BOTH_MODES),
            modes_mobilisation=["envoyer-un-courriel"],
            mobilisable_par=["professionnels"],
            fees_details="Aide gratuite pour la personne, plafonnée à 1 200 €.",
            conditions="Être inscrit à France Travail depuis au moins 6 mois et avoir un "
            "projet professionnel validé qui nécessite le permis.",
            eligibility={"version": 1, "all_of": [
                {"fact": "registered_france_travail", "op": "is", "value": True},
                {"fact": "months_registered_france_travail", "op": ">=", "value": 6},
                {"manual": "Projet professionnel validé qui nécessite le permis"},
            ]},
            required_documents=[SIX_MONTHS_JOBSEEKER, JOB_PROMISE, ID_CARD],
            contact_public=False,
        ),
    ]


def _france_travail_extra(kind: str, zones) -> ServiceSpec:
    if kind == "entretien":
        return ServiceSpec(
            key="atelier-entretien",
            name="Atelier « Convaincre en entretien d'embauche »",
            summary="Simulations d'entretien filmées et conseils pour présenter son parcours.",
            description="Préparation en groupe puis simulation individuelle avec un "
            "conseiller entreprise : se présenter en deux minutes, répondre aux questions "
            "difficiles, parler de ses périodes sans emploi.",
            type="atelier",
            thematiques=["trouver-un-emploi--convaincre-un-recruteur-en-entretien",
                         "preparer-sa-candidature--valoriser-ses-competences"],
            publics=["demandeurs-emploi", "jeunes"],
            zones=zones,
            modes_mobilisation=["se-presenter", "telephoner"],
            hours="Th 14:00-16:30",
            hours_per_week=2.5,
            required_documents=[FT_REGISTRATION],
        )
    if kind == "seniors":
        return ServiceSpec(
            key="club-seniors",
            name="Club de recherche d'emploi 50 ans et plus",
            summary="Six semaines en groupe pour relancer sa recherche après 50 ans.",
            description="Trois demi-journées par semaine : bilan des compétences "
            "transférables, réseau et candidatures spontanées, rencontres avec des "
            "employeurs du territoire qui recrutent des seniors.",
            type="accompagnement",
            thematiques=["trouver-un-emploi--faire-des-candidatures-spontanees",
                         "preparer-sa-candidature--developper-son-reseau"],
            publics=["seniors", "demandeurs-emploi"],
            zones=zones,
            mobilisable_par=["professionnels"],
            modes_mobilisation=["envoyer-un-courriel"],
            duration_weeks=6,
            hours_per_week=10.5,
            conditions="Avoir 50 ans ou plus et être inscrit à France Travail.",
            eligibility={"version": 1, "all_of": [
                {"fact": "age", "op": ">=", "value": 50},
                {"fact": "registered_france_travail", "op": "is", "value": True},
            ]},
            required_documents=[FT_REGISTRATION, CV],
        )
    if kind == "creation":
        return ServiceSpec(
            key="atelier-creation",
            name="Atelier « Créer son entreprise : premiers pas »",
            summary="Une matinée pour savoir si son idée tient la route et connaître les "
            "aides à la création.",
            description="Statuts, ARCE ou maintien des allocations, premières démarches et "
            "réseaux d'appui : l'atelier oriente ensuite vers un accompagnement adapté.",
            type="atelier",
            thematiques=["creer-une-entreprise--definir-son-projet-de-creation-dentreprise"],
            publics=["demandeurs-emploi"],
            zones=zones,
            modes_accueil=list(BOTH_MODES),
            modes_mobilisation=["utiliser-lien-mobilisation"],
            mobilisation_link="https://example.org/france-travail/creation",
            hours="We 09:00-12:00",
        )
    if kind == "qpv":
        return ServiceSpec(
            key="accompagnement-quartiers",
            name="Accompagnement renforcé dans les quartiers prioritaires",
            summary="Un conseiller dédié, des permanences au pied des immeubles et un suivi "
            "hebdomadaire.",
            description="Pour les habitants des quartiers prioritaires de la politique de "
            "la ville : un conseiller référent, des rendez-vous dans les centres sociaux "
            "et une mise en relation directe avec les employeurs partenaires.",
            type="accompagnement",
            thematiques=["trouver-un-emploi--suivre-ses-candidatures-et-relancer-les-employeurs",
                         "remobilisation--bien-etre-confiance-en-soi"],
            publics=["residents-qpv-frr", "demandeurs-emploi"],
            zones=zones,
            languages=["fr", "ar"],
            conditions="Habiter un quartier prioritaire de la politique de la ville.",
            eligibility={"version": 1, "all_of": [
                {"fact": "resident_qpv", "op": "is", "value": True},
            ]},
            required_documents=[PROOF_OF_ADDRESS],
        )
    return ServiceSpec(
        key="poe",
        name="Préparation opérationnelle à l'emploi (POE)",
        summary="Jusqu'à 400 heures de formation financées avant une embauche.",
        description="Quand un employeur vous propose un poste mais qu'il vous manque des "
        "compétences, la POE finance la formation avant la signature du contrat.",
        type="formation",
        thematiques=["se-former--trouver-sa-formation",
                     "trouver-un-emploi--repondre-a-des-offres-demploi"],
        publics=["demandeurs-emploi"],
        zones=zones,
        mobilisable_par=["professionnels"],
        modes_mobilisation=["envoyer-un-courriel"],
        duration_weeks=10,
        hours_per_week=35,
        conditions="Avoir une promesse d'embauche d'au moins 12 mois conditionnée à la "
        "formation.",
        required_documents=[JOB_PROMISE, TRAINING_PROJECT],
        contact_public=False,
    )


# (key, name, commune, street, zones, extra service)
FRANCE_TRAVAIL_AGENCIES = [
    ("lyon-part-dieu", "Lyon Part-Dieu", "69383", "78 rue de la Villette",
     communes("69381", "69382", "69383", "69384", "69386"), "entretien"),
    ("lyon-vaise", "Lyon Vaise", "69389", "12 rue Saint-Pierre-de-Vaise",
     communes("69389", "69385", "69034", "69081", "69244"), "seniors"),
    ("lyon-gerland", "Lyon Gerland", "69387", "45 avenue Tony-Garnier",
     communes("69387", "69388", "69149", "69202"), "creation"),
    ("villeurbanne", "Villeurbanne", "69266", "20 rue Francis-de-Pressensé",
     communes("69266", "69256", "69029", "69275", "69282", "69286"), "qpv"),
    ("venissieux", "Vénissieux", "69259", "5 avenue Marcel-Houël",
     communes("69259", "69199", "69276", "69273", "69290", "69283")
     + epcis("246900575", "246900765"), "poe"),
    ("villefranche", "Villefranche-sur-Saône", "69264", "350 boulevard Gambetta",
     epcis("200040590", "200067817", "200040574"), "poe"),
    ("tarare", "Tarare", "69243", "4 rue Radisson", epcis("200040566", "246900625"),
     "seniors"),
    ("givors", "Givors", "69091", "15 rue Joseph-Faure",
     communes("69091", "69096", "69204")
     + epcis("246900740", "246900757", "200077014", "200066587", "246900724"), "entretien"),
]


def france_travail() -> list[OrganisationSpec]:
    organisations = []
    for slug, place, commune, street, zones, extra in FRANCE_TRAVAIL_AGENCIES:
        key = f"france-travail-{slug}"
        name = f"France Travail {place}"
        organisations.append(OrganisationSpec(
            key=key,
            name=name,
            networks=["france-travail"],
            description=f"Agence France Travail de {place} : inscription, indemnisation, "
            "accompagnement des demandeurs d'emploi et relations avec les entreprises du "
            "bassin.",
            locations=[LocationSpec("agence", f"Agence {name}", commune, street, hours=FT_HOURS)],
            services=_france_travail_core(key, zones) + [_france_travail_extra(extra, zones)],
            hours=FT_HOURS,
            **contact_details(key),
        ))
    return organisations
