"""A Whoosh query for "this field contains this text", exact to the character.

The text is matched against the bigram field built by ``analysis.grams``:
every bigram of the query must occur in the document at the same distance
from the first one as in the query. Letters and digits only count, so
punctuation and spaces between runs match any punctuation or none.
"""
from __future__ import annotations

from array import array
from itertools import accumulate

from whoosh import matching
from whoosh.query import And, Query, Term, WrappingQuery
from whoosh.query.spans import Span, SpanWrappingMatcher
from whoosh.matching.binary import IntersectionMatcher
from whoosh.util import make_binary_tree

from .analysis import digit_breaks, word_runs

__all__ = ["Substring", "Exhaustive", "Rarest"]

# Type byte of search.schema.CompactPositions -> array typecode.
_TYPECODES = {ord("B"): "B", ord("H"): "H", ord("I"): "I"}

# A one-character run followed by more text (the "4" of "4.70") is checked
# exactly: at its position the text runs on into the next letter or ends its
# run, two terms. Last in the query, it matches any bigram starting with it;
# past this many such bigrams only its presence is checked (a superset, so
# recall is kept).
_MAX_EXPANSION = 64
_MAX_SLOTS = 32


def plan(norm: str) -> tuple[list[tuple[int, str]], list[tuple[int, str]], int]:
    """Split normalised text into (offset, bigram) slots and (offset, char) singles."""
    slots: list[tuple[int, str]] = []
    singles: list[tuple[int, str]] = []
    length = 0
    for start, run in word_runs(norm):
        length = start + len(run)
        if len(run) == 1:
            singles.append((start, run))
        for i in range(len(run) - 1):
            slots.append((start + i, run[i:i + 2]))
    return slots, singles, length


class Substring(Query):
    """Documents whose ``gram_field`` contains ``norm`` (normalised text).

    With ``below``, only where it starts at a position below that (the title
    part of the text field, ``schema.TITLE_LIMIT``); ``char_field`` answers
    lone characters and should then cover that part only.
    """

    def __init__(self, gram_field: str, char_field: str, norm: str, boost: float = 1.0,
                 below: int | None = None):
        self.gram_field = gram_field
        self.char_field = char_field
        self.norm = norm
        self.boost = boost
        self.below = below

    def __eq__(self, other):
        return (type(other) is type(self) and self.gram_field == other.gram_field
                and self.char_field == other.char_field and self.norm == other.norm
                and self.boost == other.boost and self.below == other.below)

    def __hash__(self):
        return hash((self.gram_field, self.char_field, self.norm, self.boost, self.below))

    def __repr__(self):
        return (f"Substring({self.gram_field!r}, {self.norm!r}, boost={self.boost}, "
                f"below={self.below})")

    def field(self):
        return self.gram_field

    def has_terms(self):
        return True

    def terms(self, phrases=False):
        slots, singles, _ = plan(self.norm)
        for _, gram in slots:
            yield self.gram_field, gram
        for _, ch in singles:
            yield self.char_field, ch

    def _chars(self, singles) -> Query:
        if len(singles) == 1:
            return Term(self.char_field, singles[0][1], boost=self.boost)
        return And([Term(self.char_field, ch) for _, ch in singles], boost=self.boost)

    def estimate_size(self, ixreader):
        return min((ixreader.doc_frequency(f, t) for f, t in self.terms()), default=0)

    def matcher(self, searcher, context=None):
        slots, singles, length = plan(self.norm)
        if not slots and len(singles) < 2:
            if not singles:
                return matching.NullMatcher()
            return self._chars(singles).matcher(searcher, context)
        if not singles and len(slots) == 1 and self.below is None:
            # One bigram: every occurrence is a match, no positions to check.
            return Term(self.gram_field, slots[0][1], boost=self.boost).matcher(searcher, context)
        reader = searcher.reader()
        leaves: dict[str, matching.Matcher] = {}
        for _, gram in slots:
            if gram not in leaves:
                if (self.gram_field, gram) not in reader:
                    return matching.NullMatcher()
                leaves[gram] = Term(self.gram_field, gram).matcher(searcher, context)
        checks, required = [], list(leaves.values())
        letters = "".join(run for _, run in word_runs(self.norm))
        breaks = digit_breaks(self.norm)
        for offset, ch in singles:
            after = letters[offset + 1:offset + 2] if offset not in breaks else ""
            # Followed by a letter, a lone character runs on into it or ends its
            # run: two terms, checked exactly; last, any bigram it starts will do.
            alts = [t for t in (ch + after, ch) if (self.gram_field, t) in reader] if after \
                else [ch] * ((self.gram_field, ch) in reader) if offset in breaks \
                else list(reader.expand_prefix(self.gram_field, ch))
            if len(alts) > _MAX_EXPANSION:
                required.append(Term(self.char_field, ch).matcher(searcher, context))
                continue
            if not alts:
                return matching.NullMatcher()
            else:
                checks.append((offset, [reader.postings(self.gram_field, t) for t in alts]))
        for offset in sorted(breaks.difference(o for o, _ in singles)):
            if (self.gram_field, letters[offset]) not in reader:
                return matching.NullMatcher()
            checks.append((offset, [reader.postings(self.gram_field, letters[offset])]))
        if not slots:
            # Lone characters only ("3.5", "3-5"): the first one's positions anchor the
            # others, as a bigram's would; each character must occur for a match.
            required += [Term(self.char_field, ch).matcher(searcher, context)
                         for ch in dict.fromkeys(ch for _, ch in singles)]
        child = make_binary_tree(IntersectionMatcher, required)
        # Rarest bigram first: the candidate starts shrink fastest. A long
        # text checks its rarest bigrams only (a superset: nothing is lost).
        slots.sort(key=lambda slot: reader.doc_frequency(self.gram_field, slot[1]))
        del slots[_MAX_SLOTS:]
        m = _SubstringMatcher(child, leaves, slots, checks, length, self.below)
        if self.boost != 1.0:
            m = matching.WrappingMatcher(m, boost=self.boost)
        return m


