"""Synonym groups: a query for one member also finds the others (at query time).

A file holds one group a line, members separated by spaces or commas
(``北约 北大西洋公约组织 NATO``); ``#`` starts a comment. The indexer stores
the file given with ``--synonyms`` in the index folder (``SYNONYMS_NAME``,
replaced atomically; searches pick a new one up within a second, with no
rebuild); without one, the short list in ``search/data/synonyms.txt`` applies.
Expansion rewrites the query text, so it needs no rebuild, works on every
backend, and the added words are highlighted like any other.
"""
from __future__ import annotations

import os
import re
import threading
import time
from functools import lru_cache
from pathlib import Path

from .analysis import normalize
from .errors import SynonymsError

__all__ = ["Synonyms", "SynonymSource", "SYNONYMS_NAME", "DEFAULT_SYNONYMS"]

SYNONYMS_NAME = "synonyms.txt"
DEFAULT_SYNONYMS = Path(__file__).parent / "data" / SYNONYMS_NAME
_SEP = re.compile(r"[\s,，、]+")
MAX_MEMBERS = 12  # of a group: bounds what one word of a query can add


class Synonyms:
    """Groups of words meaning the same, looked up by the normalised form of a member."""

    def __init__(self, groups: list[list[str]]):
        self.groups = groups
        self._by_member: dict[str, list[str]] = {}
        for group in groups:
            for member in group:
                self._by_member.setdefault(normalize(member), group)

    @classmethod
    def parse(cls, text: str) -> "Synonyms":
        groups = []
        for line in text.splitlines():
            members = [m for m in _SEP.split(line.split("#", 1)[0]) if m]
            members = list(dict.fromkeys(m for m in members if '"' not in m and ":" not in m))
            if len(members) > 1:
                groups.append(members[:MAX_MEMBERS])
        return cls(groups)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Synonyms":
        """Read a synonyms file; SynonymsError naming it when it cannot be read."""
        try:
            return cls.parse(Path(path).read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError) as exc:
            raise SynonymsError(f"synonyms file {path}: {exc}") from None

    @staticmethod
    @lru_cache(maxsize=1)
    def default() -> "Synonyms":
        """The list shipped with the package."""
        return Synonyms.load(DEFAULT_SYNONYMS)

    def current(self) -> "Synonyms":
        return self

    def others(self, text: str) -> list[str]:
        """The other members of the group ``text`` belongs to (none: [])."""
        norm = normalize(text)
        group = self._by_member.get(norm, [])
        return [m for m in group if normalize(m) != norm]


class SynonymSource:
    """An index folder's synonyms, read again when the indexer replaces the file."""

    CHECK_EVERY_S = 1.0

    def __init__(self, folder: str | os.PathLike | None):
        self.path = Path(folder) / SYNONYMS_NAME if folder is not None else None
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._synonyms: Synonyms | None = None
        self._checked = 0.0

    def _stamp_now(self) -> tuple | None:
        try:
            st = os.stat(self.path) if self.path is not None else None
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino) if st else None

    def current(self) -> Synonyms:
        """The synonyms in force (the stored file's, else the default list)."""
        now = time.monotonic()
        with self._lock:
            if self._synonyms is None or now - self._checked >= self.CHECK_EVERY_S:
                self._checked = now
                stamp = self._stamp_now()
                if self._synonyms is None or stamp != self._stamp:
                    self._synonyms = Synonyms.load(self.path) if stamp else Synonyms.default()
                    self._stamp = stamp
            return self._synonyms
