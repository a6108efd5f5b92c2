"""What a run of the indexer did: counts, problems, where the index went."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

from .corpus import Problem

__all__ = ["BuildReport", "Progress"]

# A progress wrapper: (iterable, total, label) -> the same items.
Progress = Callable[[Iterable, int, str], Iterable]


@dataclass
class BuildReport:
    """What a run did: counts, problems, and where the index went."""

    corpus: str
    index: str
    mode: str = "full"          # "full" or "update"
    reason: str = ""            # why a full build, when one was not asked for
    files: int = 0              # *.md files found in the corpus
    articles: int = 0           # documents in the index afterwards
    duplicates: int = 0         # files folded into another file's document
    indexed: int = 0            # files read and indexed (a full build: all readable ones)
    updated: int = 0            # changed files re-indexed
    removed: int = 0            # files gone from the corpus, taken out of the index
    unchanged: int = 0          # files not read again
    problems: list[Problem] = field(default_factory=list)   # skipped files
    warnings: list[Problem] = field(default_factory=list)   # indexed, with a caveat
    changes: dict[str, list[str]] = field(default_factory=dict)  # paths, in an update
    seconds: float = 0.0
    generation: str = ""
