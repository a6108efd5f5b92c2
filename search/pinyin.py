"""Toneless pinyin: reading Chinese words, and telling which queries may be pinyin.

Readings come from pypinyin (its phrase dictionary reads heteronyms in
context: 重庆 chong qing, 银行 yin hang). Fuzzy keys fold the confusions of
sloppy input (-n/-ng, z/zh, c/ch, s/sh, l/n, h/f) so that a mistyped
homophone and the word meant share a key. Typed letters split into
syllables (``syllabify``), and each syllable names the characters read so
(``syllable_chars``), for reading pinyin no lexicon word has (``search.lattice``).
"""
from __future__ import annotations

import re
from functools import lru_cache
from itertools import product

__all__ = ["reading", "readings", "fuzzy", "is_latin_query", "syllable_chars", "syllabify"]

_LATIN = re.compile(r"^[A-Za-z][A-Za-z' ]*$")
_HAN = re.compile(r"^[\u3400-\u9fff]+$")
_SYLLABLE = re.compile(r"^[a-z]+$")
# Most readings one phrase is read under (characters with several readings).
_MAX_READINGS = 8
# A spelling of more letters than this is no pinyin query.
MAX_LETTERS = 48


def _pypinyin():
    import pypinyin

    return pypinyin


def reading(word: str) -> list[str] | None:
    """The toneless syllables of a Han word in context, or None if not all Han."""
    if not _HAN.match(word):
        return None
    p = _pypinyin()
    syl = p.lazy_pinyin(word, style=p.Style.NORMAL, errors="ignore")
    if len(syl) != len(word) or not all(_SYLLABLE.match(s) for s in syl):
        return None
    return syl


def readings(word: str) -> list[list[str]]:
    """Every plausible reading of a Han string typed by someone: in context first,
    then with each character's other readings (a mistyped character's context
    is wrong, so its phrase reading may be too)."""
    first = reading(word)
    if first is None:
        return []
    p = _pypinyin()
    per_char = [p.pinyin(ch, style=p.Style.NORMAL, heteronym=True)[0] for ch in word]
    out = [first]
    for combo in product(*per_char):
        if len(out) >= _MAX_READINGS:
            break
        if list(combo) not in out and all(_SYLLABLE.match(s) for s in combo):
            out.append(list(combo))
    return out


_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"))


def _fuzzy_syllable(s: str) -> str:
    for long, short in _INITIALS:
        if s.startswith(long):
            s = short + s[2:]
            break
    if s.startswith("n"):
        s = "l" + s[1:]
    elif s.startswith("f"):
        s = "h" + s[1:]
    if s.endswith("ng") and len(s) > 2:
        s = s[:-1]
    return s


@lru_cache(maxsize=4096)
def fuzzy(syllables: tuple[str, ...]) -> str:
    """The fuzzy key of a reading: confusable initials and finals folded."""
    return " ".join(_fuzzy_syllable(s) for s in syllables)


def is_latin_query(text: str) -> bool:
    """Latin letters, spaces and apostrophes only: maybe pinyin."""
    return bool(_LATIN.match(text.strip())) and len(text) <= 2 * MAX_LETTERS


_TONES = str.maketrans("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ", "aaaaeeeeiiiioooouuuuvvvvvnnnm")
_VOWEL = re.compile(r"[aeiouv]")


@lru_cache(maxsize=1)
def syllable_chars() -> dict[str, str]:
    """Toneless syllable -> every Han character (U+3400-U+9FFF) read so, by any reading.

    From pypinyin's character table (50 ms, once per process); syllables without
    a vowel (the interjections n, m, hm, ng) are left out: no word is typed with them.
    """
    from pypinyin.pinyin_dict import pinyin_dict

    out: dict[str, list[str]] = {}
    for cp, marked in pinyin_dict.items():
        if 0x3400 <= cp <= 0x9FFF:
            for syl in marked.split(","):
                plain = syl.translate(_TONES)
                if plain.isascii() and plain.isalpha() and _VOWEL.search(plain):
                    out.setdefault(plain, []).append(chr(cp))
    return {s: "".join(dict.fromkeys(chars)) for s, chars in out.items()}


def syllabify(pieces: list[str], most: int = 6, parses: int = 4) -> list[list[str]]:
    """Ways to read typed letters as syllables, fewest syllables first.

    ``pieces``: the letters as typed between spaces and apostrophes, each a run
    of whole syllables. At most ``most`` syllables and ``parses`` readings, and the
    search stops early, so a long string costs no more than a short one.
    """
    table = syllable_chars()
    longest = max(map(len, table))
    if sum(map(len, pieces)) > most * longest:
        return []
    per_piece = [_split(p.lower(), table, longest, most, parses) for p in pieces]
    out: list[list[str]] = [[]]
    for options in per_piece:
        out = [a + b for a in out for b in options if len(a) + len(b) <= most][:parses * 4]
        if not out:
            return []
    return sorted(out, key=len)[:parses]


def _split(letters: str, table, longest: int, most: int, parses: int) -> list[list[str]]:
    """Readings of one run of letters as syllables (longest syllables tried first)."""
    out: list[list[str]] = []
    steps = [0]

    def walk(at: int, acc: list[str]) -> None:
        steps[0] += 1
        if len(out) >= parses or steps[0] > 200:
            return
        if at == len(letters):
            out.append(list(acc))
            return
        if len(acc) >= most:
            return
        for end in range(min(len(letters), at + longest), at, -1):
            if letters[at:end] in table:
                acc.append(letters[at:end])
                walk(end, acc)
                acc.pop()

    walk(0, [])
    return out
