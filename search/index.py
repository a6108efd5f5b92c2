"""Opening an index and searching it: the query module's main entry point."""
from __future__ import annotations

import html
import threading
import time
from functools import partial
from pathlib import Path

import numpy as np
from whoosh import index as windex, query as wq

from .analysis import Segmenter, normalize
from .assist import Assistant
from .cache import ResultCache
from .documents import Documents
from .categories import category_filter
from .errors import IndexMismatch, IndexNotFound
from .evaluate import evaluate, query_key
from .highlight import Highlighter
from .lattice import Lattice
from .lexicon import Lexicon
from .synonyms import SynonymSource
from .columnar import SUFFIX
from .integrity import check_sizes
from .params import check_limit, check_search, rebuild_command
from .query import compile_query, exact_query, highlight_terms, parse, read_as
from .ranking import RankingRules, by_date, link_series, rank, series_spans
from .results import allowed, facet_counts, top
from .straddle import StraddleCheck, straddle_terms
from .schema import fingerprint
from .zones import date_bounds, in_zone, index_zone
from .storage import current_generation, read_meta
from .roundups import matched_item
from .series import series_stem
from .tables import Tables
from .name_filter import check_names, narrowed
from .name_table import name_facets
from .names import KINDS
from .hits import Article, Hit, ResultPage
from .timeline import Timeline, timeline_of
from .titles import display_title

__all__ = ["Index", "open_index"]

USERDICT_NAME = "userdict.txt"
# How often a search re-checks all the live files' sizes (a stat per file).
_CHECK_EVERY_S = 1.0


def _matches(documents: Documents, tables: Tables, cache: ResultCache, wquery, mask, keep,
             memo: dict | None = None):
    """(documents, scores) of a compiled query, less the mask, within ``keep``."""
    terms = documents.term_docs
    docs, scores = cache.get(query_key(wquery), lambda: evaluate(wquery, tables, terms, memo),
                             _nbytes)
    if mask is not None:
        excluded, _ = cache.get(query_key(mask), lambda: evaluate(mask, tables, terms, memo),
                                _nbytes)
        keep = np.ones(tables.doc_count_all, bool) if keep is None else keep.copy()
        keep[excluded] = False
    if keep is None:
        return docs, scores
    sel = keep[docs]
    return docs[sel], scores[sel]


def _count_within(docs: np.ndarray, among: np.ndarray) -> int:
    """How many of ``docs`` (ascending) are in ``among`` (ascending)."""
    return int(np.isin(docs, among, assume_unique=True).sum())


def _names(stored: dict) -> dict[str, list[str]]:
    names = stored.get("names") or {}
    return {kind: list(names.get(kind, ())) for kind in KINDS}


def _nbytes(result) -> int:
    return sum(a.nbytes for a in result)


