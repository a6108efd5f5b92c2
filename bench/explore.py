"""What issue 14's exploring costs: build time with names, query latency with the
timeline and name facets, each against a baseline measured in the same run.

    python bench/explore.py build CORPUS OUT [--baseline /work/main] [--naive] [--baseline-first]
    python bench/explore.py latency INDEX --baseline-index DIR [--baseline /work/main]
                                    [--procs 3]

``--baseline`` is a checkout of the engine before this work (with its own
.venv): its builds and queries run beside this tree's, in turn, so the ratios
come from one run on one (shared, noisy) machine. Latency is bench/firsttime.py's:
fresh processes, warmed up, every query timed the first time it is seen, each
query's median over the processes; a search returns the top 10 with snippets
and, here, the facets (categories, years, and now the timeline and names).
"""
import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from bench import firsttime  # noqa: E402


def _python(tree: Path) -> str:
    return str(tree / ".venv" / "bin" / "python")


def _timed(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def build(args) -> dict:
    """Wall time of a fresh build by each engine, one after the other."""
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    runs = {}
    engines = [("explore", ROOT), ("baseline", Path(args.baseline))]
    if args.baseline_first:  # alternate the order between runs: the load drifts
        engines.reverse()
    for name, tree in engines:
        index = out / f"ix_{name}"
        runs[name] = _timed([_python(tree), "-m", "indexer", args.corpus, "--index", str(index),
                             "--rebuild", "-q"], tree)
        print(f"{name}: {runs[name]:.1f} s", file=sys.stderr)
    if args.naive:
        runs["naive"] = _timed([_python(ROOT), str(HERE / "naive.py"), args.corpus,
                                str(out / "ix_naive")], ROOT)
        print(f"naive: {runs['naive']:.1f} s", file=sys.stderr)
    ratios = {"explore/baseline": runs["explore"] / runs["baseline"]}
    if "naive" in runs:
        ratios["naive/explore"] = runs["naive"] / runs["explore"]
        ratios["naive/baseline"] = runs["naive"] / runs["baseline"]
    return {"corpus": args.corpus, "seconds": runs, "ratios": ratios}


def latency(args) -> dict:
    """First-time query latency of this tree's index and the baseline's, processes in turn."""
    procs = {"explore": [], "baseline": []}
    for seed in range(args.procs):
        for name, tree, index in (("explore", ROOT, args.index),
                                  ("baseline", Path(args.baseline), args.baseline_index)):
            out = subprocess.run([_python(tree), "-m", "bench.worker", "latency", "ours", index,
                                  str(HERE / "queries.txt"), str(HERE / "warmup.txt"),
                                  "--seed", str(seed)], cwd=tree, check=True,
                                 capture_output=True, text=True)
            procs[name].append(json.loads(out.stdout))
    res = {name: firsttime.combine(p) for name, p in procs.items()}
    summary = {name: {k: r[k] for k in ("p50_ms", "p95_ms", "max_ms", "slowest")}
               for name, r in res.items()}
    summary["ratio_p50"] = res["explore"]["p50_ms"] / res["baseline"]["p50_ms"]
    summary["ratio_p95"] = res["explore"]["p95_ms"] / res["baseline"]["p95_ms"]
    return summary


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="job", required=True)
    b = sub.add_parser("build")
    b.add_argument("corpus")
    b.add_argument("out")
    b.add_argument("--baseline", default="/work/main")
    b.add_argument("--naive", action="store_true", help="also the naive recipe")
    b.add_argument("--baseline-first", action="store_true", help="build the baseline first")
    q = sub.add_parser("latency")
    q.add_argument("index")
    q.add_argument("--baseline-index", required=True)
    q.add_argument("--baseline", default="/work/main")
    q.add_argument("--procs", type=int, default=3)
    args = p.parse_args()
    result = build(args) if args.job == "build" else latency(args)
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
