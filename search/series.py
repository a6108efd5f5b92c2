"""Which stories belong together: a title's series stem and its event key.

News archives file the same event many times (a headline repeated with a new
figure, a stub beside the full story) and run series under a bracketed
column name (【一带一路·合作共赢】…). Ranking keeps a page varied by capping
each series, and folds a text-less stub into the story it was filed beside;
both need these keys per document, computed once at index time.
"""
from __future__ import annotations

import hashlib
import re

from .analysis import normalize

__all__ = ["series_stem", "title_key", "stem_key"]

# A column name opening the title: 【…】, 〖…〗, […] or ［…］ (folded to [...]).
_STEM = re.compile(r"^\s*[【〖\[]\s*([^】〗\]]{2,40}?)\s*[】〗\]]")
# What "near-identical" ignores: figures, punctuation, spaces and the "_" of the
# file-name pipelines (“北约” and _北约_ are the same title).
_NOISE = re.compile(r"[\W_\d]+")


def series_stem(title: str) -> str:
    """The bracketed column name a title opens with, or ""."""
    m = _STEM.match(normalize(title))
    return m.group(1) if m else ""


def _key(text: str) -> int:
    if not text:
        return 0
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(),
                          "little") or 1


def title_key(title: str) -> int:
    """64-bit key of a title's letters (figures and punctuation ignored); 0 for none."""
    return _key(_NOISE.sub("", normalize(title)))


def stem_key(title: str) -> int:
    """64-bit key of the title's series stem; 0 when it has none."""
    return _key(series_stem(title))
