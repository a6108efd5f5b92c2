"""Occurrences of terms to postings, for many documents at once (numpy).

The bigram and character fields describe a document as occurrences: a term
code (``analysis.gram_codes``), a position and a weight for every letter or
digit. Indexing groups them into postings, one per term and document, with
the frequency, the summed weight and the encoded value Whoosh stores. Doing
that with array operations instead of a Python call per posting is most of
what makes a full build fast; the per-document ``FieldType.index`` path of
Whoosh's own writer (used by updates) goes through the same code, so both
writers produce identical postings.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Occurrences", "Postings", "aggregate", "frequency_values"]

# CompactPositions: a type byte (array typecode) then the position deltas.
_TAG_BYTES = np.array([0, ord("B"), ord("H"), 0, ord("I")], np.uint8)


@dataclass
class Occurrences:
    """Term occurrences of one field: code, document, position (or None) and weight each."""

    codes: np.ndarray      # uint64
    docs: np.ndarray       # uint32
    positions: np.ndarray | None  # uint32, ascending within a document
    weights: np.ndarray    # float32


@dataclass
class Postings:
    """One posting per (term, document), sorted by term then document."""

    codes: np.ndarray      # uint64
    docs: np.ndarray       # uint32
    freqs: np.ndarray      # uint32
    weights: np.ndarray    # float32
    values: bytes          # with positions: every posting's encoded value, one after another
    offsets: np.ndarray | None  # int64, len(codes) + 1: posting i's is values[o[i]:o[i+1]]
    # Without positions the value is the frequency (Frequency format: 4 bytes, big-endian),
    # made when it is written (``frequency_values``) rather than held.

    def __len__(self) -> int:
        return len(self.codes)


def aggregate(occ: Occurrences) -> Postings:
    """Group occurrences into postings; values are CompactPositions or Frequency bytes."""
    order = np.argsort(occ.codes, kind="stable")  # documents, positions stay ascending
    codes, docs = occ.codes[order], occ.docs[order]
    n = len(codes)
    if n == 0:
        return Postings(codes, docs, np.zeros(0, np.uint32), np.zeros(0, np.float32), b"",
                        None if occ.positions is None else np.zeros(1, np.int64))
    new = np.ones(n, bool)
    new[1:] = (codes[1:] != codes[:-1]) | (docs[1:] != docs[:-1])
    starts = np.flatnonzero(new)
    freqs = np.diff(np.append(starts, n)).astype(np.uint32)
    weights = np.add.reduceat(occ.weights[order].astype(np.float64), starts).astype(np.float32)
    if occ.positions is None:
        values, offsets = b"", None
    else:
        values, offsets = _encode_positions(occ.positions[order].astype(np.int64), starts,
                                            freqs.astype(np.int64))
    return Postings(codes[starts], docs[starts], freqs, weights, values, offsets)


def frequency_values(freqs: np.ndarray) -> bytes:
    """The Frequency format's values (``whoosh.system.pack_uint``) of many postings."""
    return freqs.astype(">u4").tobytes()


def _encode_positions(pos: np.ndarray, starts: np.ndarray, freqs: np.ndarray):
    """CompactPositions.encode for every posting: type byte, then deltas in the
    narrowest of 1, 2 or 4 native-order bytes that holds the largest."""
    deltas = pos.copy()
    deltas[1:] -= pos[:-1]
    deltas[starts] = pos[starts]
    top = np.maximum.reduceat(deltas, starts)
    if top.max(initial=0) > 0xFFFFFFFF:
        raise ValueError("position out of range")
    width = np.where(top <= 0xFF, 1, np.where(top <= 0xFFFF, 2, 4))
    offsets = np.zeros(len(starts) + 1, np.int64)
    np.cumsum(1 + freqs * width, out=offsets[1:])
    out = np.empty(offsets[-1], np.uint8)
    out[offsets[:-1]] = _TAG_BYTES[width]
    owner = np.repeat(np.arange(len(starts)), freqs)
    within = np.arange(len(pos)) - starts[owner]
    ew = width[owner]
    first = offsets[:-1][owner] + 1 + within * ew
    for w, dtype in ((1, np.uint8), (2, np.uint16), (4, np.uint32)):
        sel = ew == w
        if sel.any():
            raw = deltas[sel].astype(dtype).view(np.uint8).reshape(-1, w)
            out[first[sel][:, None] + np.arange(w)] = raw
    return out.tobytes(), offsets

