"""Benchmark search and matching: a catalogue of N services over real communes, on both stores.

    python bench/search.py [--services 100000] [--stores sqlite,postgis] [--queries 200]
                           [--geography full|test] [--seed 2026] [--keep]
                           [--profile index,search,words,floor,floor-words,match]

For each store: a fresh database (as the tests make them) with the taxonomies and the whole
country's geography (or the test one), then a seeded catalogue (bench/generate_catalogue.py)
written with bulk inserts (then ANALYZE on PostgreSQL, as autovacuum would have done on a
live database). Then, timed:
- indexing: `search.rebuild()` with two writer processes, then with one (the default of
  `flask search reindex`; queries run on that index) → services per second;
- search, need + place: `finder.find` for a random need (a category, expanded to its needs,
  or one thématique) and a commune drawn by population, as the search page asks it;
- search, need + words + place: the same with words of the need's field (`q`);
- floor: the same two questions straight on the Whoosh index (`search_query.matching` with the
  place's coverage terms and the needs): what no search built on the index can beat;
- match: `matching.match` of the need + place questions with a five-fact situation.
Each query is timed alone, inside a request context, with a fresh database session (as a
request has); places are resolved and categories expanded beforehand (not timed). Hits are
the services returned; candidates are those the index hands to the coverage step.
--profile runs the named steps again under cProfile after the timings and prints where the
time goes (stderr).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_babel import force_locale  # noqa: E402

from bench.generate_catalogue import (  # noqa: E402
    TOPICS,
    GeneratedCatalogue,
    Weighted,
    generate_catalogue,
)
from directory import finder, search, search_query  # noqa: E402
from directory.taxonomy import category_of  # noqa: E402
from extensions import db  # noqa: E402
from geo.gazetteer import import_geography  # noqa: E402
from geo.place import Place  # noqa: E402
from geo.places import place_for_commune  # noqa: E402
from tests.conftest import TEST_GEOGRAPHY, build_app, drop_database  # noqa: E402

# One database per run: two runs at once (or a test session) must not drop each other's.
DATABASE = f"relais_bench_search_{os.getpid()}"
FULL_GEOGRAPHY = ROOT.parent / "shared" / "data" / "fr-admin"
SITUATION = {"age": 23, "employment_situation": "jobseeker", "registered_france_travail": True,
             "benefits": ["rsa"], "rqth": False}
# Queries run untimed first (--warm-up): a long-running worker has its searcher open and the
# posting sets of the common terms (needs, départements, régions) read; a fresh one has not.
WARM_UP = 200
TARGET_P95_MS = 50.0
TARGET_INDEXING_RATE = 1000.0
PROFILES = ("index", "search", "words", "floor", "floor-words", "match")


@dataclass(frozen=True)
class Question:
    place: Place
    need: str  # as asked: a category or a thématique
    needs: tuple[str, ...]  # as searched: the category's needs with it
    text: str


@dataclass
class Timed:
    label: str
    timings: list[float]  # ms
    hits: list[int]
    candidates: list[int]

    def row(self) -> dict:
        return {
            "measure": self.label,
            "p50": statistics.median(self.timings),
            "p95": percentile(self.timings, 0.95),
            "max": max(self.timings),
            "hits": statistics.mean(self.hits) if self.hits else 0.0,
            "empty": sum(1 for h in self.hits if h == 0),
            "candidates": statistics.mean(self.candidates) if self.candidates else 0.0,
        }


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def progress_line(store: str) -> Callable[[str, int, int], None]:
    """Progress on stderr: one line per tenth of each step."""
    last: dict[str, int] = {}

    def report(step: str, done: int, total: int) -> None:
        tenth = done * 10 // max(total, 1)
        if last.get(step) == tenth:
            return
        last[step] = tenth
        print(f"{store}: {step} {done:,}/{total:,}", file=sys.stderr, flush=True)

    return report


# ---------------------------------------------------------------------------------------------
# The questions


def draw_questions(catalogue: GeneratedCatalogue, count: int, seed: int) -> list[Question]:
    """Seeded questions: a commune drawn by population, a need (half categories, half
    thématiques), and words of that need's field."""
    from directory.models import T_THEMATIQUE, TaxonomyTerm

    rng = random.Random(seed)
    by_population = Weighted(catalogue.communes, [c.population for c in catalogue.communes])
    rows = db.session.execute(
        sa.select(TaxonomyTerm.code, TaxonomyTerm.parent_code)
        .where(TaxonomyTerm.taxonomy == T_THEMATIQUE).order_by(TaxonomyTerm.code)
    ).all()
    categories = [code for code, parent in rows if parent is None]
    thematiques = [code for code, parent in rows if parent is not None]
    questions = []
    for _ in range(count + WARM_UP):
        place = place_for_commune(by_population.draw(rng).code)
        need = rng.choice(categories) if rng.random() < 0.5 else rng.choice(thematiques)
        topic = rng.choice(TOPICS[category_of(need)])
        words = [w for w in topic.replace("'", " ").split() if len(w) > 3]
        text = topic if rng.random() < 0.5 or not words else max(words, key=len)
        questions.append(Question(place, need, finder.expand_need(need), text))
    return questions


