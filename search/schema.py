"""The Whoosh schema: the one definition of what is indexed and how.

The custom field classes below are pickled into every index by reference, so
they must stay importable at ``search.schema.<Name>``.
"""
from __future__ import annotations

import sys
from array import array
from collections import Counter
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

import numpy as np
from whoosh import columns, fields, formats
from whoosh.analysis import KeywordAnalyzer
from whoosh.system import pack_uint

from .analysis import (ANALYSIS_VERSION, Segmenter, char_codes, gram_codes, is_searchable,
                       normalize, term_text)
from .names import NAMES_VERSION, finder_for
from .postings import Occurrences, aggregate, frequency_values
from .series import stem_key, title_key

__all__ = ["build_schema", "make_document", "fingerprint", "SCHEMA_VERSION", "CHINA_TZ"]

# Year facets and displayed dates follow the readers' clock.
CHINA_TZ = timezone(timedelta(hours=8), "CST")

SCHEMA_VERSION = "13"  # 13: names (people, places, organisations) per article
# Beyond this many characters a body is indexed only up to here (and the
# indexer reports it); phrase positions and snippets stay cheap.
MAX_BODY_CHARS = 200_000


class CompactPositions(formats.Positions):
    """Positions as a typed array of deltas instead of Whoosh's pickled list.

    One type byte, then 1, 2 or 4 bytes per delta: typically 3-4 bytes a
    posting where the stock format spends 12 or more.
    """

    _CODES = ((0xFF, b"B", "B"), (0xFFFF, b"H", "H"), (0xFFFFFFFF, b"I", "I"))

    def encode(self, poslist):
        if len(poslist) == 1:  # most postings: one occurrence
            p = poslist[0]
            if p <= 0xFF:
                return b"B" + bytes((p,))
            if p <= 0xFFFF:
                return b"H" + p.to_bytes(2, sys.byteorder)
        deltas = [poslist[0]] + [b - a for a, b in zip(poslist, poslist[1:])]
        top = max(deltas)
        for limit, tag, code in self._CODES:
            if top <= limit:
                return tag + array(code, deltas).tobytes()
        raise ValueError("position out of range")

    def _deltas(self, valuestring):
        return array(valuestring[:1].decode("ascii"), valuestring[1:])

    def decode_positions(self, valuestring):
        out, pos = [], 0
        for d in self._deltas(valuestring):
            pos += d
            out.append(pos)
        return out

    def decode_frequency(self, valuestring):
        return len(self._deltas(valuestring))

    def decode_weight(self, valuestring):
        return self.decode_frequency(valuestring) * self.field_boost


class OccurrenceField(fields.FieldType):
    """A field whose analysis yields term occurrences (``search.postings``).

    The full build's segment writer takes ``occurrences`` in bulk; Whoosh's
    own writer (updates) calls ``index``, which aggregates them the same way.
    """

    def occurrences(self, value) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
        """Term codes, positions (None without positions) and weights of a value."""
        raise NotImplementedError

    def index(self, value, **kwargs):
        codes, positions, weights = self.occurrences(value)
        docs = np.zeros(len(codes), np.uint32)
        p = aggregate(Occurrences(codes, docs, positions, weights))
        if p.offsets is None:
            data, off = frequency_values(p.freqs), range(0, 4 * len(p) + 1, 4)
        else:
            data, off = p.values, p.offsets.tolist()
        for i, (code, freq, weight) in enumerate(zip(p.codes.tolist(), p.freqs.tolist(),
                                                     p.weights.tolist())):
            yield term_text(code).encode("utf-8"), freq, weight, data[off[i]:off[i + 1]]


def _ones(n: int, weight: float = 1.0) -> np.ndarray:
    return np.full(n, weight, np.float32)


# Title occurrences count this many times a body occurrence in the text fields.
TITLE_WEIGHT = 3.0
# In text_ng the title comes first, at positions 0.., and the body at BODY_AT..
# (or further on after a title longer than TITLE_LIMIT letters): a position
# below TITLE_LIMIT is in the title (``title:`` queries look there), and the
# gap keeps any phrase from spanning title and body.
TITLE_LIMIT = 256
BODY_AT = 300
_GAP = BODY_AT - TITLE_LIMIT


class TextGramField(OccurrenceField):
    """Title and body bigrams in one field; the value is (body, title), normalised.

    One field instead of two halves the matchers a query runs (a union of a
    title and a body matcher per word was a third of a query's time), and one
    field serves title-only queries too, by position; the title still weighs
    more through its postings' weights.
    """

    def __init__(self):
        super().__init__(CompactPositions(), KeywordAnalyzer(), scorable=True)

    def occurrences(self, value):
        body, title = value
        t, b = gram_codes(title), gram_codes(body)
        body_at = max(BODY_AT, len(t) + _GAP)
        positions = np.concatenate([np.arange(len(t)), np.arange(len(b)) + body_at])
        return (np.concatenate([t, b]), positions.astype(np.uint32),
                np.concatenate([_ones(len(t), TITLE_WEIGHT), _ones(len(b))]))


