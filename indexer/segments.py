"""Writing whole Whoosh segments fast, for full builds.

Whoosh's SegmentWriter puts every posting through a sorting pool (a tuple,
a pickle to a temporary run, a heap merge) and then through per-posting
calls that look up the document's field length again. For a bigram index
that is most of the build. This writer keeps each term's postings in
compact arrays while documents are added (documents arrive in order, so a
term's postings are already sorted) and hands whole blocks to Whoosh's own
codec at the end. The files written are ordinary Whoosh 2.7 segments.

It relies on the block layout of Whoosh's W3 codec (pinned below 2.8 in
pyproject.toml); tests compare its segments with Whoosh's own writer.
"""
from __future__ import annotations

import zlib
from array import array
from typing import Iterable

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC
from whoosh.compat import dumps
from whoosh.util.numeric import length_to_byte
from whoosh.util.numlists import delta_encode
from whoosh.writing import SegmentWriter

__all__ = ["FastSegmentWriter", "write_segments"]

_BLOCK = 128  # postings per block: Whoosh's W3Codec default
_COMPRESS_MIN = 96  # bytes of pickle below which a block is stored as is


class _Postings:
    """One term's postings: document numbers, weights and encoded values."""

    __slots__ = ("ids", "weights", "values", "sizes")

    def __init__(self):
        self.ids = array("I")
        self.weights = array("f")
        self.values = bytearray()
        self.sizes = array("I")

    def add(self, docnum: int, weight: float, value: bytes) -> None:
        self.ids.append(docnum)
        self.weights.append(weight)
        self.values += value
        self.sizes.append(len(value))

    def split_values(self) -> list[bytes]:
        out, pos, data = [], 0, bytes(self.values)
        for size in self.sizes:
            out.append(data[pos:pos + size])
            pos += size
        return out


class FastSegmentWriter(SegmentWriter):
    """A SegmentWriter whose postings skip the sorting pool.

    Only for writers that add documents and commit: no deletes, no merges of
    other segments (use Whoosh's own writer for updates).
    """

    def __init__(self, ix, **kwargs):
        super().__init__(ix, **kwargs)
        self._inverted: dict[str, dict[bytes, _Postings]] = {}
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

    def _index_field(self, name, field, value, docnum) -> int:
        terms = self._inverted.setdefault(name, {})
        length = 0
        for tbytes, freq, weight, vbytes in field.index(value):
            length += freq
            postings = terms.get(tbytes)
            if postings is None:
                postings = terms[tbytes] = _Postings()
            postings.add(docnum, weight, vbytes)
        if field.scorable:
            lengths = self._lengths.setdefault(name, array("I"))
            lengths.extend([0] * (docnum - self.docbase + 1 - len(lengths)))
            lengths[docnum - self.docbase] = length
        return length if field.scorable else 0

    def _flush_segment(self):
        self.perdocwriter.close()
        fw = self.fieldwriter
        for name in sorted(self._inverted):
            terms = self._inverted[name]
            fw.start_field(name, self.schema[name])
            lengths = self._lengths.get(name)
            for tbytes in sorted(terms):
                fw.start_term(tbytes)
                self._write_term(fw._postwriter, terms[tbytes], lengths)
                fw.finish_term()
            fw.finish_field()
        self._inverted.clear()
        fw.close()

    def _write_term(self, pw, postings: _Postings, lengths) -> None:
        values = postings.split_values()
        count = len(postings.ids)
        base = self.docbase
        for start in range(0, count, _BLOCK):
            end = min(count, start + _BLOCK)
            ids = postings.ids[start:end]
            if lengths is not None:
                block = [lengths[i - base] for i in ids]
                minlength, maxlength = min(block), max(block)
            else:
                minlength, maxlength = None, 0
            _write_block(pw, ids, postings.weights[start:end], values[start:end],
                         minlength, maxlength, last=end == count)


def _write_block(pw, ids, weights, values, minlength, maxlength, last: bool) -> None:
    """W3PostingsWriter._write_block for a whole block at once.

    Same bytes, except that a block whose pickle is short is stored
    uncompressed (the block header says so, and readers honour it): zlib adds
    more than it saves to the one- and two-posting blocks that most bigrams
    have, and compressing them was a tenth of the build.
    """
    if not pw._blockcount:
        pw._postfile.write(WHOOSH3_HEADER_MAGIC)
    pw._ids, pw._weights, pw._values = ids, weights, values
    pw._minlength, pw._maxlength, pw._maxweight = minlength, maxlength, max(weights)
    pw._terminfo.add_block(pw)
    if all(w == 1.0 for w in weights):
        mini_weights = None
    elif all(w == weights[0] for w in weights):
        mini_weights = weights[0]
    else:
        mini_weights = tuple(weights)
    fixed = pw._format.fixed_value_size()
    mini_values = (tuple(values) if fixed is None or fixed < 0
                   else None if fixed == 0 else b"".join(values))
    data = dumps((tuple(delta_encode(ids)), mini_weights, mini_values), 2)
    comp = pw._compression if len(data) >= _COMPRESS_MIN else 0
    if comp:
        data = zlib.compress(data, comp)
    info = dumps((len(ids), ids[-1], pw._maxweight, comp, length_to_byte(minlength),
                  length_to_byte(maxlength)), 2)
    size = len(info) + len(data)
    pw._postfile.write_int(-size if last else size)
    pw._postfile.write(info)
    pw._postfile.write(data)
    pw._blockcount += 1
    pw._new_block()


def write_segments(ix, docs: Iterable[dict], per_segment: int = 20_000, codec=None) -> list:
    """Write docs as new segments of ix (not committed); returns the segments.

    A new segment is started every ``per_segment`` documents to bound memory.
    The caller holds the index's write lock and commits the returned
    segments (``SegmentWriter._commit_toc``).
    """
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
