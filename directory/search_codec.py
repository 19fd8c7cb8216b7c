"""Whoosh's on-disk format and a field type, with two costs of a full rebuild removed (same
files, same format):

- its per-document reader asks the file system whether a field has a length column for every
  posting of a field that has none (the keyword fields: zones, thematiques, publics…): a fifth
  of a rebuild went to stat() calls; the answer is now remembered per reader;
- the need labels, organisation and service names repeat across services: RepeatedText
  analyses each distinct value once;
and one cost of a query: skipping to a document inside a block of postings walked the block
one posting at a time; it is a binary search here (scoring a few candidates among the tens
of thousands of services that have a common word).

Index files name these classes (pickled in the table of contents): renaming them makes older
indexes unreadable, which the search rebuilds (directory.search.ensure_index).
"""

from __future__ import annotations

from bisect import bisect_left

from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher, W3PerDocReader
from whoosh.fields import TEXT


class RelaisCodec(W3Codec):
    def per_document_reader(self, storage, segment):
        return _PerDocReader(storage, segment)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term=term,
                                           scorer=scorer)
        offset, length = terminfo.extent()
        return _LeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


class _LeafMatcher(W3LeafMatcher):
    def skip_to(self, targetid):
        if self._byteids or not self.is_active() or targetid <= self.id():
            return super().skip_to(targetid)
        if targetid > self.block_max_id():
            self._skip_to_block(lambda: targetid > self.block_max_id())
            if not self.is_active() or targetid <= self.id():  # id() reads the block's ids
                return None
        # The block holds the target or the first id after it: bisect, do not walk.
        self._i = bisect_left(self._ids, targetid, self._i)
        if self._i == self._blocklength:  # (only if block_max_id lied) the next block
            self._next_block()
        return None


class _PerDocReader(W3PerDocReader):
    def __init__(self, storage, segment):
        super().__init__(storage, segment)
        self._has_column: dict[str, bool] = {}

    def has_column(self, fieldname):
        found = self._has_column.get(fieldname)
        if found is None:
            found = self._has_column[fieldname] = super().has_column(fieldname)
        return found


class RepeatedText(TEXT):
    """A text field whose values repeat from one service to the next (names of needs,
    organisations, services): each distinct value is analysed once per process, not once
    per document. Every RepeatedText of the schema must share one analyzer and format,
    since they share the cache (make_schema builds them so)."""

    def index(self, value, **kwargs):
        if kwargs or not isinstance(value, str):
            return super().index(value, **kwargs)
        found = _ANALYSED.get(value)
        if found is None:
            if len(_ANALYSED) >= ANALYSED_VALUES_KEPT:
                _ANALYSED.clear()
            found = _ANALYSED[value] = tuple(super().index(value))
        return found


ANALYSED_VALUES_KEPT = 50_000
_ANALYSED: dict[str, tuple] = {}
