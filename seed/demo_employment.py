"""Generated missions locales and Cap emploi of the demo, covering real EPCIs and the
département of the Rhône.

Names, addresses and contacts are made up (contacts on example.org); the territories are real.
"""

from __future__ import annotations

from seed.demo_specs import (
    BANK_DETAILS,
    BOTH_MODES,
    CV,
    DEPARTEMENT_69,
    ID_CARD,
    INCOME_PROOF,
    METROPOLE_DE_LYON,
    PROOF_OF_ADDRESS,
    RQTH,
    LocationSpec,
    OrganisationSpec,
    ServiceSpec,
    contact_details,
    epcis,
)

ML_HOURS = "Mo-Fr 09:00-12:30,13:30-17:30; PH off"


def _mission_locale_services(key: str, zones, extras: list[str]) -> list[ServiceSpec]:
    services = [ServiceSpec(
        key="cej",
        name="Contrat d'engagement jeune (CEJ)",
        summary="Un accompagnement intensif de 6 à 12 mois, avec une allocation pouvant "
        "atteindre 528 € par mois.",
        description=(
            "Un conseiller unique, 15 à 20 heures d'activités par semaine (ateliers, "
            "stages, formations, immersions en entreprise) et une allocation selon vos "
            "ressources. Le CEJ s'adresse aux jeunes qui ne sont ni en emploi ni en "
            "formation et veulent construire un projet professionnel."
        ),
        type="accompagnement",
        thematiques=[
            "choisir-un-metier--identifier-ses-points-forts-et-ses-competences",
            "trouver-un-emploi--repondre-a-des-offres-demploi",
            "remobilisation--bien-etre-confiance-en-soi",
        ],
        publics=["jeunes"],
        publics_details="De 16 à 25 ans, jusqu'à 29 ans pour les jeunes reconnus "
        "travailleurs handicapés.",
        zones=zones,
        modes_accueil=list(BOTH_MODES),
        languages=["fr", "en"],
        conditions="Avoir entre 16 et 25 ans (29 ans en situation de handicap), ne pas être "
        "en emploi durable ni en formation.",
        eligibility={
            "version": 1,
            "all_of": [{"fact": "employment_situation", "op": "not_in",
                        "value": ["employed", "training"]}],
            "any_of": [
                [{"fact": "age", "op": "between", "value": [16, 25]}],
                [{"fact": "age", "op": "between", "value": [16, 29]},
                 {"fact": "rqth", "op": "is", "value": True}],
            ],
        },
        required_documents=[ID_CARD, PROOF_OF_ADDRESS, BANK_DETAILS],
        hours_per_week=17.5,
        duration_weeks=52,
    )]
    catalogue = {
        "logement": ServiceSpec(
            key="logement-jeunes",
            name="Accès au logement des jeunes",
            summary="Trouver un premier logement : foyers de jeunes travailleurs, "
            "colocations, garanties Visale et aides de la CAF.",
            description="Une conseillère logement reçoit sur rendez-vous pour monter les "
            "dossiers de demande (FJT, logement social, Visale, Loca-Pass) et préparer "
            "l'entrée dans les lieux.",
            type="information",
            thematiques=["logement-hebergement--louer-un-logement",
                         "logement-hebergement--sinformer-sur-les-demarches-liees-a-lacces-au-logement"],
            publics=["jeunes"],
            zones=zones,
            modes_mobilisation=["telephoner", "envoyer-un-courriel"],
            required_documents=[ID_CARD, INCOME_PROOF],
        ),
        "sante": ServiceSpec(
            key="point-sante",
            name="Point santé jeunes",
            summary="Ouvrir ses droits à la complémentaire santé, faire un bilan, parler à "
            "un psychologue.",
            description="Permanence d'une infirmière et d'une psychologue : bilan de santé "
            "gratuit avec la CPAM, aide à l'ouverture des droits (complémentaire santé "
            "solidaire), écoute et orientation en cas de mal-être.",
            type="accompagnement",
            thematiques=["sante--acces-aux-soins", "sante--sante-mentale"],
            publics=["jeunes"],
            zones=zones,
            hours="We 13:30-17:00",
            mobilisable_par=["usagers", "professionnels"],
        ),
        "permis": ServiceSpec(
            key="permis-jeunes",
            name="Plateforme mobilité jeunes : code et permis",
            summary="Préparer le code en ligne avec un accompagnement et financer une "
            "partie du permis.",
            description="Accès à une plateforme de code en ligne, séances collectives en "
            "salle et aide financière au permis pour les jeunes accompagnés dont le projet "
            "professionnel l'exige.",
            type="aide-financiere",
            thematiques=["mobilite--preparer-un-permis", "mobilite--financer-ma-mobilite"],
            publics=["jeunes"],
            zones=zones,
            modes_accueil=list(BOTH_MODES),
            mobilisable_par=["professionnels"],
            modes_mobilisation=["envoyer-un-courriel"],
            fees_details="Reste à charge de 50 € sur le forfait code et permis.",
            fees="payant",
            required_documents=[ID_CARD],
            contact_public=False,
        ),
    }
    return services + [catalogue[extra] for extra in extras]


