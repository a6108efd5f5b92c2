"""Stub folding on a cluster, decided when a write is made (``search.tables.fold_stubs``).

The Whoosh backend folds a text-less stub into the story with text filed
beside it (same title key, within a day) when it opens a generation. A
cluster decides it per write instead: after a write's rows are in, every
title key the write added or retired is looked at again over the rows the
write's version will show, with the same rule (``fold_stubs`` itself), and a
stub's ``fold`` attribute names its story's ``kid``. Changed rows are
versioned like any other (``ClusterWriter.set_fold``), so a run's folds are
published with its articles. Readers list only rows with ``fold = 0``
(``rows.listed``) and add a story's stubs to its duplicates.
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import Iterable

import numpy as np

from ..tables import fold_stubs
from .rows import visible
from .writer import ClusterWriter

__all__ = ["refold"]

_KEYS = 200  # title keys per statement


def refold(writer: ClusterWriter, slot: str, keys: Iterable[int]) -> int:
    """Fold the stubs of the title ``keys`` into their stories; returns the rows changed."""
    keys = sorted({int(k) for k in keys if k})
    changed = 0
    for start in range(0, len(keys), _KEYS):
        rows = _rows(writer, slot, keys[start:start + _KEYS])
        if not rows:
            continue
        shard, rid, kid, blen, fkey, ts, has_date, fold = (np.array(c, np.int64)
                                                          for c in zip(*rows))
        into = fold_stubs(SimpleNamespace(
            doc_count_all=len(rows), live=np.ones(len(rows), bool), title_key=fkey,
            body_len=blen, ts=ts, has_date=has_date == 1))
        want = np.where(into >= 0, kid[np.maximum(into, 0)], 0)
        for i in range(len(writer.shards)):
            moved = np.flatnonzero((shard == i) & (want != fold))
            if len(moved):
                writer.set_fold(i, slot, dict(zip(rid[moved].tolist(), want[moved].tolist())))
                changed += len(moved)
    return changed


def _rows(writer: ClusterWriter, slot: str, keys: list[int]) -> list[tuple]:
    """(shard, id, kid, blen, fkey, ts, has_date, fold) of the rows the write will show."""
    where = f"fkey IN ({', '.join(map(str, keys))}) AND {visible(writer.version)}"
    out = []
    for i in range(len(writer.shards)):
        out += [(i, *r) for r in writer.select(i, slot, "kid, blen, fkey, ts, has_date, fold",
                                               where)]
    return sorted(out, key=lambda r: r[2])  # by kid: the same ties on every shard count
