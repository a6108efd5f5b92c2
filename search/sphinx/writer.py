"""Writing articles to a cluster: each to its shard, in the slot being written.

Sphinx cannot insert into a distributed index (and deletes there reach only
the local part), so every write goes to the shard that owns the article.
A write is versioned (``rows.visible``): its new rows and the retirement of
old ones stay invisible until ``commit`` publishes its version in the state
row, so readers see a run's changes all at once or not at all.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import tzinfo
from typing import Iterable

from ..schema import CHINA_TZ
from .config import SLOTS, table
from .connection import SphinxUnavailable, connect, cursor, parse_url
from .rows import ALIVE, COLUMNS, STORED, doc_id, document_of, row, shard_of
from .state import State, read_state, write_state

__all__ = ["ClusterWriter"]

_BATCH_ROWS = 200
_BATCH_BYTES = 8 << 20  # well under max_packet_size (32M in our configs)
_CHUNK = 1000  # ids per SELECT / UPDATE / DELETE (max_matches is 1000 by default)


class ClusterWriter:
    """Connections to the head and every shard of the cluster at ``url``."""

    def __init__(self, url: str):
        host, port, self.name = parse_url(url)
        self.url = url
        self.head = connect(host, port)
        self.state = read_state(self.head, self.name, with_manifest=True)
        if not self.state.shards:
            raise SphinxUnavailable(f"{url}: the cluster lists no shards (start it with "
                                    f"python -m search.sphinx up)")
        # Title keys (rows.series_key) this write added or retired: where stubs may
        # fold or unfold (search.sphinx.folding).
        self.touched: set[int] = set()
        self.stub_keys: set[int] = set()  # of those, the keys of text-less stubs added
        self.zone: tzinfo = CHINA_TZ  # the cluster's (--tz): years are counted in it
        self.shards = []
        for addr in self.state.shards:
            h, _, p = addr.rpartition(":")
            self.shards.append(connect(h, int(p)))

    def close(self) -> None:
        for conn in [self.head, *self.shards]:
            conn.close()

    def spare_slot(self) -> str:
        """The slot readers do not use: where a rebuild writes."""
        return SLOTS[1] if self.state.live == SLOTS[0] else SLOTS[0]

    def truncate(self, slot: str) -> None:
        for i, conn in enumerate(self.shards):
            with cursor(conn) as cur:
                cur.execute(f"TRUNCATE RTINDEX {table(self.name, slot, i)}")

    @property
    def version(self) -> int:
        """The version of the write in progress: one past the published one."""
        return self.state.version + 1

    def retire(self, keys: Iterable[str], slot: str) -> list[dict]:
        """Mark the articles' visible rows retired by this write (gone once it is published);
        their titles and bodies, for the lexicon to take out."""
        by_shard: dict[int, list[int]] = defaultdict(list)
        for key in keys:
            by_shard[shard_of(key, len(self.shards))].append(doc_id(key))
        texts = []
        for i, kids in by_shard.items():
            for start in range(0, len(kids), _CHUNK):
                kid_list = ", ".join(map(str, kids[start:start + _CHUNK]))
                found = self.select(i, slot, "fkey, title_text, body_text",
                                    f"kid IN ({kid_list}) AND dead = {ALIVE}")
                self.touched.update(r[1] for r in found)
                texts += [{"title": r[2], "body": r[3]} for r in found]
                self._update_dead(i, slot, [r[0] for r in found], self.version)
        return texts

    def tidy(self, slot: str) -> None:
        """Before a write: drop what earlier runs retired, undo what a failed run left.

        Rows retired by a published version are garbage (kept until now for
        readers that were mid-query); rows born of an unpublished run go, and
        rows it retired live again.
        """
        v = self.state.version
        for i in range(len(self.shards)):
            self._delete(i, slot, self._ids(i, slot, f"dead <= {v}"))
            self._delete(i, slot, self._ids(i, slot, f"born > {v}"))
            self._update_dead(i, slot, self._ids(i, slot, f"dead > {v} AND dead < {ALIVE}"),
                              ALIVE)

    def _ids(self, i: int, slot: str, where: str) -> list[int]:
        return [r[0] for r in self.select(i, slot, "", where)]

    def select(self, i: int, slot: str, columns: str, where: str) -> list[tuple]:
        """(id, *columns) of every row of shard ``i`` meeting ``where``, in id order."""
        found: list[tuple] = []
        cols = f"id, {columns}" if columns else "id"
        with cursor(self.shards[i]) as cur:
            while True:  # a page at a time (max_matches bounds one query)
                after = found[-1][0] if found else 0
                cur.execute(f"SELECT {cols} FROM {table(self.name, slot, i)} WHERE {where} "
                            f"AND id > {after} ORDER BY id ASC LIMIT {_CHUNK} "
                            f"OPTION max_matches={_CHUNK}")
                page = [tuple(r) for r in cur.fetchall()]
                found += page
                if len(page) < _CHUNK:
                    return found

    def set_fold(self, i: int, slot: str, changes: dict[int, int]) -> None:
        """Give rows of shard ``i`` (row id -> story kid or 0) a new ``fold``, versioned.

        Rows of this write change in place (no reader sees them yet); older rows
        are retired and written again, so readers see the change when it is published.
        """
        rids, born = list(changes), {}
        for start in range(0, len(rids), _CHUNK):
            born.update(self.select(i, slot, "born", "id IN ({})".format(
                ", ".join(map(str, rids[start:start + _CHUNK])))))
        old = [rid for rid in rids if born.get(rid, self.version) < self.version]
        for rid, fold in changes.items():
            if rid not in old:
                with cursor(self.shards[i]) as cur:
                    cur.execute(f"UPDATE {table(self.name, slot, i)} SET fold = {int(fold)} "
                                f"WHERE id = {rid}")
        for start in range(0, len(old), _CHUNK):
            chunk = old[start:start + _CHUNK]
            stored = self.select(i, slot, STORED, f"id IN ({', '.join(map(str, chunk))})")
            self._update_dead(i, slot, chunk, self.version)
            self._flush(i, [row(document_of(r[1:]), self.version, changes[r[0]], self.zone)
                            for r in stored], slot)

    def _update_dead(self, i: int, slot: str, ids: list[int], value: int) -> None:
        for start in range(0, len(ids), _CHUNK):
            with cursor(self.shards[i]) as cur:
                cur.execute(f"UPDATE {table(self.name, slot, i)} SET dead = {value} WHERE id IN "
                            f"({', '.join(map(str, ids[start:start + _CHUNK]))})")

    def _delete(self, i: int, slot: str, ids: list[int]) -> None:
        for start in range(0, len(ids), _CHUNK):
            with cursor(self.shards[i]) as cur:
                cur.execute(f"DELETE FROM {table(self.name, slot, i)} WHERE id IN "
                            f"({', '.join(map(str, ids[start:start + _CHUNK]))})")

    def add(self, docs: Iterable[dict], slot: str) -> set[str]:
        """REPLACE every document into its shard; returns the categories seen."""
        pending: dict[int, list[tuple]] = defaultdict(list)
        size: dict[int, int] = defaultdict(int)
        categories: set[str] = set()
        for doc in docs:
            i = shard_of(doc["id"], len(self.shards))
            r = row(doc, self.version, zone=self.zone)
            blen, fkey = r[COLUMNS.index("blen")], r[COLUMNS.index("fkey")]
            self.touched.add(fkey)
            if not blen:
                self.stub_keys.add(fkey)
            categories.update(doc.get("categories") or [])
            pending[i].append(r)
            size[i] += sum(len(v) for v in r if isinstance(v, str))
            if len(pending[i]) >= _BATCH_ROWS or size[i] * 4 >= _BATCH_BYTES:
                self._flush(i, pending.pop(i), slot)
                size[i] = 0
        for i, rows in pending.items():
            self._flush(i, rows, slot)
        return categories

    def _flush(self, i: int, rows: list[tuple], slot: str) -> None:
        # Multi-valued columns (lists of integers) are written inline as (1, 2).
        values, params = [], []
        for r in rows:
            cells = []
            for v in r:
                if isinstance(v, list):
                    cells.append("(" + ", ".join(str(int(x)) for x in v) + ")")
                else:
                    cells.append("%s")
                    params.append(v)
            values.append("(" + ", ".join(cells) + ")")
        sql = (f"REPLACE INTO {table(self.name, slot, i)} ({', '.join(COLUMNS)}) VALUES "
               + ", ".join(values))
        with cursor(self.shards[i]) as cur:
            cur.execute(sql, params)

    def commit(self, state: State) -> None:
        """Make the written slot durable, then publish the new state and version at once."""
        for i, conn in enumerate(self.shards):
            with cursor(conn) as cur:
                cur.execute(f"FLUSH RTINDEX {table(self.name, state.live, i)}")
        state.shards, state.version = self.state.shards, self.version
        write_state(self.head, self.name, state)
        self.state = state
