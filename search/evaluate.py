"""Evaluating a compiled query over the postings arrays, with numpy.

``search.query.compile_query`` builds a Whoosh query tree; Whoosh would run
it through a Python call per posting. This module gives the same tree the
same meaning, segment by segment, as array operations: a set of documents
is a sorted array with a float64 score each, And intersects and adds, Or
unites and adds, AndMaybe adds where both match, and every leaf scores
with Whoosh's BM25F (same statistics, same formula, same order of
operations). Sums may round differently from Whoosh's in the last bit;
everything else (which documents, which first tier, which totals) is the
same, and ``tests/test_evaluate.py`` holds it to that against Whoosh.
"""
from __future__ import annotations

from functools import partial
from math import log

import numpy as np
from whoosh import query as wq

from .analysis import digit_breaks, word_runs
from .substring import _MAX_EXPANSION, _MAX_SLOTS, Exhaustive, Rarest, Substring, plan
from .tables import SegmentView, Tables

__all__ = ["evaluate", "query_key"]

B, K1 = 0.75, 1.2  # whoosh.scoring.BM25F's defaults, which the index is searched with
_EMPTY = (np.zeros(0, np.int64), np.zeros(0, np.float64))
_KEY = 1 << 34    # (posting row, start) packed in one int64 for the position check
_BIAS = 1 << 20   # starts may be below 0 when the first slot is not checked


def evaluate(query: wq.Query, tables: Tables, term_docs, memo: dict | None = None
             ) -> tuple[np.ndarray, np.ndarray]:
    """(global document numbers ascending, scores) of every live match of ``query``.

    ``term_docs(segment, field, text)`` gives the documents of a term of the
    few small fields that have no arrays (``Documents.term_docs``). ``memo``,
    shared by evaluations of one search, keeps each segment's substring matches.
    """
    docs, scores, dfs = [], [], tables.dfs
    if len(dfs) > 500_000:  # bounded: terms come from users
        dfs.clear()
    for i, seg in enumerate(tables.segments):
        d, s = _Segment(tables, seg, partial(term_docs, i), dfs,
                        {} if memo is None else memo.setdefault(i, {})).run(query)
        d = d + seg.offset
        keep = tables.live[d]
        docs.append(d[keep])
        scores.append(s[keep])
    if not docs:
        return _EMPTY
    return np.concatenate(docs), np.concatenate(scores)


def query_key(q: wq.Query) -> tuple:
    """A hashable description of everything in a query tree that decides its result."""
    if isinstance(q, Substring):
        return ("S", q.gram_field, q.char_field, q.norm, q.boost, q.below)
    if isinstance(q, wq.Term):
        return ("T", q.fieldname, q.text, q.boost)
    if isinstance(q, wq.ConstantScoreQuery):
        return ("C", q.score, query_key(q.child))
    if isinstance(q, wq.AndMaybe):
        return ("M", query_key(q.a), query_key(q.b))
    if isinstance(q, (wq.And, wq.Or)):
        return (type(q).__name__, getattr(q, "keep", None),
                tuple(query_key(s) for s in q.subqueries))
    if isinstance(q, Exhaustive):
        return ("E", query_key(q.child))
    return (type(q).__name__,)


def _intersect(a, b, n: int):
    """Documents in both (ascending), scores added; ``n`` bounds the document numbers.

    Dense arrays over the segment's documents instead of sorting: linear in
    the inputs, which matters for the broad words that match most of them.
    """
    (da, sa), (db, sb) = a, b
    if len(da) > len(db):
        (da, sa), (db, sb) = (db, sb), (da, sa)
    dense = np.full(n, np.nan)
    dense[db] = sb
    other = dense[da]
    keep = ~np.isnan(other)
    return da[keep], sa[keep] + other[keep]


def _union(parts, n: int):
    """Documents in any (ascending), scores of those that match added."""
    parts = [p for p in parts if len(p[0])]
    if not parts:
        return _EMPTY
    if len(parts) == 1:
        return parts[0]
    docs = np.concatenate([d for d, _ in parts])
    present = np.bincount(docs, minlength=n) > 0
    sums = np.bincount(docs, weights=np.concatenate([s for _, s in parts]), minlength=n)
    out = np.flatnonzero(present)
    return out, sums[out]


