"""Generated CCAS (centres communaux d'action sociale) of the big communes of the Rhône.

Each covers its own commune; their town halls then orient to them instead of running a CCAS
desk of their own (see seed.demo_town_halls).
"""

from __future__ import annotations

from seed.demo_specs import (
    BANK_STATEMENTS,
    ID_CARD,
    INCOME_PROOF,
    LEASE,
    PROOF_OF_ADDRESS,
    RSA,
    TAX_NOTICE,
    LocationSpec,
    OrganisationSpec,
    ServiceSpec,
    communes,
    contact_details,
)

CCAS_HOURS = "Mo-Fr 08:30-12:00,13:30-16:30; PH off"
ACCESS_TO_RIGHTS = (
    "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits"
)


def _common(commune: str, of_name: str) -> list[ServiceSpec]:
    zones = communes(commune)
    return [
        ServiceSpec(
            key="domiciliation",
            name="Domiciliation administrative",
            summary="Une adresse pour recevoir son courrier et faire valoir ses droits quand "
            "on n'a pas de domicile stable.",
            description=(
                f"Le CCAS {of_name} délivre une attestation d'élection de domicile valable "
                "un an, qui permet d'ouvrir ses droits (RSA, CAF, assurance maladie), "
                "d'obtenir une carte d'identité et de recevoir son courrier, à retirer "
                "aux horaires d'accueil."
            ),
            type="accompagnement",
            thematiques=[ACCESS_TO_RIGHTS],
            publics=["personnes-en-situation-durgence", "personnes-exilees"],
            zones=zones,
            modes_mobilisation=["se-presenter"],
            conditions="Ne pas avoir de domicile stable et avoir un lien avec la commune "
            "(travail, démarches d'insertion, enfants scolarisés, soins).",
            required_documents=[ID_CARD],
            languages=["fr", "en"],
        ),
        ServiceSpec(
            key="aides-facultatives",
            name="Aides financières facultatives",
            summary="Secours d'urgence, bons alimentaires et aides ponctuelles aux "
            "factures, attribués en commission.",
            description=(
                "Sur demande d'un travailleur social, le CCAS peut accorder une aide "
                "ponctuelle : alimentation, énergie, frais de cantine, dépenses liées à la "
                "reprise d'un emploi. La demande est étudiée en commission chaque semaine ; "
                "un secours d'urgence peut être versé le jour même."
            ),
            type="aide-financiere",
            thematiques=[
                "difficultes-financieres--prevenir-une-degradation-de-la-situation-financiere",
                "equipement-et-alimentation--alimentation",
            ],
            publics=["beneficiaires-des-minimas-sociaux", "familles", "seniors"],
            zones=zones,
            mobilisable_par=["professionnels"],
            modes_mobilisation=["envoyer-un-courriel"],
            mobilisation_details="Dossier transmis par le travailleur social référent, "
            "avec une évaluation de la situation.",
            conditions="Habiter la commune depuis au moins trois mois.",
            required_documents=[TAX_NOTICE, INCOME_PROOF, BANK_STATEMENTS, PROOF_OF_ADDRESS],
            contact_public=False,
        ),
    ]


