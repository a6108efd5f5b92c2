"""The seam between the web page, CLI and API and the engine underneath.

Two engines implement ``Backend``: the embedded Whoosh ``Index`` (a folder)
and ``search.sphinx.SphinxIndex`` (a ``sphinx://host:port/name`` cluster).
Callers get one from ``open_index`` and never need to know which.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol, runtime_checkable

from .analysis import Segmenter
from .hits import Article, Hit, ResultPage
from .index import Index

__all__ = ["Backend", "open_index", "is_cluster_url"]


@runtime_checkable
class Backend(Protocol):
    """What every index offers; see ``search.index.Index`` for the semantics."""

    segmenter: Segmenter

    @property
    def doc_count(self) -> int: ...

    def categories(self) -> list[str]: ...

    def search(self, q: str, page: int = 1, per_page: int = 10, categories=None,
               since=None, until=None, sort: str = "relevance", highlight: bool = True,
               facets: bool = True, people=None, places=None, orgs=None,
               assist: bool = True) -> ResultPage: ...

    def suggest(self, prefix: str, limit: int = 10) -> list[str]: ...

    def get(self, article_id: str) -> Article | None: ...

    def related(self, article_id: str, limit: int = 5) -> list[Hit]: ...


def is_cluster_url(location: str | os.PathLike) -> bool:
    """True for ``sphinx://…`` addresses (the rest are folders)."""
    return isinstance(location, str) and location.startswith("sphinx://")


def open_index(location: str | os.PathLike = "index", lazy: bool = False) -> Backend:
    """A folder -> Whoosh ``Index``; ``sphinx://host:port/name`` -> the cluster.

    IndexNotFound (also when a cluster cannot be reached) or IndexMismatch if unusable;
    ``lazy`` as for ``search.index.open_index`` (a cluster loads jieba at once).
    """
    if is_cluster_url(location):
        from .sphinx.reader import SphinxIndex

        return SphinxIndex(str(location))
    return Index(Path(location), lazy)
