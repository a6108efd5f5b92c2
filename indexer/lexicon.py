"""Write a generation's lexicon (``search.lexicon``): its words, their counts, their pinyin.

The words are jieba's dictionary, the user dictionary and the words of the
titles, kept when the archive holds them, counted by ``indexer.wordcounts``.
A full build counts every segment (about 14 s for the whole archive); an
update adds the counts of its new segments to the live lexicon's, reading
only new words' pinyin, so a watched corpus is not recounted on every file
(deleted articles still count until the next full build: the counts only
rank words).
"""
from __future__ import annotations

import marshal
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh import index as windex

from search.analysis import Segmenter, _cache_dir, normalize
from search.arrayfile import read_arrays, write_arrays
from search.columnar import SUFFIX, PostingTable
from search.errors import IndexCorrupt
from search.schema import fingerprint
from search.lexicon import BIG_ARCHIVE, LEXICON_NAME
from search.pinyin import fuzzy, reading

from .wordcounts import bigrams, document_frequencies, restricted, title_frequencies

__all__ = ["write_lexicon", "update_lexicon", "lexicon_arrays", "LexiconStats",
           "counts_of", "counts_of_arrays", "merged_counts", "known_readings", "BIG_ARCHIVE"]

_HAN_WORD = re.compile(r"^[\u3400-\u9fff]{2,8}$")


@dataclass
class LexiconStats:
    """What a lexicon build did: words kept, seconds, bytes written."""

    words: int
    seconds: float
    bytes: int


def _han_words(joined: str) -> list[str]:
    """The Han words of 2-8 characters among newline-separated words, normalised at once."""
    return [w for w in normalize(joined).split("\n") if _HAN_WORD.match(w)]


_DICTIONARIES: dict[str, tuple] = {}


def _dictionary(seg: Segmenter) -> tuple[np.ndarray, tuple]:
    """The dictionary's candidate words (UTF-8, sorted) and their ``bigrams``.

    Listing and cutting 340,000 words costs a second, so they are kept per
    process and in our cache folder, under the analysis fingerprint.
    """
    key = fingerprint(seg.fingerprint)
    known = _DICTIONARIES.get(key)
    if known is not None:
        return known
    path = Path(_cache_dir()) / f"lexicon-dictionary-{key}{SUFFIX}"
    try:
        a = read_arrays(path)
        known = (a["words"], (a["flat"], a["starts"], a["sizes"]))
    except (IndexCorrupt, KeyError):
        seg.initialize()
        words = sorted(set(_han_words("\n".join(w for w, f in seg.tokenizer.FREQ.items()
                                                  if f))))
        known = (_strings([w.encode("utf-8") for w in words]), bigrams(words))
        try:
            write_arrays(path, {"words": known[0], "flat": known[1][0],
                                "starts": known[1][1], "sizes": known[1][2]})
        except OSError:
            pass  # no cache folder: the next process lists them again
    _DICTIONARIES.clear()
    _DICTIONARIES[key] = known
    return known


def _segment_tables(gen: Path) -> tuple[list[dict[str, PostingTable]], int]:
    """The bigram and title-word postings of the segments, and their documents."""
    out, docs = [], 0
    for path in sorted(gen.glob("*" + SUFFIX)):
        if path.name == LEXICON_NAME:
            continue
        arrays = read_arrays(path)
        out.append({name: PostingTable(arrays, name) for name in ("text_ng", "title_words")})
        docs += len(arrays["doc.ts"])
    return out, docs


def _title_words(tables: list[dict[str, PostingTable]]) -> set[str]:
    out: set[str] = set()
    for t in tables:
        out.update(b.decode("utf-8") for b in t["title_words"].terms.tolist())
    return out


def counts_of(seg: Segmenter, tables) -> dict[str, tuple[int, int]]:
    """Word -> (articles, titles) for the candidate words these segments hold:
    the dictionary's, the user dictionary's and the titles' words."""
    words, cut = _dictionary(seg)
    titles = sorted(set(_han_words("\n".join(_title_words(tables)))))
    keys = _strings([w.encode("utf-8") for w in titles])
    at = np.minimum(np.searchsorted(words, keys), max(0, len(words) - 1))
    listed = (words[at] == keys) if len(words) else np.zeros(len(titles), bool)
    extra = [w for w, inside in zip(titles, listed.tolist()) if not inside]
    out = {}
    for group, grams in ((words, cut), (extra, bigrams(extra))):
        dfs = document_frequencies(group, tables, grams)
        found = np.flatnonzero(dfs)
        held = [_text(group[i]) for i in found.tolist()]
        tdfs = title_frequencies(held, tables)
        out.update(zip(held, zip(dfs[found].tolist(), tdfs.tolist())))
    return out


