"""Opening an index and searching it: the query module's main entry point."""
from __future__ import annotations

import html
import threading
from collections import Counter
from itertools import chain
import time
from dataclasses import dataclass, field
from datetime import date as date_cls, datetime, time as time_cls
from pathlib import Path

from whoosh import collectors, index as windex, query as wq, sorting

from .analysis import Segmenter, normalize
from .categories import category_filter
from .errors import IndexMismatch, IndexNotFound, QueryError
from .highlight import Highlighter
from .params import SORTS, check_limit, check_search, rebuild_command
from .query import compile_query, highlight_terms, parse
from .schema import CHINA_TZ, fingerprint
from .zones import in_zone, index_zone
from .storage import current_generation, read_meta
from .substring import Exhaustive

__all__ = ["Index", "open_index", "Hit", "ResultPage", "Article", "SORTS"]

USERDICT_NAME = "userdict.txt"
_FAR = 2 ** 62


@dataclass
class Hit:
    """One article in a result list (duplicates folded into one hit)."""

    id: str
    path: str
    duplicates: list[str]
    title: str
    date: datetime | None
    categories: list[str]
    author: str
    score: float
    title_html: str
    snippet_html: str


@dataclass
class ResultPage:
    """One page of results, with the exact total and facet counts."""

    query: str
    total: int
    page: int
    per_page: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    took_ms: float = 0.0
    # Categories asked for (filter or category:) that name none in the index.
    unknown_categories: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass
class Article:
    """A whole stored article, for an article view."""

    id: str
    path: str
    duplicates: list[str]
    title: str
    body: str
    html: str
    date: datetime | None
    categories: list[str]
    author: str


