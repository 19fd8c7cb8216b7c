"""Generated training bodies and business-creation support of the demo.

All names and contacts are made up; the places are real communes of the Rhône.
"""

from __future__ import annotations

from seed.demo_specs import (
    BANK_STATEMENTS,
    BOTH_MODES,
    DEPARTEMENT_69,
    DRIVING_LICENCE,
    FT_REGISTRATION,
    ID_CARD,
    JOB_PROMISE,
    METROPOLE_DE_LYON,
    TRAINING_ENTRY,
    TRAINING_PROJECT,
    LocationSpec,
    OrganisationSpec,
    ServiceSpec,
    contact_details,
    epcis,
)

TRAINING_HOURS = "Mo-Fr 08:30-12:00,13:00-17:00; PH off"


def _organisation(key, name, networks, description, locations, services, hours):
    return OrganisationSpec(
        key=key, name=name, networks=networks, description=description,
        locations=locations, services=services, hours=hours, **contact_details(key),
    )


def afpa() -> OrganisationSpec:
    return _organisation(
        "afpa-venissieux", "Centre Afpa de Vénissieux", ["afpa"],
        "Centre de formation professionnelle des adultes : titres professionnels du "
        "bâtiment, de l'industrie, de la restauration et des services, avec hébergement.",
        [LocationSpec("centre", "Centre Afpa de Vénissieux", "69259",
                      "33 rue de la Commune-de-Paris", hours=TRAINING_HOURS)],
        [
            ServiceSpec(
                key="titre-cuisinier",
                name="Titre professionnel Cuisinier",
                summary="Sept mois de formation, dont deux en entreprise, pour devenir "
                "cuisinier en restauration traditionnelle ou collective.",
                description="Formation qualifiante de niveau CAP, financée par la Région "
                "ou France Travail pour les demandeurs d'emploi, avec rémunération "
                "pendant la formation.",
                type="formation",
                thematiques=["se-former--trouver-sa-formation",
                             "choisir-un-metier--decouvrir-un-metier-ou-un-secteur-dactivite"],
                publics=["demandeurs-emploi"],
                zones=DEPARTEMENT_69,
                mobilisable_par=["professionnels"],
                modes_mobilisation=["envoyer-un-courriel"],
                duration_weeks=30,
                hours_per_week=35,
                required_documents=[TRAINING_PROJECT, FT_REGISTRATION],
                contact_public=False,
            ),
            ServiceSpec(
                key="prepa-competences",
                name="Prépa Compétences : construire son projet de formation",
                summary="Quatre à huit semaines pour choisir une formation qualifiante "
                "et s'y préparer.",
                description="Bilan de compétences, immersions en entreprise, remise à "
                "niveau ciblée et montage du dossier de financement.",
                type="formation",
                thematiques=["se-former--monter-son-dossier-de-formation",
                             "choisir-un-metier--identifier-ses-points-forts-et-ses-competences"],
                publics=["demandeurs-emploi", "beneficiaires-des-minimas-sociaux"],
                zones=DEPARTEMENT_69,
                modes_accueil=list(BOTH_MODES),
                duration_weeks=6,
                hours_per_week=30,
                required_documents=[FT_REGISTRATION],
            ),
            ServiceSpec(
                key="promo-16-18",
                name="Promo 16-18 : un parcours pour les jeunes sans solution",
                summary="Quatre mois pour découvrir des métiers, reprendre confiance et "
                "trouver une formation ou un emploi.",
                description="Pour les jeunes de 16 à 18 ans soumis à l'obligation de "
                "formation : projets collectifs, stages, sport et accompagnement "
                "individuel.",
                type="accompagnement",
                thematiques=["remobilisation--bien-etre-confiance-en-soi",
                             "choisir-un-metier--decouvrir-un-metier-ou-un-secteur-dactivite"],
                publics=["jeunes"],
                zones=epcis(METROPOLE_DE_LYON),
                duration_weeks=16,
                hours_per_week=30,
            ),
        ],
        TRAINING_HOURS,
    )