def _text(word: str | bytes) -> str:
    return word.decode("utf-8") if isinstance(word, bytes) else word


def lexicon_arrays(counts: dict[str, tuple[int, int]], min_df: int = 1,
                   known: dict[str, list[str]] | None = None) -> dict[str, np.ndarray]:
    """The lexicon's arrays for the words held by at least ``min_df`` articles.

    ``known``: readings already made (an update's live lexicon), not asked again.
    """
    keep = sorted((w.encode("utf-8"), w, d, t) for w, (d, t) in counts.items() if d >= min_df)
    known = known or {}
    readings = _read_remembered([w for _, w, _, _ in keep if w not in known])
    py, fz, syllables = [], [], set()
    for i, (_, w, _, _) in enumerate(keep):
        syl = known.get(w) or readings.get(w)
        if not syl:
            continue
        syllables.update(syl)
        py.append(("".join(syl).encode("ascii"), " ".join(syl).encode("ascii"), i))
        fz.append((fuzzy(tuple(syl)).encode("ascii"), i))
    py.sort()
    fz.sort()
    return {
        "word": _strings([k[0] for k in keep]),
        "df": np.array([k[2] for k in keep], np.uint32),
        "tdf": np.array([k[3] for k in keep], np.uint32),
        "py": _strings([p[0] for p in py]), "py_spaced": _strings([p[1] for p in py]),
        "py_word": np.array([p[2] for p in py], np.int32),
        "fz": _strings([f[0] for f in fz]), "fz_word": np.array([f[1] for f in fz], np.int32),
        "syllables": _strings(sorted(s.encode("ascii") for s in syllables)),
    }


def _readings(words: list[str]) -> list[list[str] | None]:
    """Each word's reading: one pypinyin call for all (a call per word costs 3x)."""
    import pypinyin

    flat = pypinyin.lazy_pinyin("\n".join(words), style=pypinyin.Style.NORMAL)
    out: list[list[str]] = [[]]
    for syl in flat:
        if syl == "\n":
            out.append([])
        else:
            out[-1].append(syl)
    if len(out) != len(words):  # the joined reading did not split as expected
        return [reading(w) for w in words]
    return [syl if len(syl) == len(w) and all(s.isascii() and s.isalpha() for s in syl)
            else None for w, syl in zip(words, out)]


def _strings(values: list[bytes]) -> np.ndarray:
    return np.array(values, dtype="S") if values else np.zeros(0, "S1")


def _write(gen: Path, arrays: dict[str, np.ndarray], started: float) -> LexiconStats:
    write_arrays(gen / LEXICON_NAME, arrays)
    return LexiconStats(len(arrays["word"]), time.perf_counter() - started,
                        (gen / LEXICON_NAME).stat().st_size)


def write_lexicon(gen: str | Path, seg: Segmenter) -> LexiconStats:
    """Write the lexicon of the generation in ``gen`` (its postings arrays are written)."""
    started = time.perf_counter()
    gen = Path(gen)
    tables, articles = _segment_tables(gen)
    counts = counts_of(seg, tables)
    return _write(gen, lexicon_arrays(counts, 2 if articles >= BIG_ARCHIVE else 1), started)


# Readings kept across builds on this machine: a word's pinyin depends on the word and
# pypinyin's version only, and reading 100,000 words is half of a whole archive's lexicon.
# Fewer words (an update's) are read at once: loading the cache would cost more.
_CACHE_FROM = 2000
_READINGS_MAX = 2_000_000
_READINGS_VERSION = "1"  # bump when _readings reads words differently


def _read_remembered(words: list[str]) -> dict[str, list[str] | None]:
    """Each word's reading (None: none), from the cache where an earlier build read it."""
    if len(words) < _CACHE_FROM:
        return dict(zip(words, _readings(words)))
    cached = _cached_readings()
    out = {w: cached[w] for w in words if w in cached}
    todo = [w for w in words if w not in out]
    fresh = dict(zip(todo, _readings(todo)))
    _remember_readings(cached, {w: r for w, r in fresh.items() if r})
    out.update(fresh)
    return out


