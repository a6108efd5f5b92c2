"""Soak: API clients on loopback while ``python -m indexer --watch`` follows a changing corpus.

    python -m bench.soak [--articles 5000] [--seconds 300] [--clients 16] [--source DIR]

A corpus of ``--articles`` posts (from ``--source``, default the generated
archive in /work/data/all) is indexed; then the web server and the watcher
start, ``--clients`` threads query the JSON API without pause, a new article
appears every second and an existing one changes every 5 s (each carries a
phrase of its own). A checker polls for each phrase and records when it
became searchable. Reported: requests and errors, p50/p95 latency, the
longest (and p95) time from a file being written to it being found, and the
memory of the server and of the watcher (their whole process trees) once
the first new file has been found (the watcher has loaded jieba) and at the end. Not part of the test suite; figures go in
docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import psutil

from bench.load import get
from bench.server import HOST, free_port, start as start_server, stop as stop_server, webui_cmd
from bench.measure import tree_memory
from bench.queries import load as load_queries
from bench.stats import percentile

ROOT = Path(__file__).resolve().parent.parent
WARMUP = 10.0


def _posts(source: Path) -> list[Path]:
    return sorted(source.rglob("*.md"))


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".part")  # not *.md: the watcher ignores it
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _mark_title(text: str, phrase: str) -> str:
    head, sep, rest = text.partition("title:")
    return head + sep + " '" + phrase + "'\nsubtitle:" + rest if sep else text


class Feeder(threading.Thread):
    """Adds an article a second and changes one every 5 s; remembers when each was written."""

    def __init__(self, corpus: Path, spare: list[Path], deadline: float):
        super().__init__(daemon=True)
        self.corpus, self.spare, self.deadline = corpus, spare, deadline
        self.pending: dict[str, float] = {}  # phrase -> when written
        self.lock = threading.Lock()
        self.added: list[Path] = []

    def run(self) -> None:
        start = time.monotonic()
        for n in itertools.count(1):
            if time.monotonic() >= self.deadline or not self.spare:
                return
            src = self.spare.pop(0)
            phrase = f"浸泡新增{n}号"
            target = self.corpus / "soak" / f"new-{n:05d}.md"
            target.parent.mkdir(exist_ok=True)
            _write_atomic(target, _mark_title(src.read_text(encoding="utf-8"), phrase))
            self._note(phrase)
            self.added.append(target)
            if n % 5 == 0 and len(self.added) > 1:
                victim = self.added[n // 5 % (len(self.added) - 1)]
                phrase = f"浸泡改动{n}号"
                text = victim.read_text(encoding="utf-8") + f"\n<p>{phrase}</p>\n"
                _write_atomic(victim, text)
                self._note(phrase)
            time.sleep(max(0.0, start + n - time.monotonic()))  # one a second, no drift

    def _note(self, phrase: str) -> None:
        with self.lock:
            self.pending[phrase] = time.monotonic()


def checker(port: int, feeder: Feeder, stop: threading.Event, give_up: float, lags: list,
            errors: list) -> None:
    """Poll each pending phrase until found; record seconds from written to found.

    After ``stop``, goes on until every phrase is found or ``give_up`` (monotonic) passes.
    """
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    while not stop.is_set() or feeder.pending:
        with feeder.lock:
            todo = list(feeder.pending.items())
        for phrase, written in todo:
            try:
                conn.request("GET", "/api/search?q=" + urllib.parse.quote(f'"{phrase}"'))
                resp = conn.getresponse()
                body = resp.read()
                if resp.status != 200:
                    errors.append(resp.status)
                elif json.loads(body)["total"] >= 1:
                    lags.append(time.monotonic() - written)
                    with feeder.lock:
                        feeder.pending.pop(phrase, None)
            except (OSError, http.client.HTTPException, ValueError) as exc:
                errors.append(repr(exc))
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
        if stop.is_set() and time.monotonic() > give_up:
            return
        time.sleep(0.2)


def client(port: int, mix: list[str], offset: int, stop: threading.Event, out: list) -> None:
    conn, i = http.client.HTTPConnection(HOST, port, timeout=30), offset
    while not stop.is_set():
        try:
            out.append(get(conn, "/api/search?q=" + urllib.parse.quote(mix[i % len(mix)])))
        except (OSError, http.client.HTTPException):
            out.append((None, False))
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
        i += 1
    conn.close()


def _mb(proc: subprocess.Popen) -> dict:
    rss, pss = tree_memory(psutil.Process(proc.pid))
    return {"rss_mb": round(rss / 2**20, 1), "pss_mb": round(pss / 2**20, 1)}


def prepare(work: Path, source: Path, articles: int, seconds: float) -> tuple[Path, Path, list]:
    posts = _posts(source)
    need = articles + int(seconds) + 10
    if len(posts) < need:
        sys.exit(f"{source} has {len(posts)} posts; need {need}")
    shutil.rmtree(work, ignore_errors=True)
    corpus, index = work / "corpus", work / "index"
    for i, src in enumerate(posts[:articles]):
        dst = corpus / f"{i // 1000:03d}" / f"{i:06d}.md"
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
    past = time.time() - 3600
    for p in corpus.rglob("*.md"):
        os.utime(p, (past, past))
    subprocess.run([sys.executable, "-m", "indexer", str(corpus), "--index", str(index), "-q"],
                   cwd=ROOT, check=True)
    return corpus, index, posts[articles:need]


def _feed(port: int, corpus: Path, spare: list[Path], seconds: float, procs: dict) -> dict:
    """Files come for ``seconds``; when each became searchable, and memory before and after."""
    feeder = Feeder(corpus, spare, time.monotonic() + seconds)
    lags: list[float] = []
    errors: list = []
    stop = threading.Event()
    check = threading.Thread(target=checker, daemon=True, args=(
        port, feeder, stop, time.monotonic() + seconds + 60, lags, errors))
    feeder.start()
    check.start()
    while not lags and feeder.is_alive():  # the watcher has loaded jieba and updated once
        time.sleep(0.2)
    start_mem = {name: _mb(proc) for name, proc in procs.items()}
    feeder.join()
    stop.set()
    check.join()  # gives the last files up to 60 s
    return {"files_written": len(lags) + len(feeder.pending), "never_found": len(feeder.pending),
            "checker_errors": len(errors), "lag_max_s": round(max(lags, default=float("nan")), 2),
            "lag_p95_s": round(percentile(lags, 95), 2) if lags else None,
            "lag_median_s": round(percentile(lags, 50), 2) if lags else None,
            "memory_start": start_mem,
            "memory_end": {name: _mb(proc) for name, proc in procs.items()}}


def soak(args: argparse.Namespace) -> dict:
    work = Path(args.work)
    corpus, index, spare = prepare(work, Path(args.source), args.articles, args.seconds)
    port = free_port()
    log = open(work / "server.log", "w")
    server, problem = start_server(webui_cmd(index, port), port, ROOT, None, log)
    if server is None:
        sys.exit(problem)
    watcher = subprocess.Popen(
        [sys.executable, "-m", "indexer", str(corpus), "--index", str(index), "--watch", "-q",
         "--debounce", str(args.debounce)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    mix = [q for q, _ in load_queries(ROOT / "bench" / "queries.txt")]
    stop, results = threading.Event(), [[] for _ in range(args.clients)]
    threads = [threading.Thread(target=client, args=(port, mix, n * 7, stop, results[n]))
               for n in range(args.clients)]
    try:
        for t in threads:
            t.start()
        time.sleep(WARMUP)
        began = time.perf_counter()
        fed = _feed(port, corpus, spare, args.seconds, {"server": server, "watcher": watcher})
        stop.set()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - began + WARMUP
    finally:
        stop.set()
        watcher.terminate()
        watcher.wait(timeout=30)
        stop_server(server)
        log.close()
    ok = [ms for rows in results for ms, good in rows if good]
    requests = sum(map(len, results))
    return {"articles_at_start": args.articles, "seconds": round(elapsed, 1),
            "clients": args.clients, "debounce": args.debounce, "requests": requests,
            "errors": requests - len(ok), "rps": round(len(ok) / elapsed, 1),
            "p50_ms": round(percentile(ok, 50), 1), "p95_ms": round(percentile(ok, 95), 1),
            **fed}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n")[0])
    p.add_argument("--source", default="/work/data/all", help="folder of posts to draw from")
    p.add_argument("--articles", type=int, default=5000, help="corpus size at the start")
    p.add_argument("--seconds", type=float, default=300, help="how long files keep coming")
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--debounce", type=float, default=2.0, help="the watcher's --debounce")
    p.add_argument("--work", default=str(ROOT / "bench" / "out" / "soak"))
    result = soak(p.parse_args(argv))
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
