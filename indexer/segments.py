"""Writing whole Whoosh segments fast, for full builds.

Whoosh's SegmentWriter puts every posting through a sorting pool (a tuple,
a pickle to a temporary run, a heap merge) and then through per-posting and
per-term Python calls. For a bigram index that is most of the build. This
writer takes the bigram and character fields as arrays of occurrences
(``search.schema.OccurrenceField``), turns every few hundred documents into
postings with array operations (``search.postings``), and at the end writes
each field's terms and posting blocks in one pass over sorted arrays. Other
fields keep a compact per-term list. The files written are ordinary Whoosh
2.7 segments.

It relies on the block layout of Whoosh's W3 codec (pinned below 2.8 in
pyproject.toml); tests compare its segments with Whoosh's own writer.
"""
from __future__ import annotations

import pickle
import struct
import zlib
from array import array
from typing import Iterable

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC
from whoosh.filedb import filetables
from whoosh.system import pack_ushort
from whoosh.util.numeric import _length_byte_cache
from whoosh.writing import SegmentWriter

from search.analysis import term_text
from search.codec import Codec
from search.postings import Occurrences, Postings, aggregate
from search.schema import OccurrenceField

__all__ = ["FastSegmentWriter", "write_segments"]

_BLOCK = 128  # postings per block: Whoosh's W3Codec default
_COMPRESS_MIN = 96  # bytes of pickle below which a block is stored as is
_CHUNK = 256  # documents whose occurrences are turned into postings at once
# Pickle protocol of blocks: Whoosh writes 2, whose bytes objects cost ~30
# bytes each (a call to _codecs.encode); readers unpickle any protocol.
_PROTOCOL = 3
_TERMINFO = struct.Struct("!BfIBBfII")  # W3TermInfo, not inlined
_EXTENT = struct.Struct("!qi")          # offset and length of a term's postings
_INT = struct.Struct("!i")
_LENGTH_BYTES = np.frombuffer(_length_byte_cache, dtype=np.uint32)


class FastSegmentWriter(SegmentWriter):
    """A SegmentWriter for documents added in order and committed as new segments.

    Only for writers that add documents and commit: no deletes, no merges of
    other segments (use Whoosh's own writer for updates).
    """

    def __init__(self, ix, **kwargs):
        super().__init__(ix, **kwargs)
        self._terms: dict[str, dict[bytes, list]] = {}     # other fields: term -> postings
        self._pending: dict[str, list[tuple]] = {}         # occurrences not yet aggregated
        self._chunks: dict[str, list[Postings]] = {}
        self._lengths: dict[str, array] = {}

    def add_document(self, **fields):
        self._check_state()
        schema, docnum, pdw = self.schema, self.docnum, self.perdocwriter
        names = sorted(n for n in fields if not n.startswith("_"))
        self._check_fields(schema, names)
        pdw.start_doc(docnum)
        for name in names:
            value = fields[name]
            if value is None:
                continue
            field = schema[name]
            length = self._index_field(name, field, value, docnum) if field.indexed else 0
            pdw.add_field(name, field, value if field.stored else None, length)
            if field.column_type:
                pdw.add_column_value(name, field.column_type, field.to_column_value(value))
        pdw.finish_doc()
        self._added = True
        self.docnum += 1
        if (self.docnum - self.docbase) % _CHUNK == 0:
            self._aggregate()

    def _index_field(self, name, field, value, docnum) -> int:
        if isinstance(field, OccurrenceField):
            codes, positions, weights = field.occurrences(value)
            self._pending.setdefault(name, []).append((docnum, codes, positions, weights))
            length = len(codes)
        else:
            terms = self._terms.setdefault(name, {})
            length = 0
            for tbytes, freq, weight, vbytes in field.index(value):
                length += freq
                postings = terms.get(tbytes)
                if postings is None:
                    postings = terms[tbytes] = []
                postings.append((docnum, weight, vbytes))
        if field.scorable:
            lengths = self._lengths.setdefault(name, array("I"))
            lengths.extend([0] * (docnum - self.docbase + 1 - len(lengths)))
            lengths[docnum - self.docbase] = length
        return length if field.scorable else 0

    def _aggregate(self) -> None:
        for name, items in self._pending.items():
            docs = np.repeat(np.array([d for d, *_ in items], np.uint32),
                             [len(c) for _, c, _, _ in items])
            with_pos = items[0][2] is not None
            occ = Occurrences(np.concatenate([c for _, c, _, _ in items]), docs,
                              np.concatenate([p for _, _, p, _ in items]) if with_pos else None,
                              np.concatenate([w for *_, w in items]))
            self._chunks.setdefault(name, []).append(aggregate(occ))
        self._pending.clear()

    def _flush_segment(self):
        self._aggregate()
        self.perdocwriter.close()
        fw = self.fieldwriter
        for name in sorted(self._terms.keys() | self._chunks.keys()):
            field = self.schema[name]
            lengths = self._lengths.get(name)
            fw.start_field(name, field)
            postings = (_merge(self._chunks[name]) if name in self._chunks
                        else _from_lists(self._terms[name]))
            _write_arrays(fw, postings, lengths, self.docbase)
            fw.finish_field()
        self._terms.clear()
        self._chunks.clear()
        fw.close()


