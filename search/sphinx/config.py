"""searchd configuration for a dev cluster: one node per shard, node 0 also the head.

Every node holds two RT tables per shard slot (``NAME_a_I``, ``NAME_b_I``): a
rebuild fills the slot readers are not using and then flips the pointer in
``NAME_state`` (node 0). Node 0 also holds the distributed indexes
``NAME_a`` / ``NAME_b`` that fan a query out to every shard.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["Layout", "Node", "write_configs", "SLOTS", "MARK", "EVERY", "CAT_OPEN",
           "CAT_CLOSE", "NEVER", "table", "dist_table", "state_table"]

SLOTS = ("a", "b")
# Private-use characters we index as tokens of their own (see querybuild).
MARK = "\ue000"       # between runs of letters/digits: punctuation in the source
EVERY = "\ue001"      # in every document: the positive half of an exclusions-only query
CAT_OPEN, CAT_CLOSE = "\ue002", "\ue003"  # around a category's code
NEVER = "\ue004"      # in no document: a query that must match nothing
# searchd 2.2.11 segfaults on ngram_chars at or above U+30000.
_NGRAM_TOP = 0x30000
_RUN_CHAR = re.compile(r"[^\W_]")


@dataclass(frozen=True)
class Node:
    """One searchd: its shard number and ports on 127.0.0.1."""

    shard: int
    mysql_port: int
    api_port: int


@dataclass(frozen=True)
class Layout:
    """Where a dev cluster lives: folder, index name, nodes."""

    root: Path
    name: str
    nodes: tuple[Node, ...]

    @classmethod
    def make(cls, root: Path, name: str, shards: int, port: int) -> "Layout":
        nodes = tuple(Node(i, port + 2 * i, port + 2 * i + 1) for i in range(shards))
        return cls(Path(root).resolve(), name, nodes)

    def config_path(self, node: Node) -> Path:
        return self.root / f"node{node.shard}" / "searchd.conf"

    def pid_path(self, node: Node) -> Path:
        return self.root / f"node{node.shard}" / "searchd.pid"

    @property
    def url(self) -> str:
        return f"sphinx://127.0.0.1:{self.nodes[0].mysql_port}/{self.name}"


def table(name: str, slot: str, shard: int) -> str:
    return f"{name}_{slot}_{shard}"


def dist_table(name: str, slot: str) -> str:
    return f"{name}_{slot}"


def state_table(name: str) -> str:
    return f"{name}_state"


@lru_cache(maxsize=1)
def ngram_chars() -> str:
    """Every letter/digit below U+30000 and our markers, as searchd ranges (wrapped lines)."""
    ranges, start = [], None
    for cp in range(_NGRAM_TOP + 1):
        ok = cp < _NGRAM_TOP and not 0xD800 <= cp < 0xE005 and bool(_RUN_CHAR.match(chr(cp)))
        ok = ok or 0xE000 <= cp <= 0xE004
        if ok and start is None:
            start = cp
        elif not ok and start is not None:
            ranges.append(f"U+{start:X}..U+{cp - 1:X}" if cp - 1 > start else f"U+{start:X}")
            start = None
    lines = [", ".join(ranges[i:i + 8]) for i in range(0, len(ranges), 8)]
    return ", \\\n        ".join(lines)


_RT_TABLE = """
index {table}
{{
    type = rt
    path = {data}/{table}
    rt_mem_limit = 256M
    rt_field = title
    rt_field = body
    rt_field = meta
    rt_attr_string = key
    rt_attr_string = path
    rt_attr_json = extra
    rt_attr_string = title_text
    rt_attr_string = body_text
    rt_attr_string = html
    rt_attr_bigint = ts
    rt_attr_uint = has_date
    rt_attr_uint = year
    rt_attr_bigint = tkey
    rt_attr_bigint = kid
    rt_attr_uint = born
    rt_attr_uint = dead
    rt_attr_uint = blen
    rt_attr_bigint = fkey
    rt_attr_bigint = skey
    rt_attr_bigint = fold
    rt_attr_multi = cats
    rt_attr_multi_64 = people
    rt_attr_multi_64 = places
    rt_attr_multi_64 = orgs
    charset_table = 0..9
    ngram_len = 1
    ngram_chars = {ngram}
}}
"""

_STATE_TABLE = """
index {table}
{{
    type = rt
    path = {data}/{table}
    rt_field = note
    rt_attr_string = live
    rt_attr_string = shards
    rt_attr_string = fingerprint
    rt_attr_string = categories
    rt_attr_string = manifest
    rt_attr_uint = version
}}
"""

_DIST = """
index {table}
{{
    type = distributed
    local = {local}
{agents}
    agent_connect_timeout = 300
    agent_query_timeout = 3000
}}
"""

_SEARCHD = """
searchd
{{
    listen = 127.0.0.1:{api}
    listen = 127.0.0.1:{mysql}:mysql41
    log = {dir}/searchd.log
    query_log = {dir}/query.log
    pid_file = {dir}/searchd.pid
    binlog_path = {dir}
    workers = threads
    watchdog = 0
    max_packet_size = 32M
    max_children = 64
    read_timeout = 5
    client_timeout = 60
    thread_stack = 1M
}}
"""


def node_config(layout: Layout, node: Node) -> str:
    """The whole searchd.conf of one node."""
    folder = layout.config_path(node).parent
    parts = []
    for slot in SLOTS:
        parts.append(_RT_TABLE.format(table=table(layout.name, slot, node.shard),
                                      data=folder / "data", ngram=ngram_chars()))
    if node.shard == 0:
        parts.append(_STATE_TABLE.format(table=state_table(layout.name), data=folder / "data"))
        for slot in SLOTS:
            agents = "\n".join(
                f"    agent = 127.0.0.1:{n.api_port}:{table(layout.name, slot, n.shard)}"
                for n in layout.nodes[1:])
            parts.append(_DIST.format(table=dist_table(layout.name, slot),
                                      local=table(layout.name, slot, 0), agents=agents))
    parts.append(_SEARCHD.format(api=node.api_port, mysql=node.mysql_port, dir=folder))
    return "".join(parts)


def write_configs(layout: Layout) -> list[Path]:
    """Write every node's config (and its data folder); returns the config paths."""
    paths = []
    for node in layout.nodes:
        path = layout.config_path(node)
        (path.parent / "data").mkdir(parents=True, exist_ok=True)
        path.write_text(node_config(layout, node), encoding="utf-8")
        paths.append(path)
    return paths
