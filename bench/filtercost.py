"""What a filter costs: each query of the mix with and without a year, a date range
and a category, timed in one process, each variant new to it (the result cache is
cleared before each; ours only: the
naive recipe has no categories and its parser no date filter).

The figure is paired: a query's filtered time against its own unfiltered time, so
broad and rare queries are not mixed up in one ratio.
"""
import random
import statistics

from bench import engines, firsttime
from bench.stats import percentile

YEARS = range(2012, 2026)


def variants(rng, category):
    """Filter keyword sets for one query: a year, a 90-day range, a category."""
    year = rng.choice(YEARS)
    month = rng.randint(1, 9)
    return {"year": {"since": f"{year}-01-01", "until": f"{year}-12-31"},
            "range": {"since": f"{year}-{month:02d}-01", "until": f"{year}-{month + 3:02d}-01"},
            "category": {"categories": [category]}}


def common_category(ix):
    """The category on most stories: the filter that removes least, the hardest case."""
    facets = ix.search("新闻", per_page=1, highlight=False).facets.get("categories", {})
    return max(facets, key=facets.get) if facets else "新闻"


def run(index, mix, warmup, seed):
    ix = engines.open_index("ours", index)
    firsttime.warm_up("ours", ix, warmup)
    rng, category = random.Random(seed), common_category(ix)
    rows = []
    for q, cat in mix:
        kinds = [("none", {})] + list(variants(rng, category).items())
        rng.shuffle(kinds)  # no variant always first, so none always pays the cold parse
        times = {kind: _first_time(ix, q, kw) for kind, kw in kinds}
        rows.append({"q": q, "category": cat, "ms": times})
    return {"filter_category": category, "queries": rows, "by_filter": summarise(rows)}


def _first_time(ix, q, kw) -> float:
    """A variant's time as if new: the result cache would otherwise answer every
    variant after the first from the same evaluation."""
    ix.clear_cache()
    return firsttime.timed("ours", ix, q, **kw)[0]


def summarise(rows):
    out = {}
    for kind in ("year", "range", "category"):
        ratios = [r["ms"][kind] / r["ms"]["none"] for r in rows if r["ms"]["none"] > 0]
        extra = [r["ms"][kind] - r["ms"]["none"] for r in rows]
        worst = max(rows, key=lambda r: r["ms"][kind] - r["ms"]["none"])
        out[kind] = {"ratio_p50": percentile(ratios, 50), "ratio_p95": percentile(ratios, 95),
                     "extra_ms_p50": percentile(extra, 50), "extra_ms_p95": percentile(extra, 95),
                     "extra_ms_max": max(extra), "worst_q": worst["q"],
                     "filtered_p50_ms": percentile([r["ms"][kind] for r in rows], 50)}
    out["none"] = {"p50_ms": percentile([r["ms"]["none"] for r in rows], 50),
                   "p95_ms": percentile([r["ms"]["none"] for r in rows], 95)}
    out["n"] = len(rows)
    out["median_of_ratios"] = statistics.median(
        out[k]["ratio_p50"] for k in ("year", "range", "category")) if rows else None
    return out
