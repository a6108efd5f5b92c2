"""The archive's words with their document frequencies and pinyin, for query assistance.

Written by the indexer beside each generation (``indexer.lexicon``) as one
array file, read through a memory map: a pinyin, homophone or prefix lookup
is a bisection on sorted keys, with no dictionary loaded per query.

Arrays: ``word`` (UTF-8, sorted) and ``df`` (articles holding the word);
``tdf`` (titles holding it as a jieba word, which ranks suggestions: a
bigram inside longer words, 北地 of 东北地区, has none); ``py`` (the toneless reading, letters only, sorted) with ``py_word`` (its
word) and ``py_spaced`` (the syllables with spaces); ``fz`` (the fuzzy key,
sorted) with ``fz_word``; ``syllables`` (every syllable the readings use).
"""
from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .arrayfile import read_arrays

__all__ = ["Lexicon", "LexiconFile", "LEXICON_NAME", "Entry", "BIG_ARCHIVE"]

LEXICON_NAME = "lexicon.arrays"
# From this many articles on, a word in only one is noise to suggest or correct to.
BIG_ARCHIVE = 2000


@dataclass(frozen=True)
class Entry:
    """A word of the archive, its reading and how many articles hold it."""

    word: str
    df: int
    reading: str = ""


def _range(keys: np.ndarray, lo: bytes, hi: bytes | None = None) -> range:
    """Rows of sorted ``keys`` equal to lo (hi None) or from lo up to hi."""
    a = int(np.searchsorted(keys, lo, "left"))
    b = int(np.searchsorted(keys, hi if hi is not None else lo, "left" if hi else "right"))
    return range(a, b)


def _prefix_end(prefix: bytes) -> bytes:
    return prefix + b"\xff"


class Lexicon:
    """Lookups in one generation's lexicon (read-only, safe across threads)."""

    def __init__(self, arrays: dict[str, np.ndarray]):
        self._a = arrays
        self.syllables = frozenset(s.decode("ascii") for s in arrays["syllables"].tolist())

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Lexicon | None":
        """The lexicon in ``path`` (a file or a generation folder), None if there is none."""
        path = Path(path)
        if path.is_dir():
            path = path / LEXICON_NAME
        if not path.exists():
            return None
        return cls(read_arrays(path))

    def current(self) -> "Lexicon":
        return self

    def __len__(self) -> int:
        return len(self._a["word"])

    def _word(self, row: int) -> str:
        return self._a["word"][row].decode("utf-8")

    def df(self, word: str) -> int:
        """Articles holding ``word`` (0 when it is not in the lexicon)."""
        rows = _range(self._a["word"], word.encode("utf-8"))
        return int(self._a["df"][rows.start]) if rows else 0

    def by_reading(self, letters: str) -> list[Entry]:
        """Words read as these letters (toneless pinyin without spaces), most frequent first."""
        a = self._a
        rows = _range(a["py"], letters.encode("ascii", "ignore"))
        out = [Entry(self._word(int(a["py_word"][i])), int(a["df"][a["py_word"][i]]),
                     a["py_spaced"][i].decode("ascii")) for i in rows]
        return sorted(out, key=lambda e: (-e.df, e.word))

    def by_fuzzy(self, key: str) -> list[Entry]:
        """Words whose fuzzy reading is ``key`` (``search.pinyin.fuzzy``)."""
        a = self._a
        rows = _range(a["fz"], key.encode("ascii", "ignore"))
        return sorted((Entry(self._word(int(a["fz_word"][i])), int(a["df"][a["fz_word"][i]]))
                       for i in rows), key=lambda e: (-e.df, e.word))

    def with_prefix(self, prefix: str, limit: int, scan: int = 4000) -> list[Entry]:
        """Words starting with ``prefix`` (Chinese), most frequent first."""
        key = prefix.encode("utf-8")
        rows = _range(self._a["word"], key, _prefix_end(key))
        return self._best(np.arange(rows.start, min(rows.stop, rows.start + scan)), limit)

    def with_reading_prefix(self, letters: str, limit: int, scan: int = 4000) -> list[Entry]:
        """Words whose reading starts with these letters, most frequent first."""
        key = letters.encode("ascii", "ignore")
        rows = _range(self._a["py"], key, _prefix_end(key))
        words = self._a["py_word"][rows.start:min(rows.stop, rows.start + scan)]
        return self._best(np.unique(words), limit)

    def _best(self, rows: np.ndarray, limit: int) -> list[Entry]:
        """The rows' words named most in titles, then found in most articles."""
        if not len(rows):
            return []
        dfs = self._a["df"][rows].astype(np.int64)
        rank = self._a["tdf"][rows].astype(np.int64) * (1 << 32) + dfs
        order = np.argsort(-rank, kind="stable")[:limit]
        return [Entry(self._word(int(rows[i])), int(dfs[i])) for i in order]


class LexiconFile:
    """A lexicon file another process replaces (a cluster's), read again when it does.

    ``load``: what reads it (``Lexicon.load``; ``Lattice.load`` for a cluster's
    bigram counts, kept and replaced the same way).
    """

    CHECK_EVERY_S = 1.0

    def __init__(self, path: str | os.PathLike, load=None):
        self.path = Path(path)
        self._load = load or Lexicon.load
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._lexicon: Lexicon | None = None
        self._checked = -self.CHECK_EVERY_S

    def current(self):
        """What the file now holds, as ``load`` reads it (None while there is none)."""
        now = time.monotonic()
        with self._lock:
            if now - self._checked >= self.CHECK_EVERY_S:
                self._checked = now
                try:
                    st = os.stat(self.path)
                    stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
                except OSError:
                    stamp = None
                if stamp != self._stamp:
                    self._lexicon = self._load(self.path) if stamp else None
                    self._stamp = stamp
            return self._lexicon
