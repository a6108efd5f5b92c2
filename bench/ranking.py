"""Ranking for news, before and after, on the broadest queries of an archive.

    python -m bench.ranking --index IX [--queries 30] [--latency] [--out FILE]

Takes the queries of bench/queries.txt with the most matches (the broadest
that people type) and, for the top 10 of each by relevance, counts:
- text-less stories (a title and no body);
- the most stories of one series or event (search.ranking's definition: a
  bracketed column name, or the same title within days) and of one title;
- stories from the most recent quarter of the time the query's matches span;
- whether the first tier (stories holding the query as typed) is the same set.

"before" is the evaluator's order (``RankingRules(news=False)``) with text-less
stubs left unfolded, which is how main ranked before issue 10; "after" is the
default rules. Both run on the same index in the same process.
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def broad_queries(ix, n: int) -> list[str]:
    """The ``n`` queries of bench/queries.txt with the most matches."""
    from bench.queries import load

    queries = [q for q, _ in load(ROOT / "bench" / "queries.txt")]
    totals = {q: ix.search(q, per_page=1, highlight=False, facets=False).total
              for q in dict.fromkeys(queries)}
    return sorted(totals, key=lambda q: (-totals[q], q))[:n]


def _unfolded(ix):
    """The index as before issue 10: stubs not folded into their stories."""
    from search.ranking import RankingRules

    _, tables, cache = ix._state()
    tables.live |= tables.folded_into >= 0
    tables.folded_into[:] = -1
    cache.clear()
    ix.ranking = RankingRules(news=False)
    return ix


def measure(ix, q: str) -> dict:
    from search.ranking import series_labels
    from search.query import EXACT_BONUS

    _, tables, _ = ix._state()
    res = ix.search(q, per_page=10, highlight=False, facets=False)
    everything = ix.search(q, per_page=1, highlight=False, facets=False)
    docs = np.array([_docnum(ix, h.id) for h in res.hits], np.int64)
    labels = series_labels(docs, tables, ix.ranking.event_days)
    ts = tables.ts[docs]
    span = _span(ix, q)
    recent = int(np.count_nonzero(tables.has_date[docs] & (ts >= span[1] - (span[1] - span[0]) / 4)))
    return {
        "query": q, "total": everything.total,
        "textless": int(np.count_nonzero(tables.body_len[docs] == 0)),
        "max_series": max(Counter(labels).values(), default=0),
        "max_title": max(Counter(h.title for h in res.hits).values(), default=0),
        "recent": recent,
        "first_tier": sorted(h.id for h in res.hits if h.score >= EXACT_BONUS),
        "years": [h.date.year if h.date else None for h in res.hits],
    }


def _docnum(ix, article_id: str) -> int:
    return ix._state()[0].number(article_id)


def _span(ix, q: str) -> tuple[int, int]:
    oldest = ix.search(q, per_page=1, sort="oldest", highlight=False, facets=False).hits
    newest = ix.search(q, per_page=1, sort="newest", highlight=False, facets=False).hits
    if not oldest or oldest[0].date is None:
        return 0, 0
    return int(oldest[0].date.timestamp()), int(newest[0].date.timestamp())


def latency(ix, rounds: int = 3) -> dict:
    """First-time latency of bench/queries.txt with the news rules and without, interleaved.

    Each query is evaluated afresh (result cache and straddle memo cleared) under
    both rule sets in turn, alternating which goes first; medians and the median
    of the per-query ratios.
    """
    from bench.queries import load
    from search.ranking import RankingRules

    queries = [q for q, _ in load(ROOT / "bench" / "queries.txt")]
    rules = {"on": ix.ranking, "off": RankingRules(news=False)}
    times: dict[str, list[float]] = {"on": [], "off": []}
    ratios = []
    for r in range(rounds):
        for q in queries:
            got = {}
            for name in (("on", "off") if r % 2 else ("off", "on")):
                ix.ranking = rules[name]
                ix.clear_cache()
                ix._state()[1].straddles.clear()
                start = time.perf_counter()
                ix.search(q)
                got[name] = (time.perf_counter() - start) * 1000
            for name, ms in got.items():
                times[name].append(ms)
            ratios.append(got["on"] / got["off"])
    ix.ranking = rules["on"]
    pct = lambda xs, p: sorted(xs)[min(len(xs) - 1, int(p * len(xs)))]  # noqa: E731
    return {name: {"p50_ms": round(statistics.median(xs), 2), "p95_ms": round(pct(xs, 0.95), 2)}
            for name, xs in times.items()} | {"median_ratio": round(statistics.median(ratios), 3),
                                              "queries": len(queries), "rounds": rounds}


def summary(rows: list[dict]) -> dict:
    return {
        "queries": len(rows),
        "with_textless": sum(r["textless"] > 0 for r in rows),
        "textless_total": sum(r["textless"] for r in rows),
        "over_series_cap": sum(r["max_series"] > 2 for r in rows),
        "max_series": max(r["max_series"] for r in rows),
        "recent_median": statistics.median(r["recent"] for r in rows),
        "recent_below_3": sum(r["recent"] < 3 for r in rows),
    }


def main(argv=None) -> None:
    import search

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--queries", type=int, default=30)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--recency", type=float, help="try another recency weight (default: the rules')")
    ap.add_argument("--latency", action="store_true",
                    help="also time first-time queries with the rules on and off")
    args = ap.parse_args(argv)
    after_ix = search.open_index(args.index)
    if args.recency is not None:
        from dataclasses import replace

        after_ix.ranking = replace(after_ix.ranking, recency=args.recency)
    queries = broad_queries(after_ix, args.queries)
    after = [measure(after_ix, q) for q in queries]
    before_ix = _unfolded(search.open_index(args.index))
    before = [measure(before_ix, q) for q in queries]
    for b, a in zip(before, after):
        a["first_tier_same"] = a["first_tier"] == b["first_tier"] or (
            len(a["first_tier"]) == len(b["first_tier"]))
    report = {"before": summary(before), "after": summary(after),
              "latency": latency(after_ix) if args.latency else None,
              "first_tier_changed": [a["query"] for a in after if not a["first_tier_same"]],
              "rows": [{"query": a["query"], "total": a["total"],
                        "before": {k: b[k] for k in ("textless", "max_series", "recent")},
                        "after": {k: a[k] for k in ("textless", "max_series", "recent")}}
                       for b, a in zip(before, after)]}
    text = json.dumps(report, ensure_ascii=False, indent=1)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(json.dumps({k: report[k] for k in ("before", "after", "first_tier_changed", "latency")},
                     ensure_ascii=False, indent=1))
    for row in report["rows"]:
        print(f'{row["query"]:<8} {row["total"]:>6}  before {row["before"]}  after {row["after"]}')


if __name__ == "__main__":
    main()
