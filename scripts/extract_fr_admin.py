"""Extract a subset of the fr-admin data set (same CSV format) for some départements.

Used to build what Relais ships (seed/reference/fr-admin: the demo département) and the test
geography (tests/fixtures/fr-admin). Régions, départements and EPCI are kept whole (they are
small and name every code a commune refers to); communes and town halls are filtered, with the
arrondissements and delegated communes whose parent is kept.

    python scripts/extract_fr_admin.py ../shared/data/fr-admin seed/reference/fr-admin 69
"""

from __future__ import annotations

import csv
import gzip
import shutil
import sys
from pathlib import Path


def extract(source: Path, target: Path, departements: set[str]) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for name in ("regions.csv", "departements.csv", "epci.csv", "README.md"):
        shutil.copyfile(source / name, target / name)

    with gzip.open(source / "communes.csv.gz", "rt", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    kept_parents = {r["code"] for r in rows if r["departement_code"] in departements}
    selected = [
        r for r in rows
        if r["departement_code"] in departements or r["parent_code"] in kept_parents
    ]
    _write_gz(target / "communes.csv.gz", rows[0].keys(), selected)
    codes = {r["code"] for r in selected}

    with gzip.open(source / "town_halls.csv.gz", "rt", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        halls = [r for r in reader if r["commune_code"] in codes]
        _write_gz(target / "town_halls.csv.gz", reader.fieldnames, halls)
    print(f"{len(selected)} communes, {len(halls)} town halls -> {target}")


def _write_gz(path: Path, fieldnames, rows) -> None:
    # mtime=0: the same input gives byte-identical files, so re-running shows no git diff.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        with open_text(gz) as f:
            writer = csv.DictWriter(f, fieldnames=list(fieldnames), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)


def open_text(binary):
    import io

    return io.TextIOWrapper(binary, encoding="utf-8", newline="")


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    extract(Path(sys.argv[1]), Path(sys.argv[2]), set(sys.argv[3:]))
