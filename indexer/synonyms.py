"""Store the synonyms given with ``--synonyms`` with the index (``search.synonyms``).

Synonyms are applied at query time, so storing a new list needs no rebuild:
the file is replaced atomically in the index folder (a cluster's: in its
folder on this machine), and searches read it within a second.
"""
from __future__ import annotations

import os
from pathlib import Path

from search.synonyms import SYNONYMS_NAME, Synonyms

__all__ = ["store_synonyms"]


def store_synonyms(folder: str | os.PathLike, source: str | os.PathLike) -> bool:
    """Copy the synonyms file ``source`` into ``folder``; False when it was stored already."""
    text = Path(source).read_text(encoding="utf-8-sig")
    Synonyms.parse(text)  # the same reading searches will make
    folder = Path(folder)
    target = folder / SYNONYMS_NAME
    if target.is_file() and target.read_text(encoding="utf-8") == text:
        return False
    folder.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)
    return True
