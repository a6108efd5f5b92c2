"""The postings of the text fields as arrays, one file beside each segment.

Whoosh reads a posting list through a Python call per document; a bigram
that occurs in 20,000 stories is then hundreds of thousands of calls before
a query can intersect, position-check and score it. The same postings kept
as sorted arrays (term codes, documents, weights, frequencies, positions) are
read by ``search.evaluate`` with a handful of numpy operations.

The Whoosh segment stays the store of record: these arrays are derived from
exactly what it holds (the full build writes both from the same postings;
segments written by Whoosh's own writer are converted from their postings),
and a generation is searched only when every segment has its file.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .analysis import GRAM_SHIFT
from .arrayfile import read_arrays, write_arrays
from .errors import IndexCorrupt
from .names import name_keys

__all__ = ["ARRAY_FIELDS", "PostingTable", "FieldBuilder", "sidecar_path", "term_code",
           "decode_positions", "arrays_from_reader", "write_missing", "load_segment", "doc_arrays",
           "DOC_NUMBERS", "term_counts", "merged_lists",
           "has_whoosh_postings", "WHOOSH_POSTINGS"]

# Field -> whether its postings carry positions.
ARRAY_FIELDS = {"text_ng": True, "text_ch": False, "title_ch": False, "title_words": False}
# Fields whose terms are one or two characters, kept as integer codes
# (``analysis.gram_codes``); the others as sorted byte strings.
CODE_FIELDS = frozenset({"text_ng", "text_ch", "title_ch"})
SUFFIX = ".arrays"
# An array (one byte) saying whether the segment also holds these fields'
# postings in Whoosh's format: a segment of Whoosh's own writer does, a full
# build's does not, and only the former may be merged by Whoosh's writer.
WHOOSH_POSTINGS = "meta.whoosh_postings"


def sidecar_path(folder: str | os.PathLike, segment) -> Path:
    """Where a Whoosh segment's arrays live (Whoosh deletes them with the segment)."""
    return Path(folder) / (segment.segment_id() + SUFFIX)


