"""Text analysis shared by indexing and querying.

Everything that decides which strings match lives here, so the index and the
query side cannot drift apart:

* ``normalize`` folds width, case and Traditional/Simplified per character
  (NFKC, casefold, OpenCC t2s). Per character, not per phrase, so that the
  same character always folds the same way at both ends.
* ``gram_codes`` turns normalised text into overlapping character bigrams,
  one per position, as integer term codes (``grams`` spells them out); this is
  the recall layer that makes every substring findable.
* ``Segmenter`` wraps a private jieba tokenizer (optionally with a user
  dictionary) and yields words with token positions, search-mode sub-words at
  their parent's position, and character offsets.
"""
from __future__ import annotations

import hashlib
from bisect import bisect_right
import os
import re
import tempfile
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import numpy as np

__all__ = [
    "ANALYSIS_VERSION", "normalize", "OffsetMap", "word_runs", "grams", "gram_codes",
    "char_codes", "term_text", "fuse", "GRAM_SHIFT", "digit_breaks",
    "Segmenter", "WordToken", "is_searchable",
]

# Bump whenever a change here alters what gets indexed: it is part of the
# fingerprint stored with every index, so old indexes ask to be rebuilt.
ANALYSIS_VERSION = "4"

# A run: letters and digits of any script ("_" is punctuation for us), where a
# single hyphen between a letter and a digit (F-35, 歼-20, COVID-19), or a
# single space between a Latin letter and a digit (F 35, 100 km), joins the
# two sides into one run: F-35 = F35. Never between two digits (3-5, 3.5 are
# not 35) nor two letters.
_JOINER = (r"(?:(?<=[^\W\d_])[-\u2010](?=\d)|(?<=\d)[-\u2010](?=[^\W\d_])"
           r"|(?<=[a-z])[ ](?=\d)|(?<=\d)[ ](?=[a-z]))")
_RUN = re.compile(r"[^\W_]+(?:" + _JOINER + r"[^\W_]+)*")
_JOIN = re.compile(_JOINER)
# Latin letters and digits joined by punctuation inside a query word: 3.5, 1,000,
# 10:30, 1/2, U.S, wi-fi. jieba cuts at the punctuation; they stay one word.
_JOINED = re.compile(r"(?<![0-9a-z])[0-9a-z]+(?:[.,:/'\-‐][0-9a-z]+)+(?![0-9a-z])")


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, str]:
    """Code point -> folded text, for every code point that changes."""
    import opencc

    table: dict[int, str] = {}
    for cp in range(0x30000):
        if 0xD800 <= cp < 0xE000:
            continue
        ch = chr(cp)
        folded = unicodedata.normalize("NFKC", ch).casefold()
        if folded != ch:
            table[cp] = folded
    # Convert Han characters one per line so OpenCC applies no phrase rules:
    # the mapping must not depend on the neighbouring characters.
    han = [chr(cp) for cp in (*range(0x3400, 0x4DC0), *range(0x4E00, 0xA000),
                              *range(0xF900, 0xFB00), *range(0x20000, 0x2FA20))]
    simplified = opencc.OpenCC("t2s").convert("\n".join(han)).split("\n")
    if len(simplified) == len(han):
        for src, dst in zip(han, simplified):
            if src != dst and len(dst) == 1:
                base = table.get(ord(src), src)
                table[ord(src)] = dst if base == src else base
        # Apply t2s after NFKC too (compatibility ideographs fold to Han).
        for cp, folded in list(table.items()):
            if len(folded) == 1 and folded != chr(cp):
                table[cp] = table.get(ord(folded), folded)
    return table


def normalize(text: str) -> str:
    """Fold width, case and Traditional characters: the searchable form."""
    return text.translate(_fold_table())


