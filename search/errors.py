"""Exceptions raised by the search package."""

__all__ = ["SearchError", "IndexNotFound", "IndexMismatch", "QueryError", "IndexBusy"]


class SearchError(Exception):
    """Base class for every error this package raises."""


class IndexNotFound(SearchError):
    """No usable index exists at the given location."""


class IndexMismatch(SearchError):
    """The index was built with different analysis and must be rebuilt."""


class QueryError(SearchError, ValueError):
    """A search parameter (not the query text) is invalid."""


class IndexBusy(SearchError):
    """Another process holds the index's write lock."""
