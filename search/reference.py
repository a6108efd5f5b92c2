"""The Whoosh evaluation of a compiled query: the reference the array path must equal.

Not used to answer searches; ``tests/test_evaluate.py`` compares
``search.evaluate`` with it on many random queries and filters.
"""
from __future__ import annotations

from collections import Counter
from itertools import chain

from whoosh import collectors, sorting
from whoosh.matching import binary, mcore

from .substring import Exhaustive

__all__ = ["whoosh_search", "whoosh_filter"]


def _skip_to(self, id):
    """AndMaybeMatcher.skip_to with Whoosh 2.7's bug fixed: B follows A to where A
    landed, not to ``id`` (A may land further on, and the bonus of B was then lost
    whenever an intersection skipped, e.g. the exact-as-typed tier of a two-term query)."""
    if not self.a.is_active():
        raise mcore.ReadTooFar
    ra = self.a.skip_to(id)
    rb = False
    if self.a.is_active() and self.b.is_active():
        rb = self.b.skip_to(self.a.id())
    return ra or rb


binary.AndMaybeMatcher.skip_to = _skip_to


def whoosh_search(searcher, wquery, flt, mask, sort: str, limit: int, skip=frozenset()):
    """(total, [(docnum, score)] of the top ``limit``, facets) as Whoosh computes them.

    ``skip``: global numbers of documents to leave out (stubs folded into a story).
    """
    if sort == "relevance":
        top = collectors.TopCollector(limit, usequality=False)
    else:
        top = collectors.SortingCollector(sorting.MultiFacet([
            sorting.FieldFacet("has_date", reverse=True),
            sorting.FieldFacet("ts", reverse=sort == "newest")]), limit=limit)
    recorder = _Recorder(top, skip)
    collector = collectors.FilterCollector(recorder, flt, mask) if flt or mask else recorder
    searcher.search_with_collector(Exhaustive(wquery), collector)
    hits = [(r.docnum, r.score if isinstance(r.score, float) else 0.0)
            for r in collector.results()]
    return len(recorder.docnums), hits, _facets(searcher, recorder.docnums)


class _Recorder(collectors.WrappingCollector):
    """Passes documents on to the ranking collector, remembering every one."""

    def __init__(self, child, skip=frozenset()):
        super().__init__(child)
        self.docnums: list[int] = []
        self.skip = skip

    def collect(self, sub_docnum):
        if self.offset + sub_docnum in self.skip:
            return None
        self.docnums.append(self.offset + sub_docnum)
        return self.child.collect(sub_docnum)


def _facets(searcher, docnums: list[int]) -> dict[str, dict[str, int]]:
    years, cats = [], []
    for sub, _offset in searcher.leaf_searchers():
        reader = sub.reader()
        years.extend(reader.column_reader("year") if reader.has_column("year")
                     else [""] * reader.doc_count_all())
        column = reader.column_reader("category", translate=False) \
            if reader.has_column("category") else [[]] * reader.doc_count_all()
        cats.extend(tuple(b.decode("utf-8") for b in v) for v in column)
    by_year = Counter(map(years.__getitem__, docnums))
    by_cat = Counter(chain.from_iterable(map(cats.__getitem__, docnums)))
    return {
        "categories": dict(sorted(by_cat.items(), key=lambda kv: (-kv[1], kv[0]))),
        "years": {y: n for y, n in sorted(by_year.items(), reverse=True) if y},
    }


def whoosh_filter(categories, lo: int | None, hi: int | None):
    """The filter query the Whoosh path used for categories and a date range."""
    from whoosh import query as wq

    far = 2 ** 62
    parts = []
    if categories:
        parts.append(wq.Or([wq.Term("category", c) for c in categories]))
    if lo is not None or hi is not None:
        # Both ends explicit: Whoosh 2.7 mishandles open-ended numeric ranges.
        parts.append(wq.NumericRange("ts", -far if lo is None else lo, far if hi is None else hi))
        parts.append(wq.NumericRange("has_date", 1, 1))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)
