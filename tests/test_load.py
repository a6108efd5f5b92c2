"""The web UI under a burst of concurrent good and hostile requests, also while the index is rebuilt.

A real server (``python -m webui``: gunicorn workers) on 127.0.0.1 and a small load
generator in threads: a bounded number of requests, each with a timeout.
Every answer must be 200, 400 or 404 — never a 500, never silence.
"""
from __future__ import annotations

import http.client
import json
import random
import shutil
import socket
import subprocess
import sys
import threading
import time
from urllib.parse import quote

import pytest

import synth
from conftest import CORPUS

THREADS = 8
REQUESTS = 40
TIMEOUT = 10.0
OK = {200, 400, 404}

GOOD = ["/", "/?q=北约", "/?q=普京+北约", "/?q=北约+OR+普京&sort=newest", "/?q=-普京",
        "/?q=%22国内生产总值%22", "/?q=title:联合国", "/?q=北约&page=2&per_page=5",
        "/?q=芯片&category=头条", "/?q=2022年&since=2022-01-01&until=2022-12-31",
        "/api/search?q=北约", "/api/search?q=乌克兰&page=3", "/feed.atom?q=北约",
        "/opensearch.xml"]
HOSTILE = ["/?q=<script>alert(1)</script>", "/?q=%00", "/?q=NOT+OR+x", "/?q=(((((",
           "/?q=%22unclosed", "/?q=*", "/?q=" + "长" * 3000, "/?page=-1&q=x", "/?page=abc&q=x",
           "/?per_page=100000&q=x", "/?since=notadate&q=x", "/?until=2022-13-45&q=x",
           "/?sort=evil&q=x", "/?q=x&page=99999999999999999999", "/article/..%2F..%2Fetc%2Fpasswd",
           "/article/%00", "/article/" + "a" * 500, "/article/nonexistent",
           "/api/search?q=title:", "/?q=category:", "/?q=%ED%A0%80", "/?q=%FF%FE",
           "/api/search?per_page=0", "/?" + "&".join(f"category=c{i}" for i in range(100)),
           "/nope", "/static/../../etc/passwd", "/api/search?q=x&since=2022-02-30",
           "/feed.atom?q=%3Cx%3E&page=-5", "/?q=" + quote("'\";--{}[]\\"), "/?q=%E3%80%80"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        conn.request("GET", quote(path, safe="/?&=%+:'\";-{}[]\\*()<>!,"))
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("load")
    corpus, index = tmp / "corpus", tmp / "index"
    shutil.copytree(CORPUS, corpus)
    done = synth.indexer(corpus, "--index", index, "-q")
    assert done.returncode == 3, done.stderr  # the corpus has one broken file on purpose
    port = free_port()
    log = open(tmp / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "webui", "--index", str(index), "--corpus",
                             str(corpus), "--host", "127.0.0.1", "--port", str(port)],
                            cwd=synth.ROOT, env=synth.env(), stdout=log, stderr=log,
                            stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:
        try:
            if get(port, "/?q=北约") == 200:
                break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the server did not start: {(tmp / 'server.log').read_text()}")
        time.sleep(0.2)
    ids = json.loads(_body(port, "/api/search?q=北约&per_page=5"))["hits"]
    yield {"port": port, "corpus": corpus, "index": index, "ids": [h["id"] for h in ids],
           "log": tmp / "server.log", "proc": proc}
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def _body(port: int, path: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        conn.request("GET", quote(path, safe="/?&=%+:"))
        return conn.getresponse().read().decode("utf-8")
    finally:
        conn.close()


def burst(port: int, urls: list[str], n: int, until: threading.Event | None = None
          ) -> tuple[list[tuple[str, int]], list[tuple[str, str]]]:
    """THREADS threads, each sending up to n requests (stopping early once ``until`` is set)."""
    statuses: list[tuple[str, int]] = []
    failures: list[tuple[str, str]] = []
    lock = threading.Lock()

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(n):
            if until is not None and until.is_set():
                return
            url = rng.choice(urls)
            try:
                status = get(port, url)
                with lock:
                    statuses.append((url, status))
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    failures.append((url, repr(exc)))

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=n * TIMEOUT)
    return statuses, failures


def _urls(server) -> list[str]:
    articles = [f"/article/{i}" for i in server["ids"]] + [f"/article/{i}?q=北约"
                                                             for i in server["ids"]]
    return GOOD + HOSTILE + articles


def test_a_burst_of_good_and_hostile_requests(server):
    started = time.monotonic()
    statuses, failures = burst(server["port"], _urls(server), REQUESTS)
    assert not failures, failures[:5]
    assert len(statuses) == THREADS * REQUESTS
    bad = [(u, s) for u, s in statuses if s not in OK]
    assert not bad, bad[:10]
    assert {s for _, s in statuses} >= {200, 400, 404}
    assert "Traceback" not in server["log"].read_text(encoding="utf-8")
    assert time.monotonic() - started < 30


def test_a_burst_during_a_rebuild(server):
    from search.storage import current_generation

    before = current_generation(server["index"])
    rebuilt = threading.Event()
    rebuild = subprocess.Popen([sys.executable, "-m", "indexer", str(server["corpus"]),
                                "--index", str(server["index"]), "--rebuild", "-q", "--wait", "20"],
                               cwd=synth.ROOT, env=synth.env(), stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    threading.Thread(target=lambda: (rebuild.wait(), rebuilt.set()), daemon=True).start()
    during, failed_during = burst(server["port"], _urls(server), REQUESTS, until=rebuilt)
    assert rebuild.wait(timeout=60) == 3, rebuild.stderr.read()
    assert current_generation(server["index"]) != before
    after, failed_after = burst(server["port"], _urls(server), 10)
    statuses, failures = during + after, failed_during + failed_after
    bad = [(u, s) for u, s in statuses if s not in OK]
    assert not bad, bad[:10]
    assert not failures, failures[:5]
    assert len(during) >= THREADS and len(after) == THREADS * 10
    assert "Traceback" not in server["log"].read_text(encoding="utf-8")
