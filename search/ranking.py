"""Ranking for news: what orders results when they are sorted by relevance.

The evaluator scores every match (BM25F, plus a constant per tier: the
pasted headline, then the query exactly as typed, then its words apart).
On top of that, for a reader of news (docs/design.md, "Ranking"):

1. Tiers stay in order: nothing below ever passes an exact match.
2. Within a tier, stories with text come before text-less stubs (BM25's
   length normalisation would otherwise put a bare title first).
3. Within those, matches where the query is a word of the text come before
   matches where it straddles two words (以北约400公里 for 北约); decided on
   the stories that can reach the page (``straddles``).
4. Then BM25 with a mild recency prior: a match's score is multiplied by up
   to ``1 + recency`` by where its date falls in the span of all matches.
5. At most ``series_cap`` stories of one series (a bracketed column name) or
   event (the same title within days) per ``window`` results; the rest move
   down within their tier, and a link on the page shows them all.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

import numpy as np

from .query import EXACT_BONUS
from .tables import Tables

__all__ = ["RankingRules", "rank", "by_date", "series_labels", "series_spans", "SeriesSpan",
           "link_series"]


@dataclass(frozen=True)
class RankingRules:
    """The tunable rules; ``RankingRules(news=False)`` ranks by the evaluator alone."""

    news: bool = True
    recency: float = 0.2          # the newest match weighs (1 + recency)x the oldest
    series_cap: int = 2           # stories of one series or event per window
    window: int = 10
    event_days: float = 3.0       # the same title this close is one event
    straddles: bool = True


def _composite(docs: np.ndarray, scores: np.ndarray, tables: Tables, rules: RankingRules,
               span: tuple[int, int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(tier, key): one float that orders tier, text before stubs, then prior-weighted BM25."""
    tier = np.floor(scores / EXACT_BONUS)
    base = scores - tier * EXACT_BONUS
    ts, dated = tables.ts[docs], tables.has_date[docs]
    if rules.recency and dated.any():
        lo, hi = span if span is not None else (ts[dated].min(), ts[dated].max())
        where = (ts - lo) / max(1, hi - lo)
        base = base * (1.0 + rules.recency * np.where(dated, where, 0.0))
    step = EXACT_BONUS * (2.0 + rules.recency)  # above any weighted BM25 sum
    has_text = tables.body_len[docs] > 0
    return tier, tier * 2 * step + has_text * step + base


def series_labels(docs: np.ndarray, tables: Tables, event_days: float) -> list[object]:
    """A label per document: its series stem, or its event (same title within days)."""
    stems, titles = tables.stem_key[docs], tables.title_key[docs]
    ts = tables.ts[docs]
    labels: list[object] = [None] * len(docs)
    order = np.lexsort((ts, titles))
    last_key, last_ts, event = None, None, 0
    for i in order.tolist():
        if stems[i]:
            labels[i] = ("series", int(stems[i]))
            continue
        key = int(titles[i])
        if not key:  # no title: a story of its own
            labels[i] = ("story", i)
            continue
        if key != last_key or ts[i] - last_ts > event_days * 86400:
            event += 1
        last_key, last_ts = key, ts[i]
        labels[i] = ("event", event)
    return labels


def _diversify(pool: list[int], tiers: np.ndarray, labels: list, rules: RankingRules,
               limit: int, complete: bool) -> list[int] | None:
    """The pool reordered so a window holds at most ``series_cap`` of a label.

    None when the pool ran out before a choice could be made (a bigger pool
    may hold the story that belongs here).
    """
    remaining, out = list(pool), []
    while remaining and len(out) < limit:
        start = len(out) - len(out) % rules.window
        counts = Counter(labels[i] for i in out[start:])
        tier, pick = tiers[remaining[0]], None
        for k, i in enumerate(remaining):
            if tiers[i] != tier:
                break
            if counts[labels[i]] < rules.series_cap:
                pick = k
                break
        else:
            if not complete:
                return None
        out.append(remaining.pop(pick or 0))
    return out


def _checked(order: list[int], known: dict[int, bool], straddles, need: int) -> None:
    """Ask ``straddles`` about the head of ``order`` until ``need`` stories are clean."""
    while True:
        clean = sum(1 for i in order if known.get(i) is False)
        todo = [i for i in order if i not in known][:max(0, need - clean)]
        if not todo:
            return
        found = straddles(todo)
        known.update((i, i in found) for i in todo)


def rank(docs: np.ndarray, scores: np.ndarray, tables: Tables, limit: int, rules: RankingRules,
         straddles: Callable[[list[int]], set[int]] | None = None,
         span: tuple[int, int] | None = None) -> np.ndarray:
    """Positions in ``docs`` of the first ``limit`` results by relevance, in order.

    ``straddles`` takes positions and returns those whose every match straddles
    a word boundary; it is asked only about stories that can reach the page.
    ``tables`` needs only per-document ``ts``, ``has_date``, ``body_len``,
    ``title_key`` and ``stem_key`` arrays. ``span`` is the (oldest, newest) date
    of all matches when ``docs`` holds only some of them (a cluster's candidates).
    """
    tiers, key = _composite(docs, scores, tables, rules, span)
    known: dict[int, bool] = {}
    check = straddles if rules.straddles else None
    size = min(len(docs), 2 * limit + 20)
    while True:
        if size < len(docs):
            cut = np.partition(key, len(key) - size)[len(key) - size]
            cand = np.flatnonzero(key >= cut)
        else:
            cand = np.arange(len(docs))
        order = cand[np.lexsort((docs[cand], -key[cand]))]
        complete = len(cand) == len(docs)
        picked = _pick(order, docs, tiers, tables, rules, limit, complete, known, check)
        demoted = sum(known.values())
        if picked is not None and (complete or len(cand) >= limit + demoted + rules.window):
            return np.array(picked, np.int64)
        size = min(len(docs), 2 * size)