def second_chance_school() -> OrganisationSpec:
    return _organisation(
        "e2c-rhone", "École de la deuxième chance du Rhône", ["ecoles-de-la-deuxieme-chance"],
        "École de la deuxième chance : parcours individualisés en alternance pour les "
        "jeunes de 16 à 25 ans sortis du système scolaire sans qualification.",
        [LocationSpec("vaise", "Site de Vaise", "69389", "7 rue Sergent-Michel-Berthet",
                      hours=TRAINING_HOURS),
         LocationSpec("villefranche", "Site de Villefranche-sur-Saône", "69264",
                      "20 rue Roland", hours=TRAINING_HOURS)],
        [
            ServiceSpec(
                key="parcours-e2c",
                name="Parcours E2C : remise à niveau et alternance",
                summary="Six à huit mois entre l'école et l'entreprise, avec une "
                "rémunération, pour construire un projet professionnel.",
                description="Français, mathématiques et numérique au niveau de chacun, "
                "stages en entreprise, accompagnement social ; attestation de "
                "compétences acquises à la sortie.",
                type="formation",
                thematiques=["lecture-ecriture-calcul--maitriser-le-calcul",
                             "se-former--trouver-sa-formation",
                             "trouver-un-emploi--repondre-a-des-offres-demploi"],
                publics=["jeunes"],
                zones=DEPARTEMENT_69,
                duration_weeks=30,
                hours_per_week=35,
                required_documents=[ID_CARD],
            ),
            ServiceSpec(
                key="decouverte-metiers",
                name="Stages de découverte des métiers",
                summary="Tester un métier en entreprise pendant une à deux semaines avant "
                "de s'engager.",
                description="Périodes de mise en situation en milieu professionnel "
                "préparées et suivies par un formateur référent.",
                type="accompagnement",
                thematiques=["choisir-un-metier--decouvrir-un-metier-ou-un-secteur-dactivite",
                             "choisir-un-metier--confirmer-son-choix-de-metier"],
                publics=["jeunes"],
                zones=DEPARTEMENT_69,
                duration_weeks=2,
            ),
            ServiceSpec(
                key="information-collective",
                name="Information collective d'entrée à l'E2C",
                summary="Une matinée pour découvrir l'école et s'inscrire à la prochaine "
                "rentrée.",
                description="Présentation du parcours, visite, entretien individuel ; "
                "rentrées tout au long de l'année.",
                type="information",
                thematiques=["se-former--trouver-sa-formation"],
                publics=["jeunes"],
                zones=DEPARTEMENT_69,
                modes_mobilisation=["se-presenter", "utiliser-lien-mobilisation"],
                mobilisation_link="https://example.org/e2c-rhone/informations-collectives",
                hours="We 09:30-12:00",
            ),
        ],
        TRAINING_HOURS,
    )


def epide() -> OrganisationSpec:
    return _organisation(
        "epide-meyzieu", "Centre EPIDE de Meyzieu", ["epide"],
        "Établissement pour l'insertion dans l'emploi : parcours en internat pour les "
        "jeunes de 17 à 25 ans, avec un cadre inspiré du modèle militaire.",
        [LocationSpec("centre", "Centre EPIDE", "69282", "10 rue Antoine-Becquerel",
                      hours="Mo-Fr 08:00-17:00")],
        [
            ServiceSpec(
                key="parcours-internat",
                name="Parcours d'insertion en internat",
                summary="Huit mois en internat, nourri et logé, avec une allocation "
                "mensuelle, pour apprendre un métier.",
                description="Remise à niveau, sport, citoyenneté, stages en entreprise et "
                "accompagnement vers l'emploi ou la formation qualifiante.",
                type="formation",
                thematiques=["se-former--trouver-sa-formation",
                             "remobilisation--activites-sportives-et-culturelles"],
                publics=["jeunes", "residents-qpv-frr"],
                zones=[("region", "84")],
                duration_weeks=35,
                hours_per_week=35,
                conditions="Avoir entre 17 et 25 ans, être sans diplôme ou peu qualifié, "
                "volontaire.",
                eligibility={"version": 1, "all_of": [
                    {"fact": "age", "op": "between", "value": [17, 25]},
                    {"fact": "education_level", "op": "in", "value": ["none", "cap-bep"]},
                    {"manual": "Être volontaire"},
                ]},
                required_documents=[ID_CARD],
            ),
            ServiceSpec(
                key="permis",
                name="Préparation au permis de conduire",
                summary="Code et conduite pendant le parcours, financés pour les "
                "volontaires du centre.",
                description="Cours de code sur place et leçons de conduite avec une "
                "auto-école partenaire.",
                type="formation",
                thematiques=["mobilite--preparer-un-permis"],
                publics=["jeunes"],
                zones=[("region", "84")],
                mobilisable_par=["professionnels"],
                modes_mobilisation=["envoyer-un-courriel"],
                required_documents=[TRAINING_ENTRY],
                contact_public=False,
            ),
        ],
        "Mo-Fr 08:00-17:00",
    )


