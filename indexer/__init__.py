"""Read a folder of news articles and build the search index."""
from .build import BuildReport, build_index
from .corpus import Article, Problem, read_article
from .errors import CorpusNotFound, IndexerError, NothingToIndex
from .update import update_index

__all__ = ["build_index", "update_index", "BuildReport", "Article", "Problem", "read_article",
           "IndexerError", "CorpusNotFound", "NothingToIndex"]