def _merge(chunks: list[Postings]) -> "_Sorted":
    """One term-ordered set of postings from chunks in document order."""
    codes = np.concatenate([c.codes for c in chunks])
    order = np.argsort(codes, kind="stable")  # documents stay ascending within a term
    codes = codes[order]
    base = np.cumsum([0] + [len(c.values) for c in chunks[:-1]])
    starts = np.concatenate([c.offsets[:-1] + b for c, b in zip(chunks, base)])[order]
    ends = np.concatenate([c.offsets[1:] + b for c, b in zip(chunks, base)])[order]
    tstart = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    return _Sorted([term_text(c).encode("utf-8") for c in codes[tstart].tolist()], tstart,
                   np.concatenate([c.docs for c in chunks])[order],
                   np.concatenate([c.weights for c in chunks])[order],
                   b"".join(c.values for c in chunks), starts, ends)


def _from_lists(terms: dict[bytes, list]) -> "_Sorted":
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
    """A field's postings sorted by term then document, and where each term starts."""

    def __init__(self, keys, tstart, docs, weights, values, vstarts, vends):
        self.keys, self.tstart, self.docs, self.weights = keys, np.asarray(tstart), docs, weights
        self.values, self.vstarts, self.vends = values, vstarts, vends


def _length_byte(lengths: np.ndarray) -> np.ndarray:
    """whoosh.util.numeric.length_to_byte for an array."""
    out = np.searchsorted(_LENGTH_BYTES, lengths, side="left")
    return np.where(lengths >= 106374, 255, out)


def _stats(values: np.ndarray, lens: np.ndarray, starts: np.ndarray) -> dict:
    """Per run of postings (a term or a block): max weight, min/max length bytes."""
    return dict(maxw=np.maximum.reduceat(values, starts).tolist(),
                minlen=_length_byte(np.minimum.reduceat(lens, starts)).tolist(),
                maxlen=_length_byte(np.maximum.reduceat(lens, starts)).tolist())


def _write_arrays(fw, p: _Sorted, lengths, docbase: int) -> None:
    """Every term of a field: its posting blocks, then its term info."""
    n = len(p.docs)
    if n == 0:
        return
    tstart = p.tstart
    tend = np.append(tstart[1:], n)
    nblk = (tend - tstart + _BLOCK - 1) // _BLOCK
    bfirst = np.cumsum(nblk) - nblk
    bterm = np.repeat(np.arange(len(tstart)), nblk)
    bstart = tstart[bterm] + _BLOCK * (np.arange(len(bterm)) - bfirst[bterm])
    bend = np.minimum(bstart + _BLOCK, tend[bterm])
    docs, weights = p.docs, p.weights
    lens = (np.frombuffer(lengths, dtype=np.uint32)[docs - docbase] if lengths is not None
            else np.zeros(n, np.uint32))
    ids = docs.astype(np.int64)  # W3 stores document numbers as deltas within a block
    ids[1:] -= docs[:-1]
    ids[bstart] = docs[bstart]
    block = _stats(weights, lens, bstart)
    block.update(start=bstart.tolist(), end=bend.tolist(), maxid=docs[bend - 1].tolist())
    term = _stats(weights, lens, tstart)
    term.update(first=bfirst.tolist(), nblk=nblk.tolist(), df=(tend - tstart).tolist(),
                weight=np.add.reduceat(weights.astype(np.float64), tstart).tolist(),
                minid=docs[tstart].tolist(), maxid=docs[tend - 1].tolist())
    _write_terms(fw, p, term, block, ids.tolist(), weights.tolist())


