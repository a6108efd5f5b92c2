"""Does a match straddle a word boundary? 北约 in 以北约400公里 (north of, about 400 km).

Every substring is found (that is the recall promise), so the characters of a
word also match where they belong to two neighbouring words. Such a match is
still a match, but it ranks after matches where the query is a word. For the
few stories that can reach a page, each occurrence of the term is looked at
in its context:

* if no dictionary word crosses either edge of the match, it is a word here
  (the common case, decided with a few dictionary lookups);
* otherwise jieba's best segmentation of the context decides;
* and, because jieba's unigram model cannot see that an approximation adverb
  binds to the number after it (以北/约400, 逾/百万), a match ending in one of
  those, right before a number, with a word crossing its other edge, straddles.

A story straddles when every occurrence looked at does.
"""
from __future__ import annotations

import re
import threading
from typing import Callable

from .analysis import Segmenter, fuse, normalize

__all__ = ["StraddleCheck", "straddle_terms"]

_CONTEXT = 6          # characters of context each side
_MAX_OCCURRENCES = 8  # a story with this many straddling occurrences straddles
_APPROX = set("约逾近超达")
_NUMERAL = re.compile(r"[0-9〇零一二三四五六七八九十百千万两]")
_HAN = re.compile(r"[\u3400-\u9fff]")


def straddle_terms(parsed, seg: Segmenter) -> list[str]:
    """The query's terms worth checking: unquoted, any field, one Han dictionary word each."""
    return [t for t in dict.fromkeys(fuse(normalize(c.text)).strip()
                                     for c in parsed.positives()
                                     if not c.phrase and c.field is None)
            if StraddleCheck.applies(t) and seg.words(t) == [t]]


class StraddleCheck:
    """Checks one term against stories' text; results are kept per generation."""

    def __init__(self, seg: Segmenter, memo: dict, lock: threading.Lock):
        self.seg, self.memo, self.lock = seg, memo, lock

    @staticmethod
    def applies(term: str) -> bool:
        """Worth checking: two or more Han characters and nothing else."""
        return len(term) >= 2 and all(_HAN.match(ch) for ch in term)

    def straddles(self, term: str, doc: int, text: Callable[[], tuple[str, str]]) -> bool:
        """Whether every occurrence of ``term`` in the story straddles a boundary.

        ``text`` gives the story's (title, body) when the answer is not known yet.
        """
        key = (term, doc)
        hit = self.memo.get(key)
        if hit is not None:
            return hit
        self.seg.initialize()
        result = self._decide(term, *text())
        with self.lock:
            if len(self.memo) > 200_000:  # bounded: terms come from users
                self.memo.clear()
            self.memo[key] = result
        return result

    def _decide(self, term: str, title: str, body: str) -> bool:
        seen = 0
        for text in (title, body):
            if term not in text:  # stories are mostly stored in the searchable form
                text = fuse(normalize(text))
            start = text.find(term)
            while start >= 0 and seen < _MAX_OCCURRENCES:
                if not self._crosses(text, start, start + len(term)):
                    return False
                seen += 1
                start = text.find(term, start + 1)
        return seen > 0

    def _crosses(self, text: str, s: int, e: int) -> bool:
        freq = self.seg.tokenizer.FREQ
        left = any(freq.get(text[a:j]) for j in range(s + 1, e)
                   for a in range(max(0, s - 4), s))
        right = any(freq.get(text[j:b]) for j in range(s + 1, e)
                    for b in range(e + 1, min(len(text), e + 4) + 1))
        if not (left or right):
            return False
        if left and text[e - 1] in _APPROX and _NUMERAL.match(text[e:e + 1]):
            return True
        return self._route_crosses(text, s, e)

    def _route_crosses(self, text: str, s: int, e: int) -> bool:
        """jieba's best path over the context puts a boundary inside the match."""
        a = max(0, s - _CONTEXT)
        ctx = text[a:min(len(text), e + _CONTEXT)]
        tok = self.seg.tokenizer
        dag, route = tok.get_DAG(ctx), {}
        tok.calc(ctx, dag, route)
        i, cuts = 0, set()
        while i < len(ctx):
            j = route[i][1] + 1
            cuts.add(i + a)
            i = j
        return any(c in cuts for c in range(s + 1, e))
