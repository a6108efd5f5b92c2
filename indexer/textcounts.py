"""A cluster's lexicon, counted from the articles as the indexer sends them.

A cluster keeps no postings arrays here, so the documents are counted on
their way to it: every few thousand, their bigrams and title words become
in-memory postings, counted like a local segment (``indexer.wordcounts``)
and added up; so are the articles holding each Han bigram and character, which
let a reader read pinyin the lexicon lacks (``search.lattice``). Both are
written into ``search.sphinx.assist.cluster_folder``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from search.analysis import GRAM_SHIFT, Segmenter, gram_codes, normalize
from search.arrayfile import read_arrays, write_arrays
from search.lattice import GRAMS_NAME
from search.lexicon import LEXICON_NAME

from .lexicon import (BIG_ARCHIVE, counts_of, counts_of_arrays, known_readings, lexicon_arrays,
                      merged_counts)

__all__ = ["TextCounter"]

_CHUNK = 4000  # documents per in-memory table (bounds the counter's memory)


class _Postings:
    """Sorted terms, where each term's documents start, and the documents."""

    def __init__(self, terms: np.ndarray, docs: np.ndarray):
        order = np.lexsort((docs, terms))
        terms, self.docs_ = terms[order], docs[order]
        self.terms, counts = np.unique(terms, return_counts=True)
        self.tptr = np.zeros(len(self.terms) + 1, np.int64)
        np.cumsum(counts, out=self.tptr[1:])


class TextCounter:
    """Counts the words of the documents passed through ``tap``."""

    def __init__(self, seg: Segmenter):
        self.seg = seg
        self.documents = 0
        self.counts: dict[str, tuple[int, int]] = {}
        self._grams: list[np.ndarray] = []
        self._titles: list[list[str]] = []
        self._ng = (np.zeros(0, np.uint64), np.zeros(0, np.int64))  # Han bigrams, articles
        self._ch = (np.zeros(0, np.uint64), np.zeros(0, np.int64))  # Han characters, articles

    def tap(self, docs: Iterable[dict]) -> Iterator[dict]:
        """The documents unchanged, each counted as it goes by."""
        for doc in docs:
            title = normalize(doc.get("title") or "")
            body = normalize(doc.get("body") or "")
            self._grams.append(np.unique(np.concatenate([gram_codes(title), gram_codes(body)])))
            self._titles.append(list(dict.fromkeys(w.text for w in self.seg.tokens(title))))
            if len(self._grams) >= _CHUNK:
                self._flush()
            yield doc

    def _flush(self) -> None:
        if not self._grams:
            return
        n = len(self._grams)
        owner = np.repeat(np.arange(n, dtype=np.int64), [len(g) for g in self._grams])
        words = [w.encode("utf-8") for t in self._titles for w in t]
        title_owner = np.repeat(np.arange(n, dtype=np.int64), [len(t) for t in self._titles])
        grams = np.concatenate(self._grams)
        postings = _Postings(grams, owner)
        ng, ch = han_counts(postings, grams, owner)
        self._ng, self._ch = added(self._ng, ng), added(self._ch, ch)
        tables = [{"text_ng": postings,
                   "title_words": _Postings(np.array(words, dtype="S") if words
                                            else np.zeros(0, "S1"), title_owner)}]
        self.counts = merged_counts(self.counts, counts_of(self.seg, tables))
        self.documents += n
        self._grams, self._titles = [], []

    def write(self, folder: Path, add_to_existing: bool,
              less: "TextCounter | None" = None) -> None:
        """Write the lexicon (for an update: added to the one in ``folder``, less the
        articles ``less`` counted, those the update retired)."""
        self._flush()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / LEXICON_NAME
        counts, known, min_df = self.counts, None, 2 if self.documents >= BIG_ARCHIVE else 1
        if add_to_existing and path.exists():
            old = read_arrays(path)
            counts, known, min_df = merged_counts(counts_of_arrays(old), counts), \
                known_readings(old), 1
            if less is not None:
                less._flush()
                counts = {w: c for w, c in merged_counts(counts, less.counts, -1).items()
                          if c[0] > 0}
        write_arrays(path, lexicon_arrays(counts, min_df, known))
        self._write_grams(folder / GRAMS_NAME, add_to_existing, less)

    def _write_grams(self, path: Path, add_to_existing: bool, less) -> None:
        ng, ch, docs = self._ng, self._ch, self.documents
        if add_to_existing and path.exists():
            old = read_arrays(path)
            ng = added(ng, (old["ng.terms"], np.diff(old["ng.tptr"])))
            ch = added(ch, (old["ch.terms"], np.diff(old["ch.tptr"])))
            docs += int(old["docs"][0])
            if less is not None:
                ng, ch = (_positive(added(mine, (gone[0], -gone[1])))
                          for mine, gone in ((ng, less._ng), (ch, less._ch)))
                docs -= less.documents
        write_arrays(path, {"ng.terms": ng[0], "ng.tptr": np.r_[0, np.cumsum(ng[1])],
                            "ch.terms": ch[0], "ch.tptr": np.r_[0, np.cumsum(ch[1])],
                            "docs": np.array([docs], np.int64)})



def _han(cp: np.ndarray) -> np.ndarray:
    return (cp >= 0x3400) & (cp <= 0x9FFF)


def han_counts(postings: _Postings, grams: np.ndarray, owner: np.ndarray
               ) -> tuple[tuple, tuple]:
    """(codes, articles) of the Han bigrams and of the Han characters.

    ``postings``: the chunk's bigram postings; ``grams``, ``owner``: each
    document's distinct gram codes, sorted, and the document of each.
    """
    terms = postings.terms.astype(np.uint64)
    mask = np.uint64((1 << GRAM_SHIFT) - 1)
    pair = _han(terms >> np.uint64(GRAM_SHIFT)) & _han(terms & mask)
    ng = (terms[pair], np.diff(postings.tptr)[pair])
    # Each letter starts one gram: a document's characters are its grams' first
    # ones, adjacent in its sorted codes.
    first = grams.astype(np.uint64) >> np.uint64(GRAM_SHIFT)
    new = np.ones(len(first), bool)
    new[1:] = (first[1:] != first[:-1]) | (owner[1:] != owner[:-1])
    ch = np.unique(first[new & _han(first)] << np.uint64(GRAM_SHIFT), return_counts=True)
    return ng, ch


def _positive(table: tuple) -> tuple[np.ndarray, np.ndarray]:
    """The codes of a (codes, counts) table still counted in some article."""
    keep = table[1] > 0
    return table[0][keep], table[1][keep]


def added(a: tuple, b: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Two (sorted codes, counts) tables added up."""
    codes, back = np.unique(np.concatenate([a[0], b[0]]).astype(np.uint64), return_inverse=True)
    counts = np.bincount(back.ravel(), np.concatenate([a[1], b[1]]), len(codes))
    return codes, counts.astype(np.int64)