def _pick(order: np.ndarray, docs: np.ndarray, tiers: np.ndarray, tables: Tables,
          rules: RankingRules, limit: int, complete: bool, known: dict[int, bool], check
          ) -> list[int] | None:
    """The page from a pool in key order: straddles demoted, series capped.

    Every story picked has been checked for straddling (series capping may
    reach past the stories checked first, hence the loop).
    """
    text = tables.body_len[docs] > 0
    labels = dict(zip(order.tolist(), series_labels(docs[order], tables, rules.event_days)))
    while True:
        ranked = order
        if check is not None:
            _checked(order.tolist(), known, check, limit)
            flag = np.array([known.get(i, False) for i in order.tolist()], bool)
            ranked = order[np.lexsort((np.arange(len(order)), flag, ~text[order], -tiers[order]))]
        picked = _diversify(ranked.tolist(), tiers, labels, rules, limit, complete)
        unknown = [i for i in picked or () if i not in known] if check is not None else []
        if not unknown:
            return picked
        known.update(_ask(check, unknown))


def _ask(check, positions: list[int]) -> dict[int, bool]:
    found = check(positions)
    return {i: i in found for i in positions}


@dataclass
class SeriesSpan:
    """The matches of one series or event, for a link that lists them all."""

    stem: str           # the column name, or "" for an event (the same title within days)
    total: int
    first_ts: int
    last_ts: int


def series_spans(page: np.ndarray, docs: np.ndarray, tables: Tables, rules: RankingRules,
                 stems: list[str]) -> list[SeriesSpan | None]:
    """For each result of a page: its series' matches, when more match than the page shows.

    ``page`` holds positions in ``docs``; ``stems`` the series stem of each
    (``search.series.series_stem`` of its title). Only the first result of a
    series on the page carries it.
    """
    out: list[SeriesSpan | None] = []
    seen: set = set()
    labels = series_labels(docs[page], tables, rules.event_days)
    shown = Counter(labels)
    keys = {"stem": tables.stem_key[docs], "title": tables.title_key[docs]}  # gathered once
    for i, label, stem in zip(page.tolist(), labels, stems):
        if label in seen or label[0] == "story":
            out.append(None)
            continue
        seen.add(label)
        members = _members(int(docs[i]), docs, tables, rules, keys, bool(stem))
        ts = tables.ts[members]
        out.append(SeriesSpan(stem, len(members), int(ts.min()), int(ts.max()))
                   if len(members) > shown[label] else None)
    return out


def _members(doc: int, docs: np.ndarray, tables: Tables, rules: RankingRules, keys: dict,
             by_stem: bool) -> np.ndarray:
    if by_stem:
        return docs[keys["stem"] == tables.stem_key[doc]]
    same = docs[keys["title"] == tables.title_key[doc]]
    same = same[np.argsort(tables.ts[same], kind="stable")]
    gaps = np.flatnonzero(np.diff(tables.ts[same]) > rules.event_days * 86400) + 1
    for chunk in np.split(same, gaps):
        if doc in chunk:
            return chunk
    return same[:0]


def by_date(order: np.ndarray, limit: int,
            straddles: Callable[[list[int]], set[int]] | None) -> np.ndarray:
    """The first ``limit`` of a date order, with straddling matches after all the others.

    Reads the order only as deep as the page needs: it is the stories that
    are words in date order, then the straddling ones in date order.
    """
    if straddles is None:
        return order[:limit]
    clean: list[int] = []
    demoted: list[int] = []
    at = 0
    while len(clean) < limit and at < len(order):
        batch = order[at:at + limit - len(clean) + 5].tolist()
        found = straddles(batch)
        for i in batch:
            (demoted if i in found else clean).append(i)
        at += len(batch)
    return np.array((clean + demoted)[:limit], np.int64)


def link_series(q: str, hits: list, spans: list[SeriesSpan | None], stems: list[str],
                zone) -> None:
    """Give each hit that heads a longer series (``series_spans``) its link: total and query."""
    for hit, span, stem in zip(hits, spans, stems):
        if span is None:
            continue
        label = re.sub(r'["“”]', " ", stem or hit.title).strip()
        hit.series_total, hit.series_query = span.total, f'{q} title:"{label}"'.strip()
        if not stem:  # an event: the same title within days, not every year's
            hit.series_since = datetime.fromtimestamp(span.first_ts, zone)
            hit.series_until = datetime.fromtimestamp(span.last_ts, zone)