class Index:
    """A searchable index; share one per process, it is safe across threads."""

    def __init__(self, path: str | Path, lazy: bool = False):
        self.path = Path(path)
        self._lazy = lazy  # load jieba on the first query that needs it, not now
        self._checked = 0.0  # when the live files' sizes were last checked (monotonic)
        self._lock = threading.RLock()  # _searcher holds it while _open runs
        self._memo_lock = threading.Lock()
        self.ranking = RankingRules()  # replace to tune (RankingRules(news=False): BM25 only)
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
        check_sizes(gen, meta)  # IndexCorrupt naming a missing or truncated file
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
        zone = index_zone(meta)
        with whoosh_ix.searcher() as searcher:
            tables = Tables.load(searcher, gen, int(zone.utcoffset(None).total_seconds()))
        lattice = Lattice.of_segments([s.fields for s in tables.segments], tables.doc_count_all)
        assistant = Assistant(Lexicon.load(gen), SynonymSource(self.path), lattice)
        if not self._lazy:
            assistant.warm()
        with self._lock:
            self.generation, self.meta, self.segmenter = gen, meta, seg
            self._ix = whoosh_ix
            self.assistant = assistant
            self.tz = zone  # every date given and read in the index's zone
            # Read as one: its documents, tables and the cache of its results.
            self._current = (Documents(whoosh_ix), tables, ResultCache())

    def _searcher(self):
        """The shared Whoosh searcher (unlocked: for single-threaded tests and tools)."""
        return self._state()[0].searcher

    def _state(self) -> tuple[Documents, Tables, ResultCache]:
        """The live generation's documents, tables and result cache (one set, read at once)."""
        gen = current_generation(self.path)
        if gen != self.generation:
            with self._lock:
                if gen != self.generation:
                    self._open(gen)
        # A file damaged since it was opened: mapped ones (a read past a truncated
        # map's end kills the process) before every search, all of them each second.
        now = time.monotonic()
        if now - self._checked >= _CHECK_EVERY_S:
            check_sizes(self.generation, self.meta)
            self._checked = now
        else:
            check_sizes(self.generation, self.meta, SUFFIX)
        return self._current

    def clear_cache(self) -> None:
        """Forget evaluated queries (a benchmark timing first evaluations calls this)."""
        self._state()[2].clear()

    @property
    def doc_count(self) -> int:
        """Number of distinct articles (duplicates and folded stubs counted once)."""
        return int(np.count_nonzero(self._state()[1].live))

    def categories(self) -> list[str]:
        """Every category name in the index."""
        return list(self._state()[1].cat_names)

    def search(self, q: str, page: int = 1, per_page: int = 10, categories=None,
               since=None, until=None, sort: str = "relevance", highlight: bool = True,
               facets: bool = True, people=None, places=None, orgs=None,
               assist: bool = True) -> ResultPage:
        """Ranked, highlighted results; QueryError only for bad parameters.

        ``assist``: read pinyin, correct homophones, add synonyms (``search.assist``);
        False searches the text exactly as given.
        """
        if assist:
            self._state()  # the live generation's lexicon and synonyms
            return self.assistant.search(
                partial(self.search, assist=False), q, page=page, per_page=per_page,
                categories=categories, since=since, until=until, sort=sort,
                highlight=highlight, facets=facets, people=people, places=places, orgs=orgs)
        q, categories = check_search(q, page, per_page, sort, categories)
        wanted = check_names(people, places, orgs)
        started = time.perf_counter()
        documents, tables, cache = self._state()
        known, parsed = list(tables.cat_names), parse(q)
        names, unknown = category_filter(categories, parsed, known)
        lo, hi = date_bounds(since, until, self.tz)
        wquery, mask = compile_query(parsed, self.segmenter, known)
        memo: dict = {}  # substrings matched once for the query and its exact count
        docs, scores = _matches(documents, tables, cache, wquery, mask,
                                narrowed(allowed(tables, names, lo, hi), tables.names, wanted),
                                memo)
        exact = exact_query(parsed, self.segmenter, known)
        exact_total = len(docs) if exact is None else _count_within(
            docs, _matches(documents, tables, cache, exact, None, None, memo)[0])
        limit = min(page * per_page, max(1, tables.doc_count_all))
        stored: dict[int, dict] = {}  # fields read once for the ranking and the page

        def fields(i: int) -> dict:
            if i not in stored:
                stored[i] = documents.stored(int(docs[i]))
            return stored[i]

        rules = self.ranking
        check = self._straddle_check(parsed, docs, tables, fields) \
            if rules.news and rules.straddles else None
        if sort == "relevance" and rules.news:
            order = rank(docs, scores, tables, limit, rules, check)
        elif check is not None:  # by date, straddling matches after the rest
            order = by_date(top(docs, scores, tables, sort, len(docs)), limit, check)
        else:
            order = top(docs, scores, tables, sort, limit)
        order = order[(page - 1) * per_page:]
        marker = Highlighter(highlight_terms(parsed, self.segmenter)) if highlight else None
        hits = [self._hit(fields(int(i)), float(scores[i]) if sort == "relevance" else 0.0,
                          marker, self._stub_paths(documents, tables, int(docs[i])))
                for i in order]
        if sort == "relevance" and self.ranking.news:
            self._link_series(q, hits, order, docs, tables)
        return ResultPage(
            query=q, total=len(docs), page=page, per_page=per_page, hits=hits,
            facets={**facet_counts(docs, tables), **name_facets(docs, tables)} if facets else {},
            took_ms=(time.perf_counter() - started) * 1000, unknown_categories=unknown,
            exact_total=exact_total, read_as=read_as(parsed, self.segmenter),
            timeline=timeline_of(docs, tables.ts, tables.has_date, lo, hi,
                                 int(self.tz.utcoffset(None).total_seconds()))
            if facets else Timeline())

    def _straddle_check(self, parsed, docs: np.ndarray, tables: Tables, fields):
        """positions -> those where a one-word term of the query only straddles words."""
        terms = straddle_terms(parsed, self.segmenter)
        if not terms:
            return None
        checker = StraddleCheck(self.segmenter, tables.straddles, self._memo_lock)

        def straddling(positions: list[int]) -> set[int]:
            out = set()
            for i in positions:
                def text(i=i):
                    f = fields(i)
                    return f.get("title", ""), f.get("body", "")
                if any(checker.straddles(t, int(docs[i]), text) for t in terms):
                    out.add(i)
            return out
        return straddling

    @staticmethod
    def _stub_paths(documents: Documents, tables: Tables, doc: int) -> list[str]:
        """Paths of the text-less stubs folded into a story (search.tables.fold_stubs)."""
        return [p for stub in tables.stubs.get(doc, ()) for p in documents.stored(stub)["paths"]]

    def _link_series(self, q: str, hits: list[Hit], order, docs, tables: Tables) -> None:
        stems = [series_stem(h.title) for h in hits]
        link_series(q, hits, series_spans(order, docs, tables, self.ranking, stems), stems,
                    self.tz)

    def suggest(self, prefix: str, limit: int = 10) -> list[str]:
        """Words and titles' words of the archive completing ``prefix`` (Chinese or pinyin)."""
        check_limit(limit)
        self._state()
        return self.assistant.suggest(prefix, limit)

    def _hit(self, f: dict, score: float, marker: Highlighter | None,
             folded: list[str] = ()) -> Hit:
        title, body = f.get("title", ""), f.get("body", "")
        shown, item = display_title(title), matched_item(title, body, marker)
        return Hit(
            id=f["id"], path=f["path"],
            duplicates=[p for p in f["paths"] if p != f["path"]] + list(folded),
            title=title, date=in_zone(f.get("date"), self.tz),
            categories=list(f.get("categories", [])),
            author=f.get("author", ""),
            score=score,
            title_html=marker.mark(shown) if marker else html.escape(shown),
            snippet_html=marker.snippet(body) if marker else "", display_title=shown,
            item_title_html=marker.mark(item) if item else "", **_names(f))

    def get(self, article_id: str) -> Article | None:
        """The article with this id, or None."""
        if not isinstance(article_id, str) or not article_id:
            return None
        documents, tables, _ = self._state()
        f = documents.by_id(article_id)
        if f is None:
            return None
        doc = documents.number(article_id)
        folded = self._stub_paths(documents, tables, doc) if doc is not None else []
        return Article(
            id=f["id"], path=f["path"],
            duplicates=[p for p in f["paths"] if p != f["path"]] + folded,
            title=f.get("title", ""), body=f.get("body", ""),
            html=f.get("html") or "",
            date=in_zone(f.get("date"), self.tz), categories=list(f.get("categories", [])),
            author=f.get("author", ""), display_title=display_title(f.get("title", "")),
            **_names(f))

    def related(self, article_id: str, limit: int = 5) -> list[Hit]:
        """Articles sharing the most title words with this one (BM25 over title words)."""
        check_limit(limit)
        art = self.get(article_id)
        if art is None:
            return []
        words = [w for w in self.segmenter.words(normalize(art.title)) if len(w) > 1]
        if not words:
            return []
        # The title-word field, not the text: a few array lookups and no position
        # checks, where phrases over whole bodies cost an article page twice a search.
        query = wq.Or([wq.Term("title_words", w) for w in list(dict.fromkeys(words))[:12]])
        documents, tables, cache = self._state()
        docs, scores = _matches(documents, tables, cache, query, None, None)
        order = top(docs, scores, tables, "relevance", limit + 1)
        hits = [self._hit(documents.stored(int(docs[i])), float(scores[i]), None) for i in order]
        return [h for h in hits if h.id != article_id][:limit]


def open_index(path: str | Path = "index", lazy: bool = False) -> Index:
    """Open the index at ``path``; IndexNotFound or IndexMismatch if unusable.

    ``lazy``: load jieba's dictionary (the bulk of opening) only when a query
    needs words segmented, as a one-query command does; a server leaves it false.
    """
    return Index(path, lazy)
