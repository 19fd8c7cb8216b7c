"""Every field of a listing is checked before anything is stored, with a message per field."""

import pytest

from directory.service_input import clean_service_input
from directory.zone_input import ZoneChoice, parse_zone_lines
from errors import Invalid
from tests import factories

pytestmark = pytest.mark.usefixtures("english")

NEED = "mobilite--etre-accompagne-dans-son-parcours-mobilite"


def complete(**changes):
    data = {
        "name": "Atelier mobilité",
        "summary": "Un atelier pour passer le permis.",
        "description": "Deux séances par semaine.\nSur inscription.",
        "type": "atelier",
        "thematiques": [NEED],
        "publics": ["demandeurs-emploi", "jeunes"],
        "publics_details": "Jeunes de 16 à 25 ans",
        "modes_accueil": ["en-presentiel", "a-distance"],
        "modes_mobilisation": ["telephoner"],
        "mobilisable_par": ["usagers", "professionnels"],
        "mobilisation_details": "Appeler le matin.",
        "mobilisation_link": "https://example.org/inscription",
        "fees": "gratuit",
        "fees_details": "",
        "languages": ["fr", "anglais", "Arabic"],
        "required_documents": ["Curriculum vitae", "Une lettre du conseiller"],
        "conditions": "Habiter la métropole.",
        "duration_weeks": "6",
        "hours_per_week": "3,5",
        "contact_name": "Camille Martin",
        "contact_email": "camille@example.org",
        "contact_phone": "04 72 00 00 00",
        "contact_public": True,
        "location_ids": [],
        "opening_hours": "Mo-Fr 09:00-12:00; PH off",
        "update_frequency": "tous-les-3-mois",
        "zones": "departement 69 (Rhône)\ncommune 01053\nepci 200046977\nregion 84",
        "coverage_radius_km": "30",
    }
    data.update(changes)
    return data


def errors_of(data, org=None, **kwargs):
    with pytest.raises(Invalid) as caught:
        clean_service_input(data, org or factories.organisation(), **kwargs)
    return caught.value.field_errors


def test_a_complete_listing_is_cleaned_into_stored_values(session):
    org = factories.organisation()
    place = factories.location(org)
    session.flush()
    cleaned = clean_service_input(complete(location_ids=[str(place.id)]), org)

    assert cleaned["languages"] == ["fr", "en", "ar"]
    assert cleaned["duration_weeks"] == 6
    assert cleaned["hours_per_week"] == 3.5
    assert cleaned["coverage_radius_km"] == 30
    assert cleaned["location_ids"] == [place]
    assert cleaned["opening_hours"]["days"]["mo"] == [["09:00", "12:00"]]
    assert cleaned["opening_hours"]["public_holidays_closed"] is True
    assert cleaned["zones"] == [
        ZoneChoice("departement", "69"),
        ZoneChoice("commune", "01053"),
        ZoneChoice("epci", "200046977"),
        ZoneChoice("region", "84"),
    ]
    assert cleaned["fees_details"] is None


