"""Importing the fr-admin geography: what the gazetteer holds, and refusing bad files whole."""

from __future__ import annotations

import csv
import gzip
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest
import shapely
import sqlalchemy as sa
from flask_babel import force_locale
from shapely.geometry import MultiPolygon, Point, Polygon

from extensions import db
from geo.gazetteer import GazetteerError, import_geography
from geo.models import Commune, CommuneName, CommunePostcode, Departement, Epci, Region
from tests.conftest import STORES, TEST_GEOGRAPHY, build_app, drop_database

FULL_COUNTRY = Path(__file__).resolve().parents[3] / "shared" / "data" / "fr-admin"
COMMUNE_COLUMNS = (
    "code,kind,name,population,departement_code,epci_code,parent_code,postal_codes,geometry_wkb_hex"
).split(",")
SQUARE = Polygon([(4.84, 45.75), (4.86, 45.75), (4.86, 45.77), (4.84, 45.77)])


def fixture_communes(*codes: str) -> list[dict]:
    """Rows of the test geography's communes.csv.gz (all of them when no code is given)."""
    with gzip.open(TEST_GEOGRAPHY / "communes.csv.gz", "rt", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    if not codes:
        return rows
    by_code = {row["code"]: row for row in rows if row["kind"] != "SRM"}
    return [dict(by_code[code]) for code in codes]


def write_geography(directory: Path, communes: list[dict], *, gz: bool = True) -> Path:
    """A geography directory: the fixture's régions, départements and EPCI, and `communes`."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("regions.csv", "departements.csv", "epci.csv"):
        shutil.copyfile(TEST_GEOGRAPHY / name, directory / name)
    columns = list(communes[0]) if communes else COMMUNE_COLUMNS
    if gz:
        stream = gzip.open(directory / "communes.csv.gz", "wt", encoding="utf-8", newline="")
    else:
        stream = open(directory / "communes.csv", "w", encoding="utf-8", newline="")  # noqa: SIM115
    with stream as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(communes)
    return directory


def counts() -> dict[str, int]:
    return {
        model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Region, Departement, Epci, Commune, CommunePostcode, CommuneName)
    }


NOTHING = {
    "geo_region": 0,
    "geo_departement": 0,
    "geo_epci": 0,
    "geo_commune": 0,
    "geo_commune_postcode": 0,
    "geo_commune_name": 0,
}


@pytest.fixture(params=STORES)
def empty_gazetteer(request, tmp_path):
    """An app on a fresh database of its own, with no geography (imports write to it)."""
    name = f"relais_geo_{os.getpid()}"
    app = build_app(request.param, name, tmp_path, geography=False)
    with app.app_context(), force_locale("en"):
        yield app
    drop_database(app)


# --- the test geography, as imported by conftest --------------------------------------------


def test_fixture_geography_holds_every_commune_but_electoral_sectors(session):
    kinds = Counter(session.scalars(sa.select(Commune.kind)))
    # 788 rows: 26 SRM sectors and 25 delegated communes sharing their commune nouvelle's code
    # are not rows of their own.
    assert kinds == {"COM": 658, "COMD": 49, "ARM": 29, "COMA": 1}
    assert counts() == {
        "geo_region": 18,
        "geo_departement": 101,
        "geo_epci": 1253,
        "geo_commune": 737,
        "geo_commune_postcode": 696,
        "geo_commune_name": 25,
    }


def test_lyon_is_in_its_metropole_the_rhone_and_auvergne_rhone_alpes(session):
    lyon = session.get(Commune, "69123")
    assert (lyon.name, lyon.kind, lyon.parent_code) == ("Lyon", "COM", None)
    assert lyon.epci.code == "200046977" and lyon.epci.name == "Métropole de Lyon"
    assert lyon.departement.code == "69" and lyon.departement.name == "Rhône"
    assert lyon.departement.region.code == "84"
    assert lyon.departement.region.name == "Auvergne-Rhône-Alpes"


def test_arrondissement_inherits_departement_and_epci_from_its_city(session):
    lyon_3e = session.get(Commune, "69383")
    assert (lyon_3e.name, lyon_3e.kind, lyon_3e.parent_code) == (
        "Lyon 3e Arrondissement",
        "ARM",
        "69123",
    )
    assert (lyon_3e.departement_code, lyon_3e.epci_code) == ("69", "200046977")
    assert lyon_3e.main_code == "69123"


def test_paris_has_twenty_arrondissements_holding_its_postcodes(session):
    districts = session.scalars(
        sa.select(Commune).where(Commune.parent_code == "75056", Commune.kind == "ARM")
    ).all()
    assert len(districts) == 20
    assert {d.departement_code for d in districts} == {"75"}
    assert {d.epci_code for d in districts} == {session.get(Commune, "75056").epci_code}
    paris_11e = session.get(Commune, "75111")
    assert paris_11e.name == "Paris 11e Arrondissement"
    assert session.get(CommunePostcode, ("75011", "75111")) is not None
    assert session.get(Commune, "75056").postal_codes == ""  # Paris itself has none


def test_delegated_and_associated_communes_inherit_from_their_commune_nouvelle(session):
    cordieux = session.get(Commune, "01120")  # associated with Montluel
    montluel = session.get(Commune, "01262")
    assert (cordieux.kind, cordieux.parent_code) == ("COMA", "01262")
    assert (cordieux.departement_code, cordieux.epci_code) == ("01", montluel.epci_code)
    assert cordieux.main_code == "01262"


def test_delegated_commune_with_its_parents_code_is_not_a_second_row(session):
    # Arbignieu (COMD 01015) shares its code with the commune nouvelle Arboys en Bugey.
    arboys = session.get(Commune, "01015")
    assert (arboys.kind, arboys.name) == ("COM", "Arboys en Bugey")


def test_search_names_are_lower_case_without_accents_or_punctuation(session):
    assert session.get(Commune, "69081").search_name == "ecully"
    assert session.get(Commune, "69204").search_name == "saint genis laval"
    assert session.get(Commune, "69383").search_name == "lyon 3e arrondissement"


def test_every_commune_centre_and_bounding_box_hold_its_area(session):
    rows = session.execute(
        sa.select(
            Commune.code,
            Commune.centre_lat,
            Commune.centre_lon,
            Commune.min_lon,
            Commune.min_lat,
            Commune.max_lon,
            Commune.max_lat,
            Commune.__table__.c.geometry,
        ).where(Commune.__table__.c.geometry.is_not(None))
    ).all()
    assert len(rows) == 736  # with Porte des Pierres Dorées, outlined by its delegated communes
    for row in rows:
        assert isinstance(row.geometry, MultiPolygon)
        assert row.geometry.contains(Point(row.centre_lon, row.centre_lat)), row.code
        assert (row.min_lon, row.min_lat, row.max_lon, row.max_lat) == pytest.approx(
            row.geometry.bounds
        )


def test_commune_nouvelle_without_outline_takes_its_delegated_communes_territory(session):
    # Porte des Pierres Dorées (69114) has no geometry in the data; Jarnioux, Liergues and
    # Pouilly-le-Monial, its delegated communes, have one each.
    commune = session.get(Commune, "69114")
    parts = [row for row in fixture_communes() if row["parent_code"] == "69114"]
    assert len(parts) == 3
    for part in parts:
        outline = shapely.from_wkb(bytes.fromhex(part["geometry_wkb_hex"]))
        assert commune.geometry.contains(outline.representative_point()), part["name"]
    assert commune.geometry.contains(Point(commune.centre_lon, commune.centre_lat))


def test_commune_without_outline_nor_parts_is_centred_on_its_town_hall(empty_gazetteer, tmp_path):
    villeurbanne = fixture_communes("69266")[0]
    villeurbanne["geometry_wkb_hex"] = ""
    directory = write_geography(tmp_path, [villeurbanne])
    shutil.copyfile(TEST_GEOGRAPHY / "town_halls.csv.gz", directory / "town_halls.csv.gz")
    import_geography(directory)
    commune = db.session.get(Commune, "69266")
    assert commune.geometry is None and commune.min_lat is None
    assert (commune.centre_lat, commune.centre_lon) == (45.766295, 4.879662)  # its mairie


def test_postcode_serving_several_communes_has_a_row_for_each(session):
    served = set(
        session.scalars(
            sa.select(CommunePostcode.commune_code).where(CommunePostcode.postcode == "01400")
        )
    )
    assert {"01093", "01001", "01272"} <= served and len(served) == 10


# --- importing into a fresh database ---------------------------------------------------------


def test_import_reports_counts_skips_and_progress(empty_gazetteer):
    calls = []
    summary = import_geography(TEST_GEOGRAPHY, progress=lambda done, total: calls.append(done))
    assert (summary.regions, summary.departements, summary.epci) == (18, 101, 1253)
    assert (summary.communes, summary.postcodes) == (737, 696)
    assert (summary.skipped_sectors, summary.other_names) == (26, 25)
    assert summary.communes_by_kind == {"COM": 658, "COMD": 49, "ARM": 29, "COMA": 1}
    assert summary.elapsed_seconds > 0
    assert calls[0] == 0 and calls[-1] == 737 and calls == sorted(calls)


def test_importing_the_same_files_twice_changes_nothing(empty_gazetteer):
    def snapshot():
        return (
            counts(),
            db.session.execute(sa.select(Commune.__table__).order_by(Commune.code)).all(),
            db.session.execute(
                sa.select(CommunePostcode.__table__).order_by(
                    CommunePostcode.commune_code, CommunePostcode.postcode
                )
            ).all(),
        )

    import_geography(TEST_GEOGRAPHY)
    first = snapshot()
    import_geography(TEST_GEOGRAPHY)
    db.session.expire_all()
    assert snapshot() == first
    assert first[0]["geo_commune"] == 737


def test_importing_more_communes_adds_them_and_replaces_changed_postcodes(
    empty_gazetteer, tmp_path
):
    import_geography(write_geography(tmp_path / "lyon", fixture_communes("69123", "69266")))
    assert counts()["geo_commune"] == 2

    villeurbanne, lyon_3e = fixture_communes("69266", "69383")
    villeurbanne["postal_codes"] = "69199"
    # Lyon 3e's parent is not in these files but already in the gazetteer.
    import_geography(write_geography(tmp_path / "more", [villeurbanne, lyon_3e], gz=False))

    assert counts()["geo_commune"] == 3
    assert session_postcodes("69266") == ["69199"]
    lyon_3e_row = db.session.get(Commune, "69383")
    assert (lyon_3e_row.departement_code, lyon_3e_row.epci_code) == ("69", "200046977")


def session_postcodes(code: str) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(CommunePostcode.postcode).where(CommunePostcode.commune_code == code)
        )
    )


def test_polygon_outline_is_stored_as_a_multipolygon(empty_gazetteer, tmp_path):
    (villeurbanne,) = fixture_communes("69266")
    villeurbanne["geometry_wkb_hex"] = SQUARE.wkb_hex
    import_geography(write_geography(tmp_path, [villeurbanne]))
    db.session.expire_all()
    stored = db.session.get(Commune, "69266").geometry
    assert stored.geom_type == "MultiPolygon" and stored.equals(MultiPolygon([SQUARE]))


def broken(column: str, value: str, code: str = "69383"):
    """Change one cell of one commune row (lines 2 to 4: Villeurbanne, Lyon, Lyon 3e)."""

    def edit(rows):
        next(row for row in rows if row["code"] == code)[column] = value

    return edit


def rename_column(old: str, new: str):
    def edit(rows):
        for row in rows:
            row[new] = row.pop(old)

    return edit


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            broken("geometry_wkb_hex", "01060000zz"),
            "communes.csv.gz line 4: the geometry is not valid hex-encoded WKB",
        ),
        (
            broken("geometry_wkb_hex", Point(4.85, 45.76).wkb_hex),
            "communes.csv.gz line 4: the geometry is a Point, not a polygon or multipolygon",
        ),
        (
            broken("departement_code", "99", code="69266"),
            "communes.csv.gz line 2: unknown département code '99'",
        ),
        (
            broken("epci_code", "999999999", code="69266"),
            "communes.csv.gz line 2: unknown EPCI code '999999999'",
        ),
        (
            broken("parent_code", "69999"),
            "communes.csv.gz line 4: unknown parent commune code '69999'",
        ),
        (
            broken("population", "12 000", code="69123"),
            "communes.csv.gz line 3: the population '12 000' is not a whole number",
        ),
        (
            broken("kind", "XYZ", code="69123"),
            "communes.csv.gz line 3: the kind 'XYZ' is not one of COM, ARM, COMD, COMA, SRM",
        ),
        (
            broken("code", "6912", code="69123"),
            "communes.csv.gz line 3: '6912' is not a commune code (5 characters)",
        ),
        (
            broken("code", "69266", code="69123"),
            "communes.csv.gz line 3: the code '69266' already appears on line 2",
        ),
        (
            broken("postal_codes", "69 100", code="69266"),
            "communes.csv.gz line 2: '69' is not a postcode (5 digits)",
        ),
        (
            rename_column("population", "pop"),
            "communes.csv.gz line 1: the header lacks the column(s) population",
        ),
    ],
)
def test_bad_commune_row_refuses_the_whole_import(empty_gazetteer, tmp_path, edit, message):
    rows = fixture_communes("69266", "69123", "69383")
    edit(rows)
    directory = write_geography(tmp_path / "broken", rows)
    with pytest.raises(GazetteerError) as refused:
        import_geography(directory)
    assert str(refused.value.message).startswith(message)
    assert counts() == NOTHING


def test_bad_departement_row_names_its_file_and_line(empty_gazetteer, tmp_path):
    directory = write_geography(tmp_path, fixture_communes("69266"))
    with open(directory / "departements.csv", "a", encoding="utf-8") as f:
        f.write("98,Nowhere,99\n")
    with pytest.raises(GazetteerError) as refused:
        import_geography(directory)
    assert refused.value.message == "departements.csv line 103: unknown région code '99'"
    assert counts() == NOTHING


def test_row_with_missing_fields_is_refused(empty_gazetteer, tmp_path):
    directory = write_geography(tmp_path, fixture_communes("69266"))
    with open(directory / "epci.csv", "a", encoding="utf-8") as f:
        f.write("200046977\n")
    with pytest.raises(GazetteerError) as refused:
        import_geography(directory)
    assert refused.value.message == "epci.csv line 1255: expected 3 fields, found 1"
    assert counts() == NOTHING


def test_missing_file_is_refused(empty_gazetteer, tmp_path):
    directory = write_geography(tmp_path, fixture_communes("69266"))
    (directory / "epci.csv").unlink()
    with pytest.raises(GazetteerError) as refused:
        import_geography(directory)
    assert refused.value.message == f"epci.csv is missing from {directory}."
    assert counts() == NOTHING


def test_file_that_is_not_utf8_text_or_not_gzip_is_refused(empty_gazetteer, tmp_path):
    directory = write_geography(tmp_path / "latin1", fixture_communes("69266"), gz=False)
    (directory / "departements.csv").write_bytes(
        "code,name,region_code\n69,Rhône,84\n".encode("latin-1")
    )
    with pytest.raises(GazetteerError, match=r"^departements\.csv cannot be read \(.*utf-8"):
        import_geography(directory)

    directory = write_geography(tmp_path / "not-gzip", fixture_communes("69266"))
    (directory / "communes.csv.gz").write_text("code,kind\n")
    with pytest.raises(GazetteerError, match=r"^communes\.csv\.gz cannot be read"):
        import_geography(directory)
    assert counts() == NOTHING


def test_empty_file_is_refused(empty_gazetteer, tmp_path):
    directory = write_geography(tmp_path, fixture_communes("69266"))
    (directory / "regions.csv").write_text("")
    with pytest.raises(GazetteerError) as refused:
        import_geography(directory)
    assert refused.value.message == "regions.csv line 1: the file is empty"


def test_delegated_commune_sharing_an_unknown_communes_code_is_refused(empty_gazetteer, tmp_path):
    (arbignieu,) = [r for r in fixture_communes() if r["code"] == "01015" and r["kind"] == "COMD"]
    with pytest.raises(GazetteerError) as refused:
        import_geography(write_geography(tmp_path, [arbignieu]))
    assert refused.value.message == "communes.csv.gz line 2: unknown parent commune code '01015'"


def test_failed_import_leaves_the_existing_gazetteer_untouched(empty_gazetteer, tmp_path):
    import_geography(write_geography(tmp_path / "good", fixture_communes("69123", "69383")))
    before = counts()
    villeurbanne, lyon = fixture_communes("69266", "69123")
    lyon["population"] = "many"
    with pytest.raises(GazetteerError):
        import_geography(write_geography(tmp_path / "bad", [villeurbanne, lyon]))
    assert counts() == before
    assert db.session.get(Commune, "69266") is None


@pytest.mark.slow
@pytest.mark.skipif(not FULL_COUNTRY.is_dir(), reason="../shared/data/fr-admin is not here")
def test_whole_country_imports_every_commune_and_part(empty_gazetteer):
    summary = import_geography(FULL_COUNTRY)
    # 37,530 rows = 36,912 areas + 34 electoral sectors + 584 delegated communes whose code is
    # their commune nouvelle's.
    assert (summary.communes, summary.skipped_sectors, summary.other_names) == (
        36912,
        34,
        584,
    )
    assert summary.communes_by_kind == {"COM": 34875, "COMD": 1521, "COMA": 471, "ARM": 45}
    assert counts() == {
        "geo_region": 18,
        "geo_departement": 101,
        "geo_epci": 1253,
        "geo_commune": 36912,
        "geo_commune_postcode": 35357,
        "geo_commune_name": 584,
    }
    marseille_1er = db.session.get(Commune, "13201")
    assert (marseille_1er.parent_code, marseille_1er.departement_code) == ("13055", "13")
    # A commune has a centre (its outline's, or its town hall's when the outline is unknown),
    # except four Cantal communes for which the data has neither.
    without_centre = sa.select(Commune.code).where(
        Commune.kind == "COM", Commune.centre_lat.is_(None)
    )
    assert set(db.session.scalars(without_centre)) == {"15031", "15035", "15047", "15171"}