def _readings_cache() -> Path:
    import pypinyin

    name = f"lexicon-readings-{_READINGS_VERSION}-{pypinyin.__version__}.marshal"
    return Path(_cache_dir()) / name


def _cached_readings() -> dict[str, list[str]]:
    """Word -> syllables read by earlier builds on this machine (empty if none)."""
    try:
        stored = marshal.loads(_readings_cache().read_bytes())
        return stored if isinstance(stored, dict) else {}
    except (OSError, ValueError, EOFError, TypeError):
        return {}


def _remember_readings(cached: dict[str, list[str]], new: dict[str, list[str]]) -> None:
    """Add ``new`` readings to the cache (written whole, then renamed; best effort)."""
    if not new:
        return
    merged = {} if len(cached) + len(new) > _READINGS_MAX else dict(cached)
    merged.update(new)
    path = _readings_cache()
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(marshal.dumps(merged))
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)


def update_lexicon(gen: str | Path, live: str | Path, seg: Segmenter) -> LexiconStats:
    """The live lexicon, less the counts of the articles ``gen`` no longer holds (deleted,
    changed, or in segments merged away), plus those of the articles it adds."""
    started = time.perf_counter()
    gen, live = Path(gen), Path(live)
    if not (live / LEXICON_NAME).exists():
        return write_lexicon(gen, seg)
    old = read_arrays(live / LEXICON_NAME)
    before, after = _live_documents(live), _live_documents(gen)
    gone = {sid: keep & ~after.get(sid, np.zeros_like(keep)) for sid, keep in before.items()}
    added = {sid: keep for sid, keep in after.items() if sid not in before}
    counts = counts_of_arrays(old)
    for sign, folder, docs in ((-1, live, gone), (1, gen, added)):
        tables = [{name: restricted(PostingTable(arrays, name), docs[sid])
                   for name in ("text_ng", "title_words")}
                  for sid, arrays in _segment_arrays(folder, docs)]
        counts = merged_counts(counts, counts_of(seg, tables), sign)
    counts = {w: c for w, c in counts.items() if c[0] > 0}
    return _write(gen, lexicon_arrays(counts, 1, known_readings(old)), started)


def _live_documents(folder: Path) -> dict[str, np.ndarray]:
    """Segment id -> which of its documents are not deleted, in one generation."""
    out = {}
    with windex.open_dir(str(folder)).reader() as reader:
        leaves = [reader] if reader.is_atomic() else [r for r, _ in reader.leaf_readers()]
        for r in leaves:
            keep = np.ones(r.doc_count_all(), bool)
            if r.has_deletions():
                keep[np.fromiter(r.segment().deleted_docs(), np.int64)] = False
            out[r.segment().segment_id()] = keep
    return out


def _segment_arrays(folder: Path, docs: dict[str, np.ndarray]):
    """(segment id, arrays) of the segments where ``docs`` selects any document."""
    for sid, keep in docs.items():
        if keep.any():
            yield sid, read_arrays(folder / (sid + SUFFIX))


def merged_counts(a: dict[str, tuple[int, int]], b: dict[str, tuple[int, int]], sign: int = 1
                  ) -> dict[str, tuple[int, int]]:
    """Word counts of two sets of documents added up (``sign`` -1: the second taken away)."""
    out = dict(a)
    for w, (d, t) in b.items():
        d0, t0 = out.get(w, (0, 0))
        out[w] = (d0 + sign * d, t0 + sign * t)
    return out


def counts_of_arrays(arrays: dict[str, np.ndarray]) -> dict[str, tuple[int, int]]:
    """Word -> (articles, titles) of a written lexicon."""
    words = [w.decode("utf-8") for w in arrays["word"].tolist()]
    return dict(zip(words, zip(arrays["df"].tolist(), arrays["tdf"].tolist())))


def known_readings(arrays: dict[str, np.ndarray]) -> dict[str, list[str]]:
    """Word -> syllables, from a written lexicon."""
    words = arrays["word"]
    return {words[i].decode("utf-8"): s.decode("ascii").split()
            for i, s in zip(arrays["py_word"].tolist(), arrays["py_spaced"].tolist())}