class _Segment:
    """One segment's evaluation of a query tree."""

    def __init__(self, tables: Tables, seg: SegmentView, term_docs, dfs: dict, memo: dict):
        self.t, self.seg, self.term_docs, self.memo = tables, seg, term_docs, memo
        self.dfs = dfs  # document frequencies over the generation, shared by segments

    def run(self, q: wq.Query):
        method = _DISPATCH.get(type(q))
        if method is None:
            for cls, m in _DISPATCH.items():
                if isinstance(q, cls):
                    method = m
                    break
            else:
                raise TypeError(f"no array evaluation for {type(q).__name__}")
        return method(self, q)

    def _null(self, q):
        return _EMPTY

    def _every(self, q):
        return np.arange(self.seg.count, dtype=np.int64), np.ones(self.seg.count)

    def _wrapped(self, q):
        return self.run(q.child)

    def _and(self, q):
        subs = q.subqueries
        if isinstance(q, Rarest) and len(subs) > q.keep:
            subs = sorted(subs, key=self._estimate)[:q.keep]
        if not subs:
            return _EMPTY
        acc = None
        for sub in sorted(subs, key=self._estimate):  # rarest first: shrinks fastest
            part = self.run(sub)
            acc = part if acc is None else _intersect(acc, part, self.seg.count)
            if not len(acc[0]):
                return _EMPTY
        return acc

    def _or(self, q):
        return _union([self.run(s) for s in q.subqueries], self.seg.count)

    def _and_maybe(self, q):
        a = self.run(q.a)
        if not len(a[0]):
            return _EMPTY
        bd, bs = self.run(q.b)
        dense = np.zeros(self.seg.count)
        dense[bd] = bs
        return a[0], a[1] + dense[a[0]]

    def _constant(self, q):
        docs, _ = self.run(q.child)
        return docs, np.full(len(docs), float(q.score))

    def _term(self, q):
        if q.fieldname == "category":
            w = self.t.category_weights(q.text)[self.seg.offset:self.seg.offset + self.seg.count]
            docs = np.flatnonzero(w)
            return docs.astype(np.int64), w[docs] * q.boost
        table = self.seg.fields.get(q.fieldname)
        if table is None:
            return self._whoosh_term(q)
        d, s = self._bm25(q.fieldname, table, table.find(q.text))
        return d, (s * q.boost if q.boost != 1.0 else s)

    def _whoosh_term(self, q):
        """Terms of the small fields (title_exact, id), read from Whoosh; weight 1."""
        docs = self.term_docs(q.fieldname, q.text)
        return docs, np.full(len(docs), float(q.boost))

    def _df(self, fieldname: str, text: str) -> int:
        """Whoosh's doc_frequency: postings in every segment, deleted documents included."""
        df = self.dfs.get((fieldname, text))
        if df is None:
            df = self.dfs[fieldname, text] = sum(
                s.fields[fieldname].df(s.fields[fieldname].find(text)) for s in self.t.segments)
        return df

    def _bm25(self, fieldname: str, table, i: int):
        if i < 0:
            return _EMPTY
        docs = table.docs(i).astype(np.int64)
        tf = table.weights(i).astype(np.float64)
        n = self.t.doc_count_all
        idf = log(n / (self._df(fieldname, _text(table, i)) + 1)) + 1
        avgfl = self.t.field_length[fieldname] / (n or 1) or 1
        fl = self.t.lengths[fieldname][docs + self.seg.offset]
        return docs, idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))

    def _estimate(self, q) -> int:
        """Substring.estimate_size from the arrays; other queries keep their order."""
        if isinstance(q, Substring):
            return min((self._seg_df(f, t) for f, t in q.terms()), default=0)
        return 0

    def _seg_df(self, fieldname: str, text: str) -> int:
        table = self.seg.fields[fieldname]
        return table.df(table.find(text))

    def _substring(self, q: Substring):
        key = query_key(q)
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = _substring(self, q)
        return found


def _text(table, i: int) -> str:
    if table.coded:
        code = int(table.terms[i])
        low = code & ((1 << 21) - 1)
        return chr(code >> 21) + (chr(low) if low else "")
    return bytes(table.terms[i]).decode("utf-8")


