"""The generation's stored documents and small fields, one Whoosh searcher for every thread.

Queries run on the shared arrays (``search.tables``, ``search.columnar``);
Whoosh is read only for the stored fields of a page of hits and for the
small fields without arrays (``id``, ``title_exact``). One searcher behind a
lock serves all threads: a searcher per thread cost a first request on every
new thread its opening, and Whoosh's readers are not safe to share unlocked.
"""
from __future__ import annotations

import threading

import numpy as np

__all__ = ["Documents"]


class Documents:
    """Stored fields and small-field postings of one generation, safe across threads."""

    def __init__(self, whoosh_ix):
        self.searcher = whoosh_ix.searcher()  # unlocked use: single-threaded tests only
        self._readers = [sub.reader() for sub, _ in self.searcher.leaf_searchers()]
        self._lock = threading.Lock()

    def stored(self, docnum: int) -> dict:
        """The stored fields of a document, by global number."""
        with self._lock:
            return self.searcher.stored_fields(docnum)

    def by_id(self, article_id: str) -> dict | None:
        """The stored fields of the document with this id, or None."""
        with self._lock:
            return self.searcher.document(id=article_id)

    def number(self, article_id: str) -> int | None:
        """The global number of the live document with this id, or None."""
        with self._lock:
            return self.searcher.document_number(id=article_id)

    def term_docs(self, segment: int, fieldname: str, text: str) -> np.ndarray:
        """Segment-local numbers of the documents holding a term (deleted ones included)."""
        reader = self._readers[segment]
        with self._lock:
            if (fieldname, text) not in reader:
                return np.zeros(0, np.int64)
            return np.fromiter(reader.postings(fieldname, text).all_ids(), np.int64)
