"""The names each document mentions, as one table per generation: filters and facets.

Like categories in ``search.tables``: one CSR list of name ids per document
(keys "people:普京"), a filter is a cached boolean mask, a facet a
``bincount`` over the matching documents' names, so counts are exact.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .columnar import merged_lists
from .names import KINDS

__all__ = ["NameTable", "FACET_SIZE", "name_facets"]

FACET_SIZE = 20  # names shown per kind
_MASKS_MAX = 256  # filters come from users: the cache is bounded


@dataclass
class NameTable:
    """Name ids of every document of a generation, by global document number."""

    ptr: np.ndarray          # names of document d are ids[ptr[d]:ptr[d + 1]]
    ids: np.ndarray
    keys: list[str]          # "kind:name", sorted
    by_kind: dict[str, np.ndarray] = field(default_factory=dict)  # ids of each kind
    _owner: np.ndarray | None = None   # the document of each entry of ids
    _masks: dict = field(default_factory=dict)
    _everywhere: np.ndarray | None = None  # counts over every live document

    @classmethod
    def from_segments(cls, docs: list[dict]) -> "NameTable":
        """Every segment's name lists (``doc.name_*`` arrays), renumbered into one table."""
        keys, ptr, ids = merged_lists(docs, "doc.name")
        kinds = np.array([k.split(":", 1)[0] for k in keys])
        return cls(ptr, ids, keys, {kind: np.flatnonzero(kinds == kind) for kind in KINDS})

    @property
    def owner(self) -> np.ndarray:
        if self._owner is None:
            self._owner = np.repeat(np.arange(len(self.ptr) - 1, dtype=np.int32),
                                    np.diff(self.ptr))
        return self._owner

    def names_of(self, doc: int) -> dict[str, list[str]]:
        """The names of one document, by kind."""
        out: dict[str, list[str]] = {kind: [] for kind in KINDS}
        for i in self.ids[self.ptr[doc]:self.ptr[doc + 1]].tolist():
            kind, name = self.keys[i].split(":", 1)
            out[kind].append(name)
        return out

    def mask(self, wanted: dict[str, list[str]]) -> np.ndarray | None:
        """Documents naming every one of ``wanted`` ({kind: names}); None: no name asked."""
        keys = sorted({f"{kind}:{n}" for kind, names in wanted.items() for n in names or ()})
        if not keys:
            return None
        out = None
        for key in keys:
            m = self._mask_of(key)
            out = m if out is None else out & m
        return out

    def _mask_of(self, key: str) -> np.ndarray:
        mask = self._masks.get(key)
        if mask is None:
            mask = np.zeros(len(self.ptr) - 1, bool)
            i = self._find(key)
            if i >= 0:
                mask[self.owner[self.ids == i]] = True
            if len(self._masks) < _MASKS_MAX:
                self._masks[key] = mask
        return mask

    def _find(self, key: str) -> int:
        lo, hi = 0, len(self.keys)
        while lo < hi:  # bisect over the sorted keys
            mid = (lo + hi) // 2
            if self.keys[mid] < key:
                lo = mid + 1
            else:
                hi = mid
        return lo if lo < len(self.keys) and self.keys[lo] == key else -1

    def counts(self, docs: np.ndarray, live: np.ndarray) -> np.ndarray:
        """How many of ``docs`` (live, distinct) name each id."""
        n = len(self.ptr) - 1
        if len(docs) * 2 > n:
            # Most of the archive: count what is left out and subtract it.
            rest = live.copy()
            rest[docs] = False
            return self._everywhere_counts(live) - self._counts_of(np.flatnonzero(rest))
        return self._counts_of(docs)

    def _counts_of(self, docs: np.ndarray) -> np.ndarray:
        starts, ends = self.ptr[docs], self.ptr[docs + 1]
        sizes = ends - starts
        at = np.repeat(starts - (np.cumsum(sizes) - sizes), sizes) + np.arange(int(sizes.sum()))
        return np.bincount(self.ids[at], minlength=len(self.keys))

    def _everywhere_counts(self, live: np.ndarray) -> np.ndarray:
        if self._everywhere is None:
            self._everywhere = np.bincount(self.ids[live[self.owner]],
                                           minlength=len(self.keys))
        return self._everywhere

    def facets(self, docs: np.ndarray, live: np.ndarray, size: int = FACET_SIZE
               ) -> dict[str, dict[str, int]]:
        """The ``size`` names of each kind most of ``docs`` mention, with exact counts."""
        counts = self.counts(docs, live)
        out = {}
        for kind, ids in self.by_kind.items():
            c = counts[ids]
            hit = np.flatnonzero(c)
            if len(hit) > size:
                hit = hit[np.argpartition(-c[hit], size - 1)[:size]]
                # Ties at the cut: keep the names that sort first, as the order below does.
                cut = c[hit].min()
                tied = np.flatnonzero(c == cut)
                above = hit[c[hit] > cut]
                hit = np.r_[above, tied[:size - len(above)]]
            pairs = sorted(((self.keys[ids[i]].split(":", 1)[1], int(c[i])) for i in hit),
                           key=lambda kv: (-kv[1], kv[0]))
            out[kind] = dict(pairs)
        return out


def name_facets(docs: np.ndarray, tables) -> dict[str, dict[str, int]]:
    """Top people, places and organisations of the matches (``search.tables.Tables``)."""
    if tables.names is None:
        return {kind: {} for kind in KINDS}
    return tables.names.facets(docs, tables.live)
