"""Generated associations of the demo for urgent and material needs: shelter and outreach,
food, health, budget, second-hand goods, and release from prison.

All names and contacts are made up; the places are real communes of the Rhône.
"""

from __future__ import annotations

import math

from shapely import affinity
from shapely.geometry import MultiPolygon, Point

from seed.demo_specs import (
    BANK_STATEMENTS,
    BOTH_MODES,
    CAF_CERTIFICATE,
    DEPARTEMENT_69,
    ID_CARD,
    INCOME_PROOF,
    LEASE,
    METROPOLE_DE_LYON,
    PROOF_OF_ADDRESS,
    REFERRED_BY_PARTNER,
    TAX_NOTICE,
    LocationSpec,
    OrganisationSpec,
    ServiceSpec,
    communes,
    contact_details,
    epcis,
)

LYON = "69123"
# Place Gabriel-Péri, at the heart of the Guillotière, where the outreach team starts.
GUILLOTIERE = (45.7568, 4.8433)


def disc(latitude: float, longitude: float, radius_km: float) -> MultiPolygon:
    """A disc of `radius_km` around a point, in longitude/latitude degrees (an ellipse in
    degrees, since a degree of longitude is shorter than one of latitude at 45° N)."""
    circle = Point(longitude, latitude).buffer(1.0, quad_segs=16)
    km_per_degree_lat = 111.2
    km_per_degree_lon = 111.2 * math.cos(math.radians(latitude))
    ellipse = affinity.scale(
        circle, xfact=radius_km / km_per_degree_lon, yfact=radius_km / km_per_degree_lat
    )
    return MultiPolygon([ellipse])


def _organisation(key, name, networks, description, locations, services, hours):
    return OrganisationSpec(
        key=key, name=name, networks=networks, description=description,
        locations=locations, services=services, hours=hours, **contact_details(key),
    )


def shelter() -> OrganisationSpec:
    hours = "Mo-Fr 08:00-12:00,13:30-17:00; Sa 09:00-12:00"
    return _organisation(
        "association-le-toit-rhodanien", "Le Toit rhodanien",
        ["federation-des-acteurs-de-la-solidarite", "chu"],
        "Association d'accueil et d'hébergement des personnes sans abri : accueil de jour, "
        "centre d'hébergement d'urgence de 60 places et maraudes dans le centre de Lyon.",
        [LocationSpec("accueil-de-jour", "Accueil de jour Guillotière", "69387",
                      "31 rue de l'Université", hours=hours)],
        [
            ServiceSpec(
                key="accueil-de-jour",
                name="Accueil de jour : douches, bagagerie, petit-déjeuner",
                summary="Un lieu pour se poser, se laver, laisser ses affaires et "
                "rencontrer un travailleur social, sans rendez-vous.",
                description="Petit-déjeuner de 8 h à 10 h, douches et machines à laver, "
                "bagagerie, vestiaire, permanence d'une infirmière le mardi et d'un "
                "travailleur social tous les matins.",
                type="aide-materielle",
                thematiques=["equipement-et-alimentation--alimentation",
                             "equipement-et-alimentation--habillement"],
                publics=["personnes-en-situation-durgence", "personnes-exilees"],
                zones=communes(LYON),
                modes_mobilisation=["se-presenter"],
                languages=["fr", "en", "ar", "es"],
                hours="Mo-Fr 08:00-12:00",
                coverage_radius_km=20,
            ),
            ServiceSpec(
                key="hebergement-urgence",
                name="Hébergement d'urgence",
                summary="Des places d'hébergement d'urgence pour les personnes et familles "
                "sans abri, attribuées par le 115.",
                description="Les places sont attribuées chaque soir par le SIAO du Rhône "
                "via le 115. Sur place : dîner, nuit, petit-déjeuner, et un entretien avec "
                "un travailleur social pour préparer la suite.",
                type="accompagnement",
                thematiques=[
                    "logement-hebergement--rechercher-une-solution-dhebergement-temporaire"
                ],
                publics=["personnes-en-situation-durgence", "femmes", "familles"],
                zones=epcis(METROPOLE_DE_LYON),
                mobilisable_par=["usagers", "professionnels"],
                modes_mobilisation=["telephoner"],
                mobilisation_details="Appeler le 115 (gratuit, 24 h sur 24), qui oriente "
                "vers une place disponible.",
                coverage_radius_km=20,
                languages=["fr", "en", "ar"],
            ),
            ServiceSpec(
                key="maraude",
                name="Maraude sociale Presqu'île – Guillotière",
                summary="Une équipe qui va à la rencontre des personnes à la rue, le soir, "
                "autour de la Guillotière.",
                description="Trois soirs par semaine, un binôme travailleur social et "
                "infirmier rencontre les personnes sans abri, propose une boisson chaude, "
                "un accès aux soins et une orientation vers l'hébergement.",
                type="accompagnement",
                thematiques=["sante--acces-aux-soins",
                             "logement-hebergement--rechercher-une-solution-dhebergement-temporaire"],
                publics=["personnes-en-situation-durgence"],
                zones=[],
                coverage_polygon=disc(*GUILLOTIERE, radius_km=3),
                location_keys=[],
                modes_mobilisation=["telephoner"],
                mobilisable_par=["professionnels", "usagers"],
                mobilisation_details="Signaler une personne en difficulté au numéro de "
                "l'association ; l'équipe passe dans la soirée.",
                hours="Mo,We,Fr 19:00-23:00",
            ),
        ],
        hours,
    )


