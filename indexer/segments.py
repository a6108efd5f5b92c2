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

from array import array
from typing import Iterable

from whoosh.writing import SegmentWriter

__all__ = ["FastSegmentWriter", "write_segments"]

_BLOCK = 128  # postings per block: Whoosh's W3Codec default


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
        for start in range(0, count, _BLOCK):
            end = min(count, start + _BLOCK)
            pw._ids = postings.ids[start:end]
            pw._weights = postings.weights[start:end]
            pw._values = values[start:end]
            pw._maxweight = max(pw._weights)
            if lengths is not None:
                base = self.docbase
                block = [lengths[i - base] for i in pw._ids]
                pw._minlength, pw._maxlength = min(block), max(block)
            else:
                pw._minlength, pw._maxlength = None, 0
            if end < count:
                pw._write_block()  # the last block is written by finish_term


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
            writer._tempstorage.destroy()
            writer = None
    if writer is not None and writer._added:
        segments.append(writer._finalize_segment())
        writer._tempstorage.destroy()
    return segments
