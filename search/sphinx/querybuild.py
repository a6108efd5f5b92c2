"""A parsed query (``search.query.parse``) -> SphinxQL MATCH text, safe by construction.

Only letters, digits and our private-use markers ever reach MATCH: every term
becomes phrases of single characters (the tables index unigrams, see
``config``), so no user text can be read as an operator. The shapes follow
``search.query.compile_query`` so both backends find the same articles:

* a quoted term, or each jieba word of an unquoted one, must appear as a
  substring (a phrase), in title or body (``title:`` narrows it);
* groups are ANDed, alternatives in a group ORed, exclusions subtracted;
* ``category:`` names resolve against the index's categories as in Whoosh;
* the "as typed" phrase of each unquoted term forms the first tier.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from zlib import crc32

from ..analysis import Segmenter, digit_breaks, is_searchable, normalize, word_runs
from ..categories import resolve
from ..query import MAX_GROUPS, MAX_TERM_CHARS, MAX_WORDS, Clause, ParsedQuery, cut_apart
from .config import CAT_CLOSE, CAT_OPEN, EVERY, MARK, NEVER

__all__ = ["Built", "Budget", "build", "phrase", "category_code", "category_token"]

# Each optional run boundary doubles a phrase's alternatives, and searchd's
# time grows with them (30 quoted sentences took 32 s); a query gets this many
# in all. Past them a boundary splits the phrase into parts that must all
# occur: results only grow, nothing that matches is lost (as query.py's bounds).
MAX_OPTIONAL_BOUNDARIES = 3
_TOP = 0x30000  # characters beyond the tables' ngram_chars (see config)
_ANY = "@(title,body)"


@dataclass
class Built:
    """What to send: the match (None = match everything), and the first tier."""

    match: str | None
    exact: str | None = None      # the "as typed" phrases; None when there is no tier
    nothing: bool = False         # nothing searchable: the result is empty
    headline: bool = False        # a title equal to the query text comes first
    # Every term as typed (search.query.exact_query): what ResultPage.exact_total
    # counts within the match; None when that is the match itself.
    counted: str | None = None


def category_code(name: str) -> int:
    """A category's number in the ``cats`` attribute."""
    return crc32(name.encode("utf-8"))


def category_token(name: str) -> str:
    """A category as indexed in the ``meta`` field: marked digits of its code."""
    return CAT_OPEN + str(category_code(name)) + CAT_CLOSE


def _chars(run: str) -> list[str]:
    return [ch for ch in run if ord(ch) < _TOP]


class Budget:
    """Optional boundaries left for the rest of one query.

    ``grow`` says what happens past them: split the phrase (more matches;
    for what is looked for) or keep the boundary as punctuation (fewer; for
    what is excluded, so that results still only grow).
    """

    def __init__(self, left: int = MAX_OPTIONAL_BOUNDARIES, grow: bool = True):
        self.left = left
        self.grow = grow

    def take(self, wanted: int) -> int:
        got = min(wanted, self.left)
        self.left -= got
        return got


def phrase(norm: str, budget: Budget | None = None) -> str:
    """Normalised text -> phrases matching it as the Whoosh backend does.

    A boundary between runs of letters/digits (punctuation in the query) may
    be punctuation in the text (our marker token) or nothing, except between two
    digits (3.5 is not 35), as in the Whoosh backend.
    """
    runs: list[list[str]] = []
    breaks = digit_breaks(norm)
    for start, run in word_runs(norm):
        chars = _chars(run)
        if runs and chars and start - 1 in breaks:
            runs[-1] += [MARK] + chars  # 3.5 is not 35: punctuation there, never optional
        elif chars:
            runs.append(chars)
    if not runs:
        return f'"{NEVER}"'
    budget = budget or Budget()
    optional = budget.take(len(runs) - 1)
    head, tail = runs[:optional + 1], runs[optional + 1:]
    fixed = "" if budget.grow else "".join(f" {MARK} " + " ".join(r) for r in tail)
    alts = []
    for choice in product((" ", f" {MARK} "), repeat=optional):
        text = " ".join(head[0])
        for sep, run in zip(choice, head[1:]):
            text += sep + " ".join(run)
        alts.append(f'"{text}{fixed}"')
    out = alts[0] if len(alts) == 1 else "(" + " | ".join(alts) + ")"
    if tail and budget.grow:  # out of budget: the rest need only occur
        parts = dict.fromkeys(f'"{" ".join(r)}"' for r in tail)
        out = "(" + " ".join([out, *parts]) + ")"
    return out


def _category(text: str, categories: list[str]) -> str:
    names, _ = resolve([text], categories)  # whole names, folded, as the Whoosh backend
    if not names:
        return f'(@meta "{NEVER}")'
    toks = " | ".join(f'"{" ".join(category_token(n))}"' for n in names)
    return f"(@meta ({toks}))"


def _clause(c: Clause, seg: Segmenter, categories: list[str], budget: Budget
            ) -> tuple[str, str | None] | None:
    """(required match, exact phrase or None) of one clause; None if it has nothing to find."""
    if c.field == "category":
        return _category(c.text, categories), None
    norm = normalize(c.text)
    if not is_searchable(norm):
        return None
    where = "@title" if c.field == "title" else _ANY
    norm = norm[:MAX_TERM_CHARS]
    if c.phrase:
        return f"({where} {phrase(norm, budget)})", None
    words = sorted(dict.fromkeys(seg.words(norm)), key=len, reverse=True)[:MAX_WORDS]
    if not words:
        return None
    required = f"({where} " + " ".join(phrase(w, budget) for w in words) + ")"
    exact = f"({where} {phrase(norm, budget)})" if cut_apart(words, norm) else None
    return required, exact


def _any(alternatives: list[str]) -> str:
    return alternatives[0] if len(alternatives) == 1 else "(" + " | ".join(alternatives) + ")"


def _unique(items):
    return list(dict.fromkeys(i for i in items if i is not None))


def build(parsed: ParsedQuery, seg: Segmenter, categories: list[str]) -> Built:
    """The MATCH text for a parsed query (see the module notes)."""
    groups, tiers, counted, budget = [], [], [], Budget()
    for group in parsed.groups:
        parts = _unique(_clause(c, seg, categories, budget) for c in group)
        if not parts:
            continue
        groups.append(_any([p[0] for p in parts]))
        exact = [p[1] for p in parts if p[1]]
        if exact:
            tiers.append(_any(exact))
        counted.append(_any(_unique(p[1] or p[0] for p in parts)))
    groups = _unique(groups)[:MAX_GROUPS]
    counted = _unique(counted)[:MAX_GROUPS] if tiers else []
    neg_budget = Budget(grow=False)
    negs = _unique((_clause(c, seg, categories, neg_budget) or (None,))[0]
                   for c in parsed.negatives)[:MAX_GROUPS]
    minus = "".join(f" -{n}" for n in negs)
    if groups:
        return Built(" ".join(groups) + minus,
                     " ".join(_unique(tiers)) if tiers else None, headline=True,
                     counted=" ".join(counted) if counted else None)
    if negs:
        return Built(f'(@meta "{EVERY}")' + minus)
    if not parsed.text.strip():
        return Built(None)
    return Built(None, nothing=True)
