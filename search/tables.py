"""Per-document tables of one index generation, shared by every thread.

Scoring needs each document's field lengths, filters its date and
categories, facets its year and categories, and every query its deletions.
They are read once when a generation is opened, as compact arrays (a few MB
for the whole archive), instead of per searcher and per thread as Whoosh's
caches do.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.columns import NumericColumn
from whoosh.util.numeric import _length_byte_cache

from .name_table import NameTable
from .columnar import (ARRAY_FIELDS, PostingTable, arrays_from_reader, load_segment,
                       merged_lists, sidecar_path)

__all__ = ["Tables", "SegmentView", "fold_stubs", "local_years", "FOLD_WITHIN_S"]

# byte_to_length for every length byte, as the float BM25 divides.
LENGTHS = np.array(list(_length_byte_cache), np.float64)


def local_years(ts: np.ndarray, offset_s: int) -> np.ndarray:
    """The calendar year of epoch seconds ``ts`` in a zone ``offset_s`` from UTC."""
    local = (ts + offset_s).astype("datetime64[s]")
    return local.astype("datetime64[Y]").astype(np.int64) + 1970


@dataclass
class SegmentView:
    """One segment: where its documents start, and its postings arrays."""

    offset: int
    count: int
    fields: dict[str, PostingTable]


@dataclass
class Tables:
    """What queries need of every document of a generation, by global number."""

    doc_count_all: int
    live: np.ndarray                      # bool: not deleted
    field_length: dict[str, int]          # total length per scorable field
    lengths: dict[str, np.ndarray]        # float64 byte_to_length(length byte)
    ts: np.ndarray                        # int64 epoch seconds (0 without a date)
    has_date: np.ndarray                  # bool
    year: np.ndarray                      # int32 index into year_names ("" first)
    year_names: list[str]
    cat_ptr: np.ndarray                   # CSR: categories of document d are
    cat_ids: np.ndarray                   # cat_ids[cat_ptr[d]:cat_ptr[d + 1]]
    cat_names: list[str]
    body_len: np.ndarray = None           # uint32 characters of the body (0: no text)
    title_key: np.ndarray = None          # uint64 search.series keys (0: none)
    stem_key: np.ndarray = None
    # A text-less stub filed beside its story: the story's number (-1: none).
    # Folded stubs are not live; the story lists them as duplicates.
    folded_into: np.ndarray = None
    stubs: dict = field(default_factory=dict)  # story -> the stubs folded into it
    segments: list[SegmentView] = field(default_factory=list)
    names: NameTable | None = None        # people, places, organisations (search.name_table)
    _masks: dict = field(default_factory=dict)  # filter masks (categories, dates)
    # Document frequencies over the generation, by (field, term): shared by queries.
    dfs: dict = field(default_factory=dict)
    # (term, document) -> whether the term only straddles words there (search.straddle).
    straddles: dict = field(default_factory=dict)

    @classmethod
    def load(cls, searcher, folder: str | Path, offset_s: int = 8 * 3600) -> "Tables":
        """Read the tables of the generation ``searcher`` reads (stored in ``folder``);
        ``offset_s``: the index zone's offset from UTC, which years are counted in."""
        subs = [(s.reader(), off) for s, off in searcher.leaf_searchers()]
        n = searcher.doc_count_all()
        live = np.ones(n, bool)
        segments, docs = [], []
        for reader, off in subs:
            if reader.has_deletions():
                dead = np.fromiter(reader.segment().deleted_docs(), np.int64)
                live[off + dead] = False
            fields, arrays = _arrays(reader, folder)
            segments.append(SegmentView(off, reader.doc_count_all(), fields))
            docs.append(arrays)
        ts, has_date = _cat(docs, "doc.ts", np.int64), _cat(docs, "doc.has_date", np.uint8) == 1
        # Counted here, not read from "doc.year" (China time whatever the index's zone, as
        # written before 2026-11-30): an article's year is the year of its date as shown.
        years = np.where(has_date, local_years(ts, offset_s), 0)
        year_values, year = np.unique(np.r_[0, years], return_inverse=True)
        names, ptr, ids = merged_lists(docs, "doc.cat")
        tables = cls(
            doc_count_all=n, live=live,
            field_length={f: searcher.field_length(f) for f in ARRAY_FIELDS},
            lengths={f: LENGTHS[np.concatenate([_length_bytes(r, f) for r, _ in subs])
                                if subs else np.zeros(0, np.uint8)] for f in ARRAY_FIELDS},
            ts=ts, has_date=has_date,
            year=year[1:].astype(np.int32),
            year_names=[str(y) if y else "" for y in year_values.tolist()],
            cat_ptr=ptr, cat_ids=ids, cat_names=names, segments=segments,
            body_len=_cat(docs, "doc.body_len", np.uint32),
            title_key=_cat(docs, "doc.title_key", np.uint64),
            stem_key=_cat(docs, "doc.stem_key", np.uint64),
            names=NameTable.from_segments(docs))
        tables.folded_into = fold_stubs(tables)
        tables.live &= tables.folded_into < 0
        for stub in np.flatnonzero(tables.folded_into >= 0).tolist():
            tables.stubs.setdefault(int(tables.folded_into[stub]), []).append(stub)
        return tables

    def category_mask(self, names) -> np.ndarray:
        """Documents filed under any of ``names`` (exact names)."""
        key = tuple(sorted(set(names)))
        mask = self._masks.get(key)
        if mask is None:
            wanted = np.zeros(len(self.cat_names) + 1, bool)
            for name in key:
                if name in self.cat_names:
                    wanted[self.cat_names.index(name)] = True
            hits = wanted[self.cat_ids]
            docs = np.repeat(np.arange(self.doc_count_all), np.diff(self.cat_ptr))[hits]
            mask = np.zeros(self.doc_count_all, bool)
            mask[docs] = True
            if len(self._masks) < 256:  # bounded: filters come from users
                self._masks[key] = mask
        return mask

    def date_mask(self, lo: int | None, hi: int | None) -> np.ndarray:
        """Dated documents from ``lo`` to ``hi`` (epoch seconds, inclusive; None: open)."""
        key = ("date", lo, hi)
        mask = self._masks.get(key)
        if mask is None:
            mask = self.has_date.copy()
            if lo is not None:
                mask &= self.ts >= lo
            if hi is not None:
                mask &= self.ts <= hi
            if len(self._masks) < 256:
                self._masks[key] = mask
        return mask

    def category_weights(self, name: str) -> np.ndarray:
        """How often each document names category ``name`` (its posting weight)."""
        if name not in self.cat_names:
            return np.zeros(self.doc_count_all)
        hits = self.cat_ids == self.cat_names.index(name)
        owner = np.repeat(np.arange(self.doc_count_all), np.diff(self.cat_ptr))
        return np.bincount(owner[hits], minlength=self.doc_count_all).astype(np.float64)


