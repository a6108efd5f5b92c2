"""Example queries taken from the index itself, so every one finds something here.

Fixed examples teach queries an archive may not answer (``category:快讯`` on an
archive without that category). These come from the words most titles of the
newest stories share and from the categories that actually narrow a search;
each is shown only if a title read contains it. Worked out once per index generation.
"""
from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass, field

import search
from search.analysis import normalize

from .formatting import CHINA_TZ

__all__ = ["Examples", "home_examples"]

SAMPLE = 200  # newest stories whose titles are read (reading one costs about 3 ms)
CHIPS = 6
_CJK_WORD = re.compile(r"[\u4e00-\u9fff]{2,}")

_cache: dict[tuple[int, str], "Examples"] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Examples:
    """Queries to click (chips) and the syntax table: (query, what it does)."""

    chips: list[str] = field(default_factory=list)
    syntax: list[tuple[str, str]] = field(default_factory=list)
    latest_day: str = ""  # the newest story's day (China time), to browse by day


def home_examples(ix: search.Index) -> Examples:
    """Examples for this index, computed once per generation."""
    key = (id(ix), str(getattr(ix, "generation", "")))
    with _lock:
        cached = _cache.get(key)
    if cached is None:
        cached = _build(ix)
        with _lock:
            _cache.clear()  # one index per app; an old generation is never asked again
            _cache[key] = cached
    return cached


def _build(ix: search.Index) -> Examples:
    res = ix.search("", sort="newest", per_page=SAMPLE, highlight=False)
    titles = [set(_words(ix, t)) for t in sorted({h.title for h in res.hits})]
    counts = Counter(w for t in titles for w in t)
    # Ties in a fixed order, so every server process shows the same examples.
    ranked = [w for w, n in sorted(counts.items(), key=lambda wn: (-wn[1], wn[0]))[:60]
              if n > 1]
    # 国务 beside 国务院: keep the whole word.
    words = [w for w in ranked if not any(w != o and w in o for o in ranked)]
    narrowing = [c for c, n in res.facets.get("categories", {}).items() if n < res.total]
    dated = [h.date for h in res.hits if h.date]
    latest = dated[0].astimezone(CHINA_TZ).date().isoformat() if dated else ""
    return Examples(chips=words[:CHIPS], syntax=_syntax(words, titles, narrowing),
                    latest_day=latest)


def _words(ix: search.Index, title: str) -> list[str]:
    return [w for w in ix.segmenter.words(normalize(title)) if _CJK_WORD.fullmatch(w)]


def _syntax(words: list[str], titles: list[set[str]], categories: list[str]
            ) -> list[tuple[str, str]]:
    """The query language shown with words of this archive; each finds a title read."""
    if len(words) < 2:
        return []
    a = words[0]
    with_a = [t for t in titles if a in t]
    # A partner that shares a title with a, and a title with a but not that partner.
    pairs = [w for w in words[1:] if any(w in t for t in with_a)]
    b = pairs[0] if pairs else None
    c = next((w for w in words[1:] if w != b), words[1])
    lines = [(f"{a} {b}", "两个词都要出现")] if b else []
    lines.append((f'"{max(words[:12], key=len)}"', "按原样出现的短语"))
    lines.append((f"{a} OR {c}", "出现其中之一"))
    if b and any(b not in t for t in with_a):
        lines.append((f"{a} -{b}", "排除某个词"))
    lines.append((f"title:{c}", "只在标题中找"))
    if categories:
        lines.append((f"category:{categories[0]}", "只看某个分类"))
    return lines
