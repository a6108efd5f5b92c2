"""User query text -> Whoosh query. Never raises on user text.

The language: words separated by spaces must all match; ``OR`` between two
terms; ``-word`` or ``NOT word`` excludes; ``"quoted phrase"`` (also “…”)
must appear as written; ``title:`` and ``category:`` narrow a term. Anything
else is text to find, character for character.

An unquoted term is segmented with jieba; every word must appear in the
article (as a substring: a word is never missed because the article was
segmented differently), and articles containing the whole term exactly as
typed get a bonus that ranks them above articles where the words are apart.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from whoosh import query as wq

from .analysis import Segmenter, is_searchable, normalize, word_runs
from .categories import resolve
from .schema import TITLE_LIMIT
from .substring import Rarest, Substring

__all__ = ["Clause", "ParsedQuery", "parse", "compile_query", "cut_apart", "exact_query", "read_as"]

# Larger than any BM25 sum we produce, so exact matches form the first tier.
EXACT_BONUS = 1.0e6
WORD_BOOST = 0.5
# Bounds that keep any query fast (a whole article pasted, "的 " x 300). Each
# drops constraints, so results only grow: nothing that matches is lost.
MAX_WORDS = 24        # distinct words required per term
MAX_TERM_CHARS = 120  # characters of one term matched exactly
MAX_GROUPS = 24       # terms ANDed (identical ones count once)

_FIELDS = {"title": "title", "标题": "title", "category": "category", "分类": "category"}
_TOKEN = re.compile(
    r'(?P<neg>-)?(?:(?P<field>title|category|标题|分类):)?'
    r'(?:"(?P<q1>[^"]*)"|“(?P<q2>[^”]*)”|(?P<word>[^\s"“”]+))'
    r'|(?P<stray>["“”])'
)


@dataclass
class Clause:
    """One term of the query: text, how it must match, where, and its sign."""

    text: str
    phrase: bool = False
    field: str | None = None
    negated: bool = False


@dataclass
class ParsedQuery:
    """Groups are ANDed; the clauses inside a group are ORed."""

    groups: list[list[Clause]] = field(default_factory=list)
    negatives: list[Clause] = field(default_factory=list)
    text: str = ""

    def positives(self) -> list[Clause]:
        return [c for g in self.groups for c in g]


def _lex(text: str) -> list[Clause | str]:
    out: list[Clause | str] = []
    for m in _TOKEN.finditer(text):
        if m.group("stray"):
            continue
        quoted = m.group("q1") if m.group("q1") is not None else m.group("q2")
        body = quoted if quoted is not None else m.group("word")
        fld = _FIELDS.get(m.group("field") or "")
        if quoted is None and fld is None and not m.group("neg") and body in ("OR", "NOT", "AND"):
            out.append(body)
            continue
        if m.group("neg") and (not is_searchable(normalize(body)) or body[:1].isdigit()):
            # A lone "-", "-," or a negative number (-0.2℃) is text, not an operator.
            body = "-" + body
            out.append(Clause(body, phrase=quoted is not None, field=fld))
            continue
        out.append(Clause(body, phrase=quoted is not None, field=fld,
                          negated=bool(m.group("neg"))))
    return out


def parse(text: str) -> ParsedQuery:
    """Parse query text; operators without operands are taken as words."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    if text.count('"') % 2:
        last = text.rfind('"')
        text = text[:last] + " " + text[last + 1:]
    items = _lex(text)
    # An operator missing an operand ("北约 OR", "AND 北约") is a slip, not a word
    # to find; only a query of nothing but operators searches for them as text.
    only_operators = all(isinstance(item, str) for item in items)
    parsed = ParsedQuery(text=text)
    i, pending_or, pending_not = 0, False, False
    for i, item in enumerate(items):
        if isinstance(item, str):
            nxt = items[i + 1] if i + 1 < len(items) else None
            if item == "OR" and parsed.groups and isinstance(nxt, Clause) and not nxt.negated:
                pending_or = True
            elif item == "NOT" and isinstance(nxt, Clause):
                pending_not = True
            elif only_operators:
                parsed.groups.append([Clause(item.lower())])
            continue
        if pending_not:
            item.negated, pending_not = True, False
        if item.negated:
            parsed.negatives.append(item)
        elif pending_or:
            parsed.groups[-1].append(item)
        else:
            parsed.groups.append([item])
        pending_or = False
    return parsed


def _anywhere(norm: str, title_only: bool = False, boost: float = 1.0) -> wq.Query:
    if title_only:
        return Substring("text_ng", "title_ch", norm, boost=boost, below=TITLE_LIMIT)
    return Substring("text_ng", "text_ch", norm, boost=boost)


def _category(text: str, categories: list[str]) -> wq.Query:
    names, _ = resolve([text], categories)
    if not names:
        return wq.NullQuery
    return wq.Or([wq.Term("category", c) for c in names])


