"""Benchmark our engine against the naive recipe, both in one run, and write the report.

    python bench/run.py --sizes 10000,all,300000        # everything issue 9 asks for
    python bench/run.py --sizes all --only memory        # rerun one part, merged into results.json
    python bench/run.py --sizes 300 --api-seconds 3 --doc bench/out/benchmarks.md   # smoke

Parts (each can be skipped with --skip-PART or chosen with --only PART,...):
build, latency, filters, pages, api, memory, coldstart, update. Results are merged
into OUT/results.json by (size, engine, part), so a part rerun alone replaces only
its own figures; --fresh starts a new results file.

Not part of the test suite on purpose: it takes minutes to hours and its numbers
depend on the machine.
"""
import argparse
import datetime
import json
import os
import platform
import shlex
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Run as a script, Python puts bench/ first on sys.path; the repo root is what
# `bench.*`, `search` and `indexer` are importable from.
sys.path.insert(0, str(REPO))

from bench import corpora, engines, measure, parts, queries, report  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="10000,all",
                   help="comma list: N stories, `all` = the whole archive, N beyond the "
                        "archive = archive + grown stories, Ng = N grown stories only")
    p.add_argument("--engines", default="naive,ours", help="comma list of naive, ours")
    p.add_argument("--out", default=str(REPO / "bench" / "out"),
                   help="results.json, cached corpora, indexes and logs go here")
    p.add_argument("--doc", default=str(REPO / "docs" / "benchmarks.md"),
                   help="the Markdown report ('' for none); the plot goes beside it as bench.png")
    p.add_argument("--archive", help="an existing folder of the archive's posts (e.g. made by "
                   "xwlb_to_posts.py) to link the corpora from, instead of generating it")
    p.add_argument("--prebuilt", action="append", default=[], metavar="ENGINE=DIR",
                   help="use this index for ENGINE instead of building one (one size only; "
                        "read-only: build and update are not measured)")
    p.add_argument("--new", type=int, default=corpora.NEW_ARTICLES,
                   help="newest stories held back for the update part (default %(default)s; "
                        "a cached corpus keeps the number it was made with)")
    p.add_argument("--queries", default=str(REPO / "bench" / "queries.txt"))
    p.add_argument("--warmup", default=str(REPO / "bench" / "warmup.txt"),
                   help="queries run before any timed one; none of them may be in --queries")
    p.add_argument("--procs", type=int, default=3,
                   help="fresh processes per engine for first-time latency (median over them)")
    p.add_argument("--reps", type=int, default=2,
                   help="repeats of each query after its first time, in the first process")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--api-seconds", type=float, default=30)
    p.add_argument("--clients", type=int, default=8, help="concurrent API clients")
    p.add_argument("--mem-requests", type=int, default=1000, help="requests before reading memory")
    p.add_argument("--mem-threads", default="1,8", help="server threads to measure memory with")
    p.add_argument("--fresh", action="store_true", help="start a new results.json")
    p.add_argument("--only", help=f"comma list of parts to run: {','.join(parts.PARTS)}")
    for part in parts.PARTS:
        p.add_argument(f"--skip-{part}", action="store_true", help=f"do not run the {part} part")
    args = p.parse_args(argv)
    check(p, args)
    return args


def check(p, args):
    args.sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    args.engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    args.mem_threads = [int(t) for t in args.mem_threads.split(",") if t.strip()]
    for engine in args.engines:
        if engine not in engines.ENGINES:
            p.error(f"--engines: unknown engine {engine!r}; choose from {', '.join(engines.ENGINES)}")
    for size in args.sizes:
        if not corpora.valid_size(size):
            p.error(f"--sizes: {size!r} is neither a number, Ng, nor `all`")
    only = set(args.only.split(",")) if args.only else set(parts.PARTS)
    if only - set(parts.PARTS):
        p.error(f"--only: unknown part(s) {', '.join(sorted(only - set(parts.PARTS)))}")
    args.parts = [x for x in parts.PARTS if x in only and not getattr(args, f"skip_{x}")]
    args.prebuilt = dict(item.split("=", 1) for item in args.prebuilt if "=" in item)
    if args.prebuilt and len(args.sizes) != 1:
        p.error("--prebuilt: give exactly one size with it")
    for name in ("queries", "warmup"):
        try:
            queries.load(getattr(args, name))
        except (OSError, ValueError) as exc:
            p.error(f"--{name}: {exc}")
    overlap = {q for q, _ in queries.load(args.queries)} & {q for q, _ in queries.load(args.warmup)}
    if overlap:
        p.error(f"--warmup: shares queries with --queries ({', '.join(sorted(overlap))}); "
                "a warmed-up query is not timed the first time")


