"""Runs inside a fresh process per engine, so one engine's imports, caches and
jieba state cannot speed up or slow down the other. Prints one JSON object.

    python -m bench.worker latency ENGINE INDEX QUERIES [--reps 3]
    python -m bench.worker probe ENGINE INDEX TITLE
    python -m bench.worker naive-add INDEX FILE...
"""
import argparse
import json
import statistics
import sys
import time

from bench import engines, queries as query_file
from bench.stats import percentile


def timed_query(engine, ix, q):
    start = time.perf_counter()
    try:
        total, hits = engines.query(engine, ix, q)
        error = None
    except Exception as exc:  # a query the engine rejects is a result, not a crash
        total, hits, error = 0, [], f"{type(exc).__name__}: {exc}"
    return (time.perf_counter() - start) * 1000, total, len(hits), error


def latency(engine, index, queries_path, reps):
    start = time.perf_counter()
    ix = engines.open_index(engine, index)
    open_ms = (time.perf_counter() - start) * 1000
    mix = query_file.load(queries_path)
    for q, _ in mix:  # warm-up: disk cache, lazily loaded readers, jieba dictionary
        timed_query(engine, ix, q)
    rows = []
    for q, category in mix:
        runs = [timed_query(engine, ix, q) for _ in range(reps)]
        _, total, shown, error = runs[-1]
        rows.append({"q": q, "category": category, "ms": statistics.median(r[0] for r in runs),
                     "total": total, "shown": shown, "error": error})
    return {"open_ms": open_ms, "reps": reps, "queries": rows, **summarise(rows)}


def summarise(rows):
    ms = [row["ms"] for row in rows]
    by_category = {}
    for row in rows:
        by_category.setdefault(row["category"], []).append(row["ms"])
    return {"n": len(rows), "p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95),
            "max_ms": max(ms, default=None),
            "zero_hits": sum(1 for row in rows if row["total"] == 0 and not row["error"]),
            "errors": sum(1 for row in rows if row["error"]),
            "p50_ms_by_category": {k: percentile(v, 50) for k, v in by_category.items()}}


def probe(engine, index, title):
    """Time from reopening the index to finding a newly added post.

    Imports, the segmenter's dictionary and one search happen first, and then we
    wait for the caller's go: a running server has paid those costs long before
    new posts arrive, so they are not part of "until searchable".
    """
    engines.query(engine, engines.open_index(engine, index), "中国")
    print("ready", flush=True)
    sys.stdin.readline()
    start = time.perf_counter()
    found = engines.find_title(engine, engines.open_index(engine, index), title)
    return {"found": found, "ms": (time.perf_counter() - start) * 1000}


def naive_add(index, files):
    from whoosh import index as whoosh_index

    from bench import naive
    naive.add_posts(whoosh_index.open_dir(str(index)), files)
    return {"added": len(files)}


def main():
    parser = argparse.ArgumentParser(description="one engine, one process, one JSON answer")
    sub = parser.add_subparsers(dest="job", required=True)
    lat = sub.add_parser("latency")
    lat.add_argument("engine", choices=engines.ENGINES)
    lat.add_argument("index")
    lat.add_argument("queries")
    lat.add_argument("--reps", type=int, default=3)
    prb = sub.add_parser("probe")
    prb.add_argument("engine", choices=engines.ENGINES)
    prb.add_argument("index")
    prb.add_argument("title")
    add = sub.add_parser("naive-add")
    add.add_argument("index")
    add.add_argument("files", nargs="+")
    args = parser.parse_args()
    if args.job == "latency":
        out = latency(args.engine, args.index, args.queries, args.reps)
    elif args.job == "probe":
        out = probe(args.engine, args.index, args.title)
    else:
        out = naive_add(args.index, args.files)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
