"""Characters no index, page, feed or JSON should carry, taken out where text enters.

Scraped articles hold control characters (U+000B, U+0001, NUL …) and YAML
escapes can produce lone surrogates. lxml refuses such text, XML 1.0 cannot
carry it and UTF-8 cannot encode a lone surrogate, so the reader removes
them once, at the door: vertical tab and form feed become a space (they
separate words), the others are dropped. Tab, newline and CR are kept.
"""
from __future__ import annotations

import re

__all__ = ["scrub", "Scrubbed"]

_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_SPACE = {"\x0b": " ", "\x0c": " "}


def _swap(m: re.Match) -> str:
    return _SPACE.get(m.group(), "")


def scrub(text: str) -> tuple[str, int]:
    """``text`` without control characters (other than tab, newline, CR) or surrogates,
    and how many were taken out."""
    if _BAD.search(text) is None:  # the common case: no copy
        return text, 0
    clean, n = _BAD.subn(_swap, text)
    return clean, n


class Scrubbed:
    """Counts what ``scrub`` removed over several pieces of one article."""

    def __init__(self) -> None:
        self.removed = 0

    def __call__(self, text: str) -> str:
        clean, n = scrub(text)
        self.removed += n
        return clean
