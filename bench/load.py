"""Load test of the web UI's JSON API: N client threads on loopback for a fixed time.

Loopback only, bounded by time: this measures our server, never anything remote.
With 2 cores the client threads share the CPU with the server, so absolute
requests/s are a floor; compare runs on the same machine.
"""
import http.client
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

from bench.stats import percentile

HOST = "127.0.0.1"
START_TIMEOUT = 120


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def get(conn, q):
    """One request; returns (ms, ok). Reads the whole body, as a browser would."""
    start = time.perf_counter()
    conn.request("GET", "/api/search?q=" + urllib.parse.quote(q))
    resp = conn.getresponse()
    resp.read()
    return (time.perf_counter() - start) * 1000, resp.status == 200


def start_server(index, port, repo_root, log):
    """Returns (server, None) once it answers, or (None, why it never did)."""
    cmd = [sys.executable, "-m", "webui", "--index", str(index), "--port", str(port), "--host", HOST]
    server = subprocess.Popen(cmd, cwd=repo_root, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and server.poll() is None:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
            ok = get(conn, "中国")[1]
            conn.close()
            if ok:
                return server, None
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.25)
    if server.poll() is not None:
        return None, f"server exited ({server.returncode}) before answering /api/search"
    stop_server(server)
    return None, f"server gave no 200 on /api/search within {START_TIMEOUT} s"


def stop_server(server):
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def client(port, mix, offset, deadline, out):
    """Loop over the query mix (each thread from its own offset) until the deadline."""
    conn, i = http.client.HTTPConnection(HOST, port, timeout=30), offset
    while time.monotonic() < deadline:
        try:
            out.append(get(conn, mix[i % len(mix)]))
        except (OSError, http.client.HTTPException):
            out.append((None, False))
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
        i += 1
    conn.close()


def hammer(port, mix, clients, seconds):
    per_thread = [[] for _ in range(clients)]
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=client, args=(port, mix, n * len(mix) // clients, deadline, per_thread[n]))
               for n in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [r for rows in per_thread for r in rows], time.perf_counter() - start


def run(index, mix, repo_root, log_path, clients=8, seconds=30):
    """Start the server, load it, stop it; returns a result dict or {"na": reason}."""
    if not (Path(repo_root) / "webui" / "__main__.py").exists():
        return {"na": "webui not built yet (webui/__main__.py missing)"}
    port = free_port()
    with open(log_path, "w") as log:
        server, problem = start_server(index, port, repo_root, log)
        if server is None:
            return {"na": f"{problem}; see {log_path}"}
        try:
            results, elapsed = hammer(port, mix, clients, seconds)
        finally:
            stop_server(server)
    ok_ms = [ms for ms, ok in results if ok]
    return {"clients": clients, "seconds": elapsed, "requests": len(results),
            "rps": len(ok_ms) / elapsed, "errors": len(results) - len(ok_ms),
            "p50_ms": percentile(ok_ms, 50), "p95_ms": percentile(ok_ms, 95)}