def child_env():
    # Children must import the checkout under test, not whatever else is installed.
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def log(message):
    print(f"[bench {datetime.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def machine():
    info = Path("/proc/meminfo").read_text()
    mem_kb = int(next(line.split()[1] for line in info.splitlines() if line.startswith("MemTotal")))
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    return {"cores": os.cpu_count(), "cpu": cpu, "mem_gib": mem_kb / 1024 ** 2,
            "python": platform.python_version(),
            "loadavg": " ".join(f"{x:.2f}" for x in os.getloadavg())}


def git_version():
    done = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=REPO,
                          capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def load_results(path, args):
    """The earlier results to merge into, unless --fresh."""
    if path.exists() and not args.fresh:
        try:
            return json.loads(path.read_text())
        except ValueError:
            log(f"{path} is not JSON: starting a new one")
    return {"runs": []}


def run_entry(results, size, engine, articles, corpus):
    for run in results["runs"]:
        if run["size"] == size and run["engine"] == engine:
            break
    else:
        run = {"size": size, "engine": engine}
        results["runs"].append(run)
    run.update(articles=articles, corpus_mb=corpora.files_size(corpus) / report.MB)
    return run


def bench_engine(job, run, args, save):
    reason = engines.missing(job.engine, REPO)
    if reason:
        log(f"{job.size} {job.engine}: n/a, {reason}")
        run["na"] = reason
        return
    for part in args.parts:
        if part in parts.OURS_ONLY and job.engine != "ours":
            continue
        if part != "build" and not job.index.is_dir():
            run[part] = {"na": f"no index at {job.index} (build it first)"}
            continue
        log(f"{job.size} {job.engine}: {part}")
        run[part] = getattr(parts, part)(job)
        run[part]["git"] = git_version()
        if part == "build" and "na" not in run[part]:
            run["index_bytes"] = measure.disk_size(job.index)
        if job.prebuilt and job.index.is_dir():
            run["index_bytes"] = measure.disk_size(job.index)
        if "na" in run[part]:
            log(f"{job.size} {job.engine}: {part} n/a, {run[part]['na']}")
        save()  # after every part, so a crash late in a long run keeps what it had


def main(argv=None):
    args = parse_args(argv)
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    path = out / "results.json"
    results = load_results(path, args)
    results.update(command=shlex.join(["python", "bench/run.py", *(argv or sys.argv[1:])]),
                   date=datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
                   git=git_version(), machine=machine())
    results["sizes"] = list(dict.fromkeys(results.get("sizes", []) + args.sizes))
    results["settings"] = {"n_queries": len(queries.load(args.queries)),
                           "n_warmup": len(queries.load(args.warmup)), "procs": args.procs,
                           "reps": args.reps, "clients": args.clients,
                           "api_seconds": args.api_seconds, "mem_requests": args.mem_requests}

    def save():
        path.write_text(json.dumps(results, ensure_ascii=False, indent=1))

    logs = out / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    for size in args.sizes:
        log(f"{size}: preparing the corpus")
        corpus, new, articles = corpora.prepare(size, out / "corpora", REPO, args.archive,
                                                 held_back=args.new)
        for engine in args.engines:
            prebuilt = args.prebuilt.get(engine)
            index = Path(prebuilt).resolve() if prebuilt else out / "index" / size / engine
            job = parts.Job(engine, size, corpus, new, articles, index, logs, args, REPO,
                            child_env(), prebuilt=bool(prebuilt))
            bench_engine(job, run_entry(results, size, engine, articles, corpus), args, save)
    # Load at the end too: other work on a shared machine starts and stops mid-run.
    results["machine"]["loadavg_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    save()
    if args.doc:
        report.write(results, args.doc)
        log(f"wrote {path} and {args.doc}")


if __name__ == "__main__":
    main()
