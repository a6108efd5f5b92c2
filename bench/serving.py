"""A server process over the index: its memory after varied requests, and how its
first requests after start-up compare with warm ones.

Memory: one gunicorn worker (bench.server) with 1 and with 8 threads, 1,000
requests from the varied API mix, then /proc/PID/smaps_rollup of every process.
Cold start: `python -m webui` as the README starts it; once it is up (and idle),
a wave of concurrent first searches, one per worker thread, then warm waves of the
same shape with other queries; the ratio is each first request against the warm
median.
"""
import http.client
import random
import statistics
import threading
import urllib.parse

from bench import load, requestmix, server as servers
from bench.stats import percentile

WARM_WAVES = 5


def memory(index, queries, repo_root, env, log_path, threads, requests=1000, clients=8, seed=1):
    port = servers.free_port()
    with open(log_path, "w") as log:
        server, problem = servers.start(servers.one_worker_cmd(index, port, threads), port,
                                        repo_root, env, log)
        if server is None:
            return {"na": f"{problem}; see {log_path}"}
        try:
            before = servers.memory(server)
            feed = requestmix.Feed(requestmix.urls(queries, seed))
            results, elapsed = load.hammer(port, feed, clients, requests=requests)
            after = servers.memory(server)
        finally:
            servers.stop(server)
    return {"threads": threads, "clients": clients, "distinct_share": feed.distinct_share,
            "before": before, "after": after, **load.summary(results, elapsed)}


def wave(port, urls):
    """Send these URLs at once, one connection each; their (ms, ok) in order."""
    out = [None] * len(urls)

    def one(i):
        conn = http.client.HTTPConnection(servers.HOST, port, timeout=120)
        try:
            out[i] = load.get(conn, urls[i])
        except (OSError, http.client.HTTPException):
            out[i] = (None, False)
        conn.close()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(urls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def cold_start(index, queries, repo_root, env, log_path, slots, extra=(), label="python -m webui",
               seed=2):
    """slots = workers x threads of the server: one request per thread in each wave."""
    port = servers.free_port()
    queries = list(queries)
    random.Random(seed).shuffle(queries)  # first and warm waves drawn alike from the mix
    urls = ["/api/search?" + urllib.parse.urlencode({"q": q}) for q in queries]
    if len(urls) < slots * (WARM_WAVES + 1):
        return {"na": f"need {slots * (WARM_WAVES + 1)} distinct queries, have {len(urls)}"}
    with open(log_path, "w") as log:
        server, problem = servers.start(servers.webui_cmd(index, port, extra), port,
                                        repo_root, env, log)
        if server is None:
            return {"na": f"{problem}; see {log_path}"}
        try:
            first = wave(port, urls[:slots])
            warm = [ms for w in range(1, WARM_WAVES + 1)
                    for ms in wave(port, urls[w * slots:(w + 1) * slots])]
        finally:
            servers.stop(server)
    first_ms = [ms for ms, ok in first if ok]
    warm_ms = [ms for ms, ok in warm if ok]
    warm_p50 = percentile(warm_ms, 50)
    return {"server": label, "slots": slots, "first_ms": first_ms, "warm_p50_ms": warm_p50,
            "warm_p95_ms": percentile(warm_ms, 95),
            "errors": len(first) + len(warm) - len(first_ms) - len(warm_ms),
            "first_over_warm_max": max(first_ms) / warm_p50 if first_ms and warm_p50 else None,
            "first_over_warm_p50": statistics.median(first_ms) / warm_p50
            if first_ms and warm_p50 else None}
