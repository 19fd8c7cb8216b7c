"""`flask hsds export` and `flask hsds import`: JSON and CSV data packages that validate against
the official HSDS 3.0 schemas, a round trip that gives back the same documents, the official
examples imported, and refusals that change nothing."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from directory.models import (
    Location,
    Organisation,
    Service,
    ServiceTerm,
    TaxonomyTerm,
)
from exchange import hsds_schemas
from exchange.hsds_tables import fields_of, typed
from extensions import db
from tests import factories as f
from tests.conftest import CATALOGUE_TABLES
from tests.exchange.hsds_check import assert_full_service, assert_valid
from tests.factories import VILLEFRANCHE, VILLEURBANNE

EXAMPLES = Path(__file__).parents[1] / "fixtures" / "hsds"
PERMIS = "mobilite--preparer-un-permis"
RULE = {"version": 1, "all_of": [{"fact": "age", "op": "between", "value": [16, 25]}],
        "any_of": []}
HOURS = {"days": {"mo": [["09:00", "12:00"], ["14:00", "17:00"]], "tu": [["09:00", "12:00"]]},
         "public_holidays_closed": True}


@pytest.fixture
def cli(app, app_ctx):
    runner = app.test_cli_runner()
    # Commands speak the installation's language; these tests read the English messages.
    saved, app.config["BABEL_DEFAULT_LOCALE"] = app.config["BABEL_DEFAULT_LOCALE"], "en"
    yield lambda *args: runner.invoke(args=list(args), catch_exceptions=False)
    app.config["BABEL_DEFAULT_LOCALE"] = saved
    # Terms of foreign taxonomies are not wiped by app_ctx (taxonomies stay between tests).
    db.session.rollback()
    db.session.execute(sa.delete(ServiceTerm).where(ServiceTerm.taxonomy.like("ext:%")))
    db.session.execute(sa.delete(TaxonomyTerm).where(TaxonomyTerm.taxonomy.like("ext:%")))
    db.session.commit()


@pytest.fixture
def catalogue(session):
    mission = f.organisation(name="Mission locale", siret="12345678901234", phone="0472000000",
                             description="Accueil des jeunes", networks=["mission-locale"])
    permis = f.service(mission, name="Permis solidaire", at=VILLEURBANNE, thematiques=[PERMIS],
                       summary="Un coup de pouce.", publics=["jeunes"], fees="payant",
                       type="accompagnement", contact_public=True, contact_name="Accueil",
                       contact_email="permis@example.org", contact_phone="0472000001",
                       languages=["fr", "en"], required_documents=["Pièce d'identité"],
                       eligibility=RULE, opening_hours=HOURS, coverage_radius_km=30.0,
                       zones=[("departement", "69"), ("commune", "01053"),
                              ("commune", "69266"), ("commune", "69123")],
                       mobilisation_details="Appeler l'accueil", conditions="16-25 ans")
    place = permis.location_links[0].location
    place.address, place.postcode, place.city = "1 place Lazare-Goujon", "69100", "Villeurbanne"
    place.commune_code, place.opening_hours = "69266", HOURS
    place.accessibility_url = "https://acceslibre.beta.gouv.fr/app/x/"
    f.service(name="Garage solidaire", at=VILLEFRANCHE, zones=[("country", None)],
              modes=["a-distance"])
    f.service(mission, name="Brouillon", status="draft")
    session.commit()
    return {"permis": permis, "mission": mission}


def wipe_catalogue() -> None:
    db.session.rollback()
    for table in CATALOGUE_TABLES:
        db.session.execute(sa.text(f"DELETE FROM {table}"))
    db.session.commit()


def read_json(directory: Path) -> dict[str, list]:
    return {path.stem: json.loads(path.read_text(encoding="utf-8"))
            for path in sorted((directory / "json").glob("*.json"))}


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_export_writes_json_that_validates_against_hsds(cli, catalogue, tmp_path):
    result = cli("hsds", "export", str(tmp_path))

    assert result.exit_code == 0, result.output
    assert "2 services" in result.stdout
    documents = read_json(tmp_path)
    assert sorted(s["name"] for s in documents["services"]) == ["Garage solidaire",
                                                                "Permis solidaire"]
    for service in documents["services"]:
        assert_full_service(service)
    for org in documents["organizations"]:
        assert_valid("organization", org)
    for term in documents["taxonomy_terms"]:
        assert_valid("taxonomy_term", term)
    permis = next(s for s in documents["services"] if s["name"] == "Permis solidaire")
    assert permis["eligibility_rule"] == RULE
    assert [(a["zone_type"], a["insee_code"]) for a in permis["service_areas"]] == [
        ("commune", "01053"), ("commune", "69123"), ("commune", "69266"), ("departement", "69")]
    assert permis["schedules"][0]["byday"] == "MO,TU"


def test_export_writes_a_csv_package_whose_rows_validate(cli, catalogue, tmp_path):
    cli("hsds", "export", str(tmp_path))

    package = json.loads((tmp_path / "csv" / "datapackage.json").read_text())
    assert package["version"].startswith("3.0") and package["profile"] == "tabular-data-package"
    rows_seen = 0
    for resource in package["resources"]:
        path = tmp_path / "csv" / resource["path"]
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = [field["name"] for field in resource["schema"]["fields"]]
            assert reader.fieldnames == columns, resource["name"]
            fields = {field["name"]: field for field in fields_of(resource["name"])}
            for row in reader:
                rows_seen += 1
                document = {k: typed(fields[k], v) for k, v in row.items()}
                document = {k: v for k, v in document.items() if v is not None}
                for field in resource["schema"]["fields"]:
                    if field.get("constraints", {}).get("required"):
                        assert field["name"] in document, (resource["name"], field["name"])
                assert hsds_schemas.errors(resource["name"], document) == []
    services = list(csv.DictReader((tmp_path / "csv" / "services.csv").open()))
    assert sorted(s["name"] for s in services) == ["Garage solidaire", "Permis solidaire"]
    assert rows_seen > 100  # the taxonomy terms are there too


@pytest.mark.parametrize("part", ["json", "csv"])
def test_round_trip_gives_back_the_same_documents(cli, catalogue, tmp_path, part):
    cli("hsds", "export", str(tmp_path / "first"))
    wipe_catalogue()
    assert count(Service) == 0

    imported = cli("hsds", "import", str(tmp_path / "first" / part), "--source", "relais-demo")
    assert imported.exit_code == 0, imported.output
    cli("hsds", "export", str(tmp_path / "second"))

    assert read_json(tmp_path / "second") == read_json(tmp_path / "first")
    for name in ("services.csv", "locations.csv", "attributes.csv", "service_areas.csv"):
        assert (tmp_path / "second" / "csv" / name).read_text() == (
            tmp_path / "first" / "csv" / name).read_text()


def test_importing_again_updates_instead_of_duplicating(cli, catalogue, tmp_path):
    cli("hsds", "export", str(tmp_path / "out"))
    wipe_catalogue()
    cli("hsds", "import", str(tmp_path / "out" / "json"), "--source", "partner")
    documents = json.loads((tmp_path / "out" / "json" / "services.json").read_text())
    documents[0]["name"] = "Nom changé"
    (tmp_path / "out" / "json" / "services.json").write_text(json.dumps(documents))

    again = cli("hsds", "import", str(tmp_path / "out" / "json"), "--source", "partner")

    assert again.exit_code == 0, again.output
    assert "service: 0 created, 2 updated" in again.output
    assert count(Service) == 2
    assert db.session.scalar(sa.select(Service.name).where(
        Service.source_id == documents[0]["id"])) == "Nom changé"


@pytest.mark.parametrize("example", sorted(
    str(p.relative_to(EXAMPLES)) for p in EXAMPLES.glob("*/json/*.json")))
def test_every_official_json_example_imports(cli, example):
    result = cli("hsds", "import", str(EXAMPLES / example))

    assert result.exit_code == 0, result.output + result.stderr


def test_the_official_service_imports_with_its_foreign_terms_kept(cli):
    result = cli("hsds", "import", str(EXAMPLES / "spec-3.0/json/service_full.json"))

    assert result.exit_code == 0, result.output + result.stderr
    service = db.session.scalar(sa.select(Service).where(Service.name == "Community Counselling"))
    assert service.organisation.name == "Example Organization Inc."
    assert service.status == "published"
    assert [(link.taxonomy, link.code) for link in service.term_links] == [("ext:taxonomy",
                                                                             "code")]
    assert service.zones == []  # a GeoJSON area is not an INSEE zone: reported, not kept
    assert "not part of the coverage" in result.stderr
    assert [loc.name for loc in service.locations] == ["MyCity Civic Center"]


def test_the_official_csv_package_imports_with_its_dangling_references_reported(cli):
    result = cli("hsds", "import", str(EXAMPLES / "spec-3.0" / "csv"))

    assert result.exit_code == 0, result.output + result.stderr
    # The example's location names an organisation the package does not have, and an
    # attribute points at a record that is not there.
    assert ("locations.csv, row 2: dangling reference: organization_id "
            "985e4a42-bd9f-4edc-911d-0243a4640aca") in result.stderr
    assert "attributes.csv, row 2: dangling reference: attribute link_id" in result.stderr
    assert count(Service) == 1 and count(Location) == 1


def test_the_uk_profile_csv_package_imports(cli):
    result = cli("hsds", "import", str(EXAMPLES / "uk-profile-3.0" / "csv"))

    assert result.exit_code == 0, result.output + result.stderr
    assert count(Service) == 1 and count(Organisation) == 1


def test_a_service_without_its_organisation_is_refused_and_nothing_is_written(cli, tmp_path):
    service = json.loads((EXAMPLES / "spec-3.0/json/service_full.json").read_text())
    del service["organization"]
    good = json.loads((EXAMPLES / "spec-3.0/json/organization_list.json").read_text())
    path = tmp_path / "mixed"
    path.mkdir()
    (path / "a_organizations.json").write_text(json.dumps(good))
    (path / "services.json").write_text(json.dumps([service, {"id": "x", "name": "No status"}]))

    result = cli("hsds", "import", str(path))

    assert result.exit_code == 1
    assert "services.json, row 1: dangling reference: organization_id (none given)" in (
        result.stderr)
    assert "services.json, row 2: id: 'x' is not a 'uuid'" in result.stderr
    assert "Nothing imported" in result.stderr
    assert count(Organisation) == 0 and count(Service) == 0 and count(Location) == 0


def test_wrong_inputs_get_a_clear_error_and_change_nothing(cli, catalogue, tmp_path):
    before = (count(Organisation), count(Service))
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "broken.json").write_text("{not json")
    old = tmp_path / "old"
    shutil.copytree(EXAMPLES / "spec-3.0" / "csv", old)
    descriptor = json.loads((old / "datapackage.json").read_text())
    (old / "datapackage.json").write_text(json.dumps({**descriptor, "version": "2.0"}))
    huge = tmp_path / "huge.json"
    with huge.open("wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: 200 MB on paper, nothing on disk

    answers = {name: cli("hsds", "import", str(path)) for name, path in {
        "text": tmp_path / "notes.txt", "broken": tmp_path / "broken.json",
        "version": old, "huge": huge, "csv": old / "services.csv"}.items()}

    assert all(answer.exit_code == 1 for answer in answers.values())
    assert "not a JSON file or a CSV data package" in answers["text"].stderr
    assert "not valid JSON (line 1" in answers["broken"].stderr
    assert "HSDS version 2.0; Relais imports HSDS 3.0 and 1.1." in answers["version"].stderr
    assert "200 MB is more than the 100 MB" in answers["huge"].stderr
    assert "give its datapackage.json" in answers["csv"].stderr
    assert (count(Organisation), count(Service)) == before


def test_an_hsds_1_1_package_is_mapped_to_the_current_model(cli):
    result = cli("hsds", "import", str(EXAMPLES / "v1.1-sample"))

    assert result.exit_code == 0, result.output + result.stderr
    helpline = db.session.scalar(sa.select(Service).where(
        Service.name == "Never Homeless Helpline"))
    assert helpline.organisation.name == "Sanctuary Example City"
    assert helpline.organisation.website == "http://example.com"  # 1.1 "url"
    assert helpline.status == "published"
    assert [loc.name for loc in helpline.locations] == ["Sanctuary on 5th Street"]
    assert helpline.locations[0].address == "Address 1"  # physical_addresses.csv
    assert helpline.contact_email == "neverhomeless@example.com"
    imported_again = cli("hsds", "import", str(EXAMPLES / "v1.1-sample"))
    assert "service: 0 created" in imported_again.stdout


def test_an_organisation_already_listed_under_its_siret_is_not_duplicated(cli, catalogue,
                                                                          tmp_path):
    cli("hsds", "export", str(tmp_path))

    result = cli("hsds", "import", str(tmp_path / "json"), "--source", "another-relais")

    assert result.exit_code == 1
    assert ("SIRET 12345678901234 already belongs to the organisation “Mission locale” "
            f"({catalogue['mission'].id}), which this source did not create") in result.stderr
    assert count(Organisation) == 2 and count(Service) == 3  # nothing added


@pytest.mark.parametrize("group", ["hsds", "datainclusion"])
def test_an_export_to_a_place_that_cannot_be_written_says_so(cli, tmp_path, group):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = cli(group, "export", str(blocker / "out"))
    assert result.exit_code == 1
    assert "Nothing was exported" in result.output and "cannot be written" in result.output
