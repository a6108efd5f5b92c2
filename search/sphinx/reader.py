"""Searching a cluster: the ``search.Index`` API over SphinxQL.

Analysis, query parsing and highlighting are the shared modules; this reads
the state row (live slot, categories), sends the MATCH built by
``querybuild`` to the distributed index and turns rows into ``Hit``s.
Counts, facets and the first tier are separate statements on the same
match; every statement's SHOW META is read, so a shard that did not answer
marks the page ``partial`` instead of silently shrinking the total.
"""
from __future__ import annotations

import html
import json
import re
import threading
import time
from collections import Counter
from functools import partial
from dataclasses import dataclass, field

from ..analysis import Segmenter, normalize
from ..errors import IndexMismatch, IndexNotFound, ShardUnavailable
from ..highlight import Highlighter
from ..categories import category_filter
from ..hits import Article, Hit, ResultPage
from ..params import check_limit, check_search
from ..roundups import matched_item
from ..titles import display_title
from ..zones import date_bounds, in_zone
from ..query import highlight_terms, parse, read_as
from ..ranking import RankingRules
from ..straddle import straddle_terms
from .assist import cluster_assistant
from .config import dist_table
from .connection import SphinxUnavailable, connect, cursor, parse_url
from .querybuild import Built, build, category_code
from .ranking import PoolRanking, StraddleMemo
from .rows import doc_id, listed, title_key, visible
from .settings import Settings, backend_fingerprint, read_settings
from .explore import NameGroups, group_cap, name_conditions, name_facets, names_of, timeline
from ..name_filter import check_names
from .state import State, read_state

__all__ = ["SphinxIndex", "backend_fingerprint"]

_RANKING = ("ranker=proximity_bm25, field_weights=(title=3, body=1), "
            "idf='plain,tfidf_normalized'")
_HIT_COLUMNS = "id, key, path, extra, title_text, body_text, ts, has_date"
_KEY = re.compile(r"[0-9a-f]{16}")
_FACET_LIMIT = 10000  # distinct categories counted


@dataclass
class _Run:
    """The statements of one search: their warnings, collected."""

    cur: object
    warnings: list[str] = field(default_factory=list)

    def select(self, sql: str, params: list) -> tuple[list, int]:
        """Rows and total_found of one SELECT."""
        self.cur.execute(sql, params)
        rows = list(self.cur.fetchall())
        self.cur.execute("SHOW META")
        meta = dict(self.cur.fetchall())
        if meta.get("warning"):
            self.warnings.append(meta["warning"])
        return rows, int(meta.get("total_found", 0))


