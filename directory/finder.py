"""Finding services for a need and a place: the search behind the search page and
GET /api/v1/search.

Three steps, each owned by one module:
1. candidates: the full-text index (directory.search) narrows to active services that may
   cover the place and match the filters, scored by the free text; when the index is missing
   or unreadable, the same filters run in SQL and the text is matched on stems here;
2. coverage: geo.spatial decides which candidates really cover the place (the rule of
   geo.coverage) and how far their nearest location is;
3. ranking: in-person services within the radius by relevance then distance, remote services
   kept and interleaved (two nearby, then one remote), opening hours checked when asked.
When nothing is found, suggestions say what would find something: a wider radius, a
neighbouring need, fewer filters, or no text.
"""

from __future__ import annotations

import logging
import math
import threading
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from directory import search, search_query
from directory.catalogue import active_clause, default_radius_km
from directory.hours import WeeklyHours
from directory.models import (
    MODE_A_DISTANCE,
    MODE_EN_PRESENTIEL,
    T_MODE_ACCUEIL,
    T_PUBLIC,
    T_THEMATIQUE,
    Location,
    Organisation,
    Service,
    ServiceAtLocation,
    ServiceTerm,
    TaxonomyTerm,
)
from directory.taxonomy import category_of
from errors import Invalid
from extensions import db
from geo.coverage import covers
from geo.place import Place
from geo.spatial import get_backend

log = logging.getLogger(__name__)

# Above this many candidates, coverage is asked with the SQL filters rather than an id list.
MAX_ID_LIST = 5000
NEARBY_PER_REMOTE = 2  # interleaving: two nearby services, then one remote
RELEVANCE_TIERS = 4  # services of about the same relevance are ordered by distance


@dataclass(frozen=True)
class Criteria:
    """What a person asks: a place, and optionally needs, words and filters."""

    place: Place
    needs: tuple[str, ...] = ()  # thématique codes (a category is expanded to its needs)
    text: str = ""
    radius_km: float | None = None  # None: the platform's default
    publics: tuple[str, ...] = ()
    modes: tuple[str, ...] = ()  # en-presentiel / a-distance
    fees: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    open_now: bool = False
    now: datetime = field(default_factory=datetime.now)

    @property
    def has_filters(self) -> bool:
        return bool(self.publics or self.modes or self.fees or self.types or self.open_now)


@dataclass(frozen=True)
class Hit:
    service_id: uuid.UUID
    name: str
    distance_km: float | None
    remote: bool  # shown as "remote": reached without travelling
    relevance: float  # 0..1 within this search; 1.0 with no text


@dataclass(frozen=True)
class Suggestion:
    kind: str  # radius | need | filters | text
    count: int
    radius_km: float | None = None
    need: str | None = None


@dataclass
class Found:
    hits: list[Hit]
    nearby: int
    remote: int
    used_index: bool
    suggestions: list[Suggestion] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.hits)

    def page(self, number: int, per_page: int) -> list[Hit]:
        start = (number - 1) * per_page
        return self.hits[start:start + per_page]


# ---------------------------------------------------------------------------------------------
# The search


def find(criteria: Criteria, *, suggest: bool = True) -> Found:
    """Every matching service, ranked; suggestions when there is none."""
    found = _rank(criteria, _candidates(criteria))
    if suggest and not found.hits:
        found.suggestions = suggestions(criteria)
    return found


def expand_need(code: str) -> tuple[str, ...]:
    """A thématique, or a whole category as its needs (services carry needs, not categories)."""
    if category_of(code) != code:
        return (code,)
    needs = db.session.scalars(
        sa.select(TaxonomyTerm.code).where(
            TaxonomyTerm.taxonomy == T_THEMATIQUE, TaxonomyTerm.parent_code == code
        )
    ).all()
    return (code, *needs)


def _filters(criteria: Criteria) -> search_query.IndexFilters:
    return search_query.IndexFilters(
        zones=tuple(search.coverage_terms_of_place(criteria.place)),
        thematiques=criteria.needs, publics=criteria.publics, modes=criteria.modes,
        fees=criteria.fees, types=criteria.types,
    )


@dataclass
class _Candidates:
    """What may match: relevance by service id, and the index's stored facts when the
    index answered (None when the database did)."""

    relevance: dict[uuid.UUID, float]
    facts: dict[uuid.UUID, search.StoredFacts] | None

    @classmethod
    def of_index(cls, hits: dict[uuid.UUID, search_query.IndexHit]) -> _Candidates:
        return cls({sid: hit.score for sid, hit in hits.items()},
                   {sid: hit.facts for sid, hit in hits.items()})


