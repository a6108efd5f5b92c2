"""Han strings of the archive read as given pinyin, found from the bigram terms.

The lexicon (``search.lexicon``) knows the words of the dictionaries and the
titles; a name that jieba finds only in bodies, with its HMM (林草局, 毛雷尔),
is not among them, yet its bigrams are terms of every segment. So a pinyin
query the lexicon cannot read is read over a lattice: for each syllable the
characters with that reading (pypinyin's table, the archive's commonest
first), joined pair by pair only where the pair is a bigram term of the
postings, and the chain in most articles wins (articles holding all its
bigrams, as the lexicon counts words). Every step is bounded (syllables,
characters per syllable, chains kept), so a lookup costs a few numpy
searches over the sorted term arrays whatever is typed.

A local index reads its segments' postings (``Lattice.of_segments``). A
cluster keeps no postings on the reader's machine: its indexer writes the
Han bigrams' and characters' article counts beside the lexicon
(``GRAMS_NAME``, ``indexer.textcounts``), and a chain of three or more
characters is then counted as its rarest bigram (an upper bound).
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

from .analysis import GRAM_SHIFT
from .arrayfile import read_arrays
from .columnar import PostingTable, term_counts
from .lexicon import BIG_ARCHIVE, Entry
from .pinyin import reading, syllable_chars, syllabify

__all__ = ["Lattice", "MAX_SYLLABLES", "GRAMS_NAME"]

GRAMS_NAME = "grams.arrays"

MAX_SYLLABLES = 6   # longer pinyin is no word of 2-6 characters
CHARS_PER_SYLLABLE = 32  # the archive's commonest characters of each reading
BEAM = 32           # chains kept at each step
CHECKED = 6         # best chains whose articles are counted exactly (at most)
_NONE = np.zeros(0, np.int64)


class Lattice:
    """Reads syllables as Han strings of one generation (read-only, safe across threads)."""

    def __init__(self, bigrams: list, chars: list, min_df: int = 1, exact: bool = True):
        """``bigrams``, ``chars``: per segment, objects with sorted ``terms`` and
        ``tptr`` (``PostingTable``s); ``exact``: they also have ``docs``."""
        self._ng = [t for t in bigrams if len(t.terms)]
        self._ch = [t for t in chars if len(t.terms)]
        self.min_df = min_df
        self.exact = exact
        self._chars: dict[str, np.ndarray] | None = None
        self._lock = threading.Lock()

    @classmethod
    def of_segments(cls, segments: list[dict[str, PostingTable]], docs: int) -> "Lattice":
        """The lattice of a local generation's segments (``docs`` documents in all)."""
        return cls([s["text_ng"] for s in segments], [s["text_ch"] for s in segments],
                   2 if docs >= BIG_ARCHIVE else 1)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Lattice | None":
        """The lattice of a cluster's counts (``GRAMS_NAME``), None if there are none."""
        path = Path(path)
        if not path.exists():
            return None
        a = read_arrays(path)
        return cls([_Counts(a["ng.terms"], a["ng.tptr"])], [_Counts(a["ch.terms"], a["ch.tptr"])],
                   2 if int(a["docs"][0]) >= BIG_ARCHIVE else 1, exact=False)

    def current(self) -> "Lattice":
        return self

    def words(self, pieces: list[str]) -> list[Entry]:
        """The string of most articles read as the letters typed (pieces between
        spaces and apostrophes end syllables), as a one-entry list, or [].

        Readings of fewer syllables first (xian before xi an, as input methods
        read), and a reading of more only when none of fewer finds a string.
        """
        best: Entry | None = None
        for syllables in syllabify(pieces, MAX_SYLLABLES):
            if best is not None and len(syllables) > len(best.reading.split()):
                break
            if len(syllables) < 2:
                continue
            found = self.read(syllables)
            if found and (best is None or found.df > best.df):
                best = found
        return [best] if best is not None else []

    def read(self, syllables: list[str]) -> Entry | None:
        """The chain of characters read as ``syllables`` held by most articles.

        A chain counts only if pypinyin reads it, in context, as typed (as the
        lexicon reads its words): 契 has a rare reading qie, yet 武契 is wu qi.
        """
        if not self._ng or not 2 <= len(syllables) <= MAX_SYLLABLES:
            return None
        chars = [self._commonest(s) for s in syllables]
        if any(len(c) == 0 for c in chars):
            return None
        chains, bound = self._chains(chars)
        best, best_df = None, self.min_df - 1
        for chain, most in zip(chains[:CHECKED], bound[:CHECKED].tolist()):
            if most <= best_df:
                break  # sorted by bound: no chain left can hold more articles
            df = most if len(chain) == 2 or not self.exact else self._together(chain)
            word = "".join(map(chr, chain.tolist()))
            if df > best_df and reading(word) == syllables:
                best, best_df = word, df
        return Entry(best, best_df, " ".join(syllables)) if best else None

    def _chains(self, chars: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """The chains whose every pair is a bigram term, at most BEAM, with an upper
        bound of their articles (their rarest bigram's), highest first."""
        chains, bound = chars[0][:, None], None
        for nxt in chars[1:]:
            pairs = (chains[:, -1:] << GRAM_SHIFT) | nxt[None, :]
            df = self._bigram_df(pairs.ravel()).reshape(pairs.shape)
            if bound is not None:
                df = np.minimum(df, bound[:, None])  # a chain is in no more articles
            row, col = np.nonzero(df >= self.min_df)
            keep = np.argsort(-df[row, col], kind="stable")[:BEAM]
            row, col = row[keep], col[keep]
            chains = np.hstack([chains[row], nxt[col][:, None]])
            bound = df[row, col]
            if not len(chains):
                break
        return chains, bound

    def _commonest(self, syllable: str) -> np.ndarray:
        """Code points read as ``syllable`` that the archive holds, commonest first."""
        return self.warm().get(syllable, _NONE)

    def warm(self) -> dict[str, np.ndarray]:
        """Every syllable's characters, ranked once (a few ms) for all later lookups."""
        if self._chars is None:
            table = syllable_chars()
            cps = np.array([ord(c) for chars in table.values() for c in chars], np.int64)
            unique, back = np.unique(cps, return_inverse=True)
            df = np.zeros(len(unique), np.int64)
            for t in self._ch:
                df += term_counts(t, (unique << GRAM_SHIFT).astype(np.uint64))[1]
            df, out, at = df[back], {}, 0
            for syllable, chars in table.items():
                mine, counts = cps[at:at + len(chars)], df[at:at + len(chars)]
                at += len(chars)
                order = np.argsort(-counts, kind="stable")[:CHARS_PER_SYLLABLE]
                out[syllable] = mine[order][counts[order] > 0]
            with self._lock:
                self._chars = out
        return self._chars

    def _bigram_df(self, codes: np.ndarray) -> np.ndarray:
        """Articles holding each bigram, over every segment."""
        # Sorted, distinct needles: a third of the time of a bisection in any order.
        unique, back = np.unique(codes.astype(np.uint64), return_inverse=True)
        total = np.zeros(len(unique), np.int64)
        for table in self._ng:
            total += term_counts(table, unique)[1]
        return total[back.ravel()]

    def _together(self, chain: np.ndarray) -> int:
        """Articles holding every bigram of the chain (exactly, segment by segment)."""
        codes = ((chain[:-1] << GRAM_SHIFT) | chain[1:]).astype(np.uint64)
        total = 0
        for table in self._ng:
            at = np.searchsorted(table.terms, codes)
            if np.any(at >= len(table.terms)) or np.any(table.terms[at] != codes):
                continue
            lists = sorted((table.docs(int(i)) for i in at.tolist()), key=len)
            docs = lists[0]
            for other in lists[1:]:
                if not len(docs):
                    break
                pos = np.minimum(np.searchsorted(other, docs), len(other) - 1)
                docs = docs[other[pos] == docs]
            total += len(docs)
        return total


class _Counts:
    """Sorted term codes and the running total of their counts (``tptr``, as in a
    posting table: term i is in tptr[i + 1] - tptr[i] articles)."""

    def __init__(self, terms: np.ndarray, tptr: np.ndarray):
        self.terms, self.tptr = terms, tptr

