"""Generated associations of the demo that remove everyday obstacles to work: digital skills,
mobility, the French language, second-hand equipment, and leaving prison.

All names and contacts are made up; the places are real communes of the Rhône.
"""

from __future__ import annotations

from seed.demo_specs import (
    BOTH_MODES,
    DISTANT_INTERVIEW,
    DRIVING_LICENCE,
    ID_CARD,
    INCOME_PROOF,
    INTEGRATION_CONTRACT,
    JOB_PROMISE,
    METROPOLE_DE_LYON,
    REFERRED_BY_PARTNER,
    VEHICLE_REGISTRATION,
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
VILLEFRANCHE_AREA = epcis("200040590", "200067817", "200040574")


def _organisation(key, name, networks, description, locations, services, hours):
    return OrganisationSpec(
        key=key, name=name, networks=networks, description=description,
        locations=locations, services=services, hours=hours, **contact_details(key),
    )


def digital() -> OrganisationSpec:
    hours = "Mo-Fr 09:30-12:30,14:00-18:00; Sa 09:30-12:30"
    zones = communes("69388", "69387", "69259", "69256")
    return _organisation(
        "association-connexions-solidaires", "Connexions solidaires",
        ["conseillers-numeriques", "espaces-publics-numeriques"],
        "Association de médiation numérique : ateliers, aide aux démarches en ligne, "
        "accès libre à internet et ordinateurs reconditionnés.",
        [LocationSpec("mermoz", "Espace numérique Mermoz", "69388",
                      "3 rue Joseph-Chapelle", hours=hours),
         LocationSpec("vaulx", "Espace numérique Vaulx-en-Velin", "69256",
                      "5 place de la Nation", hours="We-Fr 14:00-18:00")],
        [
            ServiceSpec(
                key="premiers-pas",
                name="Ateliers « Premiers pas avec l'ordinateur et le smartphone »",
                summary="Huit séances pour apprendre à utiliser un ordinateur, une "
                "messagerie et son smartphone en confiance.",
                description="En groupe de six, à son rythme : allumer, cliquer, écrire, "
                "envoyer un courriel avec une pièce jointe, installer une application, se "
                "méfier des arnaques. Le matériel est prêté pendant les séances.",
                type="atelier",
                thematiques=["numerique--maitriser-les-fondamentaux-du-numerique"],
                publics=["seniors", "tous-publics"],
                zones=zones,
                hours="Mo 14:00-16:00; Th 09:30-11:30",
                duration_weeks=8,
                hours_per_week=2,
            ),
            ServiceSpec(
                key="demarches-en-ligne",
                name="Accompagnement aux démarches administratives en ligne",
                summary="Un médiateur numérique fait avec vous vos démarches CAF, "
                "France Travail, Ameli, impôts ou titre de séjour.",
                description="Sur rendez-vous : le médiateur vous guide sans faire à votre "
                "place, pour que vous puissiez refaire seul la prochaine fois. Pensez à "
                "apporter vos identifiants et vos justificatifs.",
                type="accompagnement",
                thematiques=["numerique--acceder-a-des-services-en-ligne", ACCESS_TO_RIGHTS],
                publics=["tous-publics", "personnes-exilees"],
                zones=zones,
                languages=["fr", "ar", "en"],
                required_documents=[ID_CARD],
            ),
            ServiceSpec(
                key="ordinateurs-reconditionnes",
                name="Ordinateurs reconditionnés à petit prix",
                summary="Un ordinateur portable reconditionné et garanti un an, de 60 à "
                "120 €.",
                description="Ordinateurs issus de dons d'entreprises, remis à neuf par des "
                "salariés en insertion, livrés avec une prise en main d'une heure.",
                type="aide-materielle",
                thematiques=["numerique--acquerir-un-equipement"],
                publics=["beneficiaires-des-minimas-sociaux", "demandeurs-emploi",
                         "etudiants"],
                zones=epcis(METROPOLE_DE_LYON),
                location_keys=["mermoz"],
                mobilisable_par=["professionnels"],
                modes_mobilisation=["envoyer-un-courriel"],
                fees="payant",
                fees_details="De 60 € à 120 € selon le modèle, paiement en trois fois "
                "possible.",
                conditions="Être orienté par un travailleur social ou un conseiller "
                "emploi.",
                required_documents=[REFERRED_BY_PARTNER, INCOME_PROOF],
                contact_public=False,
            ),
            ServiceSpec(
                key="acces-libre",
                name="Accès libre à internet et aux imprimantes",
                summary="Des postes connectés, une imprimante et un scanner en libre "
                "accès, avec un animateur pour dépanner.",
                description="Sans rendez-vous, aux heures d'ouverture ; impression gratuite "
                "jusqu'à 20 pages par jour pour les démarches de recherche d'emploi.",
                type="aide-materielle",
                thematiques=["numerique--acceder-a-une-connexion-internet"],
                publics=["tous-publics"],
                zones=zones,
                modes_mobilisation=["se-presenter"],
            ),
        ],
        hours,
    )


def mobility() -> OrganisationSpec:
    hours = "Mo-Fr 08:30-12:00,13:30-18:00"
    return _organisation(
        "garage-solidaire-val-de-saone", "Garage solidaire du Val de Saône", ["mobin"],
        "Garage associatif et plateforme de mobilité : réparations à prix solidaire, "
        "location de véhicules et conseil mobilité pour aller travailler.",
        [LocationSpec("garage", "Garage solidaire", "69264", "1200 route de Frans",
                      hours=hours)],
        [
            ServiceSpec(
                key="reparation",
                name="Réparation et entretien de véhicules à prix solidaire",
                summary="Vidange, freins, contrôle technique : une main-d'œuvre à 15 € de "
                "l'heure et les pièces au prix coûtant.",
                description="Un mécanicien encadrant répare votre voiture ou votre scooter, "
                "ou vous apprend à faire vous-même les petites réparations dans l'atelier "
                "en libre-service.",
                type="aide-materielle",
                thematiques=["mobilite--entretenir-reparer-son-vehicule"],
                publics=["beneficiaires-des-minimas-sociaux", "demandeurs-emploi"],
                zones=VILLEFRANCHE_AREA,
                mobilisable_par=["professionnels"],
                modes_mobilisation=["telephoner", "envoyer-un-courriel"],
                fees="payant",
                fees_details="Main-d'œuvre 15 € de l'heure, pièces au prix coûtant.",
                required_documents=[VEHICLE_REGISTRATION, DRIVING_LICENCE, INCOME_PROOF],
                coverage_radius_km=30,
            ),
            ServiceSpec(
                key="location-vehicules",
                name="Location de voitures et scooters pour aller travailler",
                summary="Un véhicule de 3 à 8 € par jour, le temps d'une embauche, d'une "
                "formation ou d'un entretien éloigné.",
                description="Location pour un mois renouvelable deux fois, assurance "
                "comprise, pendant que le projet mobilité durable se construit.",
                type="aide-materielle",
                thematiques=["mobilite--acceder-a-un-vehicule"],
                publics=["demandeurs-emploi", "jeunes"],
                zones=VILLEFRANCHE_AREA,
                mobilisable_par=["professionnels"],
                modes_mobilisation=["envoyer-un-courriel"],
                fees="payant",
                fees_details="De 3 € à 8 € par jour selon le véhicule, caution de 150 €.",
                conditions="Avoir un permis valide et une solution d'emploi ou de formation.",
                required_documents=[DRIVING_LICENCE, JOB_PROMISE, DISTANT_INTERVIEW],
                coverage_radius_km=30,
                contact_public=False,
            ),
            ServiceSpec(
                key="conseil-mobilite",
                name="Conseil mobilité : diagnostic et plan de déplacements",
                summary="Trouver le bon moyen d'aller au travail : transports en commun, "
                "covoiturage, vélo, aides au permis.",
                description="Un conseiller mobilité fait le point sur vos trajets, vos "
                "capacités et votre budget, puis construit un plan : apprentissage du "
                "vélo, lecture de plan, covoiturage, aides financières.",
                type="accompagnement",
                thematiques=["mobilite--etre-accompagne-dans-son-parcours-mobilite",
                             "mobilite--mobilite-douce-partagee-collective"],
                publics=["demandeurs-emploi", "residents-qpv-frr"],
                zones=VILLEFRANCHE_AREA,
                modes_accueil=list(BOTH_MODES),
            ),
        ],
        hours,
    )


def french_language() -> OrganisationSpec:
    hours = "Mo-Th 09:00-12:00,13:30-18:00"
    zones = communes("69266", "69388", "69387", "69383")
    return _organisation(
        "association-lire-ecrire-ensemble", "Lire et écrire ensemble", ["anlci"],
        "Association d'apprentissage du français et des savoirs de base pour adultes, "
        "animée par des formateurs et des bénévoles.",
        [LocationSpec("villeurbanne", "Centre de formation Gratte-Ciel", "69266",
                      "18 rue Michel-Servet", hours=hours),
         LocationSpec("etats-unis", "Antenne États-Unis", "69388",
                      "45 boulevard des États-Unis", hours="Tu,Th 09:00-12:00")],
        [
            ServiceSpec(
                key="fle",
                name="Cours de français langue étrangère (FLE)",
                summary="Apprendre le français à l'oral et à l'écrit, du niveau débutant "
                "au niveau B1, pour la vie quotidienne et le travail.",
                description="Positionnement à l'entrée, groupes de niveau, quatre heures "
                "de cours par semaine de septembre à juin, préparation au DELF.",
                type="formation",
                thematiques=["lecture-ecriture-calcul--maitriser-le-francais"],
                publics=["personnes-exilees"],
                zones=zones,
                languages=["fr", "ar", "en", "es"],
                hours="Mo 09:00-11:00; Th 09:00-11:00",
                duration_weeks=30,
                hours_per_week=4,
                required_documents=[ID_CARD, INTEGRATION_CONTRACT],
            ),
            ServiceSpec(
                key="savoirs-de-base",
                name="Ateliers savoirs de base : lecture, écriture, calcul",
                summary="Reprendre confiance en lecture, en écriture et en calcul, pour "
                "les démarches et le travail.",
                description="Pour les adultes francophones qui ont peu ou mal appris à "
                "l'école : petits groupes, supports tirés de la vie courante (courriers, "
                "fiches de paie, plannings).",
                type="formation",
                thematiques=["lecture-ecriture-calcul--maitriser-le-calcul",
                             "lecture-ecriture-calcul--maitriser-le-francais"],
                publics=["tous-publics", "demandeurs-emploi"],
                zones=zones,
                duration_weeks=20,
                hours_per_week=6,
            ),
            ServiceSpec(
                key="conversation",
                name="Atelier de conversation en français",
                summary="Pratiquer l'oral en petit groupe, autour d'un café, avec des "
                "bénévoles.",
                description="Chaque samedi matin, sans inscription : on parle de la vie "
                "du quartier, des démarches, du travail, dans la bonne humeur.",
                type="atelier",
                thematiques=["lecture-ecriture-calcul--maitriser-le-francais",
                             "remobilisation--lien-social"],
                publics=["personnes-exilees", "tous-publics"],
                zones=zones,
                location_keys=["villeurbanne"],
                modes_mobilisation=["se-presenter"],
                hours="Sa 10:00-12:00",
            ),
        ],
        hours,
    )


def second_hand() -> OrganisationSpec:
    hours = "We-Sa 10:00-18:00"
    zones = epcis("200067817", "200040590")
    return _organisation(
        "ressourcerie-du-beaujolais", "Ressourcerie du Beaujolais", ["ressourceries"],
        "Ressourcerie et chantier d'insertion : collecte, réparation et revente "
        "d'objets, meubles et vêtements de seconde main.",
        [LocationSpec("boutique", "Boutique de la ressourcerie", "69019",
                      "250 rue de la République", hours=hours)],
        [
            ServiceSpec(
                key="electromenager",
                name="Électroménager et meubles d'occasion à petits prix",
                summary="Réfrigérateurs, lave-linge, lits et tables révisés et garantis "
                "six mois.",
                description="Tarifs réduits de moitié sur présentation d'une orientation "
                "sociale ; livraison possible dans le Beaujolais.",
                type="aide-materielle",
                thematiques=["equipement-et-alimentation--electromenager"],
                publics=["tous-publics", "familles"],
                zones=zones,
                fees="payant",
                fees_details="De 20 € à 150 €, moitié prix sur orientation sociale.",
            ),
            ServiceSpec(
                key="vestiaire",
                name="Vestiaire solidaire",
                summary="Des vêtements pour toute la famille et des tenues pour les "
                "entretiens d'embauche, de 1 à 5 €.",
                description="Vêtements triés par saison, rayon spécial entretien "
                "d'embauche, conseils d'une bénévole pour composer une tenue.",
                type="aide-materielle",
                thematiques=["equipement-et-alimentation--habillement"],
                publics=["tous-publics", "demandeurs-emploi"],
                zones=zones,
                fees="payant",
                fees_details="De 1 € à 5 € la pièce.",
            ),
            ServiceSpec(
                key="benevolat",
                name="Devenir bénévole à la ressourcerie",
                summary="Donner quelques heures par semaine pour trier, réparer, "
                "conseiller, et rencontrer du monde.",
                description="Accueil des nouveaux bénévoles le premier mercredi du mois ; "
                "une activité qui peut aussi valoriser un CV.",
                type="atelier",
                thematiques=["remobilisation--benevolat-action-citoyenne",
                             "remobilisation--lien-social"],
                publics=["tous-publics", "seniors"],
                zones=zones,
                modes_mobilisation=["se-presenter", "envoyer-un-courriel"],
                mobilisable_par=["usagers"],
            ),
        ],
        hours,
    )


def release_from_prison() -> OrganisationSpec:
    hours = "Mo-Fr 09:00-17:00"
    return _organisation(
        "association-nouveau-depart-rhone", "Nouveau départ Rhône",
        ["federation-des-acteurs-de-la-solidarite"],
        "Association d'accompagnement des personnes sous main de justice et des sortants "
        "de détention, en lien avec le SPIP du Rhône.",
        [LocationSpec("siege", "Nouveau départ Rhône", "69387", "60 rue de Gerland",
                      hours=hours)],
        [
            ServiceSpec(
                key="sortie-detention",
                name="Préparer sa sortie de détention",
                summary="Papiers, hébergement, ressources et emploi : tout préparer avant "
                "la sortie avec un référent.",
                description="Le référent rencontre la personne en détention trois mois "
                "avant la sortie, ouvre les droits (RSA, assurance maladie), cherche un "
                "hébergement et prépare les premiers rendez-vous d'emploi.",
                type="accompagnement",
                thematiques=[ACCESS_TO_RIGHTS,
                             "logement-hebergement--rechercher-une-solution-dhebergement-temporaire"],
                publics=["personnes-en-situation-juridique-specifique"],
                zones=[("departement", "69")],
                mobilisable_par=["professionnels"],
                modes_mobilisation=["envoyer-un-courriel"],
                mobilisation_details="Orientation par le conseiller pénitentiaire "
                "d'insertion et de probation.",
                required_documents=[REFERRED_BY_PARTNER],
                contact_public=False,
            ),
            ServiceSpec(
                key="emploi-justice",
                name="Accès à l'emploi des personnes sous main de justice",
                summary="Un accompagnement vers l'emploi compatible avec les obligations "
                "judiciaires (bracelet, pointage).",
                description="Ateliers de préparation, lien avec des employeurs partenaires "
                "informés, suivi dans les premiers mois du contrat.",
                type="accompagnement",
                thematiques=["trouver-un-emploi--repondre-a-des-offres-demploi",
                             "preparer-sa-candidature--valoriser-ses-competences"],
                publics=["personnes-en-situation-juridique-specifique", "demandeurs-emploi"],
                zones=[("departement", "69")],
                mobilisable_par=["professionnels", "usagers"],
                required_documents=[ID_CARD],
            ),
        ],
        hours,
    )
