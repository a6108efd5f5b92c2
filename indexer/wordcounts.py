"""How many articles hold each candidate word, from a generation's postings arrays.

A word's count is the articles holding all its character bigrams: for a
two-character word exactly the articles a search for it finds, for a longer
one a close upper bound (its bigrams may stand apart), which is all ranking
words that sound alike needs. No text is segmented again.
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from search.analysis import gram_codes
from search.columnar import PostingTable, term_counts

__all__ = ["document_frequencies", "title_frequencies", "bigrams", "restricted"]


def document_frequencies(words: list[str], tables: list[dict[str, PostingTable]],
                         grams: tuple | None = None) -> np.ndarray:
    """Articles holding every bigram of each word, summed over segments.

    ``grams``: the words' ``bigrams``, when already cut.
    """
    flat, starts, sizes = grams or bigrams(words)
    total = np.zeros(len(words), np.int64)
    for t in tables:
        table = t["text_ng"]
        if not len(table.terms) or not len(flat):
            continue
        pos, bdf = term_counts(table, flat)
        least = np.minimum.reduceat(bdf, starts)
        total += np.where(sizes == 1, least, 0)
        longer = np.flatnonzero((sizes > 1) & (least > 0))
        total[longer] += _together(table, pos, bdf, starts[longer], sizes[longer])
    return total


def bigrams(words: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every word's bigram codes in one array, where each word's start, and how many."""
    if not words:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64), np.zeros(0, np.int64)
    lengths = np.fromiter(map(len, words), np.int64, len(words))
    codes = gram_codes("\n".join(words))  # one code per letter; a word's last stands alone
    last = np.cumsum(lengths) - 1
    keep = np.ones(len(codes), bool)
    keep[last] = False
    sizes = lengths - 1
    return codes[keep], np.cumsum(sizes) - sizes, sizes


def _together(table: PostingTable, pos: np.ndarray, bdf: np.ndarray, starts: np.ndarray,
              sizes: np.ndarray) -> np.ndarray:
    """For each word (its bigrams at pos[start:start+size]), the documents holding all.

    All words at once: each document of a word's rarest bigram becomes a
    (word, document) pair, kept while every other bigram of the word has a
    posting for that document; postings are found by bisecting one sorted
    array of (term << 32 | document) keys.
    """
    if not len(sizes):
        return np.zeros(0, np.int64)
    width = int(sizes.max())
    grid = np.full((len(sizes), width), -1, np.int64)
    for j in range(width):
        has = sizes > j
        grid[has, j] = pos[starts[has] + j]
    cell_df = np.where(grid >= 0, bdf[_rows_of(grid, starts)], 1 << 62)
    rarest = grid[np.arange(len(sizes)), np.argmin(cell_df, axis=1)]
    counts = np.diff(table.tptr)[rarest]
    owner = np.repeat(np.arange(len(sizes)), counts)
    first = np.repeat(table.tptr[rarest] - (np.cumsum(counts) - counts), counts)
    docs = table.docs_[np.arange(len(owner)) + first].astype(np.int64)
    keys = (np.repeat(np.arange(len(table.terms), dtype=np.int64), np.diff(table.tptr)) << 32) \
        | table.docs_.astype(np.int64)
    alive = np.ones(len(owner), bool)
    for j in range(width):
        term = grid[owner, j]
        sel = term >= 0
        wanted = (term[sel] << 32) | docs[sel]
        at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        alive[sel] &= keys[at] == wanted
    return np.bincount(owner[alive], minlength=len(sizes))


def _rows_of(grid: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Index into the flat bigram arrays of each grid cell (0 where empty)."""
    j = np.arange(grid.shape[1])
    return np.where(grid >= 0, starts[:, None] + j[None, :], 0)


def title_frequencies(words: list[str], tables: list[dict[str, PostingTable]]) -> np.ndarray:
    """Titles holding each word as a jieba word (a word people name things by)."""
    keys = np.array([w.encode("utf-8") for w in words], dtype="S") if words else \
        np.zeros(0, "S1")
    total = np.zeros(len(words), np.int64)
    for t in tables:
        total += term_counts(t["title_words"], keys)[1]
    return total


def restricted(table: PostingTable, keep: np.ndarray) -> SimpleNamespace:
    """The postings of ``table`` of the documents ``keep`` (a bool per document) says,
    as the counting functions above read a table."""
    held = keep[table.docs_]
    ends = np.r_[0, np.cumsum(held, dtype=np.int64)]
    return SimpleNamespace(terms=table.terms, tptr=ends[table.tptr], docs_=table.docs_[held])