# (key, name, [(location key, location name, commune, street)], zones, extra services)
MISSIONS_LOCALES = [
    ("mission-locale-metropole-lyon", "Mission locale de la Métropole de Lyon",
     [("guillotiere", "Antenne Lyon Guillotière", "69387", "12 rue de Marseille"),
      ("venissieux", "Antenne Vénissieux", "69259", "3 rue Paul-Bert")],
     epcis(METROPOLE_DE_LYON), ["logement", "sante"]),
    ("mission-locale-beaujolais-val-de-saone", "Mission locale Beaujolais-Val de Saône",
     [("villefranche", "Antenne Villefranche-sur-Saône", "69264", "92 rue de Thizy")],
     epcis("200040590", "200067817", "200040574"), ["permis", "logement"]),
    ("mission-locale-ouest-rhodanien", "Mission locale Ouest Rhodanien et Monts du Lyonnais",
     [("tarare", "Antenne Tarare", "69243", "6 place de la Madeleine"),
      ("saint-symphorien", "Permanence Saint-Symphorien-sur-Coise", "69238",
       "Place du Marché")],
     epcis("200040566", "246900625", "200066587", "246900724"), ["permis", "sante"]),
    ("mission-locale-rhone-sud-est", "Mission locale Rhône Sud-Est",
     [("brignais", "Antenne Brignais", "69027", "24 rue du Général-de-Gaulle"),
      ("genas", "Antenne Genas", "69277", "8 rue de la République")],
     epcis("246900740", "246900757", "200077014", "246900575", "246900765"),
     ["logement", "sante"]),
]


def missions_locales() -> list[OrganisationSpec]:
    return [
        OrganisationSpec(
            key=key,
            name=name,
            networks=["mission-locale"],
            description=f"{name} : accueil, information et accompagnement des jeunes de 16 "
            "à 25 ans sur l'emploi, la formation, le logement, la santé et la mobilité.",
            locations=[
                LocationSpec(lkey, lname, commune, street, hours=ML_HOURS)
                for lkey, lname, commune, street in places
            ],
            services=_mission_locale_services(key, zones, extras),
            hours=ML_HOURS,
            **contact_details(key),
        )
        for key, name, places, zones, extras in MISSIONS_LOCALES
    ]


def cap_emploi() -> OrganisationSpec:
    key = "cap-emploi-rhone"
    handicap = ["personnes-en-situation-de-handicap"]
    return OrganisationSpec(
        key=key,
        name="Cap emploi Rhône",
        networks=["cap-emploi-reseau-cheops"],
        description="Organisme de placement spécialisé : accompagnement vers l'emploi des "
        "personnes en situation de handicap et maintien dans l'emploi des salariés.",
        locations=[LocationSpec("lyon", "Cap emploi Rhône", "69383", "10 rue Servient",
                                hours="Mo-Fr 09:00-12:30,13:30-17:00; PH off")],
        services=[
            ServiceSpec(
                key="accompagnement-emploi",
                name="Accompagnement vers l'emploi des personnes handicapées",
                summary="Un conseiller spécialisé pour définir un projet compatible avec sa "
                "santé et trouver un employeur.",
                description="Diagnostic de la situation, aménagements de poste, aides de "
                "l'Agefiph, mise en relation avec des employeurs engagés et suivi dans les "
                "premiers mois de l'emploi.",
                type="accompagnement",
                thematiques=["trouver-un-emploi--repondre-a-des-offres-demploi",
                             "choisir-un-metier--confirmer-son-choix-de-metier"],
                publics=handicap + ["demandeurs-emploi"],
                zones=DEPARTEMENT_69,
                modes_accueil=list(BOTH_MODES),
                mobilisable_par=["professionnels"],
                modes_mobilisation=["envoyer-un-courriel", "telephoner"],
                conditions="Avoir une reconnaissance de la qualité de travailleur handicapé "
                "ou être en cours de demande.",
                eligibility={"version": 1, "any_of": [
                    [{"fact": "rqth", "op": "is", "value": True}],
                    [{"manual": "Demande de RQTH en cours auprès de la MDPH"}],
                ]},
                required_documents=[RQTH, CV],
                contact_public=False,
            ),
            ServiceSpec(
                key="maintien-emploi",
                name="Maintien dans l'emploi des salariés en situation de handicap",
                summary="Adapter son poste ou son temps de travail quand la santé change.",
                description="Pour les salariés, indépendants et agents publics dont l'état "
                "de santé menace l'emploi : étude de poste avec le médecin du travail, "
                "aménagements, formation, reconversion interne.",
                type="accompagnement",
                thematiques=["trouver-un-emploi--maintien-dans-lemploi"],
                publics=handicap + ["actifs"],
                zones=DEPARTEMENT_69,
                modes_accueil=list(BOTH_MODES),
                modes_mobilisation=["telephoner", "envoyer-un-courriel"],
                required_documents=[RQTH],
            ),
            ServiceSpec(
                key="evolution-professionnelle",
                name="Conseil en évolution professionnelle",
                summary="Faire le point sur sa carrière et préparer une reconversion.",
                description="Entretiens individuels pour explorer des métiers compatibles, "
                "valider un projet par des immersions et monter le financement d'une "
                "formation.",
                type="accompagnement",
                thematiques=["choisir-un-metier--decouvrir-un-metier-ou-un-secteur-dactivite",
                             "se-former--monter-son-dossier-de-formation"],
                publics=handicap + ["actifs"],
                zones=DEPARTEMENT_69,
                modes_accueil=list(BOTH_MODES),
                modes_mobilisation=["utiliser-lien-mobilisation", "telephoner"],
                mobilisation_link="https://example.org/cap-emploi-rhone/rendez-vous",
            ),
        ],
        hours="Mo-Fr 09:00-12:30,13:30-17:00; PH off",
        **contact_details(key),
    )
