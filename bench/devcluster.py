"""A throwaway 2-shard dev cluster for a benchmark: started in a folder, stopped by pid."""
from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def free_port_block(size: int, first: int = 21000) -> int:
    """The lowest base port from ``first`` with ``size`` free consecutive ports on loopback."""
    for base in range(first, 60000, 2 * size):
        socks = []
        try:
            for port in range(base, base + size):
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free block of ports on 127.0.0.1")


@contextlib.contextmanager
def dev_cluster(folder: Path, shards: int = 2, port: int | None = None):
    """Yields the URL of a cluster started with ``python -m search.sphinx up``."""
    port = port or free_port_block(2 * shards)
    py = sys.executable
    up = subprocess.run([py, "-m", "search.sphinx", "up", "--dir", str(folder), "--shards",
                         str(shards), "--port", str(port)], capture_output=True, text=True,
                        cwd=REPO)
    if up.returncode != 0:
        raise RuntimeError(f"dev cluster did not start: {up.stderr.strip()}")
    try:
        yield up.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([py, "-m", "search.sphinx", "down", "--dir", str(folder)], cwd=REPO,
                       capture_output=True)
