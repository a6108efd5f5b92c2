"""Start, probe and stop a web server over an index, on loopback, and read its memory.

Two ways to start one:
- `python -m webui` with its own defaults (the README's command; extra args pass through);
- `python -m bench.server INDEX PORT THREADS`: one gunicorn worker with THREADS threads,
  set up as `python -m webui` sets up each of its workers (gthread, warmed before it
  takes requests). `python -m webui --workers 1` serves with waitress and a fixed
  8 threads, so it cannot show the difference between 1 and 8 threads.
"""
import http.client
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil

HOST = "127.0.0.1"
START_TIMEOUT = 300


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def webui_cmd(index, port, extra=()):
    return [sys.executable, "-m", "webui", "--index", str(index), "--port", str(port),
            "--host", HOST, *extra]


def one_worker_cmd(index, port, threads):
    return [sys.executable, "-m", "bench.server", str(index), str(port), str(threads)]


def answers(port, path):
    try:
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        conn.request("GET", path)
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except (OSError, http.client.HTTPException):
        return False


def start(cmd, port, repo_root, env, log, ready_path="/opensearch.xml"):
    """(server, None) once ready_path answers 200, or (None, why it never did).

    /opensearch.xml does not touch the index: readiness is checked without
    opening or warming anything, so a later first search is still a first search.
    """
    server = subprocess.Popen(cmd, cwd=repo_root, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and server.poll() is None:
        if answers(port, ready_path):
            settle(server)
            return server, None
        time.sleep(0.2)
    if server.poll() is not None:
        return None, f"server exited ({server.returncode}) before answering {ready_path}"
    stop(server)
    return None, f"server gave no 200 on {ready_path} within {START_TIMEOUT} s"


def settle(server, idle_cpu_s=0.05, interval=0.5, limit=120):
    """Wait until every process of the server has finished starting (warm-up of each
    worker included): the tree's CPU time stops growing."""
    root, last, deadline = psutil.Process(server.pid), None, time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            cpu = sum(sum(p.cpu_times()[:2]) for p in [root] + root.children(recursive=True))
        except psutil.NoSuchProcess:
            return
        if last is not None and cpu - last < idle_cpu_s:
            return
        last = cpu
        time.sleep(interval)


def stop(server):
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _rollup(pid):
    """Fields of /proc/PID/smaps_rollup in bytes (Rss, Pss, Anonymous, Private_*...)."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, rest = line.partition(":")
        parts = rest.split()
        if len(parts) == 2 and parts[1] == "kB":
            fields[name.strip()] = int(parts[0]) * 1024
    return fields


def memory(server):
    """Memory of the server's process tree: per process and summed, in bytes.

    rss: resident; pss: shared pages split between the processes sharing them;
    anon: anonymous memory (the heap: caches, arrays, unpickled tables);
    private: pages no other process maps (Private_Clean + Private_Dirty).
    """
    root = psutil.Process(server.pid)
    procs = []
    for proc in [root] + root.children(recursive=True):
        try:
            r = _rollup(proc.pid)
        except OSError:
            continue
        procs.append({"pid": proc.pid, "rss": r.get("Rss", 0), "pss": r.get("Pss", 0),
                      "anon": r.get("Anonymous", 0),
                      "private": r.get("Private_Clean", 0) + r.get("Private_Dirty", 0)})
    total = {k: sum(p[k] for p in procs) for k in ("rss", "pss", "anon", "private")}
    largest = max(procs, key=lambda p: p["rss"], default=None)
    return {"processes": procs, "sum": total, "largest": largest}


def main(argv=None):
    """`python -m bench.server INDEX PORT THREADS`: one warmed gunicorn worker."""
    index, port, threads = (argv or sys.argv[1:])[:3]
    from webui import create_app
    from webui.server import _gunicorn  # the very setup `python -m webui` gives each worker

    _gunicorn(lambda: create_app(index_dir=index), HOST, int(port), 1, int(threads)).run()


if __name__ == "__main__":
    main()
