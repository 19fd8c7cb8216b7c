"""`flask datainclusion export DIR` and `import PATH`: structures and services in the
data·inclusion schema v1, each validated against the vendored schema; an import of an export
gives back the same records."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from directory.models import MODERATION_PENDING, Service
from exchange.datainclusion_export import problems
from extensions import db
from tests import factories as f
from tests.conftest import CATALOGUE_TABLES
from tests.factories import VILLEURBANNE

PERMIS = "mobilite--preparer-un-permis"
HOURS = {"days": {"mo": [["09:00", "12:00"]]}, "public_holidays_closed": True}


@pytest.fixture
def cli(app, app_ctx):
    runner = app.test_cli_runner()
    saved, app.config["BABEL_DEFAULT_LOCALE"] = app.config["BABEL_DEFAULT_LOCALE"], "en"
    yield lambda *args: runner.invoke(args=list(args), catch_exceptions=False)
    app.config["BABEL_DEFAULT_LOCALE"] = saved


@pytest.fixture
def catalogue(session):
    mission = f.organisation(name="Mission locale.", siret="12345678901234",
                             description="Accueil des jeunes de 16 à 25 ans",
                             networks=["mission-locale"], postcode="69100", commune_code="69266",
                             city="Villeurbanne", address="1 place Lazare-Goujon")
    permis = f.service(mission, name="Permis solidaire", at=VILLEURBANNE, thematiques=[PERMIS],
                       publics=["jeunes"], fees="payant", type="accompagnement",
                       contact_public=True, contact_email="permis@example.org",
                       opening_hours=HOURS, zones=[("region", "84"), ("commune", "69266")])
    permis.location_links[0].location.postcode = "69100"
    f.service(name="CV en ligne", modes=["a-distance"], zones=[("country", None)])
    f.service(mission, name="Brouillon", status="draft")
    f.service(f.organisation(name="En attente", moderation_status=MODERATION_PENDING))
    session.commit()
    return {"permis": permis, "mission": mission}


def test_export_writes_structures_and_services_that_validate(cli, catalogue, tmp_path):
    result = cli("datainclusion", "export", str(tmp_path))

    assert result.exit_code == 0, result.output
    assert "2 services" in result.stdout
    structures = json.loads((tmp_path / "structures.json").read_text())
    services = json.loads((tmp_path / "services.json").read_text())
    for structure in structures:
        assert problems("structure", structure) == []
    for service in services:
        assert problems("service", service) == []
    assert "En attente" not in [s["nom"] for s in structures]
    mission = next(s for s in structures if s.get("siret") == "12345678901234")
    assert mission["nom"] == "Mission locale"  # no final full stop in the national schema
    assert mission["reseaux_porteurs"] == ["mission-locale"]
    permis = next(s for s in services if s["nom"] == "Permis solidaire")
    assert permis["structure_id"] == mission["id"]
    assert permis["thematiques"] == [PERMIS]
    assert permis["horaires_accueil"] == "Mo 09:00-12:00; PH off"
    # Auvergne-Rhône-Alpes is listed as its départements (those of the test geography).
    assert "69" in permis["zone_eligibilite"] and "01" in permis["zone_eligibilite"]
    assert "69266" in permis["zone_eligibilite"] and "84" not in permis["zone_eligibilite"]
    remote = next(s for s in services if s["nom"] == "CV en ligne")
    assert remote["zone_eligibilite"] == ["france"]


def test_a_record_that_does_not_fit_is_named_and_nothing_is_written(cli, catalogue, tmp_path,
                                                                     session):
    catalogue["permis"].fees = "not-a-frais-code"
    session.commit()

    result = cli("datainclusion", "export", str(tmp_path / "out"))

    assert result.exit_code == 1
    assert f"service {catalogue['permis'].id}: frais" in result.stderr
    assert not (tmp_path / "out").exists()


def wipe_catalogue() -> None:
    db.session.rollback()
    for table in CATALOGUE_TABLES:
        db.session.execute(sa.text(f"DELETE FROM {table}"))
    db.session.commit()


def test_import_of_an_export_gives_back_the_same_records(cli, catalogue, tmp_path):
    cli("datainclusion", "export", str(tmp_path / "first"))
    wipe_catalogue()

    imported = cli("datainclusion", "import", str(tmp_path / "first"))
    again = cli("datainclusion", "import", str(tmp_path / "first"))
    cli("datainclusion", "export", str(tmp_path / "second"))

    assert imported.exit_code == 0, imported.output
    assert "service: 2 created, 0 updated" in imported.stdout
    assert "service: 0 created, 2 updated" in again.stdout
    for name in ("structures.json", "services.json"):
        assert json.loads((tmp_path / "second" / name).read_text()) == json.loads(
            (tmp_path / "first" / name).read_text())


def test_invalid_records_and_missing_structures_are_refused_and_nothing_is_written(cli,
                                                                                  tmp_path):
    services = [
        {"source": "partner", "id": "partner--1", "structure_id": "partner--404",
         "nom": "Atelier CV", "description": "Un atelier pour écrire son CV.",
         "date_maj": "2025-01-31"},
        {"source": "partner", "id": "partner--2", "structure_id": "partner--404",
         "nom": "X", "description": "Trop court", "date_maj": "hier", "frais": "cher"},
    ]
    (tmp_path / "services.json").write_text(json.dumps(services))

    result = cli("datainclusion", "import", str(tmp_path / "services.json"))

    assert result.exit_code == 1
    assert ("services.json, row 1: dangling reference: structure_id partner--404 is not in "
            "the data") in result.stderr
    assert "services.json, row 2: nom:" in result.stderr
    assert "services.json, row 2: frais:" in result.stderr
    assert db.session.scalar(sa.select(sa.func.count(Service.id))) == 0