def food_aid() -> OrganisationSpec:
    return _organisation(
        "epicerie-solidaire-la-passerelle", "Épicerie solidaire La Passerelle",
        ["banques-alimentaires"],
        "Association gérant deux épiceries solidaires approvisionnées par la Banque "
        "alimentaire du Rhône et des producteurs locaux.",
        [LocationSpec("vaulx", "Épicerie de Vaulx-en-Velin", "69256",
                      "12 avenue Gabriel-Péri", hours="Tu-Fr 14:00-18:30; Sa 09:00-12:30"),
         LocationSpec("campus", "Antenne du campus de la Doua", "69266",
                      "25 avenue Gaston-Berger", hours="Tu,Th 12:00-14:00")],
        [
            ServiceSpec(
                key="epicerie",
                name="Épicerie solidaire",
                summary="Faire ses courses à 10 à 30 % du prix, le temps de remettre son "
                "budget à flot.",
                description="Fruits et légumes, produits frais, hygiène : les courses sont "
                "limitées à un montant mensuel fixé selon la composition du foyer. Une "
                "conseillère fait le point chaque mois sur le projet financé grâce aux "
                "économies réalisées.",
                type="aide-materielle",
                thematiques=["equipement-et-alimentation--alimentation",
                             "difficultes-financieres--acquerir-une-autonomie-budgetaire"],
                publics=["beneficiaires-des-minimas-sociaux", "familles"],
                zones=communes("69256", "69029", "69275"),
                location_keys=["vaulx"],
                mobilisable_par=["professionnels"],
                modes_mobilisation=["envoyer-un-courriel"],
                fees="payant",
                fees_details="De 10 à 30 % du prix en magasin.",
                conditions="Reste à vivre inférieur à 10 € par jour et par personne, "
                "orientation par un travailleur social.",
                required_documents=[INCOME_PROOF, CAF_CERTIFICATE, REFERRED_BY_PARTNER],
                coverage_radius_km=10,
                contact_public=False,
            ),
            ServiceSpec(
                key="epicerie-etudiante",
                name="Épicerie solidaire étudiante",
                summary="Des courses à petit prix pour les étudiants boursiers ou en "
                "difficulté, sur le campus.",
                description="Ouverte deux midis par semaine, avec des paniers de légumes "
                "et des produits d'hygiène. Inscription sur présentation de la carte "
                "étudiante.",
                type="aide-materielle",
                thematiques=["equipement-et-alimentation--alimentation"],
                publics=["etudiants"],
                zones=epcis(METROPOLE_DE_LYON),
                location_keys=["campus"],
                modes_mobilisation=["se-presenter"],
                fees="payant",
                fees_details="Environ 30 % du prix en magasin.",
                languages=["fr", "en"],
                required_documents=[INCOME_PROOF],
            ),
            ServiceSpec(
                key="ateliers-cuisine",
                name="Ateliers cuisine et budget",
                summary="Cuisiner de saison pour pas cher et apprendre à tenir son budget, "
                "en groupe.",
                description="Un atelier par semaine : préparation d'un repas partagé, "
                "astuces anti-gaspillage et outils simples pour suivre ses dépenses.",
                type="atelier",
                thematiques=["difficultes-financieres--ameliorer-sa-gestion-budgetaire",
                             "remobilisation--lien-social"],
                publics=["tous-publics", "familles"],
                zones=communes("69256"),
                location_keys=["vaulx"],
                hours="Th 09:30-13:30",
            ),
        ],
        "Tu-Fr 14:00-18:30; Sa 09:00-12:30",
    )