def digital_school() -> OrganisationSpec:
    return _organisation(
        "fabrique-numerique-solidaire-lyon", "Fabrique numérique solidaire de Lyon",
        ["simplon"],
        "École inclusive des métiers du numérique : formations gratuites et intensives, "
        "ouvertes sans diplôme.",
        [LocationSpec("confluence", "Campus Confluence", "69382", "30 quai Rambaud",
                      hours=TRAINING_HOURS)],
        [
            ServiceSpec(
                key="developpeur-web",
                name="Formation développeur web et web mobile",
                summary="Sept mois pour apprendre à coder, dont deux en entreprise, et "
                "obtenir un titre professionnel.",
                description="Pédagogie par projets, en équipe, avec une attention "
                "particulière aux candidatures de femmes et d'habitants des quartiers "
                "prioritaires.",
                type="formation",
                thematiques=["se-former--trouver-sa-formation",
                             "numerique--maitriser-les-fondamentaux-du-numerique"],
                publics=["demandeurs-emploi", "femmes", "residents-qpv-frr"],
                zones=epcis(METROPOLE_DE_LYON),
                modes_accueil=list(BOTH_MODES),
                modes_mobilisation=["utiliser-lien-mobilisation"],
                mobilisation_link="https://example.org/fabrique-numerique-solidaire-lyon/candidater",
                duration_weeks=30,
                hours_per_week=35,
                required_documents=[FT_REGISTRATION],
            ),
            ServiceSpec(
                key="decouverte-numerique",
                name="Atelier découverte des métiers du numérique",
                summary="Une journée pour coder sa première page web et rencontrer des "
                "professionnels.",
                description="Ouvert à toutes et tous, sans prérequis, pour savoir si les "
                "métiers du numérique vous plaisent.",
                type="atelier",
                thematiques=["choisir-un-metier--decouvrir-un-metier-ou-un-secteur-dactivite"],
                publics=["demandeurs-emploi", "jeunes"],
                zones=epcis(METROPOLE_DE_LYON),
            ),
        ],
        TRAINING_HOURS,
    )


