"""``python -m indexer --check``: is every file of the live generation as it was published?"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from search.integrity import FILES_KEY, verify
from search.storage import current_generation, read_meta

__all__ = ["CheckResult", "check_index"]


@dataclass
class CheckResult:
    """The generation checked, what its record lists, and every problem found."""

    generation: Path
    files: int = 0
    bytes: int = 0
    problems: list[str] = field(default_factory=list)


def check_index(index_dir: str | os.PathLike) -> CheckResult:
    """Sizes and checksums of the live generation's files against its record.

    IndexNotFound when there is no live generation to check.
    """
    gen = current_generation(Path(index_dir))
    meta = read_meta(gen)
    record = meta.get(FILES_KEY) or {}
    return CheckResult(gen, len(record), sum(r["size"] for r in record.values()),
                       verify(gen, meta))