class SphinxIndex:
    """A searchable cluster at ``sphinx://host:port/name``; safe across threads."""

    def __init__(self, url: str):
        self.host, self.port, self.name = parse_url(url)
        self.path = self.url = url
        self._local = threading.local()
        self._conns: list = []  # every thread's, so close() can end them all
        self._conns_lock = threading.Lock()
        self._settings_lock = threading.Lock()
        self._key: tuple = ()  # (live slot, fingerprint) the settings below were read for
        self._name_groups = NameGroups()  # distinct names per kind, per published version
        self.segmenter, self.tz = Segmenter(None), Settings().zone
        self.ranking = RankingRules()  # replace to tune, as on the Whoosh backend
        self._straddle_memo = StraddleMemo()
        if not self._state().live:
            raise IndexNotFound(f"no index on the cluster {url} yet "
                                f"(build one with: python -m indexer CORPUS --index {url})")
        normalize("")
        self.assistant = cluster_assistant(self.host, self.port, self.name)
        self.assistant.warm()

    # -- connections ------------------------------------------------------------
    def _conn(self):
        conn = getattr(self._local, "conn", None)
        if conn is None or not conn.open:
            conn = self._local.conn = connect(self.host, self.port)
            with self._conns_lock:
                self._conns = [c for c in self._conns if c.open] + [conn]
        return conn

    def close(self) -> None:
        """Close every thread's connection (searchd waits for open ones when it stops)."""
        with self._conns_lock:
            conns, self._conns = self._conns, []
        for conn in conns:
            try:
                conn.close()
            except Exception:  # already broken: nothing to close
                pass

    def _cursor(self):
        """A cursor on this thread's connection, reconnecting once if it went stale."""
        conn = self._conn()
        try:
            conn.ping(reconnect=False)
        except Exception:  # the driver raises several kinds for a dead socket
            self._local.conn = None
            conn = self._conn()
        return cursor(conn)

    def _state(self) -> State:
        """The state row, with this reader's dictionary and zone made the live slot's."""
        try:
            state = read_state(self._conn(), self.name)
        except SphinxUnavailable:
            self._local.conn = None
            state = read_state(self._conn(), self.name)
        if state.live and (state.live, state.fingerprint) != self._key:
            self._load_settings(state)
        return state

    def _load_settings(self, state: State) -> None:
        with self._settings_lock:
            if (state.live, state.fingerprint) == self._key:
                return
            settings = read_settings(self._conn(), self.name)
            seg = settings.segmenter()
            if seg.fingerprint == self.segmenter.fingerprint:
                seg = self.segmenter  # same dictionaries: keep the loaded jieba
            if state.fingerprint != backend_fingerprint(seg, settings.tz):
                raise IndexMismatch(f"the cluster {self.url} was built with different "
                                    f"analysis; rebuild it with: python -m indexer "
                                    f"--rebuild --index {self.url}")
            seg.initialize()
            self.segmenter, self.tz = seg, settings.zone
            self._key = (state.live, state.fingerprint)

    # -- the API ------------------------------------------------------------------
    @property
    def doc_count(self) -> int:
        """Number of distinct articles (duplicates counted once)."""
        state = self._state()
        with self._cursor() as cur:
            return _Run(cur).select(f"SELECT id FROM {dist_table(self.name, state.live)} "
                                    f"WHERE {listed(state.version)} LIMIT 1", [])[1]

    def categories(self) -> list[str]:
        """Every category name in the index."""
        return sorted(self._state().categories)

    def search(self, q: str, page: int = 1, per_page: int = 10, categories=None,
               since=None, until=None, sort: str = "relevance", highlight: bool = True,
               facets: bool = True, people=None, places=None, orgs=None,
               assist: bool = True) -> ResultPage:
        """Ranked, highlighted results; QueryError only for bad parameters."""
        if assist:  # pinyin, homophones, synonyms: rewrites above the engine (search.assist)
            return self.assistant.search(
                partial(self.search, assist=False), q, page=page, per_page=per_page,
                categories=categories, since=since, until=until, sort=sort,
                highlight=highlight, facets=facets, people=people, places=places, orgs=orgs)
        q, categories = check_search(q, page, per_page, sort, categories)
        wanted = check_names(people, places, orgs)
        started = time.perf_counter()
        parsed = parse(q)
        state = self._state()
        names, unknown = category_filter(categories, parsed, state.categories)
        filters, fparams = _filters(names, since, until, self.tz)
        filters.append(listed(state.version))
        filters += name_conditions(wanted)
        built = build(parsed, self.segmenter, state.categories)
        result = ResultPage(query=q, total=0, page=page, per_page=per_page, hits=[],
                            facets={"categories": {}, "years": {}, "people": {}, "places": {},
                                    "organizations": {}} if facets else {},
                            unknown_categories=unknown)
        if not built.nothing:
            with self._cursor() as cur:
                run = _Run(cur)
                ranking = self._ranking(run, state, parsed, filters, fparams, built, sort)
                rows = self._query(run, state, built, parsed.text, filters, fparams, sort,
                                   page, per_page, facets, result, ranking, (since, until))
                marker = (Highlighter(highlight_terms(parsed, self.segmenter))
                          if highlight else None)
                result.hits = [_hit(r, marker, self.tz) for r in rows]
                self._add_stubs(run, state, result.hits)
                if ranking is not None and sort == "relevance":
                    ranking.link(q, result.hits, self.tz)
            if run.warnings:
                result.partial = True
                result.partial_reason = "; ".join(dict.fromkeys(run.warnings))
        result.read_as = read_as(parsed, self.segmenter)
        result.took_ms = (time.perf_counter() - started) * 1000
        return result

    def suggest(self, prefix: str, limit: int = 10) -> list[str]:
        """Words of the archive completing ``prefix`` (Chinese or pinyin), best first."""
        check_limit(limit)
        return self.assistant.suggest(prefix, limit)

    def _query(self, run: _Run, state: State, built: Built, text: str, filters: list[str],
               fparams: list, sort: str, page: int, per_page: int, facets: bool,
               result: ResultPage, ranking: PoolRanking | None = None,
               dates: tuple = (None, None)) -> list:
        table = dist_table(self.name, state.live)
        where, params = _where(built.match, filters, fparams)
        # GROUP BY rather than FACET: several times faster on 2.2.11. Every row
        # has one year (0 without a date), so the year counts sum to the total.
        # The dates' span is the recency prior's (search.ranking).
        years, _ = run.select(f"SELECT year, COUNT(*) AS n, MIN(ts) AS lo, MAX(ts) AS hi "
                              f"FROM {table}{where} GROUP BY year "
                              f"LIMIT 1000 OPTION ranker=none, max_matches=1000", params)
        dated = [(lo, hi) for y, _, lo, hi in years if y]
        span = (min(d[0] for d in dated), max(d[1] for d in dated)) if dated else None
        years = [(y, n) for y, n, _, _ in years]
        result.total = result.exact_total = sum(n for _, n in years)
        if built.counted is not None and result.total:
            where_exact, params_exact = _where(f"{built.match} {built.counted}", filters, fparams)
            result.exact_total = run.select(f"SELECT id FROM {table}{where_exact} LIMIT 1 "
                                            f"OPTION ranker=none", params_exact)[1]
        if facets:
            cats, _ = run.select(f"SELECT GROUPBY() AS g, COUNT(*) AS n FROM {table}{where} "
                                 f"GROUP BY cats ORDER BY n DESC LIMIT {_FACET_LIMIT} "
                                 f"OPTION ranker=none, max_matches="
                                 f"{group_cap(len(state.categories) + 1, 1, _FACET_LIMIT, 100)}",
                                 params)
            ceiling = partial(self._name_groups.ceiling, run, (table, state.version), table,
                              f" WHERE {listed(state.version)}")
            result.facets = {**_facets(years, cats, state.categories),
                             **name_facets(run, table, where, params, result.total, ceiling)}
            result.timeline = timeline(run, table, where, params, result.total,
                                       *date_bounds(*dates, self.tz),
                                       int(self.tz.utcoffset(None).total_seconds()))
        start, want = (page - 1) * per_page, per_page
        if start >= result.total:
            return []
        hl = f"IF(tkey={title_key(normalize(text))},1,0)" if built.headline else "0"
        order = ("hl DESC, WEIGHT() DESC, id ASC" if sort == "relevance" else
                 f"has_date DESC, ts {'DESC' if sort == 'newest' else 'ASC'}, id ASC")
        if ranking is not None:
            ranking.hl = hl
            ranked = (ranking.page(start, want, span) if sort == "relevance" else
                      ranking.by_date(start, want, order))
            return self._rows_of(run, table, ranked, state.version)
        if sort != "relevance" or built.exact is None:
            return self._page(run, table, built.match, filters, fparams, hl, order, start, want)
        first = f"{built.match} {built.exact}"
        rows = self._page(run, table, first, filters, fparams, hl, order, start, want)
        tier = run.last_total
        rest = f"{built.match} -({built.exact})"
        if len(rows) < want:
            rows += self._page(run, table, rest, filters, fparams, hl, order,
                               max(0, start - tier), want - len(rows))
        return rows

    def _page(self, run: _Run, table: str, match: str | None, filters, fparams, hl: str,
              order: str, start: int, count: int) -> list:
        where, params = _where(match, filters, fparams)
        sql = (f"SELECT {_HIT_COLUMNS}, WEIGHT() AS w, {hl} AS hl FROM {table}{where} "
               f"ORDER BY {order} LIMIT {start}, {count} "
               f"OPTION {_RANKING if 'WEIGHT' in order else 'ranker=none'}, "
               f"max_matches={max(1000, start + count)}")
        rows, run.last_total = run.select(sql, params)
        return rows

    def _ranking(self, run: _Run, state: State, parsed, filters: list[str], fparams: list,
                 built: Built, sort: str) -> PoolRanking | None:
        """The news rules (search.ranking) over this search's candidates; None: none apply.

        By relevance every rule applies; by date only "words before straddles".
        """
        rules = self.ranking
        terms = straddle_terms(parsed, self.segmenter) if rules.news and rules.straddles else []
        if not rules.news or (sort != "relevance" and not terms):
            return None
        table = dist_table(self.name, state.live)

        def select(columns: str, match: str | None, order: str, limit: int, where: str = ""):
            conds, params = _where(match, filters + ([where] if where else []), fparams)
            weighted = "WEIGHT()" in columns
            return run.select(f"SELECT {columns} FROM {table}{conds} ORDER BY {order} "
                              f"LIMIT {limit} OPTION {_RANKING if weighted else 'ranker=none'}, "
                              f"max_matches={max(1000, limit)}", params)[0]

        ranking = PoolRanking(select, built, "0", rules)
        if terms:
            ranking.check_words(terms, self._straddle_memo.checker(
                self.segmenter, (state.live, state.version)))
        return ranking

    @staticmethod
    def _rows_of(run: _Run, table: str, ranked: list[tuple[int, float]], version: int) -> list:
        """The page's rows in the ranked order, each with its ranking score."""
        if not ranked:
            return []
        rows, _ = run.select(f"SELECT {_HIT_COLUMNS}, 0 AS w, 0 AS hl FROM {table} WHERE "
                             f"kid IN ({', '.join(str(k) for k, _ in ranked)}) AND "
                             f"{listed(version)} LIMIT {len(ranked)} OPTION "
                             f"ranker=none, max_matches={max(1000, len(ranked))}", [])
        by_kid = {doc_id(r[1]): r for r in rows}
        return [(*by_kid[k][:8], score, 0) for k, score in ranked if k in by_kid]

    def get(self, article_id: str) -> Article | None:
        """The article with this id, or None; ShardUnavailable if its shard may be down."""
        if not isinstance(article_id, str) or not _KEY.fullmatch(article_id):
            return None
        state = self._state()
        with self._cursor() as cur:
            run = _Run(cur)
            rows, _ = run.select(f"SELECT {_HIT_COLUMNS}, html FROM "
                                 f"{dist_table(self.name, state.live)} "
                                 f"WHERE kid = {doc_id(article_id)} "
                                 f"AND {visible(state.version)}", [])
        row = rows[0] if rows else None
        if row is None or row[1] != article_id:
            if run.warnings:  # a shard did not answer: "no such article" would be a guess
                raise ShardUnavailable(f"article {article_id}: a shard of {self.url} did not "
                                       f"answer ({'; '.join(dict.fromkeys(run.warnings))})")
            return None
        hit = _hit(row, None, self.tz)
        with self._cursor() as cur:
            self._add_stubs(_Run(cur), state, [hit])
        return Article(id=hit.id, path=hit.path, duplicates=hit.duplicates, title=hit.title,
                       body=row[5], html=row[8] or "", date=hit.date,
                       categories=hit.categories, author=hit.author,
                       display_title=hit.display_title, people=hit.people,
                       places=hit.places, organizations=hit.organizations)

    def _add_stubs(self, run: _Run, state: State, hits: list[Hit]) -> None:
        """Append the paths of the stubs folded into each hit to its duplicates."""
        if not hits:
            return
        kids = {doc_id(h.id): h for h in hits}
        rows, _ = run.select(f"SELECT fold, path, extra FROM {dist_table(self.name, state.live)} "
                             f"WHERE fold IN ({', '.join(map(str, kids))}) "
                             f"AND {visible(state.version)} ORDER BY fold ASC, id ASC "
                             f"LIMIT 1000 OPTION max_matches=1000", [])
        for fold, path, extra in sorted(rows, key=lambda r: (r[0], r[1])):
            kids[int(fold)].duplicates += list(json.loads(extra or "{}").get("paths") or [path])

    def related(self, article_id: str, limit: int = 5) -> list[Hit]:
        """Articles sharing the most title words with this one.

        With a shard down, those of the shards that answered: a short list of
        suggestions beside an article that was found, not a count to trust.
        """
        check_limit(limit)
        art = self.get(article_id)
        if art is None:
            return []
        words = list(dict.fromkeys(w for w in self.segmenter.words(normalize(art.title))
                                   if len(w) > 1))
        if not words:
            return []
        res = self.search(" OR ".join(f'"{w}"' for w in words[:12]), per_page=limit + 1,
                          highlight=False, facets=False)
        return [h for h in res.hits if h.id != article_id][:limit]