def business_incubator() -> OrganisationSpec:
    return _organisation(
        "couveuse-lyon-confluence", "Couveuse d'entreprises Lyon Confluence", ["reseau-bge"],
        "Accompagnement des créateurs d'entreprise, de l'idée au test en conditions "
        "réelles.",
        [LocationSpec("confluence", "Couveuse d'entreprises", "69382", "12 cours Bayard",
                      hours=TRAINING_HOURS)],
        [
            ServiceSpec(
                key="projet-creation",
                name="Construire son projet de création d'entreprise",
                summary="Étude de marché, prévisionnel, statut : un conseiller vous aide "
                "à bâtir un projet solide.",
                description="Entretiens individuels et ateliers collectifs ; gratuit pour "
                "les demandeurs d'emploi et les allocataires du RSA.",
                type="accompagnement",
                thematiques=["creer-une-entreprise--definir-son-projet-de-creation-dentreprise",
                             "creer-une-entreprise--structurer-son-projet-de-creation-dentreprise"],
                publics=["demandeurs-emploi", "actifs"],
                zones=DEPARTEMENT_69,
                modes_accueil=list(BOTH_MODES),
                fees="payant",
                fees_details="Gratuit pour les demandeurs d'emploi et les allocataires du "
                "RSA ; 40 € par entretien pour les salariés.",
            ),
            ServiceSpec(
                key="test-activite",
                name="Tester son activité en couveuse",
                summary="Vendre ses premiers produits ou services sans créer de structure, "
                "sous le numéro SIRET de la couveuse.",
                description="Jusqu'à 36 mois d'hébergement juridique avec un contrat "
                "d'appui au projet d'entreprise, sans perdre ses droits.",
                type="accompagnement",
                thematiques=["creer-une-entreprise--developper-son-entreprise"],
                publics=["demandeurs-emploi", "beneficiaires-des-minimas-sociaux"],
                zones=DEPARTEMENT_69,
                fees="payant",
                fees_details="Participation de 30 € par mois.",
            ),
            ServiceSpec(
                key="formation-entreprendre",
                name="Formation « Entreprendre : les fondamentaux »",
                summary="Quatre semaines pour maîtriser la gestion, le commercial et le "
                "juridique de sa future entreprise.",
                description="Formation collective finançable par le compte personnel de "
                "formation.",
                type="formation",
                thematiques=["creer-une-entreprise--structurer-son-projet-de-creation-dentreprise",
                             "se-former--trouver-sa-formation"],
                publics=["demandeurs-emploi", "actifs"],
                zones=DEPARTEMENT_69,
                duration_weeks=4,
                hours_per_week=35,
            ),
        ],
        TRAINING_HOURS,
    )


def microcredit() -> OrganisationSpec:
    return _organisation(
        "antenne-microcredit-venissieux", "Antenne microcrédit Lyon-Vénissieux", ["adie"],
        "Microcrédit accompagné pour créer son activité ou garder son emploi, pour les "
        "personnes qui n'ont pas accès au crédit bancaire.",
        [LocationSpec("venissieux", "Antenne microcrédit", "69259", "2 rue Gaspard-Picard",
                      hours="Tu-Fr 09:00-12:30,14:00-17:30")],
        [
            ServiceSpec(
                key="microcredit-creation",
                name="Microcrédit pour créer son entreprise",
                summary="Un prêt jusqu'à 12 000 € et un accompagnement pour lancer son "
                "activité.",
                description="Étude du projet en quelques jours, prêt remboursable sur "
                "trois ans au plus, conseils gratuits pendant toute la durée du prêt.",
                type="aide-financiere",
                thematiques=["creer-une-entreprise--developper-son-entreprise",
                             "creer-une-entreprise--definir-son-projet-de-creation-dentreprise"],
                publics=["beneficiaires-des-minimas-sociaux", "demandeurs-emploi",
                         "residents-qpv-frr"],
                zones=DEPARTEMENT_69,
                modes_accueil=list(BOTH_MODES),
                modes_mobilisation=["utiliser-lien-mobilisation", "telephoner"],
                mobilisation_link="https://example.org/antenne-microcredit-venissieux/demande",
                fees="payant",
                fees_details="Prêt remboursable, taux indiqué lors de l'étude du dossier.",
                required_documents=[ID_CARD, BANK_STATEMENTS],
                languages=["fr", "ar"],
            ),
            ServiceSpec(
                key="microcredit-mobilite",
                name="Microcrédit mobilité",
                summary="Un prêt de 300 à 5 000 € pour acheter ou réparer un véhicule, "
                "ou passer le permis, pour aller travailler.",
                description="Pour les personnes en emploi, en formation ou avec une "
                "promesse d'embauche, exclues du crédit bancaire.",
                type="aide-financiere",
                thematiques=["mobilite--financer-ma-mobilite", "mobilite--acceder-a-un-vehicule"],
                publics=["actifs", "demandeurs-emploi"],
                zones=epcis(METROPOLE_DE_LYON),
                modes_accueil=["a-distance"],
                modes_mobilisation=["utiliser-lien-mobilisation"],
                mobilisation_link="https://example.org/antenne-microcredit-venissieux/mobilite",
                location_keys=[],
                fees="payant",
                fees_details="Prêt remboursable sur 6 à 48 mois.",
                required_documents=[DRIVING_LICENCE, JOB_PROMISE],
            ),
        ],
        "Tu-Fr 09:00-12:30,14:00-17:30",
    )
