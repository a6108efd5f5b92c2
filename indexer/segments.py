"""Writing whole Whoosh segments fast, for full builds.

Whoosh's SegmentWriter puts every posting through a sorting pool (a tuple,
a pickle to a temporary run, a heap merge) and then through per-posting and
per-term Python calls. For a bigram index that is most of the build. This
writer takes the bigram and character fields as arrays of occurrences
(``search.schema.OccurrenceField``), turns every few hundred documents into
postings with array operations (``search.postings``), and at the end writes
each field's terms and posting blocks in one pass over sorted arrays
(``indexer.termwriter``). Other fields keep a per-term list. The files written
are ordinary Whoosh 2.7 segments.

It relies on the block layout of Whoosh's W3 codec (pinned below 2.8 in
pyproject.toml); tests compare its segments with Whoosh's own writer.
"""
from __future__ import annotations

from array import array
from typing import Iterable

import numpy as np
from whoosh.writing import SegmentWriter

from search.codec import Codec
from search.columnar import (ARRAY_FIELDS, WHOOSH_POSTINGS, FieldBuilder, decode_positions,
                             DOC_NUMBERS, doc_arrays, sidecar_path)
from search.arrayfile import write_arrays
from search.postings import Occurrences, Postings, aggregate
from search.names import name_keys
from search.schema import OccurrenceField

from .termwriter import from_lists, merge_chunks, write_field

__all__ = ["FastSegmentWriter", "write_segments"]

_CHUNK = 256  # documents whose occurrences are turned into postings at once


class FastSegmentWriter(SegmentWriter):
    """A SegmentWriter for documents added in order and committed as new segments.

    Only for writers that add documents and commit: no deletes, no merges of
    other segments (use Whoosh's own writer for updates).
    """

    def __init__(self, ix, whoosh_postings: bool = False, **kwargs):
        super().__init__(ix, **kwargs)
        self.whoosh_postings = whoosh_postings
        self._terms: dict[str, dict[bytes, list]] = {}     # other fields: term -> postings
        self._pending: dict[str, list[tuple]] = {}         # occurrences not yet aggregated
        self._chunks: dict[str, list[Postings]] = {}
        self._lengths: dict[str, array] = {}
        self._arrays: dict[str, FieldBuilder] = {}
        # year, ts, has_date, categories, names, DOC_NUMBERS: for the array file
        self._docinfo: list[tuple] = []

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
        self._docinfo.append((fields.get("year") or "", fields.get("ts") or 0,
                              fields.get("has_date") or 0,
                              [c for c in (fields.get("category") or "").split(",") if c],
                              name_keys(fields.get("names")),
                              *(fields.get(col) or 0 for _, col, _ in DOC_NUMBERS)))
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
            # Popped, so each field's postings are freed once written.
            pieces = (merge_chunks(self._chunks.pop(name)) if name in self._chunks
                      else [from_lists(self._terms.pop(name))])
            if name in ARRAY_FIELDS:
                pieces = self._tap(name, pieces)
                if not self.whoosh_postings:
                    for _ in pieces:  # the arrays alone hold this field's postings
                        pass
                    continue
            fw.start_field(name, field)
            write_field(fw, pieces, lengths, self.docbase)
            del pieces
            fw.finish_field()
        fw.close()

    def _tap(self, name: str, pieces):
        """Pass pieces through, keeping their postings for the segment's array file."""
        builder = self._arrays[name] = FieldBuilder(name)
        for p in pieces:
            counts = np.diff(np.append(p.tstart, len(p.docs)))
            terms = p.codes if p.codes is not None else np.array(p.keys, dtype="S")
            freqs = positions = None
            if ARRAY_FIELDS[name]:
                freqs, positions = decode_positions(np.frombuffer(p.values, np.uint8),
                                                    p.vstarts, p.vends)
            builder.add(terms, counts, p.docs - self.docbase, p.weights, freqs, positions)
            yield p

    def _finalize_segment(self):
        segment = super()._finalize_segment()
        arrays: dict = {}
        for name in ARRAY_FIELDS:
            arrays.update(self._arrays.pop(name, FieldBuilder(name)).arrays())
        arrays.update(doc_arrays(*(list(col) for col in zip(*self._docinfo))) if self._docinfo
                      else doc_arrays([], [], [], [], []))
        arrays[WHOOSH_POSTINGS] = np.array([self.whoosh_postings], np.uint8)
        write_arrays(sidecar_path(self.storage.folder, segment), arrays)
        return segment


# Also write the array fields' postings in Whoosh's format (tests compare
# Whoosh's evaluation with the arrays'; an index never needs them).
REFERENCE_POSTINGS = False


def write_segments(ix, docs: Iterable[dict], per_segment: int = 10_000, codec=None) -> list:
    """Write docs as new segments of ix (not committed); returns the segments.

    A new segment is started every ``per_segment`` documents to bound memory.
    The caller holds the index's write lock and commits the returned
    segments (``SegmentWriter._commit_toc``). The bigram, character and
    title-word fields go to the segment's arrays only (``search.columnar``),
    which is why Whoosh's writer must never merge these segments
    (``indexer.update``).
    """
    codec = codec or Codec()
    segments = []
    writer = None
    for doc in docs:
        if writer is None:
            writer = FastSegmentWriter(ix, _lk=False, codec=codec, compound=False,
                                       whoosh_postings=REFERENCE_POSTINGS)
        writer.add_document(**doc)
        if writer.doc_count() >= per_segment:
            segments.append(writer._finalize_segment())
            writer = None
    if writer is not None and writer._added:
        segments.append(writer._finalize_segment())
    # The temporary folder is shared by every writer of the index, in every
    # process: the committing writer removes it when all are done.
    return segments
