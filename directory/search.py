"""The full-text index of active services (Whoosh): schema, French analysis, queries, and its
upkeep after every committed change.

The database is the source of truth; this index is derived from it and can always be rebuilt
(`flask search reindex`). It answers two things fast: which active services match a free text
(relevance-scored, with French stemming and accent folding, need labels indexed beside the
text so "permis" finds the driving-licence services even when their description never says
it), and which services may cover a place and match the filters (keyword fields). The exact
coverage rule and distances stay with geo.spatial.

Changes reach the index after the transaction commits (SQLAlchemy session events): a
rolled-back change never shows, a committed one always does. When a write cannot happen (the
index is locked for too long, or the disk refuses), the service ids are kept in a pending file
that the next write, or a reindex, picks up. A missing or unreadable index is rebuilt; while it
is, searches fall back to the database (directory.finder), so no service is ever lost.
Whoosh lets any number of processes read while one writes: segments are immutable and each
searcher sees one generation.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session
from whoosh import index as whoosh_index
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.lang import stopwords_for_language
from whoosh.support.charset import accent_map

from directory.models import (
    Location,
    Organisation,
    Service,
    ServiceAtLocation,
    ServiceTerm,
    ServiceZone,
)
from directory.search_codec import RelaisCodec, RepeatedText
from directory.search_documents import (  # noqa: F401  (the index's public names)
    NeedWords,
    StoredFacts,
    coverage_terms_of_place,
    documents,
    indexable_clause,
)
from extensions import db

log = logging.getLogger(__name__)

INDEX_NAME = "services"
NOT_A_WORD = re.compile(r"[^\w]+")
PENDING_FILE = "pending-ids.txt"
WRITE_TIMEOUT_S = 30.0
READ_ATTEMPTS = 5
BATCH = 1000
PARALLEL_FROM = 5000  # services: below, starting writer processes costs more than it saves
WRITER_MB = 512  # memory of each writer before it spills sorted runs to disk


def french_analyzer():
    """Words → stems without accents or case: "Réinsertion" and "reinsertions" meet.
    Stemming comes before accent folding because the French stemmer reads the accents."""
    stops = frozenset(stopwords_for_language("fr")) | frozenset(stopwords_for_language("en"))
    return (
        RegexTokenizer()
        | LowercaseFilter()
        | StopFilter(stoplist=stops, minsize=2)
        | StemFilter(lang="fr")
        | CharsetFilter(accent_map)
    )


def make_schema() -> Schema:
    analyzer = french_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        name=RepeatedText(analyzer=analyzer, phrase=False, field_boost=3.0),
        needs_text=RepeatedText(analyzer=analyzer, phrase=False, field_boost=2.0),
        text=TEXT(analyzer=analyzer, phrase=False),
        organisation=RepeatedText(analyzer=analyzer, phrase=False, field_boost=1.5),
        thematiques=KEYWORD(commas=True),  # needs and their categories
        publics=KEYWORD(commas=True),
        modes=KEYWORD(commas=True),
        fees=ID,
        type=ID,
        zones=KEYWORD(commas=True),  # coverage_terms() of the service
        # Status, suspension and coverage details are read, not searched: stored facts.
        facts=STORED,  # StoredFacts.stored(): what the coverage step reads
    )


# ---------------------------------------------------------------------------------------------
# Opening, creating, rebuilding


def index_dir() -> Path:
    return Path(current_app.config["RELAIS_SEARCH_INDEX_DIR"])


class IndexUnavailable(Exception):
    """The index is missing or cannot be read; callers fall back to the database."""


_open_lock = threading.Lock()
_opened: dict[str, whoosh_index.Index] = {}


def open_index(path: Path | None = None) -> whoosh_index.Index:
    """The index at `path` (this process keeps it open), or IndexUnavailable."""
    path = path or index_dir()
    key = str(path)
    with _open_lock:
        ix = _opened.get(key)
        if ix is not None and path.exists():
            return ix
        _opened.pop(key, None)
        try:
            if not whoosh_index.exists_in(path, indexname=INDEX_NAME):
                raise IndexUnavailable(f"no search index in {path}")
            ix = whoosh_index.open_dir(path, indexname=INDEX_NAME)
            ix.doc_count()  # reads the table of contents: fails now if it is damaged
            if set(ix.schema.names()) != set(make_schema().names()):
                raise IndexUnavailable(f"search index in {path} has an older layout")
        except IndexUnavailable:
            raise
        except Exception as error:  # whoosh raises many kinds on a damaged index
            raise IndexUnavailable(f"search index in {path} is unreadable: {error}") from error
        _opened[key] = ix
        return ix


def forget_index(path: Path | None = None) -> None:
    with _open_lock:
        _opened.pop(str(path or index_dir()), None)


def _create_empty(path: Path) -> whoosh_index.Index:
    path.mkdir(parents=True, exist_ok=True)
    return whoosh_index.create_in(path, make_schema(), indexname=INDEX_NAME)


def rebuild(progress: Callable[[int, int], None] | None = None, *,
            procs: int | None = None) -> int:
    """Build a complete new index beside the current one and swap it in, so searches keep
    the old one until the new one is whole. Returns the number of services indexed.

    procs: processes analysing and writing; by default two on a machine that has them when
    the catalogue is large (each writes its own segment, kept as is: no final merge)."""
    target = index_dir()
    building = target.with_name(f"{target.name}.building-{uuid.uuid4().hex[:8]}")
    ix = _create_empty(building)
    ids = list(db.session.scalars(sa.select(Service.id).where(indexable_clause())))
    total = len(ids)
    if procs is None:
        procs = min(2, os.cpu_count() or 1) if total >= PARALLEL_FROM else 1
    writer = ix.writer(procs=procs, limitmb=WRITER_MB, multisegment=procs > 1,
                       codec=RelaisCodec())
    done = 0
    try:
        words = NeedWords.load(db.session)
        for start in range(0, total, BATCH):
            for document in documents(db.session, ids[start:start + BATCH], words):
                writer.add_document(**document)
            done = min(start + BATCH, total)
            if progress:
                progress(done, total)
        writer.commit()
    except BaseException:
        writer.cancel()
        shutil.rmtree(building, ignore_errors=True)
        raise
    _swap_in(building, target)
    _clear_pending(target)
    return total


def _swap_in(building: Path, target: Path) -> None:
    old = target.with_name(f"{target.name}.old-{uuid.uuid4().hex[:8]}")
    with _open_lock:
        if target.exists():
            target.rename(old)
        building.rename(target)
        _opened.pop(str(target), None)
    shutil.rmtree(old, ignore_errors=True)


def ensure_index() -> whoosh_index.Index:
    """The index, rebuilt first when missing or unreadable (a damaged one is set aside)."""
    try:
        return open_index()
    except IndexUnavailable as problem:
        log.warning("%s: rebuilding it", problem)
        path = index_dir()
        if path.exists() and any(p.name != PENDING_FILE for p in path.iterdir()):
            # Kept for whoever wants to know what happened; the rebuild covers everything.
            path.rename(path.with_name(f"{path.name}.damaged-{int(time.time())}"))
        rebuild()
        return open_index()


def clear() -> None:
    """An empty index (tests, and before a full rebuild in place)."""
    path = index_dir()
    forget_index(path)
    shutil.rmtree(path, ignore_errors=True)
    _create_empty(path)


# ---------------------------------------------------------------------------------------------
# Keeping the index in step with the database


def update(service_ids: Iterable[uuid.UUID]) -> None:
    """Re-index these services from the database (or drop them when no longer indexable).
    On failure the ids go to the pending file, picked up by the next write."""
    path = index_dir()
    wanted = set(service_ids) | _read_pending(path)
    if not wanted:
        return
    try:
        ix = open_index(path)
    except IndexUnavailable:
        # Nothing to keep in step: the next search rebuilds it from the database.
        return
    try:
        _write(ix, sorted(wanted, key=str))
    except Exception:
        log.exception("search index update failed; %s service(s) kept as pending", len(wanted))
        _add_pending(path, wanted)
        return
    _clear_pending(path)


def _write(ix, ids: list[uuid.UUID]) -> None:
    # A session of its own: this runs after the request's transaction has committed.
    with Session(db.engine) as session:
        indexable = set(session.scalars(
            sa.select(Service.id).where(Service.id.in_(ids), indexable_clause())
        ))
        words = NeedWords.load(session)
        keep = [i for i in ids if i in indexable]
        written = [document
                   for start in range(0, len(keep), BATCH)
                   for document in documents(session, keep[start:start + BATCH], words)]
    writer = ix.writer(timeout=WRITE_TIMEOUT_S, codec=RelaisCodec())
    try:
        for service_id in ids:
            if service_id not in indexable:
                writer.delete_by_term("id", str(service_id))
        for document in written:
            writer.update_document(**document)
        writer.commit()
    except BaseException:
        writer.cancel()
        raise


def _read_pending(path: Path) -> set[uuid.UUID]:
    try:
        text = (path / PENDING_FILE).read_text()
    except OSError:
        return set()
    ids = set()
    for line in text.split():
        try:
            ids.add(uuid.UUID(line))
        except ValueError:
            continue
    return ids


def _add_pending(path: Path, ids: set[uuid.UUID]) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
        with (path / PENDING_FILE).open("a") as handle:
            handle.write("".join(f"{i}\n" for i in ids))
    except OSError:
        log.exception("could not record pending search index updates: run flask search reindex")


def _clear_pending(path: Path) -> None:
    (path / PENDING_FILE).unlink(missing_ok=True)


_DIRTY = "relais.search.dirty"


@dataclass
class _Touched:
    """What flushes changed, by kind; resolved to services after the commit, since loading
    relationships inside a flush would disturb it."""

    services: set = field(default_factory=set)
    organisations: set = field(default_factory=set)
    locations: set = field(default_factory=set)

    def collect(self, session: Session) -> None:
        for obj in (*session.new, *session.dirty, *session.deleted):
            if isinstance(obj, Service):
                self.services.add(obj.id)
            elif isinstance(obj, ServiceTerm | ServiceZone | ServiceAtLocation):
                self.services.add(obj.service_id)
            elif isinstance(obj, Organisation):
                self.organisations.add(obj.id)
            elif isinstance(obj, Location):
                self.locations.add(obj.id)
        self.services.discard(None)

    def service_ids(self) -> set[uuid.UUID]:
        ids = set(self.services)
        with Session(db.engine) as session:
            if self.organisations:
                ids |= set(session.scalars(sa.select(Service.id).where(
                    Service.organisation_id.in_(list(self.organisations)))))
            if self.locations:
                ids |= set(session.scalars(sa.select(ServiceAtLocation.service_id).where(
                    ServiceAtLocation.location_id.in_(list(self.locations)))))
        return ids


def register_session_events() -> None:
    """Collect what each flush touches; update the index once the commit is done."""
    if getattr(register_session_events, "done", False):
        return
    register_session_events.done = True

    @event.listens_for(db.session, "after_flush")
    def _collect(session, flush_context):
        # The new, dirty and deleted lists still hold this flush's objects, with their keys.
        session.info.setdefault(_DIRTY, _Touched()).collect(session)

    @event.listens_for(db.session, "after_commit")
    def _apply(session):
        touched = session.info.pop(_DIRTY, None)
        if touched and has_app_context() and current_app.config.get("RELAIS_SEARCH_SYNC", True):
            update(touched.service_ids())

    @event.listens_for(db.session, "after_rollback")
    def _forget(session):
        session.info.pop(_DIRTY, None)


# ---------------------------------------------------------------------------------------------
# Text


def words_only(text: str) -> str:
    """People type words, not query syntax: stars, quotes, colons and the like are spaces."""
    return NOT_A_WORD.sub(" ", text or "")


def analyse(text: str) -> list[str]:
    """The stems the index keeps for a text (the fallback search compares these)."""
    return [token.text for token in _shared_analyzer()(words_only(text))]


@functools.cache
def _shared_analyzer():
    """Built once per process: building one reads two stop word lists."""
    return french_analyzer()