# ---------------------------------------------------------------------------------------------
# The measures


def search_need(q: Question) -> tuple[int, int]:
    found = finder.find(finder.Criteria(q.place, needs=q.needs))
    return found.total, -1


def search_words(q: Question) -> tuple[int, int]:
    found = finder.find(finder.Criteria(q.place, needs=q.needs, text=q.text))
    return found.total, -1


def _filters(q: Question) -> search_query.IndexFilters:
    return search_query.IndexFilters(zones=tuple(search.coverage_terms_of_place(q.place)),
                               thematiques=q.needs)


def floor_need(q: Question) -> tuple[int, int]:
    found = search_query.matching(_filters(q))
    return -1, len(found)


def floor_words(q: Question) -> tuple[int, int]:
    found = search_query.matching(_filters(q), q.text)
    return -1, len(found)


def load_match() -> tuple[Callable | None, str]:
    try:
        from directory.matching import match
    except ImportError as error:
        return None, f"matching not available ({error})"
    return match, ""


def match_with(match: Callable) -> Callable[[Question], tuple[int, int]]:
    def measure(q: Question) -> tuple[int, int]:
        result = match(finder.Criteria(q.place, needs=q.needs), SITUATION)
        return result.found.total, -1

    return measure


def timed(label: str, measure: Callable[[Question], tuple[int, int]],
          questions: list[Question]) -> Timed:
    for q in questions[:WARM_UP]:
        measure(q)
        db.session.remove()
    result = Timed(label, [], [], [])
    for q in questions[WARM_UP:]:
        started = time.perf_counter()
        hits, candidates = measure(q)
        result.timings.append((time.perf_counter() - started) * 1000)
        if hits >= 0:
            result.hits.append(hits)
        if candidates >= 0:
            result.candidates.append(candidates)
        db.session.remove()  # each request has a session of its own
    return result


def profile(measure: Callable[[Question], tuple[int, int]], questions: list[Question]) -> str:
    profiler = cProfile.Profile()
    for q in questions[WARM_UP:]:
        profiler.enable()
        measure(q)
        profiler.disable()
        db.session.remove()
    return profile_report(profiler)


def profile_report(profiler: cProfile.Profile) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(35)
    stats.sort_stats("tottime").print_stats(20)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# One store


