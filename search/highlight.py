"""Titles and snippets with the matched pieces in <mark>, everything else escaped.

Matching happens on normalised text (so 台灣 marks 台湾 and ＦＯＯ marks foo)
and is mapped back to the original characters for display.
"""
from __future__ import annotations

import re
from html import escape

from .analysis import OffsetMap, word_runs

__all__ = ["Highlighter"]

SNIPPET_CHARS = 120
_LEAD = 20  # characters of context kept before the first match
_SPACE = re.compile(r"\s+")


_LETTER_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")
_LATIN_DIGIT = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")


def _run_pattern(run: str) -> str:
    """A run as a pattern that also matches it joined by a hyphen or space (f35 ~ F-35)."""
    parts = []
    for piece in _LETTER_DIGIT.split(run):
        if parts:
            latin = _LATIN_DIGIT.match(parts[-1][-1] + piece[0], 1)
            parts.append("[-\u2010 ]?" if latin else "[-\u2010]?")
        parts.append(re.escape(piece))
    return "".join(parts)


def _term_pattern(term: str) -> str | None:
    runs = [_run_pattern(run) for _, run in word_runs(term)]
    # Between runs any punctuation or space matches, as in the index.
    return r"[\W_]*".join(runs) if runs else None


class Highlighter:
    """Marks a fixed list of normalised query terms in any text."""

    def __init__(self, terms: list[str]):
        pats = [p for p in (_term_pattern(t) for t in sorted(terms, key=len, reverse=True)) if p]
        self.regex = re.compile("|".join(pats)) if pats else None

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Original-text (start, end) of every match, in order, not overlapping."""
        if self.regex is None or not text:
            return []
        mapper = OffsetMap(text)
        return [(mapper.start(m.start()), mapper.end(m.end()))
                for m in self.regex.finditer(mapper.norm) if m.end() > m.start()]

    def mark(self, text: str) -> str:
        """The whole text, escaped, with matches in <mark>."""
        return _render(text, self.spans(text), 0, len(text))

    def snippet(self, text: str, size: int = SNIPPET_CHARS) -> str:
        """The best passage of about ``size`` characters, escaped and marked."""
        text = _SPACE.sub(" ", text).strip()
        spans = self.spans(text)
        start = _best_window(text, spans, size)
        start, end = _whole_marks(spans, start, min(len(text), start + size))
        html = _render(text, spans, start, end)
        return ("…" if start > 0 else "") + html + ("…" if end < len(text) else "")


def _best_window(text: str, spans: list[tuple[int, int]], size: int) -> int:
    """Start of the window holding the most distinct matched strings."""
    if not spans:
        return 0
    best, best_key = 0, (-1, -1)
    for i, (s, _) in enumerate(spans):
        inside = [text[a:b] for a, b in spans[i:] if b <= s + size]
        key = (len(set(inside)), len(inside))
        if key > best_key:
            best, best_key = s, key
    start = max(0, best - _LEAD)
    # Prefer to open at a sentence boundary when one is close.
    cut = max(text.rfind(p, start, best) for p in "。！？；.!?")
    if cut >= 0 and best - cut <= _LEAD:
        start = cut + 1
    return min(start, max(0, len(text) - size)) if start > 0 else 0


def _whole_marks(spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """The window widened so that no match is cut: half a match reads as another word."""
    for a, b in spans:
        if a < start < b:
            start = a
        if a < end < b:
            end = b
    return start, end


def _render(text: str, spans, start: int, end: int) -> str:
    out, pos = [], start
    for a, b in spans:
        a, b = max(a, start), min(b, end)
        if a >= b or a < pos:
            continue
        out.append(escape(text[pos:a]))
        out.append("<mark>" + escape(text[a:b]) + "</mark>")
        pos = b
    out.append(escape(text[pos:end]))
    return "".join(out)
