"""The national taxonomies as shipped, loaded and read, and the DORA reference lists."""

import csv
import shutil

import pytest
import sqlalchemy as sa
from data_inclusion.schema import v1 as national_schema
from flask_babel import force_locale

from directory import taxonomy
from directory.models import (
    T_FRAIS,
    T_MODE_ACCUEIL,
    T_MODE_MOBILISATION,
    T_PERSONNE_MOBILISATRICE,
    T_PUBLIC,
    T_RESEAU_PORTEUR,
    T_THEMATIQUE,
    T_TYPE_SERVICE,
    TaxonomyTerm,
)
from directory.taxonomy import (
    REFERENCE_DIR,
    Choice,
    categories,
    category_of,
    label,
    load_taxonomies,
    reference_list,
    terms,
    validate_codes,
)
from errors import Invalid
from extensions import db

EXPECTED_COUNTS = {
    T_THEMATIQUE: 16 + 69,  # categories and their needs
    T_PUBLIC: 14,
    T_FRAIS: 2,
    T_MODE_ACCUEIL: 2,
    T_MODE_MOBILISATION: 4,
    T_PERSONNE_MOBILISATRICE: 2,
    T_TYPE_SERVICE: 6,
    T_RESEAU_PORTEUR: 108,
}
NATIONAL_ENUMS = {
    "categories_v1.csv": national_schema.Categorie,
    "thematiques_v1.csv": national_schema.Thematique,
    "publics_v1.csv": national_schema.Public,
    "frais_v1.csv": national_schema.Frais,
    "modes_accueil_v1.csv": national_schema.ModeAccueil,
    "modes_mobilisation_v1.csv": national_schema.ModeMobilisation,
    "personne_mobilisatrice_v1.csv": national_schema.PersonneMobilisatrice,
    "types_de_services_v1.csv": national_schema.TypeService,
    "reseaux_porteurs_v1.csv": national_schema.ReseauPorteur,
}


def stored_counts() -> dict[str, int]:
    rows = db.session.execute(
        sa.select(TaxonomyTerm.taxonomy, sa.func.count()).group_by(TaxonomyTerm.taxonomy)
    )
    return dict(rows.all())


def copy_reference(tmp_path):
    target = tmp_path / "data-inclusion"
    shutil.copytree(REFERENCE_DIR, target)
    return target


def rewrite_line(path, line_number: int, text: str) -> None:
    """Replace a line of a CSV file, or add one just after its end."""
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[line_number - 1 : line_number] = [text]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_every_national_term_is_loaded(session):
    assert stored_counts() == EXPECTED_COUNTS
    thematiques = terms(T_THEMATIQUE)
    assert sum(term.parent_code is None for term in thematiques) == 16
    assert sum(term.parent_code is not None for term in thematiques) == 69


def test_loading_again_changes_nothing_and_restores_edited_labels(session):
    public = db.session.get(TaxonomyTerm, (T_PUBLIC, "jeunes"))
    public.label_fr = "Label modifié à la main"
    db.session.flush()

    assert load_taxonomies() == EXPECTED_COUNTS
    assert load_taxonomies() == EXPECTED_COUNTS

    assert stored_counts() == EXPECTED_COUNTS
    assert db.session.get(TaxonomyTerm, (T_PUBLIC, "jeunes")).label_fr == "Jeunes"


def test_a_label_changed_in_the_files_is_updated(session, tmp_path):
    reference = copy_reference(tmp_path)
    publics = reference / "publics_v1.csv"
    publics.write_text(
        publics.read_text(encoding="utf-8").replace(
            "jeunes,Jeunes,", "jeunes,Jeunes de 16 à 25 ans,"
        ),
        encoding="utf-8",
    )

    assert load_taxonomies(reference) == EXPECTED_COUNTS

    assert label(T_PUBLIC, "jeunes", "fr") == "Jeunes de 16 à 25 ans"
    assert label(T_PUBLIC, "jeunes", "en") == "Young people"


def test_every_thematique_hangs_under_an_existing_category(session):
    category_codes = {term.code for term in terms(T_THEMATIQUE) if term.parent_code is None}
    needs = [term for term in terms(T_THEMATIQUE) if term.parent_code is not None]
    assert needs
    for need in needs:
        assert need.parent_code in category_codes
        assert need.parent_code == category_of(need.code)


def test_every_term_has_an_english_label(session):
    missing = db.session.scalars(
        sa.select(TaxonomyTerm.code).where(
            sa.or_(TaxonomyTerm.label_en.is_(None), TaxonomyTerm.label_en == "")
        )
    ).all()
    assert missing == []
    assert label(T_THEMATIQUE, "famille--garde-denfants", "en") == "Childcare"
    assert label(T_RESEAU_PORTEUR, "france-travail", "en") == "France Travail"


@pytest.mark.parametrize("filename", sorted(NATIONAL_ENUMS))
def test_shipped_terms_are_those_of_the_installed_national_schema(filename):
    """Fails when a new data-inclusion-schema release adds, removes or renames a term."""
    with (REFERENCE_DIR / filename).open(encoding="utf-8") as handle:
        shipped = {row["value"]: row["label"] for row in csv.DictReader(handle)}
    national = {member.value: member.label for member in NATIONAL_ENUMS[filename]}
    assert shipped == national


def test_the_english_labels_cover_exactly_the_shipped_terms():
    with (REFERENCE_DIR / "labels_en.csv").open(encoding="utf-8") as handle:
        english = [(row["taxonomy"], row["value"]) for row in csv.DictReader(handle)]
    shipped = [(row.taxonomy, row.code) for row in taxonomy.read_reference()]
    assert sorted(english) == sorted(shipped)
    assert len(english) == sum(EXPECTED_COUNTS.values())


