"""Query assistance above the engine: pinyin, "did you mean", synonyms.

``Assistant.search`` rewrites the query text and runs the backend's literal
search (``run``, the backend's ``search`` with ``assist=False``), so the
Whoosh index and the Sphinx cluster behave alike. Nothing is rewritten when
the literal query does well: a Latin query is read as pinyin only when the
archive holds the Chinese word far more often than the letters, and a
homophone is proposed only when the query finds few articles and the word
that sounds alike is in many.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from .analysis import normalize
from .lattice import Lattice
from .lexicon import Entry, Lexicon, LexiconFile
from .pinyin import fuzzy, is_latin_query, readings
from .query import Clause, ParsedQuery, parse
from .synonyms import Synonyms, SynonymSource

__all__ = ["Assistant", "Reading"]

# A reading must be in this many times the articles the letters are in
# (``iphone`` in 40 articles stays literal even if it read as a word).
LATIN_RATIO = 20
# "Did you mean" only below this many results, to a word in RATIO x more articles.
FEW_RESULTS = 20
HOMOPHONE_RATIO = 10
MIN_SUGGESTED_DF = 3
# A fuzzy homophone (jin/jing, z/zh) must beat the exact one by this factor.
FUZZY_PENALTY = 4
OTHER_READINGS = 4  # other words of the same reading offered as links
_HAN = re.compile(r"^[\u3400-\u9fff]{2,8}$")

Run = Callable[..., "object"]  # the backend's literal search


@dataclass
class Reading:
    """A query read another way: the text to search, how many articles, the runners-up.

    ``known``: every word is one of the lexicon's; a string only the bigram
    lattice read may be searched (20 times the letters' articles) but is never
    merely suggested beside the letters' own results.
    """

    text: str
    df: int
    others: list[str] = field(default_factory=list)
    known: bool = True


def _render(parsed: ParsedQuery, swap: Callable[[Clause], list[str]]) -> str:
    """Query text again from parsed clauses; ``swap`` gives each clause's alternatives."""
    def one(c: Clause, text: str) -> str:
        body = text
        if c.phrase or re.search(r'\s|^(OR|AND|NOT)$', text):
            body = f"“{text}”" if '"' in text else f'"{text}"'  # “a"b” keeps its quote
        return ("-" if c.negated else "") + (f"{c.field}:" if c.field else "") + body

    groups = [" OR ".join(one(c, t) for c in g for t in swap(c)) for g in parsed.groups]
    negs = [one(c, t) for c in parsed.negatives for t in swap(c)]
    text = " ".join(groups + negs)
    # parse() drops the last of an odd number of straight quotes: give it one to drop.
    return text + ' "' if text.count('"') % 2 else text


class Assistant:
    """Rewrites queries with one generation's lexicon and the index's synonyms.

    ``lattice``: the generation's bigram terms, which read pinyin the lexicon
    cannot (a name found only in bodies): a local generation's postings, or the
    counts a cluster's indexer wrote (a ``LexiconFile`` of ``Lattice.load``).
    """

    def __init__(self, lexicon: Lexicon | LexiconFile | None,
                 synonyms: Synonyms | SynonymSource,
                 lattice: Lattice | LexiconFile | None = None):
        self._lexicon = lexicon
        self._synonyms = synonyms
        self._lattice = lattice

    @property
    def lexicon(self) -> Lexicon | None:
        return self._lexicon.current() if self._lexicon is not None else None

    @property
    def lattice(self) -> Lattice | None:
        return self._lattice.current() if self._lattice is not None else None

    @property
    def synonyms(self) -> Synonyms:
        return self._synonyms.current()

    # -- synonyms ---------------------------------------------------------------
    def expand(self, q: str) -> str:
        """The query with each unquoted term's synonyms as alternatives (or unchanged)."""
        parsed, synonyms = parse(q), self.synonyms

        def swap(c: Clause) -> list[str]:
            if c.phrase or c.field == "category":
                return [c.text]
            return [c.text] + synonyms.others(c.text)

        if not any(len(swap(c)) > 1 for c in parsed.positives() + parsed.negatives):
            return q
        return _render(parsed, swap)

    # -- pinyin -------------------------------------------------------------------
    def pinyin(self, q: str) -> Reading | None:
        """The Chinese a Latin query reads as (whole, else word by word), or None."""
        if self.lexicon is None or not is_latin_query(q):
            return None
        whole = self._words_read_as(q)
        if whole:
            return Reading(whole[0].word, whole[0].df, [e.word for e in whole[1:]],
                           self._known(whole[:1]))
        parts = q.split()
        if len(parts) < 2:
            return None
        found = [self._words_read_as(p) for p in parts]
        if not all(found):
            return None
        best = [f[0] for f in found]
        return Reading(" ".join(e.word for e in best), min(e.df for e in best),
                       known=self._known(best))

    def _known(self, entries: list[Entry]) -> bool:
        return all(self.lexicon.df(e.word) for e in entries)

    def _words_read_as(self, text: str) -> list[Entry]:
        """Words read as these letters, respecting the boundaries typed (xi'an, bei yue)."""
        pieces = [p for p in re.split(r"[\s']+", text.strip().lower()) if p]
        letters = "".join(pieces)
        cuts, at = set(), 0
        for p in pieces[:-1]:
            at += len(p)
            cuts.add(at)
        out = []
        for e in self.lexicon.by_reading(letters):
            ends, n = set(), 0
            for syl in e.reading.split():
                n += len(syl)
                ends.add(n)
            if cuts <= ends:
                out.append(e)
        lattice = self.lattice
        if not out and lattice is not None:
            return lattice.words(pieces)
        return out[:OTHER_READINGS + 1]

    # -- homophones ---------------------------------------------------------------
    def homophone(self, q: str, own: int) -> Reading | None:
        """The query with mistyped homophones replaced, when that finds far more."""
        if self.lexicon is None:
            return None
        parsed = parse(q)
        terms = [c for c in parsed.positives() if not c.phrase and c.field != "category"]
        changes: dict[int, Entry] = {}
        for c in terms:
            text = normalize(c.text)
            if not _HAN.match(text):
                continue
            known = self.lexicon.df(text)
            if own and known >= MIN_SUGGESTED_DF:
                continue  # a word of the archive that finds articles: a name, not a slip
            base = max(known, own if len(terms) == 1 else 0)
            best = self._sounds_like(text)
            # Nothing found: any word that sounds alike and is in a few articles;
            # some found: only a word in many times as many.
            if best and best.df >= max(MIN_SUGGESTED_DF, HOMOPHONE_RATIO * base):
                changes[id(c)] = best
        if not changes:
            return None
        text = _render(parsed, lambda c: [changes[id(c)].word if id(c) in changes else c.text])
        return Reading(text, min(e.df for e in changes.values()))

    def _sounds_like(self, text: str) -> Entry | None:
        """The most frequent other word read (nearly) the same, differing in few characters."""
        exact: dict[str, Entry] = {}
        near: dict[str, Entry] = {}
        for syl in readings(text):
            for e in self.lexicon.by_reading("".join(syl)):
                exact.setdefault(e.word, e)
            for e in self.lexicon.by_fuzzy(fuzzy(tuple(syl))):
                near.setdefault(e.word, e)
        limit = max(1, len(text) // 2)

        def close(e: Entry) -> bool:
            return (len(e.word) == len(text) and e.word != text
                    and sum(a != b for a, b in zip(e.word, text)) <= limit)

        best_exact = max(filter(close, exact.values()), key=lambda e: e.df, default=None)
        best_near = max(filter(close, near.values()), key=lambda e: e.df, default=None)
        if best_near is None or (best_exact is not None
                                 and best_exact.df * FUZZY_PENALTY >= best_near.df):
            return best_exact
        return best_near

    # -- the search ---------------------------------------------------------------
    def search(self, run: Run, q: str, **kw):
        """The assisted ResultPage of ``q`` (``run(q, **kw)`` searches literally)."""
        if not isinstance(q, str):
            return run(q, **kw)  # the backend names the bad parameter
        expanded = self.expand(q)
        reading = self.pinyin(q)
        if reading is not None:
            # Count the letters first (no page of hits): most pinyin is searched as Chinese.
            literal = run(expanded, **{**kw, "page": 1, "per_page": 1, "highlight": False,
                                       "facets": False}).total
            if literal == 0 or reading.df > LATIN_RATIO * literal:
                page = self._instead(run, q, reading, **kw)
                if page is not None:
                    return page
        page = run(expanded, **kw)
        page.query = q
        if reading is not None:
            if page.total < FEW_RESULTS and reading.df > page.total and reading.known:
                page.did_you_mean = reading.text
            return page
        if page.total >= FEW_RESULTS:
            return page
        fix = self.homophone(q, page.total)
        if fix is None:
            return page
        if page.total == 0:
            return self._instead(run, q, fix, **kw) or page
        page.did_you_mean = fix.text
        return page

    def _instead(self, run: Run, q: str, reading: Reading, **kw):
        """Results of the reading, saying so; None if it finds nothing."""
        page = run(self.expand(reading.text), **kw)
        if page.total == 0:
            return None
        page.query, page.interpreted_as = q, reading.text
        page.alternatives = reading.others
        return page

    def warm(self) -> None:
        """Load pypinyin and its character table now (0.2 s), not on the first query."""
        if self.lexicon is not None:
            readings("中")
            if self.lattice is not None:
                self.lattice.warm()

    # -- suggestions --------------------------------------------------------------
    def suggest(self, prefix: str, limit: int = 10) -> list[str]:
        """Words of the archive completing ``prefix`` (Chinese or pinyin), best first."""
        if self.lexicon is None or not isinstance(prefix, str):
            return []
        text = normalize(prefix).strip()
        if not text or limit <= 0:
            return []
        if is_latin_query(text):
            letters = re.sub(r"[\s']+", "", text.lower())
            entries = self.lexicon.with_reading_prefix(letters, limit)
        else:
            # The last word of a query being typed completes; the words before stay.
            head, _, last = text.rpartition(" ")
            entries = [Entry(f"{head} {e.word}".strip(), e.df)
                       for e in self.lexicon.with_prefix(last, limit)]
        return [e.word for e in entries]