def _candidates(criteria: Criteria) -> _Candidates:
    try:
        return _Candidates.of_index(search_query.matching(_filters(criteria), criteria.text))
    except search.IndexUnavailable as problem:
        _repair_index(problem)
    try:
        return _Candidates.of_index(search_query.matching(_filters(criteria), criteria.text))
    except search.IndexUnavailable:
        return _Candidates(_database_candidates(criteria), None)


_rebuilding = threading.Lock()


def _repair_index(problem: Exception) -> None:
    """Rebuild a missing or damaged index: at once when the catalogue is small, else in the
    background while searches use the database."""
    limit = int(current_app.config["RELAIS_SEARCH_SYNC_REBUILD_MAX"])
    count = db.session.scalar(sa.select(sa.func.count(Service.id)).where(
        search.indexable_clause()))
    if count <= limit:
        with _rebuilding:
            try:
                search.open_index()
            except search.IndexUnavailable:
                search.ensure_index()
        return
    if _rebuilding.locked():
        return
    app = current_app._get_current_object()

    def rebuild():
        with _rebuilding, app.app_context():
            try:
                search.ensure_index()
            except Exception:
                log.exception("rebuilding the search index failed")
            finally:
                db.session.remove()

    log.warning("%s: rebuilding in the background; searching the database meanwhile", problem)
    threading.Thread(target=rebuild, name="search-rebuild", daemon=True).start()


def filter_clause(criteria: Criteria, *, with_place: bool = False) -> sa.ColumnElement[bool]:
    """The index's keyword filters in SQL (the fallback, and the truth the index mirrors)."""
    def has_term(taxonomy: str, codes: Iterable[str]):
        return sa.exists().where(ServiceTerm.service_id == Service.id,
                                 ServiceTerm.taxonomy == taxonomy, ServiceTerm.code.in_(codes))

    parts = [active_clause(criteria.now.date())]
    if criteria.needs:
        parts.append(has_term(T_THEMATIQUE, criteria.needs))
    if criteria.publics:
        parts.append(has_term(T_PUBLIC, criteria.publics))
    if criteria.modes:
        parts.append(has_term(T_MODE_ACCUEIL, criteria.modes))
    if criteria.fees:
        parts.append(Service.fees.in_(criteria.fees))
    if criteria.types:
        parts.append(Service.type.in_(criteria.types))
    return sa.and_(*parts)


def _database_candidates(criteria: Criteria) -> dict[uuid.UUID, float]:
    ids = list(db.session.scalars(sa.select(Service.id).where(filter_clause(criteria))))
    if not criteria.text:
        return dict.fromkeys(ids, 1.0)
    return text_scores(ids, criteria.text)


