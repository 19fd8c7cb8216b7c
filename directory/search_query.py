"""Answering questions from the search index within a person's patience (issue 4: 50 ms at
100,000 services on two cores).

Whoosh's general query evaluation walks posting lists through a tree of pure-Python matchers,
and opening a searcher costs ~15 ms; at 100,000 services that alone is over budget. Relais'
filters are always "one of these terms" per keyword field, ANDed, so:

- each thread keeps its searcher open until the index changes (a new table of contents);
- each term's posting list is read once into a set and kept per *segment*: a segment never
  changes once written; only its deletions grow (an edited service is deleted from its old
  segment and written to a new one), so the deletions of the moment are taken away at each
  query and an edit leaves every segment's sets warm;
- the filter is then unions and intersections of sets, and free text is scored with Whoosh's
  own BM25F, but only on those candidates (skipping through the postings) instead of scoring
  every service that has a common word such as "emploi";
- what the coverage step needs (name, status, modes, radius, location points, zones) is a
  stored field of each document, read once per segment, so a search needs no SQL unless a
  candidate has a custom polygon.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from whoosh import query as Q

from directory import search

TEXT_FIELDS = ("name", "needs_text", "text", "organisation")
KEYWORD_FIELDS = ("zones", "thematiques", "publics", "modes", "fees", "type")
CACHED_SEGMENTS = 64  # segments of every index path this process has read recently
WORD_POSTINGS_KEPT = 2_000_000  # document numbers of text terms kept per segment (~60 MB)


@dataclass(frozen=True)
class IndexFilters:
    """Keyword filters the index applies: each given list means "one of these"."""

    zones: tuple[str, ...] = ()
    thematiques: tuple[str, ...] = ()
    publics: tuple[str, ...] = ()
    modes: tuple[str, ...] = ()
    fees: tuple[str, ...] = ()
    types: tuple[str, ...] = ()

    def by_field(self) -> list[tuple[str, tuple[str, ...]]]:
        """(index field, wanted terms) of each filter given. Suspended services are in the
        index too (a suspension ends by the calendar): the coverage step keeps active ones."""
        return [(name, values) for name, values in zip(
            KEYWORD_FIELDS,
            (self.zones, self.thematiques, self.publics, self.modes, self.fees, self.types),
            strict=True) if values]


@dataclass(frozen=True)
class IndexHit:
    service_id: uuid.UUID
    score: float  # text relevance; 1.0 without text
    facts: search.StoredFacts


def text_query(text: str, *, any_word: bool = False) -> Q.Query:
    """Each word's stem in any text field; all words required, or any of them (scaled so
    that services with more of the words come first). What Whoosh's multifield parser
    would build, without its cost: people type words, never query syntax."""
    stems = list(dict.fromkeys(search.analyse(text)))
    if not stems:
        return Q.NullQuery
    per_word = [Q.Or([Q.Term(field, stem) for field in TEXT_FIELDS]) for stem in stems]
    if len(per_word) == 1:
        return per_word[0]
    return Q.Or(per_word, scale=0.9) if any_word else Q.And(per_word)


# ---------------------------------------------------------------------------------------------
# Open searchers, one per thread and index path


_local = threading.local()


def _toc_stamp(ix) -> tuple:
    """What identifies the index's current state, across processes: its generation and the
    table of contents file itself (a rebuilt index swapped in may reuse a generation number)."""
    generation = ix.latest_generation()
    toc = Path(ix.storage.folder) / f"_{ix.indexname}_{generation}.toc"
    stat = os.stat(toc)
    return (id(ix), generation, stat.st_ino, stat.st_mtime_ns)


def _searcher(path: Path | None):
    """This thread's open searcher on the index at `path`, reopened when the index changed."""
    ix = search.open_index(path)
    searchers = _local.__dict__.setdefault("searchers", {})
    key = str(Path(ix.storage.folder))
    stamp = _toc_stamp(ix)
    held = searchers.get(key)
    if held is not None and held[0] == stamp:
        return held[1]
    if held is not None:
        held[1].close()
    searcher = ix.searcher()
    searchers[key] = (stamp, searcher)
    return searcher


