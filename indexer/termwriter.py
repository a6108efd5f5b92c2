"""A field's terms and posting blocks, written in Whoosh's W3 format from sorted arrays.

``indexer.segments`` hands over each field of a segment as postings sorted by
term then document; this module computes every block's and term's statistics
with array operations and writes the blocks, then the term table entries,
in large pieces. The layout is W3PostingsWriter's and W3FieldWriter's; the
differences are listed on ``_BlockWriter`` and in ``search.codec``.
"""
from __future__ import annotations

import pickle
import struct
import zlib
from typing import Iterable, Iterator

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC
from whoosh.filedb import filetables
from whoosh.system import pack_ushort
from whoosh.util.numeric import _length_byte_cache

from search.analysis import term_text
from search.postings import Postings, frequency_values

__all__ = ["merge_chunks", "from_lists", "write_field"]

_BLOCK = 128  # postings per block: Whoosh's W3Codec default
_COMPRESS_MIN = 96  # bytes of pickle below which a block is stored as is
_TERMS_PER_PASS = 20_000  # terms whose postings become Python objects at once
_PIECE = 1 << 19  # postings sorted and written at once
# Pickle protocol of blocks: Whoosh writes 2, whose bytes objects cost ~30
# bytes each (a call to _codecs.encode); readers unpickle any protocol.
_PROTOCOL = 3
_TERMINFO = struct.Struct("!BfIBBfII")  # W3TermInfo's fixed part
_EXTENT = struct.Struct("!qi")          # offset and length of a term's postings
_INT = struct.Struct("!i")
_LENGTH_BYTES = np.frombuffer(_length_byte_cache, dtype=np.uint32)