def text_scores(ids: list[uuid.UUID], text: str) -> dict[uuid.UUID, float]:
    """Relevance of services to a text without the index: the same stems, field weights as
    the index's boosts; all words required, else any. Scores differ from the index's, the
    services found do not."""
    wanted = set(search.analyse(text))
    if not wanted:
        return {}
    labels = dict(db.session.execute(
        sa.select(TaxonomyTerm.code, TaxonomyTerm.label_fr + " " + TaxonomyTerm.label_en)
        .where(TaxonomyTerm.taxonomy == T_THEMATIQUE)
    ).all())
    weights = {"name": 3.0, "needs_text": 2.0, "organisation": 1.5, "text": 1.0}
    every, some = {}, {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        services = db.session.scalars(
            sa.select(Service).where(Service.id.in_(chunk)).options(
                selectinload(Service.term_links), selectinload(Service.organisation))
        ).all()
        for service in services:
            needs = set(service.thematiques) | {category_of(c) for c in service.thematiques}
            fields = {
                "name": service.name,
                "needs_text": " ".join(labels.get(code, "") for code in needs),
                "organisation": service.organisation.name,
                "text": " ".join(filter(None, (service.summary, service.description,
                                               service.conditions, service.publics_details))),
            }
            score, matched = 0.0, set()
            for name, value in fields.items():
                stems = search.analyse(value)
                for stem in wanted:
                    count = stems.count(stem)
                    if count:
                        matched.add(stem)
                        score += weights[name] * (1 + math.log(count))
            if matched == wanted:
                every[service.id] = score
            elif matched:
                some[service.id] = score
    return every or some


# ---------------------------------------------------------------------------------------------
# Coverage and ranking


@dataclass(frozen=True)
class _Row:
    name: str
    in_person: bool
    remote: bool


def _rank(criteria: Criteria, candidates: _Candidates) -> Found:
    relevance, used_index = candidates.relevance, candidates.facts is not None
    if not relevance:
        return Found([], 0, 0, used_index)
    covered, rows = _covered(criteria, candidates)
    if criteria.open_now:
        open_ids = open_at(list(covered), criteria.now)
        covered = {sid: d for sid, d in covered.items() if sid in open_ids}
    radius = criteria.radius_km if criteria.radius_km is not None else default_radius_km()
    top = max((relevance[sid] for sid in covered), default=1.0) or 1.0
    nearby, remote = [], []
    for sid, distance in covered.items():
        row = rows.get(sid)
        if row is None:
            continue
        within = distance is None or distance <= radius
        score = relevance[sid] / top
        if row.in_person and within and not (distance is None and row.remote):
            nearby.append(Hit(sid, row.name, distance, False, score))
        elif row.remote:
            remote.append(Hit(sid, row.name, distance, True, score))
        elif not row.in_person and within:  # no delivery mode said: shown as nearby
            nearby.append(Hit(sid, row.name, distance, False, score))

    def tier(hit: Hit) -> int:
        return -math.ceil(hit.relevance * RELEVANCE_TIERS) if criteria.text else 0

    nearby.sort(key=lambda h: (tier(h), h.distance_km is None, h.distance_km or 0.0,
                               h.name.lower(), str(h.service_id)))
    remote.sort(key=lambda h: (-h.relevance if criteria.text else 0, h.name.lower(),
                               str(h.service_id)))
    return Found(interleave(nearby, remote), len(nearby), len(remote), used_index)


def interleave(nearby: list[Hit], remote: list[Hit]) -> list[Hit]:
    """Two nearby services, then one remote, until one list runs out; then the rest."""
    result, n, r = [], 0, 0
    while n < len(nearby) and r < len(remote):
        result += nearby[n:n + NEARBY_PER_REMOTE]
        n += NEARBY_PER_REMOTE
        result.append(remote[r])
        r += 1
    return result + nearby[n:] + remote[r:]


def _covered(criteria: Criteria, candidates: _Candidates
             ) -> tuple[dict[uuid.UUID, float | None], dict[uuid.UUID, _Row]]:
    """The candidates that cover the place, with their distance, and their rows."""
    if candidates.facts is not None:
        return _covering_by_index(criteria, candidates.facts)
    covered = _covering(criteria, list(candidates.relevance))
    return covered, _rows(list(covered))


def _covering_by_index(criteria: Criteria, facts: dict[uuid.UUID, search.StoredFacts]
                       ) -> tuple[dict[uuid.UUID, float | None], dict[uuid.UUID, _Row]]:
    """The coverage rule (geo.coverage) applied to the facts the index stored; services with
    a custom polygon, which the index does not hold, are asked of geo.spatial."""
    today, place, radius = criteria.now.date(), criteria.place, default_radius_km()
    covered: dict[uuid.UUID, float | None] = {}
    with_polygon: list[uuid.UUID] = []
    for sid, fact in facts.items():
        if not fact.is_active(today):
            continue
        if fact.has_polygon:
            with_polygon.append(sid)
            continue
        verdict = covers(fact.coverage, place, radius)
        if verdict.covered:
            covered[sid] = verdict.distance_km
    if with_polygon:
        covered.update(_covering(criteria, with_polygon))
    rows = {sid: _Row(facts[sid].name, facts[sid].in_person, facts[sid].remote)
            for sid in covered}
    return covered, rows


def _covering(criteria: Criteria, ids: list[uuid.UUID]) -> dict[uuid.UUID, float | None]:
    where = (
        sa.and_(active_clause(criteria.now.date()), Service.id.in_(ids))
        if len(ids) <= MAX_ID_LIST
        else filter_clause(criteria)
    )
    found = get_backend().services_covering(
        criteria.place, default_radius_km=default_radius_km(), where=where
    )
    wanted = set(ids)
    return {sid: distance for sid, distance in found.items() if sid in wanted}


def _rows(ids: list[uuid.UUID]) -> dict[uuid.UUID, _Row]:
    names: dict[uuid.UUID, str] = {}
    modes: dict[uuid.UUID, set[str]] = defaultdict(set)
    for start in range(0, len(ids), MAX_ID_LIST):
        chunk = ids[start:start + MAX_ID_LIST]
        names.update(db.session.execute(
            sa.select(Service.id, Service.name).where(Service.id.in_(chunk))).all())
        for sid, code in db.session.execute(
            sa.select(ServiceTerm.service_id, ServiceTerm.code).where(
                ServiceTerm.service_id.in_(chunk), ServiceTerm.taxonomy == T_MODE_ACCUEIL)
        ):
            modes[sid].add(code)
    return {
        sid: _Row(name, MODE_EN_PRESENTIEL in modes[sid], MODE_A_DISTANCE in modes[sid])
        for sid, name in names.items()
    }


def open_at(ids: list[uuid.UUID], moment: datetime) -> set[uuid.UUID]:
    """The services open at `moment`: by their own hours, else those of one of their places.
    Services whose hours are not known are left out: "open now" must be a promise."""
    own: dict[uuid.UUID, dict] = {}
    at_places: dict[uuid.UUID, list[dict]] = defaultdict(list)
    for start in range(0, len(ids), MAX_ID_LIST):
        chunk = ids[start:start + MAX_ID_LIST]
        own.update(db.session.execute(
            sa.select(Service.id, Service.opening_hours)
            .where(Service.id.in_(chunk), Service.opening_hours.is_not(None))
        ).all())
        for sid, data in db.session.execute(
            sa.select(ServiceAtLocation.service_id, Location.opening_hours)
            .join(Location, Location.id == ServiceAtLocation.location_id)
            .where(ServiceAtLocation.service_id.in_(chunk), Location.opening_hours.is_not(None))
        ):
            at_places[sid].append(data)
    result = set()
    for sid in ids:
        candidates = [own[sid]] if own.get(sid) else at_places.get(sid, [])
        if any(_is_open(data, moment) for data in candidates):
            result.add(sid)
    return result


def _is_open(data: dict, moment: datetime) -> bool:
    try:
        return WeeklyHours.from_json(data).is_open_at(moment)
    except Invalid:
        return False  # hours we cannot read promise nothing


# ---------------------------------------------------------------------------------------------
# Suggestions


def suggestions(criteria: Criteria) -> list[Suggestion]:
    """What would find something when nothing is found, most useful first."""
    found: list[Suggestion] = []
    wider = _wider_radius(criteria)
    if wider:
        found.append(wider)
    if criteria.needs:
        found += _neighbouring_needs(criteria)
    if criteria.has_filters:
        count = find(replace(criteria, publics=(), modes=(), fees=(), types=(),
                             open_now=False), suggest=False).total
        if count:
            found.append(Suggestion("filters", count))
    if criteria.text:
        count = find(replace(criteria, text=""), suggest=False).total
        if count:
            found.append(Suggestion("text", count))
    return found


def _wider_radius(criteria: Criteria) -> Suggestion | None:
    """The smallest round radius that reaches at least one in-person service."""
    covered, _rows_found = _covered(criteria, _candidates(criteria))
    radius = criteria.radius_km if criteria.radius_km is not None else default_radius_km()
    farther = sorted(d for d in covered.values() if d is not None and d > radius)
    if not farther:
        return None
    wider = float(math.ceil(farther[0] / 10.0) * 10)
    count = find(replace(criteria, radius_km=wider), suggest=False).total
    return Suggestion("radius", count, radius_km=wider) if count else None


def _neighbouring_needs(criteria: Criteria, limit: int = 3) -> list[Suggestion]:
    """Other needs of the same categories that have services here."""
    categories = {category_of(code) for code in criteria.needs}
    siblings = [
        code for code in db.session.scalars(
            sa.select(TaxonomyTerm.code).where(
                TaxonomyTerm.taxonomy == T_THEMATIQUE,
                TaxonomyTerm.parent_code.in_(categories),
            ).order_by(TaxonomyTerm.position, TaxonomyTerm.code)
        )
        if code not in criteria.needs
    ]
    if not siblings:
        return []
    broad = find(replace(criteria, needs=tuple(siblings), text=""), suggest=False)
    if not broad.hits:
        return []
    counts: dict[str, int] = defaultdict(int)
    ids = [hit.service_id for hit in broad.hits]
    for start in range(0, len(ids), MAX_ID_LIST):
        for code in db.session.scalars(
            sa.select(ServiceTerm.code).where(
                ServiceTerm.service_id.in_(ids[start:start + MAX_ID_LIST]),
                ServiceTerm.taxonomy == T_THEMATIQUE, ServiceTerm.code.in_(siblings))
        ):
            counts[code] += 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], siblings.index(item[0])))
    return [Suggestion("need", count, need=code) for code, count in ranked[:limit]]


# ---------------------------------------------------------------------------------------------
# Loading a page of results


def load_services(hits: list[Hit]) -> dict[uuid.UUID, Service]:
    """The services of a page of results, with what their summaries show, in one go."""
    if not hits:
        return {}
    services = db.session.scalars(
        sa.select(Service).where(Service.id.in_([hit.service_id for hit in hits])).options(
            selectinload(Service.term_links),
            selectinload(Service.organisation).load_only(Organisation.id, Organisation.name),
            selectinload(Service.location_links).selectinload(ServiceAtLocation.location),
        )
    ).all()
    return {service.id: service for service in services}