def bench_store(store: str, args) -> dict:
    note = progress_line(store)
    tmp = Path(tempfile.mkdtemp(prefix=f"relais-bench-search-{store}-"))
    print(f"{store}: new database, taxonomies …", file=sys.stderr, flush=True)
    app = build_app(store, DATABASE, tmp, geography=False)
    result: dict = {"store": store, "load_before": os.getloadavg()}
    try:
        with app.app_context():
            print(f"{store}: importing {args.geography_dir} …", file=sys.stderr, flush=True)
            geography = import_geography(args.geography_dir)
            result["communes"] = geography.communes
            result["geography_s"] = geography.elapsed_seconds
            started = time.perf_counter()
            catalogue = generate_catalogue(args.services, seed=args.seed, progress=note)
            result["generate_s"] = time.perf_counter() - started
            if db.engine.dialect.name == "postgresql":
                # A live PostgreSQL has planner statistics (autovacuum); this server runs
                # without autovacuum, and without statistics the coverage query takes minutes.
                db.session.execute(sa.text("ANALYZE"))
                db.session.commit()
            result["catalogue"] = catalogue
            result["indexing"] = {}
            for procs in args.procs:  # the last one's index answers the queries
                started = time.perf_counter()
                indexed = search.rebuild(
                    lambda done, total, p=procs: note(f"indexing (procs={p})", done, total),
                    procs=procs)
                elapsed = time.perf_counter() - started
                result["indexing"][procs] = (indexed, elapsed)
            if "index" in args.profile:
                profiler = cProfile.Profile()
                profiler.runcall(search.rebuild, procs=1)
                print(f"{store}: profile of search.rebuild(procs=1)\n"
                      f"{profile_report(profiler)}", file=sys.stderr, flush=True)
            questions = draw_questions(catalogue, args.queries, args.seed)
            db.session.remove()
        with app.test_request_context(), force_locale("fr"):
            measures: list[tuple[str, str, Callable]] = [
                ("search", "search: need + place", search_need),
                ("words", "search: need + words + place", search_words),
                ("floor", "floor (index): need + place", floor_need),
                ("floor-words", "floor (index): need + words + place", floor_words),
            ]
            match, problem = load_match()
            if match is not None:
                measures.append(("match", "match: need + place + 5 facts", match_with(match)))
            result["match_problem"] = problem
            result["rows"] = []
            for _key, label, measure in measures:
                print(f"{store}: {label} × {args.queries} …", file=sys.stderr, flush=True)
                result["rows"].append(timed(label, measure, questions).row())
            by_key = {key: m for key, _label, m in measures}
            for key in args.profile:
                if key == "index":
                    continue
                if key not in by_key:
                    print(f"{store}: nothing to profile for {key}", file=sys.stderr)
                    continue
                print(f"{store}: profile of {key}\n{profile(by_key[key], questions)}",
                      file=sys.stderr, flush=True)
        result["load_after"] = os.getloadavg()
        if args.keep:
            with app.app_context():
                result["kept"] = f"{db.engine.url.render_as_string()} (index in {tmp})"
    finally:
        if not args.keep:
            drop_database(app)
            shutil.rmtree(tmp, ignore_errors=True)
    return result


# ---------------------------------------------------------------------------------------------
# Output