def forget_searchers() -> None:
    """Close this thread's searchers (after the index was replaced or cleared)."""
    for _stamp, searcher in getattr(_local, "searchers", {}).values():
        with contextlib.suppress(Exception):  # files already gone: nothing to release
            searcher.close()
    _local.__dict__["searchers"] = {}


# ---------------------------------------------------------------------------------------------
# Per-segment caches


class _SegmentCache:
    """Term → local document numbers (as read: maybe with documents deleted since), and
    stored facts by document number, of one segment."""

    def __init__(self):
        self.terms: dict[tuple[str, str], frozenset[int]] = {}  # keyword fields
        self.words: OrderedDict[tuple[str, str], frozenset[int]] = OrderedDict()  # text
        self.words_kept = 0  # document numbers held in `words`
        self.facts: dict[int, tuple[uuid.UUID, search.StoredFacts]] = {}
        self.lock = threading.Lock()


_segments: dict[tuple, _SegmentCache] = {}
_segments_lock = threading.Lock()


def _cache_of(reader) -> _SegmentCache:
    key = reader.segment().segment_id()
    with _segments_lock:
        cache = _segments.get(key)
        if cache is None:
            if len(_segments) >= CACHED_SEGMENTS:
                _segments.pop(next(iter(_segments)))  # the oldest one
            cache = _segments[key] = _SegmentCache()
        return cache


def _term_docs(reader, cache: _SegmentCache, field: str, term: str) -> frozenset[int]:
    found = cache.terms.get((field, term))
    if found is None:
        if (field, term) in reader:
            found = frozenset(reader.postings(field, term).all_ids())
        else:
            found = frozenset()
        cache.terms[(field, term)] = found
    return found


def _field_word_docs(reader, cache: _SegmentCache, field: str, stem: str) -> frozenset[int]:
    """Documents with this stem in this text field. The vocabulary of texts is large: the
    least recently used sets go first once WORD_POSTINGS_KEPT document numbers are held."""
    key = (field, stem)
    with cache.lock:
        docs = cache.words.get(key)
        if docs is not None:
            cache.words.move_to_end(key)
            return docs
    docs = frozenset(reader.postings(field, stem).all_ids()) if key in reader else frozenset()
    with cache.lock:
        cache.words[key] = docs
        cache.words_kept += len(docs)
        while cache.words_kept > WORD_POSTINGS_KEPT and len(cache.words) > 1:
            _old, dropped = cache.words.popitem(last=False)
            cache.words_kept -= len(dropped)
    return docs


def _word_docs(reader, cache: _SegmentCache, stem: str) -> frozenset[int]:
    """Documents with this stem in any text field."""
    return frozenset().union(*(_field_word_docs(reader, cache, field, stem)
                               for field in TEXT_FIELDS))


def _candidates(reader, cache: _SegmentCache, filters: IndexFilters) -> set[int]:
    result = None
    for field, terms in sorted(filters.by_field(), key=lambda item: len(item[1])):
        union: set[int] = set()
        for term in terms:
            union |= _term_docs(reader, cache, field, term)
        result = union if result is None else result & union
        if not result:
            return set()
    if result is None:
        result = set(range(reader.doc_count_all()))
    deleted = reader.deleted_docs_set if reader.has_deletions() else ()
    return result - deleted if deleted else result


def _facts(reader, cache: _SegmentCache, docnum: int) -> tuple[uuid.UUID, search.StoredFacts]:
    found = cache.facts.get(docnum)
    if found is None:
        stored = reader.stored_fields(docnum)
        found = cache.facts[docnum] = (uuid.UUID(stored["id"]),
                                       search.StoredFacts.from_stored(stored["facts"]))
    return found


# ---------------------------------------------------------------------------------------------
# Queries