def _filters(categories, since, until, zone) -> tuple[list[str], list]:
    """WHERE conditions (with %s parameters) for the category and date filters."""
    conds, params = [], []
    if categories:
        if isinstance(categories, str):
            categories = [categories]
        conds.append("cats IN (" + ", ".join(str(category_code(c)) for c in categories) + ")")
    lo, hi = date_bounds(since, until, zone)
    if lo is not None or hi is not None:
        conds.append(f"ts BETWEEN {-(2 ** 62) if lo is None else lo} "
                     f"AND {2 ** 62 if hi is None else hi}")
        conds.append("has_date = 1")
    return conds, params


def _where(match: str | None, filters: list[str], fparams: list) -> tuple[str, list]:
    conds = (["MATCH(%s)"] if match is not None else []) + filters
    params = ([match] if match is not None else []) + fparams
    return (" WHERE " + " AND ".join(conds) if conds else ""), params


def _facets(years: list, cats: list, categories: list[str]) -> dict[str, dict[str, int]]:
    names = {category_code(c): c for c in categories}
    by_cat = Counter()
    for code, n in cats:
        if int(code) in names:
            by_cat[names[int(code)]] += n
    return {"categories": dict(sorted(by_cat.items(), key=lambda kv: (-kv[1], kv[0]))),
            "years": {str(y): n for y, n in sorted(years, reverse=True) if y}}


def _hit(row, marker: Highlighter | None, zone) -> Hit:
    _id, key, path, extra, title, body = row[:6]
    data = json.loads(extra or "{}")
    shown, item = display_title(title), matched_item(title, body, marker)
    return Hit(
        id=key, path=path, duplicates=[p for p in data.get("paths", []) if p != path],
        title=title, date=in_zone(data.get("date"), zone),
        categories=list(data.get("categories", [])), author=data.get("author", ""),
        score=float(row[8]) if len(row) > 9 else 0.0,
        title_html=marker.mark(shown) if marker else html.escape(shown),
        snippet_html=marker.snippet(body) if marker else "", display_title=shown,
        item_title_html=marker.mark(item) if item else "", **names_of(data))
