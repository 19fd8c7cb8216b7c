"""Import of the French administrative geography (the fr-admin CSV files) into the gazetteer.

The whole directory is read and checked before anything is written, and everything is written
in one transaction: a bad line refuses the import with its file, line and reason, and leaves
the gazetteer as it was. Rows are upserted by code, so importing the same files again changes
nothing and importing more départements adds them.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
import sqlalchemy as sa
from flask_babel import gettext as _
from shapely.geometry import MultiPolygon

from errors import Invalid
from extensions import db
from geo.models import (
    COMMUNE,
    COMMUNE_KINDS,
    Commune,
    CommuneName,
    CommunePostcode,
    Departement,
    Epci,
    Region,
)
from geo.names import normalise
from geo.spatial import invalidate_caches

SECTOR = "SRM"  # secteur électoral of Paris, Lyon, Marseille: no area of its own, not imported
EPCI_KINDS = ("CC", "CA", "CU", "ME")

REGION_CODE = re.compile(r"[0-9]{2}")
DEPARTEMENT_CODE = re.compile(r"[0-9]{2,3}|2[AB]")
EPCI_CODE = re.compile(r"[0-9]{9}")
COMMUNE_CODE = re.compile(r"[0-9][0-9AB][0-9]{3}")
POSTCODE = re.compile(r"[0-9]{5}")

COLUMNS = {
    "regions": ("code", "name"),
    "departements": ("code", "name", "region_code"),
    "epci": ("code", "name", "kind"),
    "communes": (
        "code",
        "kind",
        "name",
        "population",
        "departement_code",
        "epci_code",
        "parent_code",
        "postal_codes",
        "geometry_wkb_hex",
    ),
    "town_halls": ("commune_code", "latitude", "longitude"),
}
BATCH = 1000


class GazetteerError(Invalid):
    """The geography files cannot be imported; the message says where and why."""


@dataclass(frozen=True)
class ImportSummary:
    regions: int
    departements: int
    epci: int
    communes: int
    postcodes: int
    skipped_sectors: int  # SRM rows
    # Delegated communes whose code is their commune nouvelle's: no row of their own (one code,
    # one row: the COM), kept as other names of it (geo_commune_name) for autocomplete.
    other_names: int
    elapsed_seconds: float
    communes_by_kind: dict[str, int] = field(default_factory=dict)


@dataclass
class _Row:
    """A CSV record with where it came from, so any later check can name its line."""

    file: str
    line: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values[column].strip()

    def error(self, reason: str) -> GazetteerError:
        return _error(self.file, self.line, reason)


def _error(file: str, line: int, reason: str) -> GazetteerError:
    return GazetteerError(
        _("%(file)s line %(line)d: %(reason)s", file=file, line=line, reason=reason)
    )


def import_geography(
    directory: Path, *, progress: Callable[[int, int], None] | None = None
) -> ImportSummary:
    """Import régions, départements, EPCI and communes from `directory` and commit.

    Raises GazetteerError (nothing written) when a file is missing, has the wrong columns or
    any row is invalid. `progress(done, total)` is called as commune rows are written.
    """
    started = time.perf_counter()
    directory = Path(directory)
    existing = _Existing.load()

    regions = _read_regions(directory)
    region_codes = existing.regions | regions.keys()
    departements = _read_departements(directory, region_codes)
    epcis = _read_epcis(directory)
    communes, other_names, skipped = _read_communes(
        directory,
        departements=existing.departements | departements.keys(),
        epcis=existing.epcis | epcis.keys(),
        existing_communes=existing.communes,
    )
    postcodes = [
        {"postcode": postcode, "commune_code": commune["code"]}
        for commune in communes
        for postcode in commune["postal_codes"].split()
    ]

    try:
        _upsert(Region.__table__, list(regions.values()))
        _upsert(Departement.__table__, list(departements.values()))
        _upsert(Epci.__table__, list(epcis.values()))
        total = len(communes)
        if progress:
            progress(0, total)
        for start in range(0, total, BATCH):
            _upsert(Commune.__table__, communes[start : start + BATCH])
            if progress:
                progress(min(start + BATCH, total), total)
        codes = [commune["code"] for commune in communes]
        for start in range(0, len(codes), BATCH):
            db.session.execute(
                sa.delete(CommunePostcode).where(
                    CommunePostcode.commune_code.in_(codes[start : start + BATCH])
                )
            )
        for start in range(0, len(postcodes), BATCH):
            db.session.execute(sa.insert(CommunePostcode), postcodes[start : start + BATCH])
        for start in range(0, len(codes), BATCH):
            db.session.execute(
                sa.delete(CommuneName).where(
                    CommuneName.commune_code.in_(codes[start : start + BATCH])
                )
            )
        names = list({(n["commune_code"], n["search_name"]): n for n in other_names}.values())
        for start in range(0, len(names), BATCH):
            db.session.execute(sa.insert(CommuneName), names[start : start + BATCH])
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise

    invalidate_caches()
    return ImportSummary(
        regions=len(regions),
        departements=len(departements),
        epci=len(epcis),
        communes=len(communes),
        postcodes=len(postcodes),
        skipped_sectors=skipped[SECTOR],
        other_names=skipped["shared"],
        elapsed_seconds=round(time.perf_counter() - started, 2),
        communes_by_kind=dict(Counter(commune["kind"] for commune in communes)),
    )


@dataclass
class _Existing:
    """What the gazetteer already holds: files may refer to it (importing one more
    département does not need the régions again)."""

    regions: set[str]
    departements: set[str]
    epcis: set[str]
    communes: dict[str, tuple[str, str, str | None]]  # code -> (kind, département, EPCI)

    @classmethod
    def load(cls) -> _Existing:
        session = db.session
        return cls(
            regions=set(session.scalars(sa.select(Region.code))),
            departements=set(session.scalars(sa.select(Departement.code))),
            epcis=set(session.scalars(sa.select(Epci.code))),
            communes={
                row.code: (row.kind, row.departement_code, row.epci_code)
                for row in session.execute(
                    sa.select(
                        Commune.code, Commune.kind, Commune.departement_code, Commune.epci_code
                    )
                )
            },
        )


def _find(directory: Path, name: str, *, required: bool = True) -> Path | None:
    """`name`, or the same file gzipped (or not): communes.csv.gz may come as communes.csv."""
    stem = name.removesuffix(".gz").removesuffix(".csv")
    for candidate in (directory / name, directory / f"{stem}.csv.gz", directory / f"{stem}.csv"):
        if candidate.is_file():
            return candidate
    if required:
        raise GazetteerError(
            _("%(file)s is missing from %(directory)s.", file=name, directory=directory)
        )
    return None


def _rows(path: Path, columns: tuple[str, ...]) -> Iterator[_Row]:
    """The records of a CSV file (gzipped when its name says so), after checking its header."""
    name = path.name
    raw = gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")  # noqa: SIM115
    with raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
        reader = csv.DictReader(text)
        try:
            header = reader.fieldnames
            if not header:
                raise _error(name, 1, _("the file is empty"))
            missing = [column for column in columns if column not in header]
            if missing:
                raise _error(
                    name,
                    1,
                    _(
                        "the header lacks the column(s) %(missing)s (expected %(expected)s)",
                        missing=", ".join(missing),
                        expected=",".join(columns),
                    ),
                )
            for values in reader:
                if None in values or None in values.values():
                    found = sum(v is not None for k, v in values.items() if k is not None)
                    raise _error(
                        name,
                        reader.line_num,
                        _(
                            "expected %(expected)d fields, found %(found)d",
                            expected=len(header),
                            found=found + len(values.get(None) or ()),
                        ),
                    )
                yield _Row(name, reader.line_num, values)
        except csv.Error as error:
            raise _error(name, reader.line_num, str(error)) from error
        except (UnicodeDecodeError, gzip.BadGzipFile, EOFError) as error:
            # Decoding runs ahead of the CSV reader: no line number would be exact.
            raise GazetteerError(
                _("%(file)s cannot be read (%(error)s).", file=name, error=str(error))
            ) from error


def _unique(row: _Row, seen: dict[str, int], code: str) -> None:
    if code in seen:
        raise row.error(
            _("the code '%(code)s' already appears on line %(line)d", code=code, line=seen[code])
        )
    seen[code] = row.line


def _name(row: _Row, limit: int) -> str:
    name = row["name"]
    if not name:
        raise row.error(_("the name is empty"))
    if len(name) > limit:
        raise row.error(_("the name is longer than %(limit)d characters", limit=limit))
    return name


def _read_regions(directory: Path) -> dict[str, dict]:
    regions, seen = {}, {}
    for row in _rows(_find(directory, "regions.csv"), COLUMNS["regions"]):
        code = row["code"]
        if not REGION_CODE.fullmatch(code):
            raise row.error(_("'%(code)s' is not a région code (2 digits)", code=code))
        _unique(row, seen, code)
        regions[code] = {"code": code, "name": _name(row, 100)}
    return regions


def _read_departements(directory: Path, region_codes: set[str]) -> dict[str, dict]:
    departements, seen = {}, {}
    for row in _rows(_find(directory, "departements.csv"), COLUMNS["departements"]):
        code, region = row["code"], row["region_code"]
        if not DEPARTEMENT_CODE.fullmatch(code):
            raise row.error(
                _("'%(code)s' is not a département code (like 01, 2A or 971)", code=code)
            )
        _unique(row, seen, code)
        if region not in region_codes:
            raise row.error(_("unknown région code '%(code)s'", code=region))
        departements[code] = {"code": code, "name": _name(row, 100), "region_code": region}
    return departements


def _read_epcis(directory: Path) -> dict[str, dict]:
    epcis, seen = {}, {}
    for row in _rows(_find(directory, "epci.csv"), COLUMNS["epci"]):
        code, kind = row["code"], row["kind"]
        if not EPCI_CODE.fullmatch(code):
            raise row.error(_("'%(code)s' is not an EPCI code (9 digits)", code=code))
        _unique(row, seen, code)
        if kind not in EPCI_KINDS:
            raise row.error(
                _(
                    "the kind '%(kind)s' is not one of %(kinds)s",
                    kind=kind,
                    kinds=", ".join(EPCI_KINDS),
                )
            )
        epcis[code] = {"code": code, "name": _name(row, 200), "kind": kind}
    return epcis


def _read_communes(
    directory: Path,
    *,
    departements: set[str],
    epcis: set[str],
    existing_communes: dict[str, tuple[str, str, str | None]],
) -> tuple[list[dict], Counter]:
    """Commune rows ready to upsert, other names (delegated communes sharing their commune
    nouvelle's code), and how many rows were set aside (SRM, shared codes).

    Two passes: a part (arrondissement, delegated or associated commune) may come before the
    commune it belongs to, and takes its département and EPCI from it.
    """
    skipped: Counter = Counter()
    kept: list[_Row] = []
    sharing: list[_Row] = []  # delegated communes with their commune nouvelle's code
    seen: dict[str, int] = {}
    for row in _rows(_find(directory, "communes.csv.gz"), COLUMNS["communes"]):
        kind, code, parent = row["kind"], row["code"], row["parent_code"]
        if kind == SECTOR:
            skipped[SECTOR] += 1
            continue
        if kind not in COMMUNE_KINDS:
            raise row.error(
                _(
                    "the kind '%(kind)s' is not one of %(kinds)s",
                    kind=kind,
                    kinds=", ".join((*COMMUNE_KINDS, SECTOR)),
                )
            )
        if not COMMUNE_CODE.fullmatch(code):
            raise row.error(_("'%(code)s' is not a commune code (5 characters)", code=code))
        if kind != COMMUNE and code == parent:
            sharing.append(row)
            continue
        _unique(row, seen, code)
        kept.append(row)

    # The communes a part may belong to: those in the file, and those already imported.
    parents = {
        code: (departement, epci)
        for code, (kind, departement, epci) in existing_communes.items()
        if kind == COMMUNE
    }
    parents.update(
        (row["code"], (row["departement_code"], row["epci_code"] or None))
        for row in kept
        if row["kind"] == COMMUNE
    )
    for row in sharing:
        if row["code"] not in parents:
            raise row.error(_("unknown parent commune code '%(code)s'", code=row["code"]))
    skipped["shared"] = len(sharing)
    other_names = [
        {"commune_code": row["code"], "name": _name(row, 200),
         "search_name": normalise(row["name"]), "population": _population(row)}
        for row in sharing
    ]
    geometries = _with_territory_of_parts(kept, _geometries(kept), sharing, _geometries(sharing))
    centres = _centres(geometries)
    missing_centres = [
        row["code"] for row, geometry in zip(kept, geometries, strict=True) if geometry is None
    ]
    town_halls = _town_halls(directory, set(missing_centres)) if missing_centres else {}

    communes = []
    for row, geometry, centre in zip(kept, geometries, centres, strict=True):
        kind, code = row["kind"], row["code"]
        departement, epci, parent = row["departement_code"], row["epci_code"] or None, None
        if kind == COMMUNE:
            if row["parent_code"]:
                raise row.error(_("a commune (COM) cannot have a parent code"))
        else:
            parent = row["parent_code"]
            if not parent:
                raise row.error(_("a %(kind)s row needs the code of its parent commune", kind=kind))
            if parent not in parents:
                raise row.error(_("unknown parent commune code '%(code)s'", code=parent))
            departement = departement or parents[parent][0]
            epci = epci or parents[parent][1]
        if not departement:
            raise row.error(_("the département code is empty"))
        if departement not in departements:
            raise row.error(_("unknown département code '%(code)s'", code=departement))
        if epci is not None and epci not in epcis:
            raise row.error(_("unknown EPCI code '%(code)s'", code=epci))
        if centre is None:
            centre = town_halls.get(code)
        min_lon, min_lat, max_lon, max_lat = (
            geometry.bounds if geometry is not None else (None, None, None, None)
        )
        communes.append(
            {
                "code": code,
                "kind": kind,
                "name": _name(row, 200),
                "search_name": normalise(row["name"]),
                "population": _population(row),
                "departement_code": departement,
                "epci_code": epci,
                "parent_code": parent,
                "postal_codes": _postcodes(row),
                "centre_lat": centre[0] if centre else None,
                "centre_lon": centre[1] if centre else None,
                "min_lon": min_lon,
                "min_lat": min_lat,
                "max_lon": max_lon,
                "max_lat": max_lat,
                "geometry": geometry,
            }
        )
    return communes, other_names, skipped


def _with_territory_of_parts(kept, geometries, sharing, shared_geometries):
    """A commune nouvelle published without an outline (Porte des Pierres Dorées, Orée
    d'Anjou…) gets the union of its delegated and associated communes' outlines, so a point
    there resolves to it."""
    parts: dict[str, list] = {}
    for row, geometry in zip([*kept, *sharing], [*geometries, *shared_geometries], strict=True):
        if row["kind"] != COMMUNE and geometry is not None:
            parts.setdefault(row["parent_code"], []).append(geometry)
    completed = []
    for row, geometry in zip(kept, geometries, strict=True):
        if geometry is None and row["kind"] == COMMUNE and row["code"] in parts:
            union = shapely.union_all(parts[row["code"]])
            geometry = union if union.geom_type == "MultiPolygon" else MultiPolygon([union])
        completed.append(geometry)
    return completed


def _population(row: _Row) -> int:
    value = row["population"]
    if not value:
        return 0  # INSEE publishes no figure for a few communes (Mayotte, very new ones)
    if not re.fullmatch(r"[0-9]+", value):
        raise row.error(_("the population '%(value)s' is not a whole number", value=value))
    return int(value)


def _postcodes(row: _Row) -> str:
    postcodes = row["postal_codes"].split()
    for postcode in postcodes:
        if not POSTCODE.fullmatch(postcode):
            raise row.error(_("'%(postcode)s' is not a postcode (5 digits)", postcode=postcode))
    joined = " ".join(dict.fromkeys(postcodes))
    if len(joined) > 200:
        raise row.error(_("too many postcodes"))
    return joined


def _geometries(rows: list[_Row]) -> list[MultiPolygon | None]:
    """Decode every geometry at once (vectorised: the country has 37,000), then check each."""
    hexes = np.array([row["geometry_wkb_hex"] or None for row in rows], dtype=object)
    decoded = shapely.from_wkb(hexes, on_invalid="ignore") if len(rows) else []
    geometries = []
    for row, geometry in zip(rows, decoded, strict=True):
        if geometry is None:
            if row["geometry_wkb_hex"]:
                raise row.error(_("the geometry is not valid hex-encoded WKB"))
        elif geometry.geom_type == "Polygon":
            geometry = MultiPolygon([geometry])
        elif geometry.geom_type != "MultiPolygon":
            raise row.error(
                _(
                    "the geometry is a %(kind)s, not a polygon or multipolygon",
                    kind=geometry.geom_type,
                )
            )
        if geometry is not None and geometry.is_empty:
            geometry = None
        geometries.append(geometry)
    return geometries


def _centres(geometries: list[MultiPolygon | None]) -> list[tuple[float, float] | None]:
    """(lat, lon) of each area's centre: its centroid when inside it, else a point that is
    (a crescent-shaped commune's centroid can fall in its neighbour)."""
    if not geometries:
        return []
    shapes = np.array(geometries, dtype=object)
    centroids = shapely.centroid(shapes)
    inside = shapely.contains(shapes, centroids)
    points = np.where(inside, centroids, shapely.point_on_surface(shapes))
    return [None if point is None else (point.y, point.x) for point in points]


def _town_halls(directory: Path, codes: set[str]) -> dict[str, tuple[float, float]]:
    """(lat, lon) of the town hall of each commune in `codes` that has one on file: the centre
    of a commune whose outline is unknown."""
    path = _find(directory, "town_halls.csv.gz", required=False)
    if path is None:
        return {}
    halls: dict[str, tuple[float, float]] = {}
    for row in _rows(path, COLUMNS["town_halls"]):
        code = row["commune_code"]
        if code not in codes or code in halls:
            continue
        try:
            latitude, longitude = float(row["latitude"]), float(row["longitude"])
        except ValueError:
            raise row.error(_("the coordinates are not numbers")) from None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise row.error(_("the coordinates are out of range"))
        halls[code] = (latitude, longitude)
    return halls


def _upsert(table: sa.Table, rows: list[dict]) -> None:
    """INSERT … ON CONFLICT (code) DO UPDATE, in the dialect of the current store."""
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=["code"],
        set_={column: statement.excluded[column] for column in rows[0] if column != "code"},
    )
    for start in range(0, len(rows), BATCH):
        db.session.execute(statement, rows[start : start + BATCH])