def term_counts(table, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each key's place among a table's sorted ``terms`` (clipped to the last) and how many
    documents hold it (0 where it is no term). ``table``: anything with ``terms`` and ``tptr``
    (a ``PostingTable``, or counts alone)."""
    if not len(table.terms):
        return np.zeros(len(keys), np.int64), np.zeros(len(keys), np.int64)
    at = np.minimum(np.searchsorted(table.terms, keys), len(table.terms) - 1)
    return at, np.where(table.terms[at] == keys, table.tptr[at + 1] - table.tptr[at], 0)


def term_code(text: str) -> int:
    """The integer code of a one- or two-character term (``analysis.gram_codes``)."""
    code = ord(text[0]) << GRAM_SHIFT
    return code | ord(text[1]) if len(text) > 1 else code


def _narrow(values: np.ndarray, exact_float: bool = False) -> np.ndarray:
    """The narrowest unsigned type that holds ``values`` exactly (float32 otherwise)."""
    if exact_float:
        if len(values) and not np.array_equal(values, np.round(values)):
            return values.astype(np.float32)
    top = int(values.max()) if len(values) else 0
    for dtype in (np.uint8, np.uint16, np.uint32):
        if top <= np.iinfo(dtype).max:
            return values.astype(dtype)
    return values.astype(np.uint64)


def decode_positions(values: np.ndarray, vstarts: np.ndarray, vends: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Frequencies and positions of many ``schema.CompactPositions`` values at once."""
    vstarts, vends = vstarts.astype(np.int64), vends.astype(np.int64)
    tags = values[vstarts] if len(vstarts) else np.zeros(0, np.uint8)
    width = np.where(tags == ord("B"), 1, np.where(tags == ord("H"), 2, 4))
    freqs = (vends - vstarts - 1) // width
    first = np.cumsum(freqs) - freqs
    owner = np.repeat(np.arange(len(freqs)), freqs)
    within = np.arange(int(freqs.sum())) - first[owner]
    w = width[owner]
    at = vstarts[owner] + 1 + within * w
    deltas = np.zeros(len(at), np.int64)
    for b in range(4):  # little-endian bytes of each delta (native order of array.array)
        sel = w > b
        deltas[sel] |= values[at[sel] + b].astype(np.int64) << (8 * b)
    csum = np.cumsum(deltas)
    base = np.repeat(csum[first] - deltas[first], freqs) if len(freqs) else csum
    return freqs, csum - base


def _concat(parts: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype)


class FieldBuilder:
    """Collects one field's postings (in term order) and turns them into arrays."""

    def __init__(self, name: str):
        self.name = name
        self.terms: list = []
        self.counts: list[np.ndarray] = []
        self.docs: list[np.ndarray] = []
        self.weights: list[np.ndarray] = []
        self.freqs: list[np.ndarray] = []
        self.positions: list[np.ndarray] = []

    def add(self, terms, counts, docs, weights, freqs=None, positions=None) -> None:
        """Terms in order, each's posting count, and the postings of those terms."""
        self.terms.append(np.asarray(terms))
        self.counts.append(np.asarray(counts, np.int64))
        self.docs.append(np.asarray(docs))
        self.weights.append(np.asarray(weights, np.float32))
        if freqs is not None:
            self.freqs.append(np.asarray(freqs))
            self.positions.append(np.asarray(positions))

    def arrays(self) -> dict[str, np.ndarray]:
        n, cat = self.name, _concat
        counts = cat(self.counts, np.int64)
        tptr = np.zeros(len(counts) + 1, np.int64)
        np.cumsum(counts, out=tptr[1:])
        # Callers give codes (uint64) or byte strings (dtype "S", sorted as bytes).
        terms = cat(self.terms, np.uint64 if n in CODE_FIELDS else "S1")
        out = {f"{n}.terms": terms, f"{n}.tptr": tptr,
               f"{n}.docs": _narrow(cat(self.docs, np.uint32)),
               f"{n}.weights": _narrow(cat(self.weights, np.float32), exact_float=True)}
        if ARRAY_FIELDS[n]:
            freqs = cat(self.freqs, np.int64).astype(np.int64)
            ends = np.cumsum(freqs)
            out[f"{n}.freqs"] = _narrow(freqs)
            out[f"{n}.tpos"] = np.r_[0, ends][tptr]  # first position of each term
            out[f"{n}.pos"] = _narrow(cat(self.positions, np.int64))
        return out


class PostingTable:
    """One field's postings in one segment, read from its arrays."""

    def __init__(self, arrays: dict[str, np.ndarray], name: str):
        self.name = name
        self.terms = arrays[f"{name}.terms"]
        self.tptr = arrays[f"{name}.tptr"]
        self.docs_ = arrays[f"{name}.docs"]
        self.weights_ = arrays[f"{name}.weights"]
        self.coded = name in CODE_FIELDS
        self.positional = ARRAY_FIELDS[name]
        if self.positional:
            self.freqs_ = arrays[f"{name}.freqs"]
            self.tpos = arrays[f"{name}.tpos"]
            self.pos_ = arrays[f"{name}.pos"]

    def find(self, text: str) -> int:
        """The term's number, or -1."""
        if self.coded and not 0 < len(text) <= 2:
            return -1
        key = np.uint64(term_code(text)) if self.coded else text.encode("utf-8")
        i = int(np.searchsorted(self.terms, key))
        return i if i < len(self.terms) and self.terms[i] == key else -1

    def prefixed(self, ch: str) -> range:
        """Numbers of the terms that start with character ``ch`` (code fields)."""
        lo = int(np.searchsorted(self.terms, np.uint64(ord(ch) << GRAM_SHIFT)))
        hi = int(np.searchsorted(self.terms, np.uint64((ord(ch) + 1) << GRAM_SHIFT)))
        return range(lo, hi)

    def df(self, i: int) -> int:
        return 0 if i < 0 else int(self.tptr[i + 1] - self.tptr[i])

    def docs(self, i: int) -> np.ndarray:
        return self.docs_[self.tptr[i]:self.tptr[i + 1]]

    def weights(self, i: int) -> np.ndarray:
        return self.weights_[self.tptr[i]:self.tptr[i + 1]]

    def positions(self, i: int, rows: np.ndarray | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
        """(posting row of each position, positions) of term i, for some postings or all."""
        freqs = self.freqs_[self.tptr[i]:self.tptr[i + 1]].astype(np.int64)
        starts = np.cumsum(freqs) - freqs + int(self.tpos[i])
        if rows is not None:
            freqs, starts = freqs[rows], starts[rows]
        owner = np.repeat(np.arange(len(freqs)), freqs)
        at = np.arange(len(owner)) - np.repeat(np.cumsum(freqs) - freqs, freqs) + starts[owner]
        return owner, self.pos_[at].astype(np.int64)


# Every array a segment's file must hold.
REQUIRED = tuple(f"{f}.{part}" for f, pos in ARRAY_FIELDS.items()
                 for part in ("terms", "tptr", "docs", "weights") + (("freqs", "tpos", "pos")
                                                                    if pos else ())) + (
    "doc.year", "doc.ts", "doc.has_date", "doc.cat_ptr", "doc.cat_ids", "doc.cat_names",
    "doc.body_len", "doc.title_key", "doc.stem_key")

# Per-document numbers kept as they are: (array name, Whoosh column, dtype).
DOC_NUMBERS = (("doc.body_len", "body_len", np.uint32), ("doc.title_key", "title_key", np.uint64),
               ("doc.stem_key", "stem_key", np.uint64))


def doc_arrays(years: list[str], ts: list[int], has_date: list[int],
               categories: list[list[str]], names: list[list[str]] | None = None,
               *numbers: list[int]) -> dict[str, np.ndarray]:
    """Per-document values of a segment (year, date, categories, names, ``DOC_NUMBERS``).

    ``names``: each document's ``search.names`` keys ("people:普京").
    """
    out = {
        "doc.year": np.array([int(y) if y else 0 for y in years], np.int32),
        "doc.ts": np.array(ts, np.int64), "doc.has_date": np.array(has_date, np.uint8),
    }
    out.update(_lists("doc.cat", categories))
    out.update(_lists("doc.name", names if names is not None else [[]] * len(years)))
    out.update({name: np.array(values, dtype) for (name, _, dtype), values
                in zip(DOC_NUMBERS, numbers or [[0] * len(years)] * len(DOC_NUMBERS))})
    return out


def _lists(prefix: str, lists: list[list[str]]) -> dict[str, np.ndarray]:
    """A list of strings per document as CSR arrays: ptr, ids and the sorted names."""
    names = sorted({c for items in lists for c in items})
    index = {c: i for i, c in enumerate(names)}
    sizes = np.fromiter((len(c) for c in lists), np.int64, len(lists))
    ptr = np.zeros(len(lists) + 1, np.int64)
    np.cumsum(sizes, out=ptr[1:])
    return {
        f"{prefix}_ptr": ptr,
        f"{prefix}_ids": np.fromiter((index[c] for items in lists for c in items), np.int32,
                                     int(ptr[-1])),
        f"{prefix}_names": np.array([c.encode("utf-8") for c in names], dtype="S")
        if names else np.zeros(0, "S1"),
    }


def merged_lists(docs: list[dict], prefix: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Every segment's ``_lists`` arrays under ``prefix`` renumbered into one table: the
    sorted names, ptr and ids over all documents (a segment without them: empty lists)."""
    local = [[b.decode("utf-8") for b in d[f"{prefix}_names"].tolist()]
             if f"{prefix}_ptr" in d else [] for d in docs]
    names = sorted({c for seg in local for c in seg})
    index = {c: i for i, c in enumerate(names)}
    ids, sizes = [], []
    for d, seg in zip(docs, local):
        if f"{prefix}_ptr" not in d:
            sizes.append(np.zeros(len(d["doc.ts"]), np.int64))
            continue
        remap = np.array([index[c] for c in seg] + [0], np.int32)
        ids.append(remap[d[f"{prefix}_ids"]])
        sizes.append(np.diff(d[f"{prefix}_ptr"]))
    every = np.concatenate(sizes) if sizes else np.zeros(0, np.int64)
    ptr = np.zeros(len(every) + 1, np.int64)
    np.cumsum(every, out=ptr[1:])
    return names, ptr, (np.concatenate(ids) if ids else np.zeros(0, np.int32))


def load_segment(path: str | os.PathLike | dict
                 ) -> tuple[dict[str, PostingTable], dict[str, np.ndarray]]:
    """A segment's postings tables and per-document arrays, from its file (or arrays)."""
    arrays = path if isinstance(path, dict) else read_arrays(path)
    missing = [k for k in REQUIRED if k not in arrays]
    if missing:
        raise IndexCorrupt(f"{path}: no {', '.join(missing)}; rebuild the index "
                           f"(python -m indexer CORPUS --index DIR --rebuild)")
    return {name: PostingTable(arrays, name) for name in ARRAY_FIELDS}, arrays


def write_missing(folder: str | os.PathLike, readers) -> int:
    """Write the arrays of every segment (by its reader) that has none; how many."""
    written = 0
    for reader in readers:
        path = sidecar_path(folder, reader.segment())
        if not path.exists():
            write_arrays(path, arrays_from_reader(reader))
            written += 1
    return written


def arrays_from_reader(reader) -> dict[str, np.ndarray]:
    """A segment's arrays from its Whoosh postings (segments of Whoosh's own writer).

    A Python call per posting: fine for the small segments an update writes.
    """
    out: dict[str, np.ndarray] = {}
    for name, positional in ARRAY_FIELDS.items():
        b = FieldBuilder(name)
        terms, counts, docs, weights, values = [], [], [], [], []
        for text in reader.lexicon(name) if name in reader.indexed_field_names() else ():
            m = reader.postings(name, text)
            n = 0
            while m.is_active():
                docs.append(m.id())
                weights.append(m.weight())
                values.append(m.value() if positional else b"")
                n += 1
                m.next()
            term = text.decode("utf-8")
            terms.append(term_code(term) if name in CODE_FIELDS else text)
            counts.append(n)
        freqs = positions = None
        if positional:
            buf = np.frombuffer(b"".join(values), np.uint8)
            ends = np.cumsum([len(v) for v in values], dtype=np.int64)
            freqs, positions = decode_positions(buf, ends - [len(v) for v in values], ends) \
                if values else (np.zeros(0, np.int64), np.zeros(0, np.int64))
        b.add(np.array(terms, np.uint64) if name in CODE_FIELDS else
              np.array(terms, dtype="S") if terms else np.zeros(0, "S1"),
              counts, np.array(docs, np.uint32), np.array(weights, np.float32), freqs, positions)
        out.update(b.arrays())
    out.update(_docs_from_reader(reader))
    out[WHOOSH_POSTINGS] = np.array([1], np.uint8)
    return out


def has_whoosh_postings(folder: str | os.PathLike, segment) -> bool:
    """Whether Whoosh's own reader sees all of a segment's postings (and may merge it)."""
    path = sidecar_path(folder, segment)
    return not path.exists() or bool(read_arrays(path)[WHOOSH_POSTINGS][0])


def _docs_from_reader(reader) -> dict[str, np.ndarray]:
    n = reader.doc_count_all()

    def column(name, translate=True):
        if not reader.has_column(name):
            return None
        return list(reader.column_reader(name, translate=translate))

    cats = column("category", translate=False) or [[]] * n
    return doc_arrays(column("year") or [""] * n, column("ts") or [0] * n,
                      column("has_date") or [0] * n,
                      [[b.decode("utf-8") for b in v] for v in cats],
                      [name_keys(reader.stored_fields(i).get("names")) for i in range(n)],
                      *(column(col) or [0] * n for _, col, _ in DOC_NUMBERS))