def _as_utc(value, name: str, end: bool, zone=CHINA_TZ) -> int | None:
    """Epoch seconds for a since/until bound; a bare date covers its whole day (index zone)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value or " " in value \
                else date_cls.fromisoformat(value)
        except ValueError:
            raise QueryError(f"{name}: not a date: {value!r} (expected YYYY-MM-DD)",
                             name) from None
    if isinstance(value, datetime):
        dt = value if value.tzinfo else value.replace(tzinfo=zone)
    elif isinstance(value, date_cls):
        dt = datetime.combine(value, time_cls.max if end else time_cls.min, zone)
    else:
        raise QueryError(f"{name}: expected a date or datetime, got {type(value).__name__}",
                         name)
    return int(dt.timestamp())


def _filter(categories, since, until, zone=CHINA_TZ) -> wq.Query | None:
    parts: list[wq.Query] = []
    if categories:
        if isinstance(categories, str):
            categories = [categories]
        parts.append(wq.Or([wq.Term("category", c) for c in categories]))
    lo, hi = _as_utc(since, "since", False, zone), _as_utc(until, "until", True, zone)
    if lo is not None and hi is not None and lo > hi:
        raise QueryError("since: must not be later than until", "since")
    if lo is not None or hi is not None:
        # Both ends explicit: Whoosh 2.7 mishandles open-ended numeric ranges.
        parts.append(wq.NumericRange("ts", -_FAR if lo is None else lo,
                                     _FAR if hi is None else hi))
        parts.append(wq.NumericRange("has_date", 1, 1))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


class Index:
    """A searchable index; share one per process, it is safe across threads."""

    def __init__(self, path: str | Path, lazy: bool = False):
        self.path = Path(path)
        self._lazy = lazy  # load jieba on the first query that needs it, not now
        self._local = threading.local()
        self._lock = threading.RLock()  # _searcher holds it while _open runs
        self._open(current_generation(self.path))

    def _open(self, gen: Path) -> None:
        meta = read_meta(gen)
        userdict = gen / USERDICT_NAME
        seg = Segmenter(userdict if userdict.exists() else None)
        expected = fingerprint(seg.fingerprint)
        if meta.get("fingerprint") != expected:
            raise IndexMismatch(
                f"index at {self.path} was built with different analysis "
                f"({meta.get('fingerprint')} != {expected}); rebuild it with: "
                f"{rebuild_command(meta.get('corpus'), self.path)}")
        try:
            whoosh_ix = windex.open_dir(str(gen))
        except Exception as exc:  # Whoosh raises many kinds on a damaged folder
            raise IndexNotFound(f"cannot open index in {gen}: {exc}") from None
        old = getattr(self, "segmenter", None)
        if old is not None and old.fingerprint == seg.fingerprint:
            seg = old  # same dictionaries: keep the loaded jieba (0.7 s to load again)
        if not self._lazy:
            seg.initialize()
        normalize("")  # builds the folding table now, not on the first query
        with self._lock:
            self.generation, self.meta, self.segmenter, self._ix = gen, meta, seg, whoosh_ix
            self.tz = index_zone(meta)  # every date given and read in the index's zone

    def _searcher(self):
        gen = current_generation(self.path)
        if gen != self.generation:
            with self._lock:
                if gen != self.generation:
                    self._open(gen)
        cached = getattr(self._local, "searcher", None)
        if cached is None or cached[0] is not self._ix:
            cached = (self._ix, self._ix.searcher())
        else:
            cached = (cached[0], cached[1].refresh())
        self._local.searcher = cached
        return cached[1]

    @property
    def doc_count(self) -> int:
        """Number of distinct articles (duplicates counted once)."""
        return self._searcher().doc_count()

    def categories(self) -> list[str]:
        """Every category name in the index."""
        reader = self._searcher().reader()
        return [t.decode("utf-8") for t in reader.lexicon("category")]

    def search(self, q: str, page: int = 1, per_page: int = 10, categories=None,
               since=None, until=None, sort: str = "relevance", highlight: bool = True,
               facets: bool = True) -> ResultPage:
        """Ranked, highlighted results; QueryError only for bad parameters."""
        q, categories = check_search(q, page, per_page, sort, categories)
        started = time.perf_counter()
        known, parsed = self.categories(), parse(q)
        names, unknown = category_filter(categories, parsed, known)
        flt = _filter(names, since, until, self.tz)
        searcher = self._searcher()
        wquery, mask = compile_query(parsed, self.segmenter, known)
        limit = min(page * per_page, max(1, searcher.doc_count_all()))
        if sort == "relevance":
            top = collectors.TopCollector(limit, usequality=False)
        else:
            top = collectors.SortingCollector(sorting.MultiFacet([
                sorting.FieldFacet("has_date", reverse=True),
                sorting.FieldFacet("ts", reverse=sort == "newest")]), limit=limit)
        recorder = _Recorder(top)
        collector = collectors.FilterCollector(recorder, flt, mask) if flt or mask else recorder
        searcher.search_with_collector(Exhaustive(wquery), collector)
        results = collector.results()
        marker = Highlighter(highlight_terms(parsed, self.segmenter)) if highlight else None
        hits = [self._hit(r, marker) for r in results[(page - 1) * per_page:page * per_page]]
        return ResultPage(
            query=q, total=len(recorder.docnums), page=page, per_page=per_page, hits=hits,
            facets=_facets(searcher, recorder.docnums) if facets else {},
            took_ms=(time.perf_counter() - started) * 1000, unknown_categories=unknown)

    def _hit(self, r, marker: Highlighter | None) -> Hit:
        f = r.fields()
        title, body = f.get("title", ""), f.get("body", "")
        return Hit(
            id=f["id"], path=f["path"], duplicates=[p for p in f["paths"] if p != f["path"]],
            title=title, date=in_zone(f.get("date"), self.tz),
            categories=list(f.get("categories", [])),
            author=f.get("author", ""),
            score=r.score if isinstance(r.score, float) else 0.0,
            title_html=marker.mark(title) if marker else html.escape(title),
            snippet_html=marker.snippet(body) if marker else "")

    def get(self, article_id: str) -> Article | None:
        """The article with this id, or None."""
        if not isinstance(article_id, str) or not article_id:
            return None
        f = self._searcher().document(id=article_id)
        if f is None:
            return None
        return Article(
            id=f["id"], path=f["path"], duplicates=[p for p in f["paths"] if p != f["path"]],
            title=f.get("title", ""), body=f.get("body", ""),
            html=f.get("html") or "",
            date=in_zone(f.get("date"), self.tz), categories=list(f.get("categories", [])),
            author=f.get("author", ""))

    def related(self, article_id: str, limit: int = 5) -> list[Hit]:
        """Articles sharing the most title words with this one."""
        check_limit(limit)
        art = self.get(article_id)
        if art is None:
            return []
        words = list(dict.fromkeys(w for w in self.segmenter.words(art.title) if len(w) > 1))
        if not words:
            return []
        res = self.search(" OR ".join(f'"{w}"' for w in words[:12]), per_page=limit + 1,
                          highlight=False, facets=False)
        return [h for h in res.hits if h.id != article_id][:limit]


class _Recorder(collectors.WrappingCollector):
    """Passes documents on to the ranking collector, remembering every one.

    The list gives the exact total and the facet counts in one pass; Whoosh's
    own facet collector costs several microseconds a hit in Python calls.
    """

    def __init__(self, child):
        super().__init__(child)
        self.docnums: list[int] = []

    def collect(self, sub_docnum):
        self.docnums.append(self.offset + sub_docnum)
        return self.child.collect(sub_docnum)


def _facet_table(searcher) -> tuple[list, list]:
    """Year and category names of every document, by global number (cached)."""
    table = getattr(searcher, "_newsearch_facets", None)
    if table is None:
        years, cats, names = [], [], {}
        for sub, _offset in searcher.leaf_searchers():
            reader = sub.reader()
            years.extend(reader.column_reader("year") if reader.has_column("year")
                         else [""] * reader.doc_count_all())
            column = reader.column_reader("category", translate=False) \
                if reader.has_column("category") else [[]] * reader.doc_count_all()
            cats.extend(tuple(names.setdefault(b, b.decode("utf-8")) for b in v) for v in column)
        table = searcher._newsearch_facets = (years, cats)
    return table


def _facets(searcher, docnums: list[int]) -> dict[str, dict[str, int]]:
    years, cats = _facet_table(searcher)
    by_year = Counter(map(years.__getitem__, docnums))
    by_cat = Counter(chain.from_iterable(map(cats.__getitem__, docnums)))
    return {
        "categories": dict(sorted(by_cat.items(), key=lambda kv: (-kv[1], kv[0]))),
        "years": {y: n for y, n in sorted(by_year.items(), reverse=True) if y},
    }


def open_index(path: str | Path = "index", lazy: bool = False) -> Index:
    """Open the index at ``path``; IndexNotFound or IndexMismatch if unusable.

    ``lazy``: load jieba's dictionary (the bulk of opening) only when a query
    needs words segmented, as a one-query command does; a server leaves it false.
    """
    return Index(path, lazy)
