"""Reading what `flask hsds import PATH` is given: HSDS 3.0 JSON (one document, a list, an API
Page, the official tabular.json, or a folder of them, e.g. an export's json/) or a CSV data
package (its datapackage.json, or the folder holding it), HSDS 3.0 or 1.1 (exchange.hsds_v1).
Everything is turned into Records (entity, document, file, row) before anything is written,
and refused with a clear reason when it is too big, not JSON/CSV, or another HSDS version.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _

from exchange import hsds_schemas, hsds_v1
from exchange.hsds_tables import CellError, cell, fields_of, nest, typed

MAX_BYTES = 100 * 1024 * 1024  # per file; bigger catalogues are split (one file per entity)

# A file named after a collection holds that entity (the export's json/ names, the API's).
NAMED = {"organizations": "organization", "organization": "organization",
         "services": "service", "service": "service", "locations": "location",
         "location": "location", "taxonomies": "taxonomy", "taxonomy": "taxonomy",
         "taxonomy_terms": "taxonomy_term", "taxonomy_term": "taxonomy_term",
         "service_at_locations": "service_at_location",
         "service_at_location": "service_at_location"}
TAXONOMY_KEYS = {"id", "name", "description", "uri", "version", "metadata", "taxonomy_terms"}


class Unreadable(Exception):
    """The input cannot be imported at all; the message says why."""


@dataclass
class Record:
    entity: str
    document: dict
    file: str
    row: int | str  # CSV line, or the position in a JSON file ("3", "contents.2")


def read(path: Path, max_bytes: int = MAX_BYTES) -> list[Record]:
    """Every record at `path`, or Unreadable."""
    if not path.exists():
        raise Unreadable(_("%(path)s: no such file or folder.", path=path))
    if path.is_dir():
        if (path / "json").is_dir():
            return read(path / "json", max_bytes)
        if (path / "datapackage.json").is_file():
            return read_package(path / "datapackage.json", max_bytes)
        files = sorted(path.glob("*.json"))
        if not files:
            raise Unreadable(_("%(path)s: no HSDS JSON files or datapackage.json in this "
                               "folder.", path=path))
        return [record for file in files for record in read(file, max_bytes)]
    check_size(path, max_bytes)
    if path.suffix.lower() == ".csv":
        raise Unreadable(_("%(file)s: a CSV file is read as part of a data package; give "
                           "its datapackage.json or its folder.", file=path.name))
    if path.suffix.lower() != ".json":
        raise Unreadable(_("%(file)s: not a JSON file or a CSV data package.", file=path.name))
    if path.name == "datapackage.json":
        return read_package(path, max_bytes)
    data = load_json(path)
    return list(_records(data, path.name, NAMED.get(path.stem), ""))


def check_size(path: Path, max_bytes: int) -> None:
    size = path.stat().st_size
    if size > max_bytes:
        raise Unreadable(_("%(file)s: %(size)d MB is more than the %(limit)d MB an import "
                           "reads; split it (one file per entity) and import the parts.",
                           file=path.name, size=size // (1024 * 1024),
                           limit=max_bytes // (1024 * 1024)))


def load_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise Unreadable(_("%(file)s: not a text file (UTF-8 JSON expected).",
                           file=path.name)) from None
    except json.JSONDecodeError as error:
        raise Unreadable(_("%(file)s: not valid JSON (line %(line)d, column %(column)d: "
                           "%(reason)s).", file=path.name, line=error.lineno,
                           column=error.colno, reason=error.msg)) from None


def detect(document: dict) -> str | None:
    """Which HSDS entity an object is, from its fields (the examples carry no type)."""
    keys = set(document)
    if "location_type" in keys:
        return "location"
    if "service" in keys and "location" in keys or {"service_id", "location_id"} <= keys:
        return "service_at_location"
    if "status" in keys:
        return "service"
    if keys & {"taxonomy", "taxonomy_id", "parent_id", "code", "term", "term_uri"}:
        return "taxonomy_term"
    if keys <= TAXONOMY_KEYS and ("uri" in keys or "version" in keys or "taxonomy_terms" in keys):
        return "taxonomy"
    if "name" in keys and "id" in keys:
        return "organization"
    return None


def _records(data, file: str, entity: str | None, where: str):
    if isinstance(data, list):
        for n, item in enumerate(data, start=1):
            yield from _records(item, file, entity, f"{where}{n}")
        return
    if not isinstance(data, dict):
        raise Unreadable(_("%(file)s: %(where)s is not an HSDS object.", file=file,
                           where=where or _("the file")))
    if "contents" in data and isinstance(data["contents"], list):
        yield from _records(data["contents"], file, entity, f"{where}contents.")
        return
    if set(data) <= {"version", "profile", "openapi_url"} and "version" in data:
        version = str(data["version"])
        if not version.startswith("3."):
            raise Unreadable(_("%(file)s: HSDS version %(version)s; Relais imports HSDS 3.0.",
                               file=file, version=version))
        return  # an API description: no records
    if data and all(key.endswith(".csv") for key in data):  # the official tabular.json
        yield from _tables({key: rows for key, rows in data.items()}, file, from_json=True)
        return
    kind = entity or detect(data)
    if kind is None:
        raise Unreadable(_("%(file)s: %(where)s is not an HSDS 3.0 record (organization, "
                           "service, location, service_at_location, taxonomy, taxonomy_term).",
                           file=file, where=where or _("the file")))
    yield Record(kind, data, file, where or 1)


def read_package(descriptor_path: Path, max_bytes: int = MAX_BYTES) -> list[Record]:
    """A CSV data package: checks its HSDS version, reads every table it lists."""
    check_size(descriptor_path, max_bytes)
    descriptor = load_json(descriptor_path)
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise Unreadable(_("%(file)s: not a data package (no resources).",
                           file=descriptor_path.name))
    version = str(descriptor.get("version", ""))
    paths = [str(resource.get("path", "")) for resource in descriptor["resources"]]
    v1 = hsds_v1.is_v1(version, paths)
    if not (v1 or version.startswith("3.")):
        raise Unreadable(_("%(file)s: HSDS version %(version)s; Relais imports HSDS 3.0 and "
                           "1.1.", file=descriptor_path.name,
                           version=version or _("not given")))
    tables = {}
    for resource in descriptor["resources"]:
        path = descriptor_path.parent / str(resource.get("path", ""))
        if not path.is_file():
            continue  # a package may leave out the tables it does not use
        if path.suffix.lower() != ".csv":
            raise Unreadable(_("%(file)s: not a CSV file.", file=path.name))
        check_size(path, max_bytes)
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                tables[path.name] = list(csv.DictReader(handle))
        except UnicodeDecodeError:
            raise Unreadable(_("%(file)s: not UTF-8 text.", file=path.name)) from None
    if v1:
        tables = hsds_v1.to_v3(tables)
    return list(_tables(tables, None, from_json=False))


def _tables(tables: dict[str, list], file: str | None, *, from_json: bool):
    """Rows of HSDS tables -> nested records. CSV cells are typed by the datapackage's column
    types; a cell that does not fit is reported on its row (entity "invalid")."""
    by_path = {}
    for resource in hsds_schemas.datapackage()["resources"]:
        by_path[resource["path"]] = resource["name"]
    typed_tables: dict[str, list[tuple[int, dict]]] = {}
    places: dict[int, str] = {}
    problems = []
    for name, rows in tables.items():
        entity = by_path.get(name)
        if entity is None or not isinstance(rows, list):
            continue  # tables Relais does not read (e.g. a profile's own)
        columns = {field["name"]: field for field in fields_of(entity)}
        typed_rows = []
        for number, row in enumerate(rows, start=2 if not from_json else 1):
            clean = {}
            if isinstance(row, dict):
                for key, text in row.items():
                    if key in columns:
                        try:
                            # tabular.json holds the cells of CSV tables: typed the same way
                            value = typed(columns[key], cell(text) if from_json else text)
                        except CellError as error:
                            problems.append(Record("invalid", {"reason": str(error)}, name,
                                                   number))
                            continue
                        if value is not None:
                            clean[key] = value
            typed_rows.append((number, clean))
            places[id(clean)] = f"{file}:{name}" if file else name
        typed_tables[entity] = typed_rows
    yield from problems
    for entity, documents in nest(typed_tables).items():
        for number, document in documents:
            yield Record(entity, document, places[id(document)], number)
