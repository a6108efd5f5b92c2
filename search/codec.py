"""The index's codec: Whoosh's W3, reading posting lists inlined in the term table.

Most bigrams occur in one document. The segment writer of full builds
(``indexer.segments``) stores such a posting inside the term's entry instead
of as a block of its own, which W3's format allows (and its reader
understands) but Whoosh-Reloaded's writer never does. This codec only fixes
the matcher those terms are read with: Whoosh's ``ListMatcher.copy`` drops
the term and its statistics, which scoring asks for.

Segments name their codec when they are written, so this class must stay
importable at ``search.codec.Codec``.
"""
from __future__ import annotations

from whoosh.codec.whoosh3 import W3Codec
from whoosh.matching import ListMatcher

__all__ = ["Codec"]


class InlineMatcher(ListMatcher):
    """The postings of an inlined term; copies keep the term and its statistics."""

    def value(self):
        # Like W3's block reader: None for formats without values (ListMatcher
        # returns "", which Whoosh's own writer rejects when it merges segments).
        return super().value() if self._values else None

    def copy(self):
        return self.__class__(self._ids, self._weights, self._values, self._format,
                              self._scorer, self._i, self._all_weights, self._term,
                              self._terminfo)


class Codec(W3Codec):
    """W3Codec whose inlined terms are read by ``InlineMatcher``."""

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            ids, weights, values = terminfo.inlined_postings()
            return InlineMatcher(ids, weights, values, format_, scorer=scorer, term=term,
                                 terminfo=terminfo)
        return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
