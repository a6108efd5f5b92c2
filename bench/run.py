"""Benchmark our engine against the naive recipe, both in one run, and write the report.

    python bench/run.py --sizes 10000,all --out bench/out       # the real thing
    python bench/run.py --sizes 300 --api-seconds 3 --doc bench/out/benchmarks.md   # smoke

Not part of the test suite on purpose: it takes minutes to hours and its numbers
depend on the machine.
"""
import argparse
import datetime
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Run as a script, Python puts bench/ first on sys.path; the repo root is what
# `bench.*`, `search` and `indexer` are importable from.
sys.path.insert(0, str(REPO))

from bench import corpora, engines, load, measure, queries, report  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,all",
                        help="comma list of article counts; `all` = the whole archive")
    parser.add_argument("--engines", default="naive,ours", help="comma list of naive, ours")
    parser.add_argument("--out", default=str(REPO / "bench" / "out"),
                        help="results.json, cached corpora, indexes and logs go here")
    parser.add_argument("--doc", default=str(REPO / "docs" / "benchmarks.md"),
                        help="the Markdown report; the plot goes beside it as bench.png")
    parser.add_argument("--queries", default=str(REPO / "bench" / "queries.txt"))
    parser.add_argument("--reps", type=int, default=3, help="timed runs per query after warm-up")
    parser.add_argument("--skip-api", action="store_true", help="do not load-test the web API")
    parser.add_argument("--api-seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=8, help="concurrent API clients")
    args = parser.parse_args(argv)
    args.sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    args.engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    for engine in args.engines:
        if engine not in engines.ENGINES:
            parser.error(f"unknown engine {engine!r}; choose from {', '.join(engines.ENGINES)}")
    for size in args.sizes:
        if size != "all" and not size.isdigit():
            parser.error(f"size {size!r} is neither a number nor `all`")
    return args


def child_env():
    # Children must import the checkout under test, not whatever else is installed.
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def log(message):
    print(f"[bench {datetime.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def tail(path, lines=5):
    try:
        return " | ".join(Path(path).read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return ""


def worker(args, log_path):
    """Run `python -m bench.worker ARGS`; its last stdout line is the JSON answer."""
    with open(log_path, "w") as err:
        done = subprocess.run([sys.executable, "-m", "bench.worker", *args], cwd=REPO,
                              env=child_env(), stdout=subprocess.PIPE, stderr=err, text=True)
    if done.returncode != 0:
        return {"na": f"worker exited {done.returncode}: {tail(log_path)}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def build(engine, corpus, index, articles, logs):
    shutil.rmtree(index, ignore_errors=True)
    index.parent.mkdir(parents=True, exist_ok=True)
    log_path = logs / f"{index.parent.name}-{engine}-build.log"
    with open(log_path, "w") as out:
        result = measure.run_measured(engines.build_cmd(engine, corpus, index),
                                      cwd=REPO, env=child_env(), log=out)
    if result["returncode"] != 0:
        return {"na": f"build exited {result['returncode']}: {tail(log_path)}", **result}
    result["articles_per_s"] = articles / result["seconds"]
    return result


def start_probe(engine, index, title, log_path):
    """A warmed-up reader of the index, waiting to look for a new post (bench.worker probe)."""
    err = open(log_path, "w")
    proc = subprocess.Popen([sys.executable, "-m", "bench.worker", "probe", engine, str(index), title],
                            cwd=REPO, env=child_env(), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=err, text=True)
    err.close()
    if proc.stdout.readline().strip() != "ready":
        proc.kill()
        proc.wait()
        return None
    return proc


def finish_probe(proc, log_path):
    out, _ = proc.communicate("go\n", timeout=600)
    if proc.returncode != 0:
        return {"na": f"probe exited {proc.returncode}: {tail(log_path)}"}
    return json.loads(out.strip().splitlines()[-1])


def update(engine, corpus, new, index, logs):
    """Add the held-back posts, update the index, and time until one is found."""
    title, stem = corpora.probe_title(new), f"{index.parent.name}-{engine}"
    probe = start_probe(engine, index, title, logs / f"{stem}-probe.log")
    if probe is None:
        return {"na": f"could not open the index to probe it: {tail(logs / f'{stem}-probe.log')}"}
    added = corpora.add_new(corpus, new)
    try:
        with open(logs / f"{stem}-update.log", "w") as out:
            result = measure.run_measured(engines.update_cmd(engine, corpus, index, added),
                                          cwd=REPO, env=child_env(), log=out)
        found = finish_probe(probe, logs / f"{stem}-probe.log")
    finally:
        if probe.poll() is None:
            probe.kill()
            probe.wait()
        corpora.remove_added(corpus, new)
    if result["returncode"] != 0:
        return {"na": f"update exited {result['returncode']}: {tail(logs / f'{stem}-update.log')}"}
    if "na" in found or not found["found"]:
        return {"na": f"a new post ({title}) was not found after the update", "probe": found}
    return {"added": len(added), "update_s": result["seconds"], "probe_ms": found["ms"],
            "seconds": result["seconds"] + found["ms"] / 1000, "probe_title": title}


def bench_engine(engine, size, corpus, new, articles, args, out):
    """Every measurement for one engine on one corpus, in a fixed order: the API and
    queries see the index as built; the update, which changes it, comes last."""
    run = {"engine": engine, "size": size, "articles": articles,
           "corpus_mb": corpora.files_size(corpus) / report.MB}
    reason = engines.missing(engine, REPO)
    if reason:
        log(f"{size} {engine}: n/a, {reason}")
        return {**run, "na": reason}
    index, logs = out / "index" / size / engine, out / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log(f"{size} {engine}: building {articles} articles")
    run["build"] = build(engine, corpus, index, articles, logs)
    if "na" in run["build"]:
        log(f"{size} {engine}: build failed, {run['build']['na']}")
        return run
    run["index_bytes"] = measure.disk_size(index)
    log(f"{size} {engine}: built in {run['build']['seconds']:.1f} s; timing queries")
    run["latency"] = worker(["latency", engine, str(index), args.queries, "--reps", str(args.reps)],
                            logs / f"{size}-{engine}-latency.log")
    run["api"] = api(engine, index, args, logs / f"{size}-{engine}-api.log")
    log(f"{size} {engine}: adding {corpora.NEW_ARTICLES} posts")
    run["update"] = update(engine, corpus, new, index, logs)
    return run


def api(engine, index, args, log_path):
    if args.skip_api:
        return {"na": "skipped (--skip-api)"}
    if engine != "ours":
        return {"na": "the naive recipe has no web UI"}
    log(f"API: {args.clients} clients for {args.api_seconds:g} s")
    mix = [q for q, _ in queries.load(args.queries)]
    return load.run(index, mix, REPO, log_path, clients=args.clients, seconds=args.api_seconds)


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


def main(argv=None):
    args = parse_args(argv)
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    n_queries = len(queries.load(args.queries))
    results = {"command": shlex.join(["python", "bench/run.py", *sys.argv[1:]]),
               "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
               "git": git_version(), "machine": machine(), "sizes": args.sizes, "runs": [],
               "settings": {"n_queries": n_queries, "reps": args.reps, "clients": args.clients,
                            "api_seconds": args.api_seconds}}
    for size in args.sizes:
        corpus, new, articles = corpora.prepare(size, out / "corpora", REPO)
        for engine in args.engines:
            results["runs"].append(bench_engine(engine, size, corpus, new, articles, args, out))
            # Saved after every engine, so a crash late in a long run keeps what it had.
            (out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    # Load at the end too: other work on a shared machine starts and stops mid-run.
    results["machine"]["loadavg_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    (out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    if args.doc:
        report.write(results, args.doc)
        log(f"wrote {out / 'results.json'} and {args.doc}")


if __name__ == "__main__":
    main()