def merge_chunks(chunks: list[Postings]) -> Iterator["_Sorted"]:
    """Term-ordered postings from chunks in document order, a range of terms at a time.

    Each chunk is sorted by term already; a range's slice of every chunk is
    found by bisection and only that is merged, so the sorted copies never
    hold more than ``_PIECE`` postings.
    """
    total = sum(len(c) for c in chunks)
    bounds: list = []
    if total > _PIECE:
        sample = np.sort(np.concatenate([c.codes[::64] for c in chunks]))
        picks = np.linspace(0, len(sample), -(-total // _PIECE), endpoint=False).astype(int)
        bounds = np.unique(sample[picks[1:]]).tolist()
    edges = [None, *bounds, None]
    for lo, hi in zip(edges[:-1], edges[1:]):
        spans = [(c, 0 if lo is None else int(np.searchsorted(c.codes, lo)),
                  len(c) if hi is None else int(np.searchsorted(c.codes, hi))) for c in chunks]
        yield _merge(spans)


def _merge(spans: list[tuple[Postings, int, int]]) -> "_Sorted":
    codes = np.concatenate([c.codes[a:b] for c, a, b in spans])
    order = np.argsort(codes, kind="stable")  # documents stay ascending within a term
    codes = codes[order]
    tstart = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else codes[:0]
    keys = [term_text(c).encode("utf-8") for c in codes[tstart].tolist()]
    docs = np.concatenate([c.docs[a:b] for c, a, b in spans])[order]
    weights = np.concatenate([c.weights[a:b] for c, a, b in spans])[order]
    if spans[0][0].offsets is None:
        freqs = np.concatenate([c.freqs[a:b] for c, a, b in spans])[order]
        return _Sorted(keys, tstart, docs, weights, freqs=freqs, codes=codes[tstart])
    pieces, starts, ends, base = [], [], [], 0
    for c, a, b in spans:
        lo = int(c.offsets[a])
        pieces.append(c.values[lo:int(c.offsets[b])])
        starts.append(c.offsets[a:b] - lo + base)
        ends.append(c.offsets[a + 1:b + 1] - lo + base)
        base += len(pieces[-1])
    return _Sorted(keys, tstart, docs, weights, b"".join(pieces),
                   np.concatenate(starts)[order], np.concatenate(ends)[order],
                   codes=codes[tstart])


def from_lists(terms: dict[bytes, list]) -> "_Sorted":
    """The same from per-term lists of (docnum, weight, value)."""
    keys = sorted(terms)
    postings = [p for k in keys for p in terms[k]]
    sizes = np.fromiter((len(v) for _, _, v in postings), np.int64, len(postings))
    ends = np.cumsum(sizes)
    return _Sorted(keys, np.cumsum([0] + [len(terms[k]) for k in keys[:-1]]),
                   np.array([d for d, _, _ in postings], np.uint32),
                   np.array([w for _, w, _ in postings], np.float32),
                   b"".join(v for _, _, v in postings), ends - sizes, ends)


class _Sorted:
    """A field's postings sorted by term then document, and where each term starts.

    Values are either ``values[vstarts[i]:vends[i]]`` or, for the Frequency
    format, made from ``freqs``.
    """

    def __init__(self, keys, tstart, docs, weights, values=b"", vstarts=None, vends=None,
                 freqs=None, codes=None):
        self.keys, self.tstart, self.docs, self.weights = keys, np.asarray(tstart), docs, weights
        self.values, self.vstarts, self.vends, self.freqs = values, vstarts, vends, freqs
        self.codes = codes  # term codes (``analysis.gram_codes``) of occurrence fields


def _length_byte(lengths: np.ndarray) -> np.ndarray:
    """whoosh.util.numeric.length_to_byte for an array."""
    out = np.searchsorted(_LENGTH_BYTES, lengths, side="left")
    return np.where(lengths >= 106374, 255, out)


def _stats(values: np.ndarray, lens: np.ndarray, starts: np.ndarray) -> dict:
    """Per run of postings (a term or a block): max weight, min/max length bytes."""
    return dict(maxw=np.maximum.reduceat(values, starts),
                minlen=_length_byte(np.minimum.reduceat(lens, starts)),
                maxlen=_length_byte(np.maximum.reduceat(lens, starts)))


def write_field(fw, pieces: Iterable[_Sorted], lengths, docbase: int) -> None:
    """Every term of a field (pieces in term order): posting blocks, then term infos."""
    out = _Output(fw)
    for p in pieces:
        _write_piece(fw, out, p, lengths, docbase)


def _write_piece(fw, out: "_Output", p: _Sorted, lengths, docbase: int) -> None:
    """Statistics are computed for all terms of the piece at once; the Python
    objects the writing loop needs are made for a slice of terms at a time,
    which bounds memory (a Python int or float per posting is ~32 bytes)."""
    n = len(p.docs)
    if n == 0:
        return
    tstart = p.tstart
    tend = np.append(tstart[1:], n)
    nblk = (tend - tstart + _BLOCK - 1) // _BLOCK
    bfirst = np.cumsum(nblk) - nblk
    bterm = np.repeat(np.arange(len(tstart)), nblk)
    bstart = tstart[bterm] + _BLOCK * (np.arange(len(bterm)) - bfirst[bterm])
    docs, weights = p.docs, p.weights
    lens = (np.frombuffer(lengths, dtype=np.uint32)[docs - docbase] if lengths is not None
            else np.zeros(n, np.uint32))
    ids = docs.astype(np.int32)  # W3 stores document numbers as deltas within a block
    ids[1:] -= docs[:-1]
    ids[bstart] = docs[bstart]
    block = _stats(weights, lens, bstart)
    block.update(start=bstart, end=np.minimum(bstart + _BLOCK, tend[bterm]))
    block["maxid"] = docs[block["end"] - 1]
    term = _stats(weights, lens, tstart)
    term.update(first=bfirst, nblk=nblk, df=tend - tstart,
                weight=np.add.reduceat(weights.astype(np.float64), tstart),
                minid=docs[tstart], maxid=docs[tend - 1])
    for t0 in range(0, len(tstart), _TERMS_PER_PASS):
        t1 = min(len(tstart), t0 + _TERMS_PER_PASS)
        s0, s1 = int(tstart[t0]), int(tend[t1 - 1])
        b0, b1 = int(bfirst[t0]), int(bfirst[t1 - 1] + nblk[t1 - 1])
        blocks = _BlockWriter(fw, {k: v[b0:b1].tolist() for k, v in block.items()}, s0,
                              ids[s0:s1].tolist(), weights[s0:s1].tolist(), p)
        terms = {k: v[t0:t1].tolist() for k, v in term.items()}
        terms["first"] = [b - b0 for b in terms["first"]]
        out.terms(p.keys[t0:t1], terms, blocks)


class _Output:
    """A field's postings, written in large pieces, and its term entries."""

    def __init__(self, fw):
        self.postfile, self.tindex = fw._postfile, fw._tindex
        self.fieldkey = pack_ushort(fw._fieldid)
        self.out, self.offset = bytearray(), self.postfile.tell()

    def terms(self, keys: list[bytes], term: dict, blocks: "_BlockWriter") -> None:
        out, infos = self.out, []
        for t in range(len(keys)):
            stats = (term["weight"][t], term["df"][t], term["minlen"][t], term["maxlen"][t],
                     term["maxw"][t], term["minid"][t], term["maxid"][t])
            first = term["first"][t]
            if stats[1] == 1:  # one posting: inline it in the term's entry (search.codec)
                infos.append(_TERMINFO.pack(1, *stats) + blocks.inline(first))
                continue
            start = self.offset + len(out)
            out += WHOOSH3_HEADER_MAGIC
            last = first + term["nblk"][t] - 1
            for b in range(first, last + 1):
                out += blocks.encode(b, b == last)
            infos.append(_TERMINFO.pack(0, *stats)
                         + _EXTENT.pack(start, self.offset + len(out) - start))
        self.flush()
        _add_terms(self.tindex, [self.fieldkey + key for key in keys], infos)

    def flush(self) -> None:
        self.postfile.write(bytes(self.out))
        self.offset += len(self.out)
        self.out.clear()


def _add_terms(tindex, keys: list[bytes], infos: list[bytes]) -> None:
    """OrderedHashWriter.add for many keys (in increasing order) with one write."""
    if not keys:
        return
    if keys[0] <= tindex.lastkey:
        raise ValueError(f"keys must increase: {tindex.lastkey!r}..{keys[0]!r}")
    hashfn, buckets, positions = tindex.hashfn, tindex.buckets, tindex.index
    pack = filetables._lengths.pack
    out, offset = bytearray(), tindex.dbfile.tell()
    for key, info in zip(keys, infos):
        pos = offset + len(out)
        positions.append(pos)
        out += pack(len(key), len(info))
        out += key
        out += info
        h = hashfn(key)
        buckets[h & 255].append((h, pos))
    tindex.dbfile.write(bytes(out))
    tindex.lastkey = keys[-1]


class _BlockWriter:
    """W3PostingsWriter._write_block for blocks of a slice of sorted postings.

    Same layout, with two differences readers do not see: the pickle is
    protocol 3, and a block whose pickle is short is stored uncompressed (the
    block header says so): zlib adds more than it saves to the one- and
    two-posting blocks that most bigrams have.
    """

    def __init__(self, fw, block: dict, base: int, ids: list, weights: list, p: _Sorted):
        self.block, self.base, self.ids, self.weights = block, base, ids, weights
        end = base + len(ids)
        if p.freqs is not None:  # 4-byte values, consecutive: value i is values[4i:4i+4]
            self.values = frequency_values(p.freqs[base:end])
            self.vstarts = self.vends = None
        else:
            self.values = p.values
            self.vstarts, self.vends = p.vstarts[base:end].tolist(), p.vends[base:end].tolist()
        self.fixed = fw._fieldobj.format.fixed_value_size()
        self.level = fw._codec._compression

    def _span(self, i: int) -> bytes:
        if self.vstarts is None:
            return self.values[4 * i:4 * i + 4]
        return self.values[self.vstarts[i]:self.vends[i]]

    def _values(self, s: int, e: int):
        if self.fixed == 0:
            return None
        if self.vstarts is None:
            return self.values[4 * s:4 * e]
        values, vs, ve = self.values, self.vstarts, self.vends
        if self.fixed:  # fixed-size values are stored as one string per block
            return b"".join([values[vs[i]:ve[i]] for i in range(s, e)])
        return tuple([values[vs[i]:ve[i]] for i in range(s, e)])

    def inline(self, b: int) -> bytes:
        """A one-posting term's (ids, weights, values), as W3TermInfo inlines them."""
        s = self.block["start"][b] - self.base
        values = None if self.fixed == 0 else (self._span(s),)
        return pickle.dumps(((self.ids[s],), (self.weights[s],), values), _PROTOCOL)

    def encode(self, b: int, last: bool) -> bytes:
        blk = self.block
        s, e = blk["start"][b] - self.base, blk["end"][b] - self.base
        w = self.weights[s:e]
        mini_w = (None if all(x == 1.0 for x in w) else w[0] if w.count(w[0]) == len(w)
                  else tuple(w))
        data = pickle.dumps((tuple(self.ids[s:e]), mini_w, self._values(s, e)), _PROTOCOL)
        comp = self.level if len(data) >= _COMPRESS_MIN else 0
        if comp:
            data = zlib.compress(data, comp)
        info = pickle.dumps((e - s, blk["maxid"][b], blk["maxw"][b], comp,
                             blk["minlen"][b], blk["maxlen"][b]), 2)
        size = len(info) + len(data)
        return _INT.pack(-size if last else size) + info + data
