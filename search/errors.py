"""Exceptions raised by the search package."""
from __future__ import annotations

__all__ = ["SearchError", "IndexNotFound", "IndexMismatch", "QueryError", "IndexBusy",
           "IndexCorrupt", "ShardUnavailable", "SynonymsError"]


class SearchError(Exception):
    """Base class for every error this package raises."""


class IndexNotFound(SearchError):
    """No usable index exists at the given location."""


class ShardUnavailable(IndexNotFound):
    """A shard of a cluster did not answer, and what was asked for may be on it."""


class IndexMismatch(SearchError):
    """The index was built with different analysis and must be rebuilt."""


class QueryError(SearchError, ValueError):
    """A search parameter (not the query text) is invalid."""

    def __init__(self, message: str, param: str | None = None):
        super().__init__(message)
        self.param = param


class IndexBusy(SearchError):
    """Another process holds the index's write lock."""


class IndexCorrupt(SearchError):
    """A file of the index is damaged or missing."""


class SynonymsError(SearchError):
    """A synonyms file that cannot be read."""