def _clause_query(c: Clause, seg: Segmenter, categories: list[str]) -> wq.Query | None:
    if c.field == "category":
        return _category(c.text, categories)
    norm = normalize(c.text)
    if not is_searchable(norm):
        return None
    title_only = c.field == "title"
    norm = norm[:MAX_TERM_CHARS]
    if c.phrase:
        return _anywhere(norm, title_only)
    words = list(dict.fromkeys(seg.words(norm)))
    words = sorted(words, key=len, reverse=True)[:MAX_WORDS]
    # Every word is checked (keep=MAX_WORDS): checking the rarest few only chose
    # them by each segment's statistics, so the result set depended on the
    # index's segments and no other backend could reproduce it; measured on the
    # full archive, pasted headlines were no slower.
    required = Rarest([_anywhere(w, title_only) for w in words],
                      keep=MAX_WORDS) if words else None
    if required is None:
        return None
    bonus: list[wq.Query] = [wq.Term("title_words", w, boost=WORD_BOOST) for w in words]
    if cut_apart(words, norm):
        bonus.append(wq.ConstantScoreQuery(_anywhere(norm, title_only), score=EXACT_BONUS))
    return wq.AndMaybe(required, wq.Or(bonus))


def _unique(queries) -> list[wq.Query]:
    """Queries without Nones and repeats, in order."""
    return list(dict.fromkeys(q for q in queries if q is not None))


def compile_query(parsed: ParsedQuery, seg: Segmenter, categories: list[str]
                  ) -> tuple[wq.Query, wq.Query | None]:
    """(query, mask): what to find, and what to exclude (None for nothing).

    Exclusions go to the searcher as a mask rather than an AndNot query:
    Whoosh 2.7's AndNotMatcher keeps the first hit when the excluded
    matcher starts on an earlier document.
    """
    groups = []
    for group in parsed.groups:
        alts = _unique(_clause_query(c, seg, categories) for c in group)
        if alts:
            groups.append(alts[0] if len(alts) == 1 else wq.Or(alts))
    groups = _unique(groups)[:MAX_GROUPS]
    negs = _unique(_clause_query(c, seg, categories) for c in parsed.negatives)[:MAX_GROUPS]
    mask = (negs[0] if len(negs) == 1 else wq.Or(negs)) if negs else None
    if groups:
        query = groups[0] if len(groups) == 1 else wq.And(groups)
        # A pasted headline: the article with exactly that title comes first.
        headline = wq.Term("title_exact", normalize(parsed.text).strip()[:500])
        return wq.AndMaybe(query, wq.ConstantScoreQuery(headline, 2 * EXACT_BONUS)), mask
    # Nothing to look for: a blank query lists everything (useful sorted by
    # date); text with nothing searchable in it (only punctuation) finds nothing.
    everything = negs or not parsed.text.strip()
    return (wq.Every() if everything else wq.NullQuery), mask


def _split(c: Clause, seg: Segmenter) -> list[str] | None:
    """The words an unquoted term is cut into, when they are not the term itself."""
    if c.phrase or c.field == "category":
        return None
    norm = normalize(c.text)
    if not is_searchable(norm):
        return None
    words = list(dict.fromkeys(seg.words(norm)))
    return words if cut_apart(words, norm) else None


def cut_apart(words: list[str], norm: str) -> bool:
    """Whether a term's words are other than the term itself (its letters as one word)."""
    def letters(text: str) -> str:
        return "".join(run for _, run in word_runs(text))
    return len(words) > 1 or bool(words) and letters(words[0]) != letters(norm)


def exact_query(parsed: ParsedQuery, seg: Segmenter, categories: list[str]) -> wq.Query | None:
    """Articles holding every term as typed (None: that is what the query finds already).

    An unquoted term cut into words finds the words anywhere; this asks for the whole
    term, the first tier's test, for an honest count beside the total.
    """
    if not any(_split(c, seg) for c in parsed.positives()):
        return None
    groups = []
    for group in parsed.groups:
        alts = _unique(_anywhere(normalize(c.text)[:MAX_TERM_CHARS], c.field == "title")
                       if _split(c, seg) else _clause_query(c, seg, categories) for c in group)
        if alts:
            groups.append(alts[0] if len(alts) == 1 else wq.Or(alts))
    groups = _unique(groups)[:MAX_GROUPS]
    return groups[0] if len(groups) == 1 else wq.And(groups)


def read_as(parsed: ParsedQuery, seg: Segmenter) -> list[tuple[str, list[str]]]:
    """Each unquoted term that was cut into words, with its words (what the query was read as)."""
    return [(c.text, words) for c in parsed.positives() if (words := _split(c, seg))]


def highlight_terms(parsed: ParsedQuery, seg: Segmenter) -> list[str]:
    """Normalised strings to mark in titles and snippets, longest first."""
    terms: set[str] = set()
    for c in parsed.positives():
        if c.field == "category":
            continue
        norm = normalize(c.text)
        if not is_searchable(norm):
            continue
        terms.add(norm.strip())
        if not c.phrase:
            # Single characters of a longer term would light up everywhere.
            terms.update(w for w in seg.words(norm) if len(w) > 1)
    return sorted(terms, key=len, reverse=True)