def _write_terms(fw, p: _Sorted, term: dict, block: dict, ids: list, weights: list) -> None:
    postfile = fw._postfile
    blocks = _BlockWriter(fw, block, ids, weights, p)
    infos = []
    out, offset = bytearray(), postfile.tell()
    for t in range(len(p.keys)):
        stats = (term["weight"][t], term["df"][t], term["minlen"][t], term["maxlen"][t],
                 term["maxw"][t], term["minid"][t], term["maxid"][t])
        first = term["first"][t]
        if stats[1] == 1:  # one posting: inline it in the term's entry (search.codec)
            infos.append(_TERMINFO.pack(1, *stats) + blocks.inline(first))
            continue
        start = offset + len(out)
        out += WHOOSH3_HEADER_MAGIC
        last = first + term["nblk"][t] - 1
        for b in range(first, last + 1):
            out += blocks.encode(b, b == last)
        infos.append(_TERMINFO.pack(0, *stats) + _EXTENT.pack(start, offset + len(out) - start))
        if len(out) > 1 << 22:
            postfile.write(bytes(out))
            offset += len(out)
            out.clear()
    postfile.write(bytes(out))
    fieldkey = pack_ushort(fw._fieldid)
    _add_terms(fw._tindex, [fieldkey + key for key in p.keys], infos)


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
    """W3PostingsWriter._write_block for one block of sorted arrays.

    Same layout, with two differences readers do not see: the pickle is
    protocol 3, and a block whose pickle is short is stored uncompressed (the
    block header says so): zlib adds more than it saves to the one- and
    two-posting blocks that most bigrams have.
    """

    def __init__(self, fw, block: dict, ids: list, weights: list, p: _Sorted):
        self.block, self.ids, self.weights, self.p = block, ids, weights, p
        self.vstarts, self.vends = p.vstarts.tolist(), p.vends.tolist()
        self.fixed = fw._fieldobj.format.fixed_value_size()
        self.level = fw._codec._compression

    def _values(self, s: int, e: int):
        values, vs, ve = self.p.values, self.vstarts, self.vends
        if self.fixed == 0:
            return None
        if self.fixed:  # fixed-size values are stored as one string per block
            return b"".join([values[vs[i]:ve[i]] for i in range(s, e)])
        return tuple([values[vs[i]:ve[i]] for i in range(s, e)])

    def inline(self, b: int) -> bytes:
        """A one-posting term's (ids, weights, values), as W3TermInfo inlines them."""
        s = self.block["start"][b]
        value = self.p.values[self.vstarts[s]:self.vends[s]] if self.fixed != 0 else None
        return pickle.dumps(((self.ids[s],), (self.weights[s],),
                             None if value is None else (value,)), _PROTOCOL)

    def encode(self, b: int, last: bool) -> bytes:
        blk = self.block
        s, e = blk["start"][b], blk["end"][b]
        w = self.weights[s:e]
        mini_w = (None if all(x == 1.0 for x in w) else w[0] if w.count(w[0]) == len(w)
                  else tuple(w))
        vals = self._values(s, e)
        data = pickle.dumps((tuple(self.ids[s:e]), mini_w, vals), _PROTOCOL)
        comp = self.level if len(data) >= _COMPRESS_MIN else 0
        if comp:
            data = zlib.compress(data, comp)
        info = pickle.dumps((e - s, blk["maxid"][b], blk["maxw"][b], comp,
                             blk["minlen"][b], blk["maxlen"][b]), 2)
        size = len(info) + len(data)
        return _INT.pack(-size if last else size) + info + data


def write_segments(ix, docs: Iterable[dict], per_segment: int = 20_000, codec=None) -> list:
    """Write docs as new segments of ix (not committed); returns the segments.

    A new segment is started every ``per_segment`` documents to bound memory.
    The caller holds the index's write lock and commits the returned
    segments (``SegmentWriter._commit_toc``).
    """
    codec = codec or Codec()
    segments = []
    writer = None
    for doc in docs:
        if writer is None:
            writer = FastSegmentWriter(ix, _lk=False, codec=codec)
        writer.add_document(**doc)
        if writer.doc_count() >= per_segment:
            segments.append(writer._finalize_segment())
            writer = None
    if writer is not None and writer._added:
        segments.append(writer._finalize_segment())
    # The temporary folder is shared by every writer of the index, in every
    # process: the committing writer removes it when all are done.
    return segments
