"""Search a Chinese news index: ``search.open_index(dir).search("北约")``."""
from .backend import Backend, open_index
from .errors import (IndexBusy, IndexCorrupt, IndexMismatch, IndexNotFound, QueryError,
                     SearchError, ShardUnavailable, SynonymsError)
from .hits import Article, Hit, ResultPage
from .index import Index
from .ranking import RankingRules

__all__ = ["open_index", "Backend", "Index", "Hit", "ResultPage", "Article", "SearchError",
           "IndexNotFound", "IndexMismatch", "IndexCorrupt", "QueryError", "IndexBusy",
           "ShardUnavailable", "RankingRules", "SynonymsError"]