class _SubstringMatcher(SpanWrappingMatcher):
    """Keeps the documents where the bigrams sit at the right distances."""

    def __init__(self, child, leaves, slots, checks, length, below=None):
        self.leaves = leaves
        self.slots = slots
        self.checks = checks
        self.length = length
        self.below = below
        super().__init__(child)

    def copy(self):
        return self.__class__(self.child.copy(), self.leaves, self.slots, self.checks,
                              self.length, self.below)

    def replace(self, minquality=0):
        return self if self.is_active() else matching.NullMatcher()

    def supports_block_quality(self):
        return False

    def max_quality(self):
        # Never let a union or intersection prune this matcher for a low
        # score: Whoosh's top-N collector would then skip documents and
        # still report its count of the rest as exact.
        return float("inf")

    def block_quality(self):
        return float("inf")

    def _get_spans(self):
        # Hot loop: decode positions straight from the posting bytes.
        starts = self._anchor() if not self.slots else None
        decoded: dict[str, list[int]] = {}
        for offset, gram in self.slots:
            poses = decoded.get(gram)
            if poses is None:
                value = self.leaves[gram].value()
                poses = decoded[gram] = list(accumulate(array(_TYPECODES[value[0]], value[1:])))
            found = set(poses) if offset == 0 else {p - offset for p in poses}
            starts = found if starts is None else starts & found
            if not starts:
                return []
        if self.below is not None:
            starts = {s for s in starts if s < self.below}
        if starts and self.checks:
            starts = self._check_singles(starts)
        return [Span(s, s + self.length - 1) for s in sorted(starts)]

    def _anchor(self) -> set[int]:
        """Where the first lone character can start a match (no bigram to anchor it)."""
        offset, postings = self.checks[0]
        return {p - offset for p in self._positions(postings)}

    def _positions(self, postings) -> set[int]:
        docnum = self.child.id()
        here: set[int] = set()
        for m in postings:
            if m.is_active() and m.id() < docnum:
                m.skip_to(docnum)
            if m.is_active() and m.id() == docnum:
                here.update(m.value_as("positions"))
        return here

    def _check_singles(self, starts):
        for offset, postings in self.checks:
            here = self._positions(postings)
            starts = {s for s in starts if s + offset in here}
            if not starts:
                break
        return starts


class Exhaustive(WrappingQuery):
    """Visit every matching document: no score-based pruning.

    Whoosh's top-N collector may drop sub-matchers that cannot lift a
    document into the top N, and then counts only what it visited; with
    filters and masks its recount ignores them. The total we report must be
    exact, so the whole query is matched without that shortcut.
    """

    def matcher(self, searcher, context=None):
        return _Unpruned(self.child.matcher(searcher, context))


class _Unpruned(matching.WrappingMatcher):
    def _replacement(self, newchild):
        return self.__class__(newchild)

    def replace(self, minquality=0):
        if not self.is_active():
            return matching.NullMatcher()
        return self._replacement(self.child.replace(0))

    def supports_block_quality(self):
        return False

    def max_quality(self):
        return float("inf")


class Rarest(And):
    """All of the subqueries, but only the ``keep`` rarest are checked.

    For a pasted paragraph of twenty words, intersecting every posting list
    costs seconds in Whoosh's matcher tree while the rarest few already
    decide the result. Checking fewer only ever adds documents.
    """

    def __init__(self, subqueries, keep: int = 6, boost: float = 1.0):
        super().__init__(subqueries, boost=boost)
        self.keep = keep

    def matcher(self, searcher, context=None):
        subs = self.subqueries
        if len(subs) > self.keep:
            reader = searcher.reader()
            subs = sorted(subs, key=lambda q: q.estimate_size(reader))[:self.keep]
        return And(subs, boost=self.boost).matcher(searcher, context)
