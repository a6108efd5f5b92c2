"""Search a Chinese news index: ``search.open_index(dir).search("北约")``."""
from .errors import (IndexBusy, IndexCorrupt, IndexMismatch, IndexNotFound, QueryError,
                     SearchError)
from .index import Article, Hit, Index, ResultPage, open_index

__all__ = ["open_index", "Index", "Hit", "ResultPage", "Article", "SearchError",
           "IndexNotFound", "IndexMismatch", "IndexCorrupt", "QueryError", "IndexBusy"]
