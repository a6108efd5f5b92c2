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

from ..analysis import Segmenter, is_searchable, normalize, word_runs
from ..query import MAX_GROUPS, MAX_TERM_CHARS, MAX_WORDS, Clause, ParsedQuery
from .config import CAT_CLOSE, CAT_OPEN, EVERY, MARK, NEVER

__all__ = ["Built", "build", "phrase", "category_code", "category_token"]

# A phrase with more run boundaries than this fixes the rest as punctuation:
# each boundary doubles the alternatives sent.
MAX_OPTIONAL_BOUNDARIES = 5
_TOP = 0x30000  # characters beyond the tables' ngram_chars (see config)
_ANY = "@(title,body)"


@dataclass
class Built:
    """What to send: the match (None = match everything), and the first tier."""

    match: str | None
    exact: str | None = None      # the "as typed" phrases; None when there is no tier
    nothing: bool = False         # nothing searchable: the result is empty
    headline: bool = False        # a title equal to the query text comes first


def category_code(name: str) -> int:
    """A category's number in the ``cats`` attribute."""
    return crc32(name.encode("utf-8"))


def category_token(name: str) -> str:
    """A category as indexed in the ``meta`` field: marked digits of its code."""
    return CAT_OPEN + str(category_code(name)) + CAT_CLOSE


def _chars(run: str) -> list[str]:
    return [ch for ch in run if ord(ch) < _TOP]


def phrase(norm: str) -> str:
    """Normalised text -> phrases matching it as the Whoosh backend does.

    A boundary between runs of letters/digits (punctuation in the query) may
    be punctuation in the text (our marker token) or nothing. Like the Whoosh
    backend, it ignores order when no two letters are adjacent ("3.5").
    """
    runs = [r for r in (_chars(run) for _, run in word_runs(norm)) if r]
    if not runs:
        return f'"{NEVER}"'
    if all(len(r) == 1 for r in runs):
        # No two letters adjacent: the Whoosh backend then asks only that each
        # character occurs (search.substring, "singles"); so do we.
        return "(" + " ".join(f'"{r[0]}"' for r in runs) + ")"
    optional = min(len(runs) - 1, MAX_OPTIONAL_BOUNDARIES)
    alts = []
    for choice in product((" ", f" {MARK} "), repeat=optional):
        seps = list(choice) + [f" {MARK} "] * (len(runs) - 1 - optional)
        text = " ".join(runs[0])
        for sep, run in zip(seps, runs[1:]):
            text += sep + " ".join(run)
        alts.append(f'"{text}"')
    return alts[0] if len(alts) == 1 else "(" + " | ".join(alts) + ")"


def _category(text: str, categories: list[str]) -> str:
    norm = normalize(text).strip()
    exact = [c for c in categories if normalize(c) == norm]
    names = exact or [c for c in categories if norm and norm in normalize(c)]
    if not names:
        return f'(@meta "{NEVER}")'
    toks = " | ".join(f'"{" ".join(category_token(n))}"' for n in names)
    return f"(@meta ({toks}))"


def _clause(c: Clause, seg: Segmenter, categories: list[str]) -> tuple[str, str | None] | None:
    """(required match, exact phrase or None) of one clause; None if it has nothing to find."""
    if c.field == "category":
        return _category(c.text, categories), None
    norm = normalize(c.text)
    if not is_searchable(norm):
        return None
    where = "@title" if c.field == "title" else _ANY
    norm = norm[:MAX_TERM_CHARS]
    if c.phrase:
        return f"({where} {phrase(norm)})", None
    words = sorted(dict.fromkeys(seg.words(norm)), key=len, reverse=True)[:MAX_WORDS]
    if not words:
        return None
    whole = "".join(run for _, run in word_runs(norm))
    required = f"({where} " + " ".join(phrase(w) for w in words) + ")"
    exact = f"({where} {phrase(norm)})" if len(words) > 1 or words[0] != whole else None
    return required, exact


def _unique(items):
    return list(dict.fromkeys(i for i in items if i is not None))


def build(parsed: ParsedQuery, seg: Segmenter, categories: list[str]) -> Built:
    """The MATCH text for a parsed query (see the module notes)."""
    groups, tiers = [], []
    for group in parsed.groups:
        parts = _unique(_clause(c, seg, categories) for c in group)
        if not parts:
            continue
        groups.append(parts[0][0] if len(parts) == 1 else
                      "(" + " | ".join(p[0] for p in parts) + ")")
        exact = [p[1] for p in parts if p[1]]
        if exact:
            tiers.append(exact[0] if len(exact) == 1 else "(" + " | ".join(exact) + ")")
    groups = _unique(groups)[:MAX_GROUPS]
    negs = _unique((_clause(c, seg, categories) or (None,))[0]
                   for c in parsed.negatives)[:MAX_GROUPS]
    minus = "".join(f" -{n}" for n in negs)
    if groups:
        return Built(" ".join(groups) + minus,
                     " ".join(_unique(tiers)) if tiers else None, headline=True)
    if negs:
        return Built(f'(@meta "{EVERY}")' + minus)
    if not parsed.text.strip():
        return Built(None)
    return Built(None, nothing=True)