class OffsetMap:
    """The normalised form of a text, and where each of its characters came from.

    Most characters fold to one character, so only the few that expand
    (… -> ..., ㎡ -> m2) are recorded; mapping back is a bisection.
    """

    def __init__(self, text: str):
        table = _fold_table()
        self.norm = normalize(text)
        # For each character that folds to several: where its folded form
        # starts and ends, where it stood, and the total shift after it.
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._sources: list[int] = []
        self._shifts: list[int] = []
        if len(self.norm) != len(text):
            shift = 0
            for src, ch in enumerate(text):
                n = len(table.get(ord(ch), ch))
                if n != 1:
                    self._starts.append(src + shift)
                    shift += n - 1
                    self._ends.append(src + shift + 1)
                    self._sources.append(src)
                    self._shifts.append(shift)

    def start(self, i: int) -> int:
        """Source index of normalised character i."""
        k = bisect_right(self._starts, i) - 1
        if k < 0:
            return i
        if i < self._ends[k]:
            return self._sources[k]
        return i - self._shifts[k]

    def end(self, j: int) -> int:
        """Source end index for a normalised span ending at j."""
        return self.start(j - 1) + 1 if j > 0 else 0


def fuse(norm: str) -> str:
    """Normalised text without the hyphens and spaces that join a run (f-35 -> f35)."""
    # Most texts hold no joiner; the regex costs 20 us over a story's body.
    if "-" not in norm and " " not in norm and "\u2010" not in norm:
        return norm
    return _JOIN.sub("", norm)


def is_searchable(text: str) -> bool:
    """True if the normalised text has any letter or digit to search for."""
    return _RUN.search(text) is not None


def word_runs(norm: str) -> Iterator[tuple[int, str]]:
    """(position, run) for each run of letters/digits in normalised text.

    Positions count letters and digits only: punctuation and spaces take
    none, so a phrase matches across them (北约，东扩 ~ "北约 东扩").
    """
    pos = 0
    for run in _RUN.findall(fuse(norm)):
        yield pos, run
        pos += len(run)


def digit_breaks(norm: str) -> set[int]:
    """Offsets (in letters) of a digit that ends a run before a run starting with a digit:
    the text must end its run there too, as 3.5 and 3-5 are not 35."""
    breaks, last = set(), ""
    for start, run in word_runs(norm):
        if last[-1:].isdigit() and run[0].isdigit():
            breaks.add(start - 1)
        last = run
    return breaks


# A term of the bigram and character fields as one integer: the first code
# point above the second (0 for a character alone). Code points need 21 bits;
# integer order is the order of the terms' UTF-8 bytes, which Whoosh needs.
GRAM_SHIFT = 21
_LOW = (1 << GRAM_SHIFT) - 1


# The last texts' letters, read-only: a document's body and title are each
# read by two or three fields in a row (text_ng, text_ch, title_ch).
_RECENT: dict[str, tuple[np.ndarray, np.ndarray]] = {}


def _letters(norm: str) -> tuple[np.ndarray, np.ndarray]:
    """Code points of the letters and digits of ``norm``, and where each run ends."""
    out = _RECENT.get(norm)
    if out is None:
        out = _read_letters(norm)
        for a in out:
            a.flags.writeable = False
        if len(_RECENT) >= 4:
            _RECENT.clear()
        _RECENT[norm] = out
    return out


