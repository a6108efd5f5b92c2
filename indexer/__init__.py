"""Read a folder of news articles and build the search index."""
from .build import build_index
from .report import BuildReport
from .corpus import Article, Problem, read_article
from .errors import CorpusNotFound, IndexerError, NothingToIndex
from .update import update_index

__all__ = ["build_index", "update_index", "BuildReport", "Article", "Problem", "read_article",
           "IndexerError", "CorpusNotFound", "NothingToIndex"]