@pytest.mark.parametrize(
    ("filename", "line", "text", "message"),
    [
        (
            "reseaux_porteurs_v1.csv",
            10,
            "anlci,,",
            "reseaux_porteurs_v1.csv line 10: every term needs a value and a label.",
        ),
        (
            "publics_v1.csv",
            1,
            "value,libelle,description",
            "publics_v1.csv line 1: expected the columns value,label,description",
        ),
        ("frais_v1.csv", 3, "payant,Payant", "frais_v1.csv line 3: expected 3 values, found 2."),
        (
            "labels_en.csv",
            2,
            "thematique,choisir-un-metier,",
            "labels_en.csv line 2: every term needs a value and a label.",
        ),
        (
            "thematiques_v1.csv",
            4,
            "nouvelle-categorie--un-besoin,Un besoin,",
            "thematiques_v1.csv line 4: the thématique nouvelle-categorie--un-besoin has no "
            "category",
        ),
        (
            "publics_v1.csv",
            16,
            "sans-abri,Sans abri,",
            "publics_v1.csv line 16: sans-abri has no English label in labels_en.csv.",
        ),
    ],
)
def test_a_broken_file_is_refused_with_its_line_and_nothing_is_written(
    session, tmp_path, filename, line, text, message
):
    reference = copy_reference(tmp_path)
    # A change early in the load order that must not reach the database.
    categories_file = reference / "categories_v1.csv"
    categories_file.write_text(
        categories_file.read_text(encoding="utf-8").replace("famille,Famille,", "famille,Foyer,"),
        encoding="utf-8",
    )
    rewrite_line(reference / filename, line, text)

    with force_locale("en"), pytest.raises(Invalid) as refused:
        load_taxonomies(reference)

    assert message in refused.value.message
    assert label(T_THEMATIQUE, "famille", "fr") == "Famille"
    assert stored_counts() == EXPECTED_COUNTS


def test_load_taxonomies_command_prints_counts(app):
    result = app.test_cli_runner().invoke(args=["directory", "load-taxonomies"])

    assert result.exit_code == 0, result.output
    assert "thematique: 85" in result.output
    assert "public: 14" in result.output
    assert "reseau-porteur: 108" in result.output
    assert "223 terms loaded." in result.output


def test_load_taxonomies_command_refuses_a_broken_file(app, tmp_path):
    reference = copy_reference(tmp_path)
    rewrite_line(reference / "publics_v1.csv", 5, ",Sans valeur,")

    result = app.test_cli_runner().invoke(
        args=["directory", "load-taxonomies", "--from", str(reference)]
    )

    assert result.exit_code == 1
    assert "Refused: publics_v1.csv line 5: every term needs a value and a label." in (
        result.stderr
    )
    assert "terms loaded" not in result.output


def test_terms_come_in_reference_order(session):
    codes = [term.code for term in terms(T_PUBLIC)]
    assert codes[:3] == ["actifs", "beneficiaires-des-minimas-sociaux", "demandeurs-emploi"]
    assert codes[-1] == "tous-publics"


def test_label_is_in_the_asked_language_and_falls_back_to_the_code(session):
    assert label(T_MODE_ACCUEIL, "a-distance", "fr") == "À distance"
    assert label(T_MODE_ACCUEIL, "a-distance", "en") == "Remote"
    assert label(T_MODE_ACCUEIL, "en-visio", "en") == "en-visio"


def test_categories_list_their_needs_for_the_home_page(session):
    listed = categories()

    assert len(listed) == 16
    assert sum(len(category.needs) for category in listed) == 69
    mobilite = next(category for category in listed if category.code == "mobilite")
    assert mobilite.label("fr") == "Mobilité"
    assert mobilite.label("en") == "Transport and mobility"
    assert [need.code for need in mobilite.needs][:2] == [
        "mobilite--acceder-a-un-vehicule",
        "mobilite--entretenir-reparer-son-vehicule",
    ]


def test_validate_codes_returns_the_unknown_ones(session):
    assert validate_codes(T_PUBLIC, ["jeunes", "martiens", "femmes", "martiens"]) == ["martiens"]
    assert validate_codes(T_FRAIS, []) == []
    assert validate_codes(T_FRAIS, ["gratuit"]) == []


def test_a_category_is_not_a_thematique_of_a_service_unless_asked(session):
    assert validate_codes(T_THEMATIQUE, ["mobilite", "mobilite--preparer-un-permis"]) == [
        "mobilite"
    ]
    assert validate_codes(T_THEMATIQUE, ["mobilite"], allow_categories=True) == []


def test_category_of_a_thematique_is_the_part_before_the_double_dash():
    assert category_of("logement-hebergement--louer-un-logement") == "logement-hebergement"
    assert category_of("sante") == "sante"


def test_dora_reference_lists():
    credentials = reference_list("credentials")
    assert len(credentials) == 41
    assert "Curriculum vitae" in credentials
    assert len(reference_list("access_conditions")) == 32

    frequencies = reference_list("update_frequencies")
    assert [choice.value for choice in frequencies] == [
        "tous-les-mois",
        "tous-les-3-mois",
        "tous-les-6-mois",
        "tous-les-12-mois",
        "tous-les-16-mois",
        "jamais",
    ]
    assert all(isinstance(choice, Choice) and choice.label_en for choice in frequencies)
    assert frequencies[2].label("en") == "Occasionally, remind me every 6 months (default)"
    assert frequencies[2].label("fr").startswith("Occasionnellement")

    reasons = reference_list("service_feedback_reasons")
    assert len(reasons) == 7
    assert not any("[notifie le support]" in reason for reason in reasons)

    with pytest.raises(KeyError):
        reference_list("colours")