class CharCountField(OccurrenceField):
    """Letters and digits with counts (no positions); the value is normalised text.

    Finding a lone character through the bigrams it starts means a union of
    up to thousands of terms (2,362 for 的 in 10,000 stories, seconds per
    query); one term per character answers in milliseconds.
    """

    def __init__(self):
        super().__init__(formats.Frequency(), KeywordAnalyzer(), scorable=True)

    def occurrences(self, value):
        codes = char_codes(value)
        return codes, None, _ones(len(codes))


class TextCountField(CharCountField):
    """Characters of body and title with counts; the value is (body, title)."""

    def occurrences(self, value):
        b, t = (char_codes(v) for v in value)
        return (np.concatenate([b, t]), None,
                np.concatenate([_ones(len(b)), _ones(len(t), TITLE_WEIGHT)]))


class CountField(fields.FieldType):
    """Terms with frequencies only; the value is a Counter or an iterable of terms."""

    def __init__(self, field_boost: float = 1.0):
        super().__init__(formats.Frequency(field_boost=field_boost), KeywordAnalyzer(),
                         scorable=True)

    def index(self, value, **kwargs):
        counts = value if isinstance(value, Counter) else Counter(value)
        boost = self.format.field_boost
        for term, n in counts.items():
            yield term.encode("utf-8"), n, n * boost, pack_uint(n)


class CategoryField(fields.KEYWORD):
    """Category names, comma-separated, also kept as a per-document list column.

    Without the column Whoosh's facet counter rebuilds a document -> names
    table from the postings on every query (half the time of a query for
    中国 at 10,000 stories); with it, it reads the names of the hits only.
    """

    def __init__(self):
        super().__init__(commas=True, lowercase=False, scorable=False)
        self.column_type = columns.VarBytesListColumn()

    def to_column_value(self, value):
        return [name.encode("utf-8") for name in value.split(",") if name]


def build_schema() -> fields.Schema:
    """The schema every index is built with."""
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        path=fields.ID(stored=True),
        paths=fields.STORED(),
        title=fields.STORED(),
        body=fields.STORED(),
        html=fields.STORED(),
        author=fields.STORED(),
        categories=fields.STORED(),
        date=fields.STORED(),
        names=fields.STORED(),  # {"people": [...], "places": [...], "organizations": [...]}
        title_ch=CharCountField(),
        text_ng=TextGramField(),
        text_ch=TextCountField(),
        title_words=CountField(),
        title_exact=fields.ID(),
        category=CategoryField(),
        year=fields.ID(sortable=True),
        ts=fields.NUMERIC(int, bits=64, signed=True, sortable=True),
        has_date=fields.NUMERIC(int, bits=8, signed=False, sortable=True),
        # For ranking (search.ranking): stubs without text, events and series.
        # Columns only: nothing searches them, so no terms.
        body_len=fields.COLUMN(columns.NumericColumn("I")),
        title_key=fields.COLUMN(columns.NumericColumn("Q")),
        stem_key=fields.COLUMN(columns.NumericColumn("Q")),
    )


def fingerprint(segmenter_fingerprint: str) -> str:
    """What an index's analysis depends on; a mismatch means 'rebuild'."""
    import opencc

    parts = [SCHEMA_VERSION, ANALYSIS_VERSION, getattr(opencc, "__version__", "?"),
             segmenter_fingerprint, NAMES_VERSION]
    return "-".join(parts)


def _category_terms(categories: Iterable[str]) -> str:
    return ",".join(c.replace(",", " ").strip() for c in categories if c.strip())


def make_document(segmenter: Segmenter, *, id: str, path: str, paths: list[str],
                  title: str, body: str, html: str, author: str,
                  categories: list[str], date: datetime | None) -> dict[str, Any]:
    """Keyword arguments for ``writer.add_document`` for one article."""
    ntitle = normalize(title)
    nbody = normalize(body[:MAX_BODY_CHARS])[:MAX_BODY_CHARS]  # (a few characters expand)
    doc: dict[str, Any] = dict(
        id=id, path=path, paths=list(paths), title=title, body=body,
        html=html, author=author,
        categories=list(categories), title_ch=ntitle,
        text_ng=(nbody, ntitle), text_ch=(nbody, ntitle),
        title_exact=ntitle.strip(),
        title_words=[t.text for t in segmenter.tokens(ntitle)],
        date=date.astimezone(timezone.utc).isoformat() if date else None,
        has_date=1 if date else 0,
        ts=int(date.timestamp()) if date else 0,
        body_len=min(len(nbody), 2**32 - 1) if is_searchable(nbody) else 0,
        title_key=title_key(title), stem_key=stem_key(title),
        names=finder_for(segmenter).find(title, body).as_dict(),
    )
    cats = _category_terms(categories)
    if cats:
        doc["category"] = cats
    if date:
        doc["year"] = str(date.astimezone(CHINA_TZ).year)
    return doc
