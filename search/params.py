"""Checks on the parameters of Index.search and Index.related: QueryError names the bad one."""
from __future__ import annotations

import shlex
from collections.abc import Iterable
from pathlib import Path

from .errors import QueryError

__all__ = ["SORTS", "MAX_PER_PAGE", "check_search", "check_limit", "rebuild_command"]

SORTS = ("relevance", "newest", "oldest")
MAX_PER_PAGE = 1000


def _whole(value, name: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        bound = f"between {low} and {high}" if high < 2 ** 62 else f">= {low}"
        raise QueryError(f"{name}: must be a whole number {bound}, got {value!r}", name)
    return value


def check_query(q) -> str:
    """The query text; it must be a str (an empty one lists every article)."""
    if not isinstance(q, str):
        raise QueryError(f"q: the query must be text (str), got {type(q).__name__}", "q")
    return q


def check_categories(categories) -> list[str] | None:
    """None, one name or an iterable of names -> a list of names (None: no filter)."""
    if categories is None:
        return None
    if isinstance(categories, str):
        return [categories]
    if isinstance(categories, (bytes, dict)) or not isinstance(categories, Iterable):
        raise QueryError("categories: must be a category name or a list of names, "
                         f"got {type(categories).__name__}", "categories")
    names = list(categories)
    for name in names:
        if not isinstance(name, str):
            raise QueryError(f"categories: every name must be text (str), got {name!r}",
                             "categories")
    return names


def check_search(q, page, per_page, sort, categories) -> tuple[str, list[str] | None]:
    """Raise QueryError for the first bad parameter; (query text, category list)."""
    q = check_query(q)
    _whole(page, "page", 1, 2 ** 62)
    _whole(per_page, "per_page", 1, MAX_PER_PAGE)
    if sort not in SORTS:
        raise QueryError(f"sort: must be one of {', '.join(SORTS)}; got {sort!r}", "sort")
    return q, check_categories(categories)


def check_limit(limit) -> int:
    """The number of related articles asked for."""
    return _whole(limit, "limit", 0, MAX_PER_PAGE - 1)


def rebuild_command(corpus: str | None, index: Path) -> str:
    """The command that rebuilds this index, to paste as it is."""
    where = shlex.quote(corpus) + " " if corpus else ""
    return f"python -m indexer {where}--index {shlex.quote(str(index))} --rebuild"