def _substring(ev: _Segment, q: Substring):
    """Substring.matcher's meaning (``search.substring``), as array operations."""
    slots, singles, length = plan(q.norm)
    grams, chars = ev.seg.fields[q.gram_field], ev.seg.fields[q.char_field]
    if not slots and len(singles) < 2:
        if not singles:
            return _EMPTY
        return _boost(ev._bm25(q.char_field, chars, chars.find(singles[0][1])), q.boost)
    if not singles and len(slots) == 1 and q.below is None:
        return _boost(ev._bm25(q.gram_field, grams, grams.find(slots[0][1])), q.boost)
    leaves: dict[str, int] = {}
    for _, gram in slots:
        if gram not in leaves:
            leaves[gram] = grams.find(gram)
            if leaves[gram] < 0:
                return _EMPTY
    required = [ev._bm25(q.gram_field, grams, i) for i in leaves.values()]
    if not slots:  # lone characters only ("3.5"): the first one's positions anchor the rest
        required += [ev._bm25(q.char_field, chars, chars.find(ch))
                     for ch in dict.fromkeys(ch for _, ch in singles)]
    checks = []
    letters = "".join(run for _, run in word_runs(q.norm))
    breaks = digit_breaks(q.norm)
    for offset, ch in singles:
        alts = (_single_terms(grams, ch, letters[offset + 1:offset + 2]) if offset not in breaks
                else [t for t in (grams.find(ch),) if t >= 0])
        if len(alts) > _MAX_EXPANSION:
            required.append(ev._bm25(q.char_field, chars, chars.find(ch)))
        elif not alts:
            return _EMPTY
        else:
            checks.append((offset, alts))
    for offset in sorted(breaks.difference(o for o, _ in singles)):
        if grams.find(letters[offset]) < 0:
            return _EMPTY
        checks.append((offset, [grams.find(letters[offset])]))
    docs, scores = _and_all(required, ev.seg.count)
    if not len(docs):
        return _EMPTY
    slots.sort(key=lambda slot: grams.df(leaves[slot[1]]))
    keep = _positions_match(grams, docs, [(o, leaves[g]) for o, g in slots[:_MAX_SLOTS]],
                            checks, q.below)
    return _boost((docs[keep], scores[keep]), q.boost)


def _single_terms(grams, ch: str, after: str):
    """Terms that can hold a lone character followed by ``after`` ("" at the end).

    Followed by a letter, it either runs on into it (one bigram) or ends its
    run (the character alone): two terms, always checked exactly. Last in the
    query, any bigram starting with it will do.
    """
    if not after:
        return grams.prefixed(ch)
    return [t for t in (grams.find(ch + after), grams.find(ch)) if t >= 0]


def _and_all(parts, n: int):
    acc = parts[0]
    for p in sorted(parts[1:], key=lambda p: len(p[0])):
        acc = _intersect(acc, p, n)
    return acc


def _boost(result, boost: float):
    return result if boost == 1.0 else (result[0], result[1] * boost)


def _starts(table, term: int, docs: np.ndarray, offset: int) -> np.ndarray:
    """Packed (row of docs, start) keys where ``term`` sits ``offset`` after a start."""
    tdocs = table.docs(term)
    rows = np.searchsorted(tdocs, docs)  # every doc holds the term: the leaves were intersected
    owner, pos = table.positions(term, rows)
    return owner * _KEY + (pos - offset + _BIAS)  # sorted: rows, then positions, ascend


def _within(keys: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """Which of ``keys`` occur in ``sorted_keys`` (ascending)."""
    at = np.searchsorted(sorted_keys, keys)
    at[at == len(sorted_keys)] = 0
    return sorted_keys[at] == keys if len(sorted_keys) else np.zeros(len(keys), bool)


def _positions_match(grams, docs, slots, checks, below) -> np.ndarray:
    """Which of ``docs`` hold the slots at the right distances (a bool per doc)."""
    keys = None
    for offset, term in slots:
        found = _starts(grams, term, docs, offset)
        keys = found if keys is None else keys[_within(keys, found)]
        if not len(keys):
            return np.zeros(len(docs), bool)
    for offset, alts in checks:
        here = []
        for term in alts:
            tdocs = grams.docs(term)
            at = np.searchsorted(tdocs, docs)
            has = at < len(tdocs)
            has[has] = tdocs[at[has]] == docs[has]
            if has.any():
                owner, pos = grams.positions(term, at[has])
                here.append(np.flatnonzero(has)[owner] * _KEY + (pos - offset + _BIAS))
        if not here:
            return np.zeros(len(docs), bool)
        found = np.sort(np.concatenate(here))
        keys = found if keys is None else keys[_within(keys, found)]
        if not len(keys):
            break
    if below is not None:
        keys = keys[keys % _KEY - _BIAS < below]
    keep = np.zeros(len(docs), bool)
    keep[keys // _KEY] = True
    return keep


_DISPATCH = {
    Substring: _Segment._substring,
    Rarest: _Segment._and,
    wq.And: _Segment._and,
    wq.Or: _Segment._or,
    wq.AndMaybe: _Segment._and_maybe,
    wq.ConstantScoreQuery: _Segment._constant,
    wq.Term: _Segment._term,
    wq.Every: _Segment._every,
    Exhaustive: _Segment._wrapped,
    type(wq.NullQuery): _Segment._null,
}
