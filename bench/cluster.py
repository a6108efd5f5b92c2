"""The cluster beside the embedded index and the naive recipe, in one run, at several sizes.

    python -m bench.cluster --sizes 10000,30000,all [--source /work/data/all] [--out DIR]
                            [--api-seconds 30] [--no-naive]

For each size (the first N posts of the source archive, path order = date order;
``all`` = every post) it builds the Whoosh index, a 2-shard dev cluster and the
naive recipe (bench/naive.py), each through its own command and timed as a user
pays; measures disk; then runs bench/queries.txt on all three in this process
(top 10 with snippets, the median of --reps runs per query after one warm-up;
Whoosh's result cache emptied before each) and
reports p50/p95 per category with ratios against the Whoosh backend measured in
the same run, whether the cluster's totals and result sets equal Whoosh's, and
top-10 overlap. With --api-seconds, requests/s of the JSON API at 8 clients for
Whoosh and the cluster at the largest size (bench.load). The load average is
recorded at the start and end: the machine is shared.
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

from bench import engines
from bench.devcluster import dev_cluster
from bench.queries import load
from bench.stats import percentile

REPO = Path(__file__).resolve().parent.parent
ENGINES = ("whoosh", "cluster", "naive")


def _subset(source: Path, size: str, out: Path) -> Path:
    if size == "all":
        return source
    corpus = out / f"corpus-{size}"
    if not corpus.is_dir():
        tmp = out / f"corpus-{size}.tmp"
        for n, path in enumerate(sorted(source.rglob("*.md"))):
            if n >= int(size):
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
                   stderr=subprocess.DEVNULL, env=_env())
    return time.perf_counter() - started


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _latencies(name: str, ix, mix, reps: int) -> dict:
    """Median seconds per query (top 10 with snippets), after one untimed run.

    The Whoosh backend's result cache is emptied before each timed run: the
    cluster and the naive recipe have none, so every run evaluates the query.
    """
    engine = "naive" if name == "naive" else "ours"
    forget = getattr(ix, "clear_cache", lambda: None)
    times = {}
    for q, _cat in mix:
        engines.query(engine, ix, q)
        runs = []
        for _ in range(reps):
            forget()
            started = time.perf_counter()
            engines.query(engine, ix, q)
            runs.append(time.perf_counter() - started)
        times[q] = statistics.median(runs)
    return times


def _results(ix, mix) -> dict:
    """(total, top-10 ids, ids up to 1000) per query, for agreement."""
    out = {}
    for q, _ in mix:
        res = ix.search(q, per_page=1000, highlight=False)
        out[q] = (res.total, [h.id for h in res.hits[:10]], {h.id for h in res.hits})
    return out


def _agreement(w: dict, c: dict, mix) -> dict:
    agree = [q for q, _ in mix if w[q][0] == c[q][0] and (w[q][0] > 1000 or w[q][2] == c[q][2])]
    overlap = [len(set(w[q][1]) & set(c[q][1])) / min(10, len(w[q][1])) for q, _ in mix
               if w[q][1]]
    return {"queries": len(mix), "same_total_and_set": len(agree),
            "differ": [q for q, _ in mix if q not in agree],
            "top10_overlap_mean": round(statistics.mean(overlap), 2) if overlap else None}


def _categories(times: dict, mix) -> dict:
    cats: dict[str, dict] = {}
    for cat in dict.fromkeys(c for _, c in mix):
        qs = [q for q, c in mix if c == cat]
        row = {}
        for name, per_q in times.items():
            ms = [per_q[q] * 1000 for q in qs]
            row[name] = {"p50_ms": round(percentile(ms, 50), 2),
                         "p95_ms": round(percentile(ms, 95), 2)}
        for name in times:
            if name != "whoosh":
                row[f"{name}_p50_ratio"] = round(row[name]["p50_ms"] / row["whoosh"]["p50_ms"], 2)
        cats[cat] = row
    return cats


def _overall(times: dict, mix) -> dict:
    out = {}
    for name, per_q in times.items():
        ms = [per_q[q] * 1000 for q, _ in mix]
        out[name] = {"p50_ms": round(percentile(ms, 50), 2), "p95_ms": round(percentile(ms, 95), 2)}
        if name != "whoosh":
            out[name]["median_ratio_per_query"] = round(statistics.median(
                per_q[q] / times["whoosh"][q] for q, _ in mix), 2)
    return out


def run_size(args, size: str, out: Path, api: bool) -> dict:
    """Every figure of one size, on a fresh dev cluster (so its disk holds this size only)."""
    cluster_dir = out / f"cluster-{size}"
    subprocess.run(["rm", "-rf", str(cluster_dir)], check=True)
    with dev_cluster(cluster_dir) as url:
        return _measure_size(args, size, out, url, cluster_dir, api)


def _measure_size(args, size: str, out: Path, url: str, cluster_dir: Path, api: bool) -> dict:
    import search

    corpus = _subset(Path(args.source), size, out)
    posts = sum(1 for _ in corpus.rglob("*.md"))
    whoosh_dir, naive_dir = out / f"whoosh-{size}", out / f"naive-{size}"
    names = [n for n in ENGINES if n != "naive" or args.naive]
    py = sys.executable
    cmds = {"whoosh": [py, "-m", "indexer", str(corpus), "--index", str(whoosh_dir),
                       "--rebuild", "-q"],
            "cluster": [py, "-m", "indexer", str(corpus), "--index", url, "--rebuild", "-q"],
            "naive": [py, "-m", "bench.naive", str(corpus), str(naive_dir)]}
    for old in (whoosh_dir, naive_dir):  # disk figures of this build alone
        subprocess.run(["rm", "-rf", str(old)], check=True)
    build = {name: round(_timed(cmds[name]), 1) for name in names}
    disk = {"whoosh": _du(whoosh_dir), "naive": _du(naive_dir) if args.naive else None,
            "cluster": sum(_du(d / "data") for d in cluster_dir.glob("node*"))}
    mix = load(args.queries)
    opened = {"whoosh": search.open_index(whoosh_dir), "cluster": search.open_index(url)}
    if args.naive:
        opened["naive"] = engines.open_index("naive", naive_dir)
    times = {name: _latencies(name, opened[name], mix, args.reps) for name in names}
    row = {"size": size, "posts": posts, "loadavg_after_queries": os.getloadavg()[0],
           "build_s": build, "build_ratio_vs_whoosh": {n: round(build[n] / build["whoosh"], 2)
                                                        for n in names},
           "disk_mb": {k: round(v / 1e6, 1) for k, v in disk.items() if v is not None},
           "latency": _overall(times, mix), "per_category": _categories(times, mix),
           "agreement": _agreement(_results(opened["whoosh"], mix),
                                   _results(opened["cluster"], mix), mix)}
    opened["cluster"].close()
    if api and args.api_seconds:
        from bench import load as api_load

        row["api"] = {name: api_load.run(str(loc), [q for q, _ in mix], REPO, _env(),
                                         out / f"api-{name}-{size}.log", clients=8,
                                         seconds=args.api_seconds)
                      for name, loc in (("whoosh", whoosh_dir), ("cluster", url))}
    return row


def render(report: dict) -> str:
    """The Markdown tables docs/benchmarks.md shows, from a report.json."""
    sizes = report["sizes"]
    out = ["| posts | build s: Whoosh / cluster / naive | cluster/Whoosh | disk MB: Whoosh / "
           "cluster / naive | p50 ms: Whoosh / cluster / naive | p95 ms: Whoosh / cluster / "
           "naive | cluster/Whoosh per query (median) | same sets |",
           "|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for s in sizes:
        b, d, lat = s["build_s"], s["disk_mb"], s["latency"]

        def trio(figure, lat=lat) -> str:
            return " / ".join(str(figure(n)) if n in lat else "–"
                              for n in ("whoosh", "cluster", "naive"))
        out.append(f"| {s['posts']:,} | {b['whoosh']} / {b['cluster']} / {b.get('naive', '–')} "
                   f"| {s['build_ratio_vs_whoosh']['cluster']}× "
                   f"| {d['whoosh']} / {d['cluster']} / {d.get('naive', '–')} "
                   f"| {trio(lambda n: lat[n]['p50_ms'])} | {trio(lambda n: lat[n]['p95_ms'])} "
                   f"| {lat['cluster']['median_ratio_per_query']}× "
                   f"| {s['agreement']['same_total_and_set']} of {s['agreement']['queries']} |")
    last = sizes[-1]
    out += ["", f"Per category at {last['posts']:,} posts (ms, median of the runs of each query):",
            "", "| category | Whoosh p50 | cluster p50 | ratio | naive p50 | ratio | Whoosh p95 "
            "| cluster p95 | naive p95 |", "|---|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for cat, row in last["per_category"].items():
        naive = row.get("naive", {})
        out.append(f"| {cat} | {row['whoosh']['p50_ms']} | {row['cluster']['p50_ms']} "
                   f"| {row['cluster_p50_ratio']}× | {naive.get('p50_ms', '–')} "
                   f"| {row.get('naive_p50_ratio', '–')}× | {row['whoosh']['p95_ms']} "
                   f"| {row['cluster']['p95_ms']} | {naive.get('p95_ms', '–')} |")
    if "api" in last:
        out += ["", "| JSON API, 8 clients | requests/s | p50 ms | p95 ms | errors |",
                "|---|--:|--:|--:|--:|"]
        for name, api in last["api"].items():
            out.append(f"| {name} | {api.get('rps', 0):.1f} | {api.get('p50_ms', 0):.1f} "
                       f"| {api.get('p95_ms', 0):.1f} | {api.get('errors', '–')} |")
    return "\n".join(out)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--render", metavar="REPORT_JSON",
                   help="print the Markdown tables of an earlier run's report.json and stop")
    p.add_argument("--sizes", default="10000", help="comma list of post counts or 'all'")
    p.add_argument("--source", default="/work/data/all")
    p.add_argument("--out", default="/work/data/sphinx/bench")
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--queries", default=str(REPO / "bench" / "queries.txt"))
    p.add_argument("--api-seconds", type=float, default=0,
                   help="load the JSON API this long per engine at the largest size (default: off)")
    p.add_argument("--no-naive", dest="naive", action="store_false",
                   help="leave out the naive recipe")
    args = p.parse_args(argv)
    if args.render:
        print(render(json.loads(Path(args.render).read_text())))
        return 0
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    report = {"command": " ".join(["python -m bench.cluster", *(argv or sys.argv[1:])]),
              "git": subprocess.run(["git", "describe", "--always", "--dirty"], cwd=REPO,
                                    capture_output=True, text=True).stdout.strip(),
              "loadavg_start": os.getloadavg(), "sizes": []}
    for size in sizes:
        report["sizes"].append(run_size(args, size, out, api=size == sizes[-1]))
        (out / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
        print(json.dumps(report["sizes"][-1], ensure_ascii=False), flush=True)
    report["loadavg_end"] = os.getloadavg()
    (out / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
