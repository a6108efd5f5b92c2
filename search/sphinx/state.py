"""The cluster's one-row state table on the head node: what readers and writers share.

``live`` names the slot (``a``/``b``) readers search, so a rebuild fills the
other slot and then flips this one value; ``version`` is the last published
write: readers see the rows born at or before it and not retired by it
(``rows.visible``), so an update publishes all its changes at once; ``shards`` lists the SphinxQL
address of every shard in routing order; ``manifest`` is the indexer's
manifest (zlib + base64 JSON) for change detection.
"""
from __future__ import annotations

import base64
import json
import zlib
from dataclasses import dataclass, field

from .config import state_table
from .connection import cursor

__all__ = ["State", "read_state", "write_state", "pack", "unpack"]


@dataclass
class State:
    """The state row; empty strings where nothing was built yet."""

    live: str = ""
    shards: list[str] = field(default_factory=list)
    fingerprint: str = ""
    categories: list[str] = field(default_factory=list)
    manifest: str = ""
    version: int = 0


def pack(data: dict) -> str:
    return base64.b64encode(zlib.compress(json.dumps(data).encode("utf-8"), 6)).decode("ascii")


def unpack(text: str) -> dict | None:
    try:
        return json.loads(zlib.decompress(base64.b64decode(text)))
    except (ValueError, zlib.error):
        return None


def read_state(conn, name: str, with_manifest: bool = False) -> State:
    """The state row (the manifest only when asked: it can be megabytes)."""
    cols = "live, shards, fingerprint, categories, version" + (
        ", manifest" if with_manifest else "")
    with cursor(conn) as cur:
        cur.execute(f"SELECT {cols} FROM {state_table(name)} WHERE id = 1")
        row = cur.fetchone()
    if row is None:
        return State()
    try:
        shards, cats = json.loads(row[1] or "[]"), json.loads(row[3] or "[]")
    except ValueError:
        shards, cats = [], []
    return State(row[0] or "", list(shards), row[2] or "", list(cats),
                 row[5] if with_manifest else "", int(row[4] or 0))


def write_state(conn, name: str, state: State) -> None:
    """Replace the row in one statement: readers see the old state or the new one."""
    with cursor(conn) as cur:
        cur.execute(
            f"REPLACE INTO {state_table(name)} "
            f"(id, note, live, shards, fingerprint, categories, manifest, version) "
            f"VALUES (1, '', %s, %s, %s, %s, %s, {int(state.version)})",
            (state.live, json.dumps(state.shards), state.fingerprint,
             json.dumps(state.categories, ensure_ascii=False), state.manifest))