def health() -> OrganisationSpec:
    hours = "Mo-Fr 09:00-17:00; PH off"
    return _organisation(
        "association-sante-passerelle", "Santé Passerelle Rhône", [],
        "Association de promotion de la santé : accès aux droits et aux soins, soutien "
        "psychologique, prévention auprès des publics éloignés du soin.",
        [LocationSpec("villeurbanne", "Espace santé Villeurbanne", "69266",
                      "40 rue Frédéric-Faÿs", hours=hours),
         LocationSpec("venissieux", "Permanence Vénissieux Minguettes", "69259",
                      "Place du Marché", hours="Tu,Th 09:00-12:30")],
        [
            ServiceSpec(
                key="acces-droits-sante",
                name="Permanence d'accès aux droits de santé",
                summary="Ouvrir ou rétablir ses droits à l'assurance maladie et à la "
                "complémentaire santé solidaire, trouver un médecin traitant.",
                description="Sans rendez-vous : vérification des droits, dossier de "
                "complémentaire santé solidaire ou d'aide médicale de l'État, orientation "
                "vers les centres de santé et les permanences d'accès aux soins (PASS).",
                type="accompagnement",
                thematiques=["sante--acces-aux-soins"],
                publics=["personnes-exilees", "beneficiaires-des-minimas-sociaux",
                         "tous-publics"],
                zones=epcis(METROPOLE_DE_LYON),
                languages=["fr", "ar", "es", "en"],
                required_documents=[ID_CARD, PROOF_OF_ADDRESS],
            ),
            ServiceSpec(
                key="dossier-mdph",
                name="Aide à la constitution du dossier MDPH",
                summary="Remplir sa demande auprès de la maison départementale des "
                "personnes handicapées, sans rien oublier.",
                description="Rendez-vous d'une heure pour remplir le formulaire, rédiger le "
                "projet de vie et rassembler le certificat médical ; suivi de la demande "
                "jusqu'à la décision.",
                type="accompagnement",
                thematiques=["sante--constituer-un-dossier-mdph-invalidite"],
                publics=["personnes-en-situation-de-handicap", "familles"],
                zones=DEPARTEMENT_69,
                location_keys=["villeurbanne"],
                modes_accueil=list(BOTH_MODES),
                modes_mobilisation=["telephoner", "envoyer-un-courriel"],
                required_documents=[ID_CARD, PROOF_OF_ADDRESS],
            ),
            ServiceSpec(
                key="sante-mentale",
                name="Groupe de parole et soutien en santé mentale",
                summary="Parler de ce qui pèse, avec une psychologue et d'autres personnes "
                "qui vivent la même chose.",
                description="Un groupe ouvert chaque mercredi soir, et des entretiens "
                "individuels gratuits (jusqu'à dix séances) pour les personnes orientées "
                "par un professionnel.",
                type="atelier",
                thematiques=["sante--sante-mentale", "remobilisation--bien-etre-confiance-en-soi"],
                publics=["tous-publics"],
                zones=epcis(METROPOLE_DE_LYON),
                location_keys=["villeurbanne"],
                hours="We 18:00-19:30",
            ),
            ServiceSpec(
                key="sante-sexuelle",
                name="Prévention en santé sexuelle et addictions",
                summary="Dépistage, contraception, réduction des risques : des réponses "
                "confidentielles, en ligne ou sur place.",
                description="Une infirmière répond par messagerie et reçoit sur rendez-vous "
                "pour un dépistage rapide ; orientation vers un CSAPA pour les questions "
                "d'alcool, de tabac ou de drogues.",
                type="information",
                thematiques=["sante--sante-sexuelle", "sante--addictions"],
                publics=["jeunes", "etudiants"],
                zones=epcis(METROPOLE_DE_LYON),
                modes_accueil=list(BOTH_MODES),
                modes_mobilisation=["utiliser-lien-mobilisation", "telephoner"],
                mobilisation_link="https://example.org/association-sante-passerelle/rdv",
                contact_public=True,
            ),
        ],
        hours,
    )