def test_text_keeps_markup_as_typed(session):
    cleaned = clean_service_input(
        {"description": "<script>alert(1)</script> <b>gras</b>"}, factories.organisation()
    )
    assert cleaned["description"] == "<script>alert(1)</script> <b>gras</b>"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "This field is required."),
        ("name", "   ", "This field is required."),
        ("name", "ab", "Use at least 3 characters."),
        ("name", "x" * 151, "Use at most 150 characters (there are 151)."),
        ("name", ["a list"], "This must be text."),
        ("name", "Nul\x00byte", "This text contains invisible characters that cannot be stored."),
        ("summary", "x" * 281, "Use at most 280 characters (there are 281)."),
        ("description", "x" * 10_001, "Use at most 10000 characters (there are 10001)."),
        ("conditions", "x" * 2_001, "Use at most 2000 characters (there are 2001)."),
        ("type", "cours-de-cuisine", "“cours-de-cuisine” is not one of the choices."),
        ("type", 3, "This must be one of the choices."),
        ("fees", "<script>", "“<script>” is not one of the choices."),
        ("thematiques", ["mobilite"], "“mobilite”: not among the choices."),
        ("thematiques", "pas-un-besoin", "“pas-un-besoin”: not among the choices."),
        ("thematiques", [1, 2], "This must be a list of choices."),
        (
            "publics",
            ["tous-publics", "jeunes"],
            "“Everyone” already covers all publics: choose it alone, or choose the publics "
            "without it.",
        ),
        ("modes_accueil", ["sur-la-lune"], "“sur-la-lune”: not among the choices."),
        ("modes_mobilisation", ["pigeon"], "“pigeon”: not among the choices."),
        ("mobilisable_par", ["robots"], "“robots”: not among the choices."),
        (
            "languages",
            ["fr", "klingon", "zz"],
            "“klingon”, “zz”: not a language we know. Use a name (English, arabe) or a two-letter "
            "code (en, ar).",
        ),
        (
            "required_documents",
            ["x" * 201],
            "Each document is at most 200 characters: write one document per line.",
        ),
        ("required_documents", [f"Pièce {n}" for n in range(31)], "List at most 30 documents."),
        ("contact_email", "pas une adresse", "Enter an email address like contact@example.org."),
        ("contact_email", "a@b", "Enter an email address like contact@example.org."),
        (
            "contact_phone",
            "appelez-nous",
            "Enter a phone number like 04 72 00 00 00 or +33 4 72 00 00 00.",
        ),
        ("contact_phone", "12", "Enter a phone number like 04 72 00 00 00 or +33 4 72 00 00 00."),
        (
            "mobilisation_link",
            "javascript:alert(1)",
            "Enter a web address starting with https:// or http://.",
        ),
        (
            "mobilisation_link",
            "ftp://example.org",
            "Enter a web address starting with https:// or http://.",
        ),
        ("mobilisation_link", "https://", "Enter a web address starting with https:// or http://."),
        ("contact_public", "yes", "This must be yes or no."),
        ("duration_weeks", "deux", "Enter a whole number."),
        ("duration_weeks", "2.5", "Enter a whole number."),
        ("duration_weeks", "0", "Enter a number from 1 to 520."),
        ("hours_per_week", "200", "Enter a number from 0.5 to 168."),
        ("coverage_radius_km", "0", "Enter a number from 1 to 200."),
        ("coverage_radius_km", "201", "Enter a number from 1 to 200."),
        ("coverage_radius_km", "-5", "Enter a number, for example 12.5."),
        ("coverage_radius_km", "nan", "Enter a number, for example 12.5."),
        ("coverage_radius_km", True, "Enter a number, for example 12.5."),
        (
            "update_frequency",
            "chaque-siecle",
            "Choose how often this information should be checked.",
        ),
        ("opening_hours", "tous les jours", "'tous les jours' is not valid OSM opening_hours."),
        ("zones", "commune 99999", "No commune has the code 99999."),
        ("zones", "departement 99", "No département has the code 99."),
        ("zones", "epci 123456789", "No EPCI has the code 123456789."),
        ("zones", "region 99", "No région has the code 99."),
        (
            "zones",
            "69\nLyon et environs",
            "Line 2: “Lyon et environs” is not an area. Write a kind and a code, for example "
            "“departement 69”.",
        ),
        ("zones", "departement", "Line 1: give the code after “departement”."),
        ("zones", [("planete", "terre")], "“planete” is not a kind of area."),
        (
            "zones",
            "country\ndepartement 69",
            "The whole country already includes the other areas: remove them, or untick “the "
            "whole country”.",
        ),
        ("zones", 12, "This must be a list of areas."),
    ],
)
def test_bad_input_gets_a_message_on_its_field(session, field, value, message):
    assert errors_of({"name": "Un service", field: value}) == {field: [message]}


def test_places_must_belong_to_the_organisation(session):
    mine, theirs = factories.organisation(), factories.organisation()
    foreign = factories.location(theirs)
    session.flush()

    errors = errors_of({"location_ids": [str(foreign.id), "not-a-uuid"]}, mine)

    assert errors == {"location_ids": ["Choose among your organisation's places only."]}


def test_every_wrong_field_is_reported_at_once(session):
    errors = errors_of(complete(name="", contact_email="nope", zones="commune 00000"))
    assert set(errors) == {"name", "contact_email", "zones"}


def test_unknown_fields_are_refused(session):
    errors = errors_of({"status": "published"})
    assert errors == {"status": ["This field is not part of a service."]}


def test_creating_requires_a_name_even_when_absent(session):
    assert errors_of({}, creating=True) == {"name": ["This field is required."]}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("69123", ("commune", "69123")),  # Lyon
        ("commune 69383", ("commune", "69383")),  # Lyon 3e stays an arrondissement
        ("Département: 01", ("departement", "01")),
        ("ville 01033 (Valserhône)", ("commune", "01033")),
        ("France", ("country", None)),
        ("200046977", ("epci", "200046977")),
    ],
)
def test_zones_are_typed_with_a_kind_or_an_unmistakable_code(session, typed, stored):
    cleaned = clean_service_input({"zones": typed}, factories.organisation())
    assert cleaned["zones"] == [ZoneChoice(*stored)]


def test_a_delegated_commune_is_stored_as_its_commune_nouvelle(session):
    from geo.models import DELEGATED, Commune

    delegated = (
        session.query(Commune)
        .filter(Commune.kind == DELEGATED, Commune.parent_code.isnot(None))
        .first()
    )
    if delegated is None:
        pytest.skip("the test geography has no delegated commune with its own code")
    cleaned = clean_service_input({"zones": f"commune {delegated.code}"}, factories.organisation())
    assert cleaned["zones"] == [ZoneChoice("commune", delegated.parent_code)]


def test_zone_lines_report_each_wrong_line():
    zones, problems = parse_zone_lines("69\n\nn'importe quoi\nregion 84")
    assert zones == [ZoneChoice("departement", "69"), ZoneChoice("region", "84")]
    assert len(problems) == 1 and problems[0].startswith("Line 3:")
