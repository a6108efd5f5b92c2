"""The one Index an app shares between its threads, opened on first use.

Opening lazily lets the server start while the index is missing or being
rebuilt: requests then get a 503 page until it appears, with no restart.
"""
from __future__ import annotations

import threading
from pathlib import Path

from flask import current_app

import search

__all__ = ["SharedIndex", "current_index"]

EXTENSION_KEY = "newsearch.index"


class SharedIndex:
    """Opens ``search.open_index(path)`` once, retrying on later calls until it works."""

    def __init__(self, path: str | Path):
        self.path = path if search.backend.is_cluster_url(path) else Path(path)
        self._index: search.Backend | None = None
        self._lock = threading.Lock()

    def get(self) -> search.Backend:
        """The open index; IndexNotFound or IndexMismatch while there is none to use."""
        if self._index is None:
            with self._lock:
                if self._index is None:
                    self._index = search.open_index(self.path)
        return self._index


def current_index() -> search.Backend:
    """The current app's index (see SharedIndex.get for the errors)."""
    return current_app.extensions[EXTENSION_KEY].get()
