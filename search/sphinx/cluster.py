"""Start, stop and inspect a dev cluster: one ``searchd`` per shard on 127.0.0.1.

``up`` writes the configs, starts the nodes, waits until each answers SphinxQL
and records the shard addresses in the state table, so writers find the shards
from the URL alone. ``down`` stops the nodes by the pids in their pid files.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import SearchError
from .config import Layout, Node, write_configs
from .connection import connect, cursor
from .state import read_state, write_state

__all__ = ["ClusterError", "NodeStatus", "up", "down", "status", "LAYOUT_NAME"]

LAYOUT_NAME = "cluster.json"
_START_WAIT = 20.0


class ClusterError(SearchError):
    """A dev cluster could not be started, stopped or read."""


@dataclass
class NodeStatus:
    """One node: its shard, ports, pid and whether it answers."""

    shard: int
    mysql_port: int
    pid: int | None
    running: bool


def _searchd() -> str:
    path = shutil.which("searchd")
    if path is None:
        raise ClusterError("searchd not found: install it with "
                           "apt-get install --no-install-recommends sphinxsearch")
    return path


def _save(layout: Layout) -> None:
    data = {"name": layout.name, "nodes": [[n.shard, n.mysql_port, n.api_port]
                                           for n in layout.nodes]}
    (layout.root / LAYOUT_NAME).write_text(json.dumps(data), encoding="utf-8")


def load(root: str | os.PathLike) -> Layout:
    """The layout ``up`` recorded in ``root``; ClusterError if there is none."""
    path = Path(root).resolve() / LAYOUT_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        nodes = tuple(Node(*map(int, n)) for n in data["nodes"])
        return Layout(path.parent, str(data["name"]), nodes)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ClusterError(f"no dev cluster in {root} ({exc})") from None


def _pid(layout: Layout, node: Node) -> int | None:
    try:
        pid = int(layout.pid_path(node).read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except OSError:
        return None
    return pid


def _answers(node: Node) -> bool:
    try:
        connect("127.0.0.1", node.mysql_port, timeout=1).close()
        return True
    except SearchError:
        return False


def up(root: str | os.PathLike, name: str = "news", shards: int = 2,
       port: int = 9306) -> Layout:
    """Write configs and start every node not already running; returns the layout."""
    if not 1 <= shards <= 64:
        raise ClusterError(f"--shards: must be between 1 and 64, got {shards}")
    if not name.isidentifier() or not name.isascii():
        raise ClusterError(f"index name: letters, digits and _ only, got {name!r}")
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    layout = Layout.make(root, name, shards, port)
    write_configs(layout)
    _save(layout)
    for node in layout.nodes:
        if _pid(layout, node) is None:
            _start(layout, node)
    deadline = time.monotonic() + _START_WAIT
    for node in layout.nodes:
        while not _answers(node):
            if time.monotonic() > deadline:
                log = layout.config_path(node).parent / "searchd.log"
                raise ClusterError(f"shard {node.shard} did not answer on port "
                                   f"{node.mysql_port} within {_START_WAIT:.0f} s; see {log}")
            time.sleep(0.05)
    _check_tables(layout)
    _record_shards(layout)
    return layout


def _check_tables(layout: Layout) -> None:
    """Tables on disk keep the columns they were made with, whatever the config says."""
    from .config import state_table, table
    from .rows import COLUMNS

    wanted = [(n, table(layout.name, "a", n.shard), set(COLUMNS)) for n in layout.nodes]
    wanted.append((layout.nodes[0], state_table(layout.name), {"version"}))
    for node, name, columns in wanted:
        conn = connect("127.0.0.1", node.mysql_port)
        try:
            with cursor(conn) as cur:
                cur.execute(f"DESCRIBE {name}")
                missing = columns - {row[0] for row in cur.fetchall()}
        finally:
            conn.close()
        if missing:
            raise ClusterError(f"{layout.root}: table {name} was made by an older version "
                               f"(no {', '.join(sorted(missing))}); stop it with down, "
                               f"delete the folder, run up again and rebuild the index")


def _start(layout: Layout, node: Node) -> None:
    config = layout.config_path(node)
    result = subprocess.run([_searchd(), "--config", str(config)], capture_output=True,
                            text=True, errors="replace")
    if result.returncode != 0:
        tail = (result.stdout + result.stderr).strip().splitlines()[-3:]
        raise ClusterError(f"searchd for shard {node.shard} failed to start: {' '.join(tail)}")


def _record_shards(layout: Layout) -> None:
    """Tell the state table where the shards are (keeping what else it holds)."""
    conn = connect("127.0.0.1", layout.nodes[0].mysql_port)
    try:
        state = read_state(conn, layout.name, with_manifest=True)
        state.shards = [f"127.0.0.1:{n.mysql_port}" for n in layout.nodes]
        write_state(conn, layout.name, state)
    finally:
        conn.close()


def down(root: str | os.PathLike, wait: float = 10.0) -> list[int]:
    """Stop every node of the cluster in ``root`` by its pid; returns the pids stopped."""
    layout = load(root)
    stopped = []
    for node in layout.nodes:
        pid = _pid(layout, node)
        if pid is not None:
            os.kill(pid, signal.SIGTERM)
            stopped.append(pid)
    deadline = time.monotonic() + wait
    for pid in stopped:
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
    return stopped


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:  # a child of ours that exited but was not reaped yet
        return os.waitpid(pid, os.WNOHANG) == (0, 0)
    except ChildProcessError:
        return True


def status(root: str | os.PathLike) -> list[NodeStatus]:
    """Each node of the cluster in ``root``: pid and whether it answers."""
    layout = load(root)
    return [NodeStatus(n.shard, n.mysql_port, _pid(layout, n), _answers(n))
            for n in layout.nodes]
