"""Query latency as a user meets it: each timed query is new to the process.

A result cache in the engine is welcome, but it must not be what the latency
figures measure. So a process opens the index, warms up on queries that are not
in the mix (imports, the segmenter, lazily loaded readers, the disk cache), then
answers every query of the mix exactly once, in an order of its own; run.py starts
several such processes and takes each query's median over them. Repeats of the
same query come after, reported apart, to show what a cache does.
"""
import random
import statistics
import time

from bench import engines
from bench.stats import percentile


def timed(engine, ix, q, **filters):
    """(ms, total, shown, error) for one query; a rejected query is a result, not a crash."""
    start = time.perf_counter()
    try:
        total, hits = engines.query(engine, ix, q, **filters)
        error = None
    except Exception as exc:  # noqa: BLE001 - any failure is reported per query
        total, hits, error = 0, [], f"{type(exc).__name__}: {exc}"
    return (time.perf_counter() - start) * 1000, total, len(hits), error


def warm_up(engine, ix, warmup):
    for q, _ in warmup:
        timed(engine, ix, q)


def first_times(engine, ix, mix, seed, reps=0):
    """Rows of {q, category, ms (first answer), total, shown, error, repeat_ms}."""
    order = list(mix)
    random.Random(seed).shuffle(order)
    rows = {}
    for q, category in order:
        ms, total, shown, error = timed(engine, ix, q)
        rows[q] = {"q": q, "category": category, "ms": ms, "total": total,
                   "shown": shown, "error": error}
    for q, _ in order if reps else ():
        rows[q]["repeat_ms"] = statistics.median(timed(engine, ix, q)[0] for _ in range(reps))
    return [rows[q] for q, _ in mix]


def run(engine, index, mix, warmup, seed, reps):
    """One process's share: open, warm up, time every query once (then repeats)."""
    start = time.perf_counter()
    ix = engines.open_index(engine, index)
    open_ms = (time.perf_counter() - start) * 1000
    warm_up(engine, ix, warmup)
    return {"open_ms": open_ms, "seed": seed, "queries": first_times(engine, ix, mix, seed, reps)}


def combine(processes):
    """Each query's median first-time over the processes, and the summary figures."""
    rows = []
    for i, first in enumerate(processes[0]["queries"]):
        times = [p["queries"][i]["ms"] for p in processes]
        rows.append({**first, "ms": statistics.median(times), "runs_ms": times})
    return {"processes": len(processes), "open_ms": statistics.median(p["open_ms"] for p in processes),
            "queries": rows, **summarise(rows)}


def summary(values):
    return {"n": len(values), "p50_ms": percentile(values, 50), "p95_ms": percentile(values, 95),
            "max_ms": max(values, default=None)}


def summarise(rows):
    """Overall and per-category p50/p95/max, the slowest query, and repeat timings."""
    by_category = {}
    for row in rows:
        by_category.setdefault(row["category"], []).append(row)
    slowest = max(rows, key=lambda r: r["ms"], default=None)
    repeats = [r["repeat_ms"] for r in rows if r.get("repeat_ms") is not None]
    return {**summary([r["ms"] for r in rows]),
            "slowest": slowest and {"q": slowest["q"], "ms": slowest["ms"]},
            "zero_hits": sum(1 for r in rows if r["total"] == 0 and not r["error"]),
            "errors": sum(1 for r in rows if r["error"]),
            "repeat": summary(repeats) if repeats else None,
            "by_category": {cat: {**summary([r["ms"] for r in group]),
                                  "slowest": max(group, key=lambda r: r["ms"])["q"]}
                            for cat, group in by_category.items()}}
