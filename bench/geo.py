"""Benchmark the gazetteer: import the whole country, then resolve random points to places.

    python bench/geo.py [--fr-admin ../shared/data/fr-admin] [--stores sqlite,postgis]
                        [--points 1000] [--seed 2024]

For each store: a fresh database (as the tests make them), `import_geography` of the whole
country, then `place_at` for N points drawn inside random communes and arrondissements (seeded,
so every run asks the same questions). The first question is timed apart: the in-process backend
builds its polygon index then. "agree" counts answers naming the commune the point was drawn in.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_babel import force_locale  # noqa: E402
from shapely.geometry import Point  # noqa: E402

from extensions import db  # noqa: E402
from geo.gazetteer import import_geography  # noqa: E402
from geo.models import ARRONDISSEMENT, COMMUNE, Commune  # noqa: E402
from geo.places import UnknownPlace, place_at  # noqa: E402
from tests.conftest import build_app, drop_database  # noqa: E402

DATABASE = "relais_bench_geo"


def random_points(count: int, seed: int) -> list[tuple[float, float, str]]:
    """(lat, lon, code) of `count` points, each uniform inside a commune picked at random."""
    rows = db.session.execute(
        sa.select(Commune.code, Commune.__table__.c.geometry)
        .where(Commune.kind.in_((COMMUNE, ARRONDISSEMENT)))
        .where(Commune.__table__.c.geometry.is_not(None))
        .order_by(Commune.code)
    ).all()
    rng = random.Random(seed)
    points = []
    for code, geometry in rng.choices(rows, k=count):
        min_lon, min_lat, max_lon, max_lat = geometry.bounds
        while True:
            lon, lat = rng.uniform(min_lon, max_lon), rng.uniform(min_lat, max_lat)
            if geometry.contains(Point(lon, lat)):
                points.append((lat, lon, code))
                break
    return points


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def bench_store(store: str, fr_admin: Path, count: int, seed: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(store, DATABASE, Path(tmp), geography=False)
        try:
            with app.app_context(), force_locale("en"):
                summary = import_geography(fr_admin)
                points = random_points(count, seed)
                started = time.perf_counter()
                place_at(*points[0][:2])
                first_ms = (time.perf_counter() - started) * 1000
                timings, agree, unknown = [], 0, 0
                for lat, lon, code in points:
                    started = time.perf_counter()
                    try:
                        place = place_at(lat, lon)
                    except UnknownPlace:
                        unknown += 1
                        place = None
                    timings.append((time.perf_counter() - started) * 1000)
                    if place and code in (place.commune_code, place.arrondissement_code):
                        agree += 1
                db.session.remove()
        finally:
            drop_database(app)
    return {
        "store": store,
        "import_s": summary.elapsed_seconds,
        "communes": summary.communes,
        "first_ms": first_ms,
        "p50_ms": statistics.median(timings),
        "p95_ms": percentile(timings, 0.95),
        "max_ms": max(timings),
        "rate": len(timings) / (sum(timings) / 1000),
        "agree": f"{agree}/{len(points)}",
        "unknown": unknown,
    }


def print_table(results: list[dict]) -> None:
    columns = [
        ("store", "store", "{}"),
        ("import_s", "import (s)", "{:.1f}"),
        ("communes", "communes", "{}"),
        ("first_ms", "1st point (ms)", "{:.1f}"),
        ("p50_ms", "p50 (ms)", "{:.2f}"),
        ("p95_ms", "p95 (ms)", "{:.2f}"),
        ("max_ms", "max (ms)", "{:.2f}"),
        ("rate", "points/s", "{:.0f}"),
        ("agree", "agree", "{}"),
        ("unknown", "unknown", "{}"),
    ]
    cells = [[title for _, title, _ in columns]] + [
        [fmt.format(result[key]) for key, _, fmt in columns] for result in results
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    lines = [
        " | ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True))
        for row in cells
    ]
    lines.insert(1, "-|-".join("-" * width for width in widths))
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fr-admin", type=Path, default=ROOT.parent / "shared/data/fr-admin")
    parser.add_argument("--stores", default="sqlite,postgis")
    parser.add_argument("--points", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    if not args.fr_admin.is_dir():
        parser.error(f"{args.fr_admin} is not a directory")
    results = []
    for store in [s for s in args.stores.split(",") if s]:
        print(f"{store}: importing {args.fr_admin} …", file=sys.stderr, flush=True)
        results.append(bench_store(store, args.fr_admin, args.points, args.seed))
    print(f"{args.points} points, seed {args.seed}")
    print_table(results)


if __name__ == "__main__":
    main()
