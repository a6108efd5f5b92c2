"""Ranking for news on a cluster: the cluster's best candidates, ordered by ``search.ranking``.

The Whoosh backend ranks every match; a cluster returns rows in its own
order. So the reader asks for a pool of candidates in the cluster's
first-tier order (the top ``2 x depth + 20``, with the attributes the rules
read) and hands it to ``search.ranking.rank``: tiers, text before stubs,
words before straddles (``search.straddle`` on the stored text), the recency
prior over the span of *all* matches (from the year counts the reader
already makes), and the series cap. The series links count every match of
a series on the page (one more statement per kind). A story the cluster
ranks below the pool cannot be lifted into it: that is the bound of this
design (docs/cluster.md).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..query import EXACT_BONUS
from ..ranking import RankingRules, by_date, link_series, rank, series_spans
from ..series import series_stem
from ..straddle import StraddleCheck

__all__ = ["Pool", "PoolRanking", "pool_size", "StraddleMemo"]

# The columns a candidate carries: (kid, tier, weight, blen, ts, has_date, fkey, skey).
_COLUMNS = "kid, {tier} AS tier, {weight} AS w, blen, ts, has_date, fkey, skey"


def pool_size(depth: int) -> int:
    """Candidates fetched for a page ending at ``depth`` (as ``search.ranking.rank`` starts)."""
    return 2 * depth + 20


@dataclass
class Pool:
    """Candidates as per-position arrays: what ``search.ranking`` reads of a document."""

    kid: np.ndarray
    tier: np.ndarray
    weight: np.ndarray
    body_len: np.ndarray
    ts: np.ndarray
    has_date: np.ndarray
    title_key: np.ndarray
    stem_key: np.ndarray

    @classmethod
    def of(cls, rows: list) -> "Pool":
        cols = list(zip(*rows)) if rows else [()] * 8
        kid, tier, w, blen, ts, dated, fkey, skey = (np.array(c, np.int64) for c in cols)
        return cls(kid, tier, w.astype(np.float64), blen, ts, dated == 1, fkey, skey)

    def __len__(self) -> int:
        return len(self.kid)

    def scores(self) -> np.ndarray:
        """Tier as the Whoosh backend's bonus, plus the cluster's weight scaled below it."""
        top = self.weight.max() if len(self) else 0.0
        base = self.weight / top * (EXACT_BONUS / 2) if top > 0 else np.zeros(len(self))
        return self.tier * EXACT_BONUS + base

    def extended(self, rows: list) -> "Pool":
        """This pool with ``rows`` it does not hold yet appended (positions kept)."""
        have = set(self.kid.tolist())
        more = Pool.of([r for r in rows if r[0] not in have])
        return Pool(*(np.concatenate([getattr(self, f), getattr(more, f)])
                      for f in self.__dataclass_fields__))


@dataclass
class PoolRanking:
    """One search's ranking; ``select(columns, match, order, limit, where="")`` runs a statement."""

    select: Callable[..., list]
    built: object                 # querybuild.Built
    hl: str                       # the SphinxQL expression of the headline tier
    rules: RankingRules
    straddles: Callable[[list[int]], set[int]] | None = None
    pool: Pool = None
    order: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def page(self, start: int, want: int, span: tuple[int, int] | None
             ) -> list[tuple[int, float]]:
        """(kid, score) of the results ``start`` to ``start + want``, in order."""
        size = pool_size(start + want)
        self.pool = Pool.of(self._candidates(size))
        if not len(self.pool):
            return []
        scores = self.pool.scores()
        docs = np.arange(len(self.pool))
        check = self.straddles if self.rules.straddles else None
        self.order = rank(docs, scores, self.pool, start + want, self.rules, check,
                          span)[start:]
        return [(int(self.pool.kid[i]), float(scores[i])) for i in self.order]

    def by_date(self, start: int, want: int, order: str) -> list[tuple[int, float]]:
        """A date order's results ``start`` to ``start + want``, straddling matches after words."""
        self.pool = Pool.of(self.select(_COLUMNS.format(tier="0", weight="0"), self.built.match,
                                        order, pool_size(start + want)))
        self.order = by_date(np.arange(len(self.pool)), start + want, self.straddles)[start:]
        return [(int(self.pool.kid[i]), 0.0) for i in self.order]

    def _candidates(self, size: int) -> list:
        b = self.built
        if b.match is None:  # all alike: the newest are the candidates
            return self.select(_COLUMNS.format(tier=f"2 * {self.hl}", weight="1"), None,
                               "has_date DESC, ts DESC, id ASC", size)
        weighted = "tier DESC, WEIGHT() DESC, id ASC"  # the cluster's first-tier order
        if b.exact is None:
            return self.select(_COLUMNS.format(tier=f"2 * {self.hl}", weight="WEIGHT()"),
                               b.match, weighted, size)
        rows = self.select(_COLUMNS.format(tier=f"1 + 2 * {self.hl}", weight="WEIGHT()"),
                           f"{b.match} {b.exact}", weighted, size)
        if len(rows) < size:
            rows += self.select(_COLUMNS.format(tier="0", weight="WEIGHT()"),
                                f"{b.match} -({b.exact})", "WEIGHT() DESC, id ASC",
                                size - len(rows))
        return rows

    def check_words(self, terms: list[str], checker: StraddleCheck) -> None:
        """Demote candidates where every match of a term straddles words (search.straddle)."""
        def texts(kids: list[int]) -> dict[int, tuple[str, str]]:
            rows = self.select("kid, title_text, body_text", None, "id ASC", len(kids),
                               f"kid IN ({', '.join(map(str, kids))})")
            return {int(k): (t, b) for k, t, b in rows}

        def straddling(positions: list[int]) -> set[int]:
            kids = [int(self.pool.kid[i]) for i in positions]
            unknown = [k for k in kids if any((t, k) not in checker.memo for t in terms)]
            text = texts(unknown) if unknown else {}  # one statement for the batch
            return {i for i, kid in zip(positions, kids)
                    if any(checker.straddles(t, kid, lambda kid=kid: text.get(kid, ("", "")))
                           for t in terms)}
        self.straddles = straddling

    def link(self, q: str, hits: list, zone) -> None:
        """Series links on the page's hits, counting every match of each series."""
        if not hits or not len(self.order):
            return
        page = self.order[:len(hits)]
        stems = [series_stem(h.title) for h in hits]
        skeys = sorted({int(k) for k in self.pool.stem_key[page] if k})
        fkeys = sorted({int(f) for f, s in zip(self.pool.title_key[page], self.pool.stem_key[page])
                        if f and not s})
        more = []
        for column, keys in (("skey", skeys), ("fkey", fkeys)):
            if keys:
                more += self.select(_COLUMNS.format(tier="0", weight="0"), self.built.match,
                                    "id ASC", 1000, f"{column} IN ({', '.join(map(str, keys))})")
        pool = self.pool.extended(more)
        spans = series_spans(page, np.arange(len(pool)), pool, self.rules, stems)
        link_series(q, hits, spans, stems, zone)


class StraddleMemo:
    """What ``search.straddle`` decided per (term, kid), for one published version."""

    def __init__(self):
        self.lock = threading.Lock()
        self.key, self.memo = None, {}

    def checker(self, seg, version_key) -> StraddleCheck:
        with self.lock:
            if version_key != self.key:
                self.key, self.memo = version_key, {}
        return StraddleCheck(seg, self.memo, self.lock)
