"""The measurements bench/run.py can make, each independent of the others, so one
can be rerun alone (`--only memory`) and merged into an earlier run's results.

Every part takes a Job (one engine on one corpus) and returns a dict, or
{"na": reason} when it cannot be measured.
"""
import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path

from bench import corpora, engines, firsttime, load, measure, queries, serving

# In the order they run: the update, which changes the index, comes last.
PARTS = ("build", "latency", "filters", "pages", "api", "memory", "coldstart", "update")
OURS_ONLY = {"filters", "pages", "api", "memory", "coldstart"}


@dataclasses.dataclass
class Job:
    engine: str
    size: str
    corpus: Path
    new: Path
    articles: int
    index: Path
    logs: Path
    args: object
    repo: Path
    env: dict
    prebuilt: bool = False

    def log_path(self, part):
        return self.logs / f"{self.size}-{self.engine}-{part}.log"

    def mix(self):
        return queries.load(self.args.queries)


def tail(path, lines=5):
    try:
        return " | ".join(Path(path).read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return ""


def worker(job, part, argv):
    """Run `python -m bench.worker ARGV`; its last stdout line is the JSON answer."""
    log_path = job.log_path(part)
    with open(log_path, "w") as err:
        done = subprocess.run([sys.executable, "-m", "bench.worker", *argv], cwd=job.repo,
                              env=job.env, stdout=subprocess.PIPE, stderr=err, text=True)
    if done.returncode != 0:
        return {"na": f"worker exited {done.returncode}: {tail(log_path)}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def build(job):
    if job.prebuilt:
        return {"na": f"prebuilt index {job.index} (not built in this run)"}
    shutil.rmtree(job.index, ignore_errors=True)
    job.index.parent.mkdir(parents=True, exist_ok=True)
    with open(job.log_path("build"), "w") as out:
        result = measure.run_measured(engines.build_cmd(job.engine, job.corpus, job.index),
                                      cwd=job.repo, env=job.env, log=out)
    if result["returncode"] != 0:
        return {"na": f"build exited {result['returncode']}: {tail(job.log_path('build'))}",
                **result}
    result["articles_per_s"] = job.articles / result["seconds"]
    return result


def latency(job):
    """First-time latency over --procs fresh processes, each in its own order."""
    runs = []
    for proc in range(job.args.procs):
        argv = ["latency", job.engine, str(job.index), job.args.queries, job.args.warmup,
                "--seed", str(job.args.seed + proc), "--reps", str(job.args.reps if proc == 0 else 0)]
        one = worker(job, "latency", argv)
        if "na" in one:
            return one
        runs.append(one)
    return firsttime.combine(runs)


def filters(job):
    return worker(job, "filters", ["filters", str(job.index), job.args.queries, job.args.warmup,
                                   "--seed", str(job.args.seed)])


def pages(job):
    return worker(job, "pages", ["pages", str(job.index), job.args.queries, job.args.warmup,
                                 "--seed", str(job.args.seed)])


def api(job):
    return load.run(job.index, [q for q, _ in job.mix()], job.repo, job.env, job.log_path("api"),
                    clients=job.args.clients, seconds=job.args.api_seconds, seed=job.args.seed)


def memory(job):
    out = {}
    for threads in job.args.mem_threads:
        out[str(threads)] = serving.memory(
            job.index, [q for q, _ in job.mix()], job.repo, job.env,
            job.log_path(f"memory-{threads}"), threads, requests=job.args.mem_requests,
            clients=job.args.clients, seed=job.args.seed + threads)
    return out


def coldstart(job):
    from webui.server import default_workers

    mix = [q for q, _ in job.mix()]
    # (label, extra args, request slots = processes x threads) as `python -m webui` serves
    setups = [("python -m webui", (), default_workers() * 2),
              ("python -m webui --workers 1", ("--workers", "1"), 8)]
    return {label: serving.cold_start(job.index, mix, job.repo, job.env,
                                      job.log_path(f"coldstart-{i}"), slots, extra, label)
            for i, (label, extra, slots) in enumerate(setups)}


def update(job):
    """Add the held-back posts, update the index, and time until one is found."""
    if job.prebuilt:
        return {"na": "prebuilt index: left as it is"}
    title = corpora.probe_title(job.new)
    probe = start_probe(job, title)
    if probe is None:
        return {"na": f"could not open the index to probe it: {tail(job.log_path('probe'))}"}
    added = corpora.add_new(job.corpus, job.new)
    try:
        with open(job.log_path("update"), "w") as out:
            result = measure.run_measured(engines.update_cmd(job.engine, job.corpus, job.index, added),
                                          cwd=job.repo, env=job.env, log=out)
        found = finish_probe(probe, job)
    finally:
        if probe.poll() is None:
            probe.kill()
            probe.wait()
        corpora.remove_added(job.corpus, job.new)
    if result["returncode"] != 0:
        return {"na": f"update exited {result['returncode']}: {tail(job.log_path('update'))}"}
    if "na" in found or not found["found"]:
        return {"na": f"a new post ({title}) was not found after the update", "probe": found}
    return {"added": len(added), "update_s": result["seconds"], "probe_ms": found["ms"],
            "seconds": result["seconds"] + found["ms"] / 1000, "probe_title": title}


def start_probe(job, title):
    """A warmed-up reader of the index, waiting to look for a new post (bench.worker probe)."""
    err = open(job.log_path("probe"), "w")
    proc = subprocess.Popen([sys.executable, "-m", "bench.worker", "probe", job.engine,
                             str(job.index), title], cwd=job.repo, env=job.env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, text=True)
    err.close()
    if proc.stdout.readline().strip() != "ready":
        proc.kill()
        proc.wait()
        return None
    return proc


def finish_probe(proc, job):
    out, _ = proc.communicate("go\n", timeout=600)
    if proc.returncode != 0:
        return {"na": f"probe exited {proc.returncode}: {tail(job.log_path('probe'))}"}
    return json.loads(out.strip().splitlines()[-1])
