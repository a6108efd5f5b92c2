"""A small, thread-safe, bounded cache of evaluated queries (one per generation).

Paging through results, changing the sort or a filter, and the related
articles of a popular story repeat the same evaluation; its arrays are
cached by the compiled query, and dropped with the generation they belong to.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable, Hashable

__all__ = ["ResultCache"]


class ResultCache:
    """Least recently used entries, bounded by count and by total size in bytes."""

    def __init__(self, max_entries: int = 256, max_bytes: int = 32 << 20):
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def get(self, key: Hashable, compute: Callable[[], Any], size: Callable[[Any], int]) -> Any:
        """The cached value of ``key``, computing (outside the lock) and keeping it if new."""
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
                return hit[0]
        value = compute()
        nbytes = size(value)
        if nbytes > self.max_bytes // 4:
            return value  # one huge result must not flush everything else
        with self._lock:
            if key not in self._items:
                self._items[key] = (value, nbytes)
                self._bytes += nbytes
            while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
                _, (_, freed) = self._items.popitem(last=False)
                self._bytes -= freed
        return value
