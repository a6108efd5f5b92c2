"""The cluster beside the embedded index, in one run: build, disk, latency, agreement.

    python -m bench.cluster --size 10000 [--source /work/data/all] [--out DIR]

Takes the first SIZE posts (path order = date order) of the source archive,
builds the Whoosh index and a 2-shard dev cluster from them (both through
their CLIs, timed as a user pays), then runs bench/queries.txt against both:
median latency per query over --reps runs, p50/p95 per category, the ratio
cluster/Whoosh, whether totals and result sets agree, and top-10 overlap;
with --api-seconds, requests/s of the JSON API at 8 clients (bench.load).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.queries import load
from bench.stats import percentile

REPO = Path(__file__).resolve().parent.parent


def _subset(source: Path, size: int, out: Path) -> Path:
    corpus = out / f"corpus-{size}"
    if not corpus.is_dir():
        tmp = out / f"corpus-{size}.tmp"
        for n, path in enumerate(sorted(source.rglob("*.md"))):
            if n >= size:
                break
            dest = tmp / path.relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, dest) if path.stat().st_dev == out.stat().st_dev else \
                dest.write_bytes(path.read_bytes())
        tmp.rename(corpus)
    return corpus


def _timed(cmd: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=REPO, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _latencies(ix, mix, reps: int) -> tuple[dict, dict]:
    """Median seconds per query, and (total, top-10 ids, all ids up to 1000) per query."""
    times, results = {}, {}
    for q, _cat in mix:
        res = ix.search(q, per_page=1000, highlight=False)  # warm-up, and the result set
        results[q] = (res.total, [h.id for h in res.hits[:10]], {h.id for h in res.hits})
        runs = []
        for _ in range(reps):
            started = time.perf_counter()
            ix.search(q, per_page=10)
            runs.append(time.perf_counter() - started)
        times[q] = statistics.median(runs)
    return times, results


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, default=10000)
    p.add_argument("--source", default="/work/data/all")
    p.add_argument("--out", default="/work/data/sphinx/bench")
    p.add_argument("--port", type=int, default=19406)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--queries", default=str(REPO / "bench" / "queries.txt"))
    p.add_argument("--api-seconds", type=float, default=0,
                   help="also load the JSON API this long per engine, 8 clients (default: off)")
    p.add_argument("--reuse", action="store_true",
                   help="query the indexes a previous run built (no build figures)")
    args = p.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    corpus = _subset(Path(args.source), args.size, out)
    whoosh_dir, cluster_dir = out / f"whoosh-{args.size}", out / f"cluster-{args.size}"
    py = sys.executable
    up = subprocess.run([py, "-m", "search.sphinx", "up", "--dir", str(cluster_dir), "--port",
                         str(args.port)], check=True, capture_output=True, text=True, cwd=REPO)
    url = up.stdout.strip()
    try:
        report = _run(args, corpus, whoosh_dir, cluster_dir, url)
    finally:
        subprocess.run([py, "-m", "search.sphinx", "down", "--dir", str(cluster_dir)],
                       cwd=REPO, capture_output=True)
    (out / f"report-{args.size}.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    print(json.dumps(report["summary"], indent=1, ensure_ascii=False))
    return 0


def _run(args, corpus: Path, whoosh_dir: Path, cluster_dir: Path, url: str) -> dict:
    import search

    py = sys.executable
    build = {} if args.reuse else {
        "whoosh_s": _timed([py, "-m", "indexer", str(corpus), "--index", str(whoosh_dir),
                            "--rebuild", "-q"]),
        "cluster_s": _timed([py, "-m", "indexer", str(corpus), "--index", url, "--rebuild",
                             "-q"]),
    }
    disk = {"whoosh_mb": _du(whoosh_dir) / 1e6,
            "cluster_mb": sum(_du(d / "data") for d in cluster_dir.glob("node*")) / 1e6}
    mix = load(args.queries)
    out_dir = whoosh_dir.parent
    engines = {"whoosh": search.open_index(whoosh_dir), "cluster": search.open_index(url)}
    times, results = {}, {}
    for name, ix in engines.items():
        times[name], results[name] = _latencies(ix, mix, args.reps)
    cats: dict[str, dict] = {}
    for cat in dict.fromkeys(c for _, c in mix):
        qs = [q for q, c in mix if c == cat]
        row = {}
        for name in engines:
            ms = [times[name][q] * 1000 for q in qs]
            row[name] = {"p50_ms": round(percentile(ms, 50), 2),
                         "p95_ms": round(percentile(ms, 95), 2)}
        row["ratio_p50"] = round(row["cluster"]["p50_ms"] / row["whoosh"]["p50_ms"], 2)
        cats[cat] = row
    agree = [q for q, _ in mix if results["whoosh"][q][0] == results["cluster"][q][0]
             and (results["whoosh"][q][0] > 1000
                  or results["whoosh"][q][2] == results["cluster"][q][2])]
    overlap = [len(set(results["whoosh"][q][1]) & set(results["cluster"][q][1]))
               / max(1, min(10, len(results["whoosh"][q][1]))) for q, _ in mix
               if results["whoosh"][q][1]]
    ratios = [times["cluster"][q] / times["whoosh"][q] for q, _ in mix]
    summary = {
        "size": args.size, "build": {k: round(v, 1) for k, v in build.items()},
        "disk": {k: round(v, 1) for k, v in disk.items()},
        "queries": len(mix), "same_total_and_set": len(agree),
        "differ": [q for q, _ in mix if q not in agree],
        "top10_overlap_mean": round(statistics.mean(overlap), 2) if overlap else None,
        "median_latency_ratio_cluster_over_whoosh": round(statistics.median(ratios), 2),
        "per_category": cats,
    }
    if args.api_seconds:
        from bench import load as api_load

        summary["api"] = {
            name: api_load.run(loc, [q for q, _ in mix], REPO, out_dir / f"api-{name}.log", clients=8,
                           seconds=args.api_seconds)
            for name, loc in (("whoosh", whoosh_dir), ("cluster", url))}
    return {"summary": summary, "times": times,
            "totals": {q: [results[n][q][0] for n in engines] for q, _ in mix}}


if __name__ == "__main__":
    sys.exit(main())