def budget_advice() -> OrganisationSpec:
    hours = "Mo-Th 09:00-12:00,13:30-17:30; Fr 09:00-12:00"
    return _organisation(
        "point-conseil-budget-rhone-nord", "Point conseil budget Rhône Nord",
        ["points-conseil-budget"],
        "Point conseil budget labellisé : conseils gratuits et confidentiels à toute "
        "personne qui a des difficultés à boucler ses fins de mois.",
        [LocationSpec("villefranche", "Point conseil budget Villefranche", "69264",
                      "15 rue Paul-Bert", hours=hours),
         LocationSpec("lyon", "Permanence Lyon Croix-Rousse", "69384",
                      "10 rue Dumenge", hours="Tu 09:00-12:00,13:30-17:00")],
        [
            ServiceSpec(
                key="conseil-budget",
                name="Conseil budgétaire personnalisé",
                summary="Faire le point sur ses revenus et ses dépenses, et trouver des "
                "marges de manœuvre.",
                description="Un conseiller analyse avec vous le budget du foyer, vérifie que "
                "vous touchez toutes les aides auxquelles vous avez droit et négocie si "
                "besoin avec les créanciers.",
                type="accompagnement",
                thematiques=["difficultes-financieres--ameliorer-sa-gestion-budgetaire",
                             "difficultes-financieres--acquerir-une-autonomie-budgetaire"],
                publics=["tous-publics"],
                zones=epcis("200040590", "200067817", "200040574") + communes("69384"),
                modes_accueil=list(BOTH_MODES),
                modes_mobilisation=["telephoner", "envoyer-un-courriel", "se-presenter"],
                languages=["fr", "en"],
            ),
            ServiceSpec(
                key="surendettement",
                name="Aide au dossier de surendettement",
                summary="Préparer et déposer un dossier auprès de la commission de "
                "surendettement de la Banque de France.",
                description="Constitution du dossier, liste des dettes, lettre explicative, "
                "puis suivi de la procédure et des mesures décidées.",
                type="accompagnement",
                thematiques=["difficultes-financieres--situation-dendettement-surendettement"],
                publics=["tous-publics", "beneficiaires-des-minimas-sociaux"],
                zones=epcis("200040590", "200067817", "200040574") + communes("69384"),
                required_documents=[BANK_STATEMENTS, TAX_NOTICE, INCOME_PROOF, LEASE],
            ),
            ServiceSpec(
                key="masp",
                name="Mesure d'accompagnement social personnalisé (MASP)",
                summary="Un accompagnement renforcé à la gestion des prestations sociales, "
                "avant toute mesure de protection judiciaire.",
                description="Contrat signé avec le département pour six mois à deux ans : "
                "le conseiller aide à gérer les prestations et, si vous le souhaitez, "
                "paie directement le loyer au bailleur.",
                type="accompagnement",
                thematiques=[
                    "difficultes-financieres--mettre-en-place-une-mesure-de-protection-financiere"
                ],
                publics=["beneficiaires-des-minimas-sociaux"],
                zones=DEPARTEMENT_69,
                mobilisable_par=["professionnels"],
                modes_mobilisation=["envoyer-un-courriel"],
                contact_public=False,
                required_documents=[INCOME_PROOF, LEASE],
            ),
        ],
        hours,
    )
