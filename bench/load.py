"""Load test of the web UI's JSON API: N client threads on loopback.

Loopback only, bounded by time or by a request count: this measures our server,
never anything remote. With 2 cores the client threads share the CPU with the
server, so absolute requests/s are a floor; compare runs on the same machine.
"""
import http.client
import threading
import time

from bench import requestmix, server as servers
from bench.stats import percentile


def get(conn, url):
    """One request; returns (ms, ok). Reads the whole body, as a browser would."""
    start = time.perf_counter()
    conn.request("GET", url)
    resp = conn.getresponse()
    resp.read()
    return (time.perf_counter() - start) * 1000, resp.status == 200


def client(port, feed, stop, out):
    """Take URLs from the feed until stop() says so."""
    conn = http.client.HTTPConnection(servers.HOST, port, timeout=60)
    while not stop():
        try:
            out.append(get(conn, feed.take()))
        except (OSError, http.client.HTTPException):
            out.append((None, False))
            conn.close()
            conn = http.client.HTTPConnection(servers.HOST, port, timeout=60)
    conn.close()


def hammer(port, feed, clients, seconds=None, requests=None):
    """Run clients until `seconds` pass or `requests` have been sent; (results, elapsed)."""
    per_thread = [[] for _ in range(clients)]
    deadline = time.monotonic() + seconds if seconds else None
    stop = (lambda: time.monotonic() >= deadline) if seconds else (lambda: feed.handed >= requests)
    threads = [threading.Thread(target=client, args=(port, feed, stop, per_thread[n]))
               for n in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [r for rows in per_thread for r in rows], time.perf_counter() - start


def summary(results, elapsed):
    ok_ms = [ms for ms, ok in results if ok]
    return {"seconds": elapsed, "requests": len(results), "rps": len(ok_ms) / elapsed,
            "errors": len(results) - len(ok_ms),
            "p50_ms": percentile(ok_ms, 50), "p95_ms": percentile(ok_ms, 95)}


def run(index, queries, repo_root, env, log_path, clients=8, seconds=30, seed=0):
    """`python -m webui` as the README starts it, loaded with varied requests."""
    port = servers.free_port()
    with open(log_path, "w") as log:
        server, problem = servers.start(servers.webui_cmd(index, port), port, repo_root, env, log)
        if server is None:
            return {"na": f"{problem}; see {log_path}"}
        try:
            feed = requestmix.Feed(requestmix.urls(queries, seed))
            results, elapsed = hammer(port, feed, clients, seconds=seconds)
        finally:
            servers.stop(server)
    return {"clients": clients, "server": "python -m webui (defaults)",
            "distinct_share": feed.distinct_share, **summary(results, elapsed)}
