"""Exceptions raised by the indexer."""
from search.errors import SearchError

__all__ = ["IndexerError", "CorpusNotFound", "NothingToIndex"]


class IndexerError(SearchError):
    """Base class for indexer errors."""


class CorpusNotFound(IndexerError):
    """The corpus folder does not exist or cannot be listed."""


class NothingToIndex(IndexerError):
    """No readable article was found, so no index was built."""

    report = None  # the run's BuildReport (every skipped file and why), when known