def _extra(kind: str, commune: str) -> ServiceSpec:
    zones = communes(commune)
    extras = {
        "rsa": ServiceSpec(
            key="accompagnement-rsa",
            name="Accompagnement des allocataires du RSA",
            summary="Un référent pour le contrat d'engagement réciproque et les démarches "
            "de la vie quotidienne.",
            description="Le référent social construit avec vous le contrat d'engagement, "
            "vous aide à régler les difficultés qui freinent le retour à l'emploi (santé, "
            "logement, garde d'enfants) et vous met en relation avec les actions "
            "collectives du territoire.",
            type="accompagnement",
            thematiques=[ACCESS_TO_RIGHTS, "remobilisation--lien-social"],
            publics=["beneficiaires-des-minimas-sociaux"],
            zones=zones,
            mobilisable_par=["professionnels"],
            modes_mobilisation=["envoyer-un-courriel"],
            required_documents=[RSA],
            contact_public=False,
            eligibility={"version": 1, "all_of": [
                {"fact": "benefits", "op": "contains_any", "value": ["rsa"]},
            ]},
        ),
        "repas": ServiceSpec(
            key="portage-repas",
            name="Portage de repas à domicile",
            summary="Des repas livrés chaque jour aux personnes âgées ou handicapées qui ne "
            "peuvent plus cuisiner.",
            description="Livraison en liaison froide du lundi au samedi, menus adaptés aux "
            "régimes (sans sel, diabétique). Le livreur prend des nouvelles et signale "
            "toute inquiétude au CCAS.",
            type="aide-materielle",
            thematiques=["famille--prise-en-charge-personne-dependante",
                         "equipement-et-alimentation--alimentation"],
            publics=["seniors", "personnes-en-situation-de-handicap"],
            zones=zones,
            modes_mobilisation=["telephoner"],
            fees="payant",
            fees_details="De 4,50 € à 9,20 € le repas selon les ressources.",
            conditions="Avoir plus de 65 ans, ou plus de 60 ans en inaptitude au travail, "
            "ou une carte mobilité inclusion.",
            eligibility={"version": 1, "any_of": [
                [{"fact": "age", "op": ">", "value": 65}],
                [{"fact": "age", "op": ">", "value": 60},
                 {"manual": "Inaptitude au travail reconnue"}],
                [{"manual": "Carte mobilité inclusion"}],
            ]},
            required_documents=[TAX_NOTICE, PROOF_OF_ADDRESS],
            coverage_radius_km=10,
        ),
        "expulsions": ServiceSpec(
            key="prevention-expulsions",
            name="Permanence prévention des expulsions",
            summary="Faire le point sur une dette de loyer avant qu'elle ne mène à une "
            "procédure d'expulsion.",
            description="Une conseillère en économie sociale et familiale reçoit les "
            "locataires en impayé : plan d'apurement, saisine du fonds de solidarité "
            "logement, lien avec le bailleur et la commission de coordination (CCAPEX).",
            type="accompagnement",
            thematiques=["logement-hebergement--reduire-les-impayes-de-loyer",
                         "logement-hebergement--se-maintenir-dans-le-logement"],
            publics=["tous-publics", "familles"],
            zones=zones,
            hours="Tu 13:30-17:00",
            required_documents=[LEASE, INCOME_PROOF],
        ),
        "numerique": ServiceSpec(
            key="mediation-numerique",
            name="Médiation numérique au CCAS",
            summary="Un conseiller numérique aide à faire ses démarches en ligne et à créer "
            "ses comptes (CAF, Ameli, impots.gouv).",
            description="Sur rendez-vous ou en accès libre le jeudi matin : création "
            "d'adresse électronique, espace France Connect, déclarations trimestrielles, "
            "prise de rendez-vous médicaux en ligne.",
            type="accompagnement",
            thematiques=["numerique--acceder-a-des-services-en-ligne",
                         "numerique--maitriser-les-fondamentaux-du-numerique"],
            publics=["tous-publics", "seniors"],
            zones=zones,
            hours="Th 09:00-12:00",
        ),
        "aidants": ServiceSpec(
            key="soutien-aidants",
            name="Soutien aux aidants familiaux",
            summary="Groupes de parole, formation et solutions de répit pour celles et ceux "
            "qui s'occupent d'un proche.",
            description="Un groupe d'échange mensuel animé par une psychologue, des "
            "informations sur l'allocation personnalisée d'autonomie et des solutions "
            "d'accueil temporaire pour souffler.",
            type="atelier",
            thematiques=["famille--soutien-aidants",
                         "famille--prise-en-charge-personne-dependante"],
            publics=["familles", "seniors"],
            zones=zones,
            modes_accueil=["en-presentiel", "a-distance"],
            hours="Mo 14:00-16:00",
        ),
        "epicerie": ServiceSpec(
            key="epicerie-sociale",
            name="Épicerie sociale municipale",
            summary="Des produits alimentaires et d'hygiène à 20 % de leur prix, pour six "
            "mois renouvelables.",
            description="L'accès est accordé pour une durée limitée, avec un projet "
            "(rembourser une dette, financer le permis) suivi par la conseillère du CCAS.",
            type="aide-materielle",
            thematiques=["equipement-et-alimentation--alimentation",
                         "difficultes-financieres--acquerir-une-autonomie-budgetaire"],
            publics=["beneficiaires-des-minimas-sociaux", "familles"],
            zones=zones,
            mobilisable_par=["professionnels"],
            modes_mobilisation=["envoyer-un-courriel"],
            fees="payant",
            fees_details="20 % du prix habituel des produits.",
            required_documents=[INCOME_PROOF, PROOF_OF_ADDRESS],
            coverage_radius_km=10,
            contact_public=False,
        ),
    }
    return extras[kind]


# (key, name, "of" form, commune zone, location commune, street, extra services)
CCAS = [
    ("ccas-lyon", "CCAS de Lyon", "de Lyon", "69123", "69382", "4 rue Jean-de-Tournes",
     ["rsa"]),
    ("ccas-villeurbanne", "CCAS de Villeurbanne", "de Villeurbanne", "69266", "69266",
     "21 rue Anatole-France", ["repas"]),
    ("ccas-venissieux", "CCAS de Vénissieux", "de Vénissieux", "69259", "69259",
     "7 avenue Marcel-Houël", ["expulsions"]),
    ("ccas-vaulx-en-velin", "CCAS de Vaulx-en-Velin", "de Vaulx-en-Velin", "69256",
     "69256", "4 rue Émile-Zola", ["numerique"]),
    ("ccas-saint-priest", "CCAS de Saint-Priest", "de Saint-Priest", "69290", "69290",
     "2 place Charles-Ottina", ["aidants"]),
    ("ccas-villefranche", "CCAS de Villefranche-sur-Saône", "de Villefranche-sur-Saône",
     "69264", "69264", "96 rue de la Paix", ["epicerie"]),
]


def ccas() -> list[OrganisationSpec]:
    return [
        OrganisationSpec(
            key=key,
            name=name,
            networks=["ccas-cias"],
            description=f"Centre communal d'action sociale {of_name} : aide sociale légale "
            "et facultative, domiciliation, accompagnement des personnes âgées et des "
            "personnes en difficulté.",
            locations=[LocationSpec("siege", name, location_commune, street, hours=CCAS_HOURS)],
            services=_common(zone, of_name) + [_extra(kind, zone) for kind in extras],
            hours=CCAS_HOURS,
            **contact_details(key),
        )
        for key, name, of_name, zone, location_commune, street, extras in CCAS
    ]


def ccas_communes() -> set[str]:
    """The communes whose CCAS the demo lists as a structure of its own."""
    return {zone for _key, _name, _of, zone, *_rest in CCAS}
