"""Runs inside a fresh process per engine, so one engine's imports, caches and
jieba state cannot speed up or slow down the other. Prints one JSON object.

    python -m bench.worker latency ENGINE INDEX QUERIES WARMUP [--seed 0] [--reps 0]
    python -m bench.worker filters INDEX QUERIES WARMUP [--seed 0]
    python -m bench.worker pages INDEX QUERIES WARMUP [--seed 0]
    python -m bench.worker probe ENGINE INDEX TITLE
    python -m bench.worker naive-add INDEX FILE...
"""
import argparse
import json
import sys
import time

from bench import engines, filtercost, firsttime, pages, queries as query_file


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


def _parser():
    parser = argparse.ArgumentParser(description="one engine, one process, one JSON answer")
    sub = parser.add_subparsers(dest="job", required=True)
    for job in ("latency", "filters", "pages"):
        p = sub.add_parser(job)
        if job == "latency":
            p.add_argument("engine", choices=engines.ENGINES)
        p.add_argument("index")
        p.add_argument("queries")
        p.add_argument("warmup")
        p.add_argument("--seed", type=int, default=0)
        if job == "latency":
            p.add_argument("--reps", type=int, default=0, help="repeats of each query, after")
    prb = sub.add_parser("probe")
    prb.add_argument("engine", choices=engines.ENGINES)
    prb.add_argument("index")
    prb.add_argument("title")
    add = sub.add_parser("naive-add")
    add.add_argument("index")
    add.add_argument("files", nargs="+")
    return parser


def main():
    args = _parser().parse_args()
    if args.job in ("latency", "filters", "pages"):
        mix, warmup = query_file.load(args.queries), query_file.load(args.warmup)
    if args.job == "latency":
        out = firsttime.run(args.engine, args.index, mix, warmup, args.seed, args.reps)
    elif args.job == "filters":
        out = filtercost.run(args.index, mix, warmup, args.seed)
    elif args.job == "pages":
        out = pages.run(args.index, mix, warmup, args.seed)
    elif args.job == "probe":
        out = probe(args.engine, args.index, args.title)
    else:
        out = naive_add(args.index, args.files)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