# A stub folds into a story with its title filed this close (seconds).
FOLD_WITHIN_S = 24 * 3600


def fold_stubs(t: "Tables") -> np.ndarray:
    """For each document, the story with text it is a stub of (-1: none).

    A stub has a title and no text (a video-only item); it folds into a live
    story with the same title (figures and punctuation aside) filed within a
    day, or, both undated, with the same title alone.
    """
    out = np.full(t.doc_count_all, -1, np.int64)
    live = t.live & (t.title_key != 0)
    stubs = np.flatnonzero(live & (t.body_len == 0))
    stories = np.flatnonzero(live & (t.body_len > 0))
    if not len(stubs) or not len(stories):
        return out
    order = stories[np.lexsort((stories, t.ts[stories], t.title_key[stories]))]
    keys, times = t.title_key[order], t.ts[order]
    lo = np.searchsorted(keys, t.title_key[stubs], "left")
    hi = np.searchsorted(keys, t.title_key[stubs], "right")
    for stub, a, b in zip(stubs.tolist(), lo.tolist(), hi.tolist()):
        if a == b:
            continue
        near = np.abs(times[a:b] - t.ts[stub])
        dated = t.has_date[order[a:b]] == t.has_date[stub]
        ok = np.flatnonzero(dated & ((near <= FOLD_WITHIN_S) | ~t.has_date[stub]))
        if len(ok):
            out[stub] = order[a + ok[np.argmin(near[ok])]]
    return out


def _arrays(reader, folder):
    path = sidecar_path(folder, reader.segment())
    if not path.exists():
        # Written by a writer that did not make them (the indexer always
        # does): derive them from the postings, in memory; the index folder
        # is the indexer's to change, not the reader's.
        return load_segment(arrays_from_reader(reader))
    return load_segment(path)


def _cat(docs: list[dict], name: str, dtype) -> np.ndarray:
    return np.concatenate([d[name] for d in docs]).astype(dtype) if docs else np.zeros(0, dtype)


def _length_bytes(reader, fieldname: str) -> np.ndarray:
    n = reader.doc_count_all()
    name = _lenfield(fieldname)
    perdoc = reader._perdoc  # Whoosh keeps lengths in a column its reader does not expose
    if not perdoc.has_column(name):
        return np.zeros(n, np.uint8)
    col = perdoc.column_reader(name, LENGTHS_COLUMN)
    raw = np.frombuffer(col._dbfile.get(col._basepos, col._count), np.uint8) \
        if isinstance(col, NumericColumn.Reader) else np.fromiter(col, np.uint8)
    out = np.zeros(n, np.uint8)
    out[:len(raw)] = raw[:n]
    return out