def matching(filters: IndexFilters, text: str | None = None, *,
             path: Path | None = None) -> dict[uuid.UUID, IndexHit]:
    """The services the index matches, with their text relevance (1.0 without text) and
    their stored facts. Words are all required; when no service has them all, any will do.

    A reader may open a generation whose files a writer is just merging away: it then reads
    the next generation (a few tries), and only then calls the index unavailable."""
    for attempt in range(search.READ_ATTEMPTS):
        try:
            return _matching(_searcher(path), filters, text)
        except (OSError, EOFError, KeyError) as error:
            forget_searchers()
            search.forget_index(path)
            if attempt == search.READ_ATTEMPTS - 1:
                raise search.IndexUnavailable(
                    f"search index keeps changing under reads: {error!r}") from error
            time.sleep(0.01 * (attempt + 1))
    raise AssertionError("unreachable")


def _matching(searcher, filters: IndexFilters, text: str | None) -> dict[uuid.UUID, IndexHit]:
    leaves = [(sub.reader(), offset, sub) for sub, offset in searcher.leaf_searchers()
              if sub.reader().segment() is not None]  # an empty index has no segment
    candidates = []
    for reader, offset, sub in leaves:
        cache = _cache_of(reader)
        candidates.append((reader, cache, offset, sub, _candidates(reader, cache, filters)))
    if not text:
        return _hits((reader, cache, dict.fromkeys(docs, 1.0))
                     for reader, cache, _offset, _sub, docs in candidates)
    stems = list(dict.fromkeys(search.analyse(text)))
    if not stems or not any(docs for *_rest, docs in candidates):
        return {}
    for any_word in (False, True):
        # Which candidates have the words: set operations on cached postings; only
        # those are then scored.
        matched = [(reader, cache, sub, _with_words(reader, cache, docs, stems, any_word))
                   for reader, cache, _offset, sub, docs in candidates]
        if not any(docs for *_rest, docs in matched):
            continue
        # needs_current: union matchers that skip, not Whoosh's preloading of every match.
        context = searcher.context(needs_current=True)
        if not any_word:
            return _hits((reader, cache, _summed_scores(reader, cache, sub, context, stems, docs))
                         for reader, cache, sub, docs in matched)
        parsed = text_query(text, any_word=True)
        return _hits((reader, cache, _scores(parsed.matcher(sub, context), docs))
                     for reader, cache, sub, docs in matched)
    return {}


def _summed_scores(reader, cache: _SegmentCache, sub, context, stems: list[str],
                   docs: set[int]) -> dict[int, float]:
    """What And(Or(field:stem …) …) scores (Whoosh sums the scores of the terms a document
    has), term by term: each term's matcher visits only the documents known to have it."""
    scores = dict.fromkeys(docs, 0.0)
    for stem in stems:
        for field in TEXT_FIELDS:
            having = docs & _field_word_docs(reader, cache, field, stem)
            if having:
                for docnum, score in _scores(Q.Term(field, stem).matcher(sub, context),
                                             having).items():
                    scores[docnum] += score
    return scores


def _with_words(reader, cache: _SegmentCache, docs: set[int], stems: list[str],
                any_word: bool) -> set[int]:
    if not docs:
        return docs
    result = set(docs)
    if any_word:
        return result & frozenset().union(*(_word_docs(reader, cache, s) for s in stems))
    for stem in stems:
        result &= _word_docs(reader, cache, stem)
        if not result:
            break
    return result


def _scores(matcher, docs: Iterable[int]) -> dict[int, float]:
    """BM25F scores of the candidate documents the text matches: the matcher skips to each
    candidate in turn rather than visiting every document that has the words."""
    scores: dict[int, float] = {}
    for docnum in sorted(docs):
        if not matcher.is_active():
            break
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
            if not matcher.is_active():
                break
        if matcher.id() == docnum:
            scores[docnum] = matcher.score()
    return scores


def _hits(scored) -> dict[uuid.UUID, IndexHit]:
    hits: dict[uuid.UUID, IndexHit] = {}
    for reader, cache, scores in scored:
        for docnum, score in scores.items():
            service_id, facts = _facts(reader, cache, docnum)
            hits[service_id] = IndexHit(service_id, score, facts)
    return hits