def _read_letters(norm: str) -> tuple[np.ndarray, np.ndarray]:
    """``_letters`` of a text not seen just before."""
    # Joiners sit only inside runs, so fusing the text once fuses every run (a
    # call per run was a tenth of the build's writing time).
    runs = _RUN.findall(fuse(norm))
    if not runs:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    cps = np.frombuffer("".join(runs).encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    ends = np.cumsum(np.fromiter(map(len, runs), np.int64, len(runs))) - 1
    return cps, ends


def gram_codes(norm: str) -> np.ndarray:
    """The bigram at each letter/digit position of normalised text, as term codes.

    Each letter or digit at position p yields the bigram starting there, or
    itself alone when it ends its run; so every position has one token and
    a substring of two or more characters is a phrase of bigrams.
    """
    cps, ends = _letters(norm)
    nxt = np.zeros_like(cps)
    nxt[:-1] = cps[1:]
    nxt[ends] = 0
    return (cps << np.uint64(GRAM_SHIFT)) | nxt


def char_codes(norm: str) -> np.ndarray:
    """Each letter/digit of normalised text as the term code of the character alone."""
    return _letters(norm)[0] << np.uint64(GRAM_SHIFT)


def term_text(code: int) -> str:
    """The term a code stands for."""
    low = code & _LOW
    return chr(code >> GRAM_SHIFT) + chr(low) if low else chr(code >> GRAM_SHIFT)


def grams(norm: str) -> dict[str, list[int]]:
    """Character bigrams of normalised text -> their positions (see ``gram_codes``)."""
    poses: dict[str, list[int]] = {}
    for pos, code in enumerate(gram_codes(norm).tolist()):
        poses.setdefault(term_text(code), []).append(pos)
    return poses


@dataclass(frozen=True)
class WordToken:
    """A segmented word: text, token position and source character span."""

    text: str
    pos: int
    start: int
    end: int


def _cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    path = os.path.join(base, "newsearch")
    try:
        os.makedirs(path, exist_ok=True)
        return path
    except OSError:
        return tempfile.gettempdir()


class Segmenter:
    """A private jieba tokenizer, so user dictionaries never leak between indexes."""

    def __init__(self, userdict: str | os.PathLike | None = None):
        import jieba

        self._jieba = jieba
        self.tokenizer = jieba.Tokenizer()
        # jieba caches its model in the system temp folder and never checks it
        # for staleness; keep ours in a folder of our own.
        self.tokenizer.tmp_dir = _cache_dir()
        self.userdict_text = ""
        self._lock = threading.Lock()
        self._ready = False
        if userdict is not None:
            self.userdict_text = Path(userdict).read_text(encoding="utf-8-sig")

    def initialize(self) -> None:
        """Load the dictionary now (about half a second) rather than on first use."""
        with self._lock:
            if self._ready:
                return
            import logging

            self._jieba.setLogLevel(logging.WARNING)
            self.tokenizer.initialize()
            for line in self.userdict_text.splitlines():
                parts = normalize(line).split()
                if parts:
                    freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
                    tag = parts[-1] if len(parts) > 2 else None
                    self.tokenizer.add_word(parts[0], freq, tag)
            self._ready = True

    @property
    def fingerprint(self) -> str:
        """Hash of what decides segmentation: jieba's dictionary and ours."""
        h = hashlib.sha256()
        h.update(self._jieba.__version__.encode())
        h.update(self.userdict_text.encode())
        return h.hexdigest()[:16]

    def words(self, norm: str) -> list[str]:
        """Precise-mode words of normalised text that carry letters or digits; Latin
        letters and digits joined by punctuation (3.5, U.S) are one word."""
        if len(norm) <= 1:  # nothing to segment: no need to load the dictionary
            return [norm] if _RUN.search(norm) else []
        self.initialize()
        text, out, at = fuse(norm), [], 0
        for m in _JOINED.finditer(text):
            out += self.tokenizer.cut(text[at:m.start()])
            out.append(m.group())
            at = m.end()
        out += self.tokenizer.cut(text[at:])
        return [w for w in out if _RUN.search(w)]

    def tokens(self, norm: str) -> Iterator[WordToken]:
        """Search-mode tokens with token positions (sub-words share their parent's).

        Offsets are into ``fuse(norm)``: a joined run (f-35) is one word.
        """
        self.initialize()
        norm = fuse(norm)
        freq = self.tokenizer.FREQ
        offset = 0
        pos = -1
        for word in self.tokenizer.cut(norm):
            start, n = offset, len(word)
            offset += n
            if not _RUN.search(word):
                continue
            pos += 1
            for size in (2, 3):
                if n > size:
                    for i in range(n - size + 1):
                        sub = word[i:i + size]
                        if freq.get(sub):
                            yield WordToken(sub, pos, start + i, start + i + size)
            yield WordToken(word, pos, start, start + n)
