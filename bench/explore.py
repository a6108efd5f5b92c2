"""What issue 14's exploring costs: build time with names, query latency with the
timeline and name facets, each against a baseline measured in the same run.

    python bench/explore.py build CORPUS OUT [--baseline TREE] [--order explore,naive,explore]
                                    [--page-cache warm|cold|asis]
    python bench/explore.py latency INDEX --baseline-index DIR [--baseline /work/main]
                                    [--procs 3]
    python bench/explore.py names CORPUS [--baseline /work/main] [--articles 1500] [--rounds 5]

``--baseline`` is a checkout of the engine before this work (with its own
.venv): its builds and queries run beside this tree's, in turn, so the ratios
come from one run on one (shared, noisy) machine. Latency is bench/firsttime.py's:
fresh processes, warmed up, every query timed the first time it is seen, each
query's median over the processes; a search returns the top 10 with snippets
and, here, the facets (categories, years, and now the timeline and names).
"""
import argparse
import json
import os
import resource
import statistics
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


def _timed(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, the whole process tree) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL)
    if done.returncode not in (0, 3):  # 3: built, some files skipped (and reported)
        raise SystemExit(f"{cmd[:3]} failed with exit status {done.returncode}")
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _order(text: str) -> str:
    """--order: builds named explore, baseline or naive, comma-separated."""
    unknown = [n for n in text.split(",") if n not in ("explore", "baseline", "naive")]
    if unknown or not text:
        raise argparse.ArgumentTypeError(f"unknown build {', '.join(unknown) or '(none)'!r}: "
                                         "name explore, baseline or naive")
    return text


def _build_cmd(name: str, args, out: Path, run: int) -> tuple[list[str], Path]:
    index = str(out / f"ix_{name}_{run}")
    if name == "naive":
        return [_python(ROOT), str(HERE / "naive.py"), args.corpus, index], ROOT
    tree = ROOT if name == "explore" else Path(args.baseline)
    return [_python(tree), "-m", "indexer", args.corpus, "--index", index, "--rebuild", "-q"], tree


def _page_cache(corpus: str, how: str) -> None:
    """Before a build, untimed: every corpus file read once (warm) or dropped from the
    page cache (cold), so every build starts alike; "asis" leaves it as the last left it
    (the first build of a run then reads from disk, the others from memory)."""
    if how == "asis":
        return
    for path in Path(corpus).rglob("*.md"):
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            if how == "warm":
                while os.read(fd, 1 << 20):
                    pass
            else:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def build(args) -> dict:
    """Fresh builds in the order given (``explore,naive,explore`` puts the slow naive
    build between two of ours, so a drifting load weighs on both sides alike)."""
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    runs: dict[str, list[tuple[float, float]]] = {}
    loads = []
    for run, name in enumerate(args.order.split(",")):
        cmd, cwd = _build_cmd(name, args, out, run)
        _page_cache(args.corpus, args.page_cache)
        wall, cpu = _timed(cmd, cwd)
        runs.setdefault(name, []).append((wall, cpu))
        loads.append(round(os.getloadavg()[0], 1))
        print(f"{name}: {wall:.1f} s wall, {cpu:.1f} s CPU, load {loads[-1]}", file=sys.stderr)
    wall = {n: statistics.mean(w for w, _ in r) for n, r in runs.items()}
    cpu = {n: statistics.mean(c for _, c in r) for n, r in runs.items()}
    ratios = {}
    for a, b in (("naive", "explore"), ("naive", "baseline"), ("explore", "baseline")):
        if a in runs and b in runs:
            ratios[f"{a}/{b} wall"] = wall[a] / wall[b]
            ratios[f"{a}/{b} cpu"] = cpu[a] / cpu[b]
    return {"corpus": args.corpus, "order": args.order, "page_cache": args.page_cache,
            "runs": runs, "loads": loads, "wall_s": wall, "cpu_s": cpu, "ratios": ratios}


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


# Run by each tree's own python in its own checkout: finds the names of a random sample of
# articles, a fresh NameFinder (tables loaded, not timed) each round, and prints the seconds.
_NAMES_WORKER = """
import json, random, sys, time
from datetime import timedelta, timezone
from pathlib import Path
from indexer.corpus import parse_article
from search.analysis import Segmenter
from search.names import NameFinder
root, n, seed, rounds = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
random.seed(seed)
files = random.sample(sorted(root.rglob("*.md")), n)
arts = [a for a, _ in (parse_article(root, p, p.read_bytes(), timezone(timedelta(hours=8)))
                       for p in files) if a]
seg = Segmenter(None)
seg.initialize()
times = []
for _ in range(rounds):
    finder = NameFinder(seg)
    finder.load()
    start = time.perf_counter()
    found = sum(len(x) for a in arts for x in finder.find(a.title, a.body).as_dict().values())
    times.append(time.perf_counter() - start)
print(json.dumps({"articles": len(arts), "seconds": times, "names": found}))
"""


def names(args) -> dict:
    """Milliseconds per article to find names (title + lead), this tree and the baseline's,
    rounds alternating between the two; medians over rounds."""
    runs: dict[str, list[float]] = {"explore": [], "baseline": []}
    found = {}
    for _ in range(args.rounds):
        for name, tree in (("explore", ROOT), ("baseline", Path(args.baseline))):
            out = subprocess.run([_python(tree), "-c", _NAMES_WORKER, args.corpus,
                                  str(args.articles), str(args.seed), "1"], cwd=tree,
                                 check=True, capture_output=True, text=True)
            res = json.loads(out.stdout)
            runs[name].append(res["seconds"][0] * 1000 / res["articles"])
            found[name] = res["names"]
    med = {name: statistics.median(ms) for name, ms in runs.items()}
    return {"articles": args.articles, "seed": args.seed, "ms_per_article": med,
            "rounds": runs, "names_found": found,
            "ratio": med["explore"] / med["baseline"]}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="job", required=True)
    b = sub.add_parser("build")
    b.add_argument("corpus")
    b.add_argument("out")
    b.add_argument("--baseline", default="/work/main")
    b.add_argument("--order", default="explore,baseline", type=_order,
                   help="builds to run, in turn: explore (this tree), baseline, naive")
    b.add_argument("--page-cache", choices=("warm", "cold", "asis"), default="warm",
                   help="before each build, read the corpus (warm) or drop it from the "
                        "page cache (cold); default: warm")
    q = sub.add_parser("latency")
    q.add_argument("index")
    q.add_argument("--baseline-index", required=True)
    q.add_argument("--baseline", default="/work/main")
    q.add_argument("--procs", type=int, default=3)
    n = sub.add_parser("names")
    n.add_argument("corpus")
    n.add_argument("--baseline", default="/work/main")
    n.add_argument("--articles", type=int, default=1500)
    n.add_argument("--seed", type=int, default=1)
    n.add_argument("--rounds", type=int, default=5)
    args = p.parse_args()
    result = {"build": build, "latency": latency, "names": names}[args.job](args)
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