def table(rows: list[dict], columns: list[tuple[str, str, str]]) -> str:
    cells = [[title for _, title, _ in columns]] + [
        [fmt.format(row[key]) for key, _, fmt in columns] for row in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    lines = [
        " | ".join(cell.ljust(width) if i == 0 else cell.rjust(width)
                   for i, (cell, width) in enumerate(zip(row, widths, strict=True)))
        for row in cells
    ]
    lines.insert(1, "-|-".join("-" * width for width in widths))
    return "\n".join(lines)


def report(result: dict, args) -> str:
    catalogue: GeneratedCatalogue = result["catalogue"]
    lines = [
        f"== {result['store']}: {catalogue.services:,} services ({catalogue.with_rule:,} with an "
        f"eligibility rule), {catalogue.organisations:,} organisations, "
        f"{catalogue.locations:,} locations; {args.geography} geography "
        f"({result['communes']:,} communes)",
        f"geography import {result['geography_s']:.1f} s; catalogue written in "
        f"{result['generate_s']:.1f} s ({catalogue.rows:,} rows)",
    ]
    for procs, (indexed, elapsed) in sorted(result["indexing"].items()):
        rate = indexed / elapsed if elapsed else 0.0
        verdict = "ok" if rate >= TARGET_INDEXING_RATE else "MISSED"
        lines.append(f"indexing, procs={procs}: {indexed:,} services in {elapsed:.1f} s = "
                     f"{rate:,.0f} services/s (target > {TARGET_INDEXING_RATE:,.0f}: {verdict})")
    lines.append(f"{args.queries} queries each, seed {args.seed}, after {WARM_UP} untimed")
    lines.append(table(
        [{**row, "hits": "" if row["measure"].startswith("floor") else f"{row['hits']:.0f}",
          "empty": "" if row["measure"].startswith("floor") else str(row["empty"]),
          "candidates": f"{row['candidates']:.0f}" if row["measure"].startswith("floor")
          else ""}
         for row in result["rows"]],
        [("measure", "query", "{}"), ("p50", "p50 (ms)", "{:.1f}"),
         ("p95", "p95 (ms)", "{:.1f}"), ("max", "max (ms)", "{:.1f}"),
         ("hits", "hits (mean)", "{}"), ("empty", "no hit", "{}"),
         ("candidates", "index ids (mean)", "{}")],
    ))
    if result["match_problem"]:
        lines.append(f"match: {result['match_problem']}")
    for row in result["rows"]:
        if row["measure"].startswith(("search", "match")):
            verdict = "ok" if row["p95"] < TARGET_P95_MS else "MISSED"
            lines.append(f"target p95 < {TARGET_P95_MS:.0f} ms, {row['measure']}: {verdict}")
    lines.append("load average (1, 5, 15 min) before: {:.1f} {:.1f} {:.1f}; after: "
                 "{:.1f} {:.1f} {:.1f} (2 cores: above 2, other work shared the machine)"
                 .format(*result["load_before"], *result["load_after"]))
    if result.get("kept"):
        lines.append(f"kept: {result['kept']}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=100_000)
    parser.add_argument("--stores", default="sqlite,postgis")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--geography", choices=("full", "test"), default="full")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the databases and indexes")
    parser.add_argument("--warm-up", type=int, default=WARM_UP,
                        help="untimed questions asked first, as a running worker has had")
    parser.add_argument("--procs", default="1,2",
                        help="index builds to time, in order; the last one answers the queries")
    parser.add_argument("--profile", default="",
                        help="comma-separated: " + ",".join(PROFILES))
    args = parser.parse_args()
    args.profile = [p for p in args.profile.split(",") if p]
    if args.warm_up < 0:
        parser.error("--warm-up takes 0 or more")
    globals()["WARM_UP"] = args.warm_up
    try:
        args.procs = [int(p) for p in args.procs.split(",") if p]
    except ValueError:
        parser.error("--procs takes numbers of processes, e.g. 2,1")
    if not args.procs or min(args.procs) < 1:
        parser.error("--procs takes at least one number of processes, each 1 or more")
    if set(args.profile) - set(PROFILES):
        parser.error(f"--profile takes some of {','.join(PROFILES)}")
    args.geography_dir = FULL_GEOGRAPHY if args.geography == "full" else TEST_GEOGRAPHY
    if not args.geography_dir.is_dir():
        parser.error(f"{args.geography_dir} is not a directory: use --geography test")
    reports = []
    for store in [s for s in args.stores.split(",") if s]:
        result = bench_store(store, args)
        reports.append(report(result, args))
        print(reports[-1], "\n", file=sys.stderr, flush=True)  # seen as soon as it is known
    print(f"bench/search.py --services {args.services} --queries {args.queries} "
          f"--geography {args.geography} --seed {args.seed}")
    print("\n\n".join(reports))


if __name__ == "__main__":
    main()
