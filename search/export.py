"""Every match of a search as rows to take away: CSV or JSON Lines, streamed.

Rows are fetched a chunk of results at a time through ``Backend.search`` (in
the search's own order), so memory stays constant however many match, and
both backends export alike. An export is bounded by ``limit``.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Callable, Iterator

from .errors import QueryError

__all__ = ["FIELDS", "FORMATS", "DEFAULT_LIMIT", "MAX_LIMIT", "Export", "export",
           "csv_lines", "jsonl_lines", "check_format", "check_export_limit"]

FIELDS = ("id", "path", "title", "date", "categories", "people", "places", "organizations",
          "url")
FORMATS = ("csv", "jsonl")
DEFAULT_LIMIT = 10_000
MAX_LIMIT = 100_000
CHUNK = 500  # results fetched at a time (stored fields of this many articles in memory)
# Spreadsheets run a cell starting with these as a formula (CSV injection).
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Export:
    """A started export: how many match, how many will be written, and the rows."""

    total: int
    limit: int
    rows: Iterator[dict]

    @property
    def count(self) -> int:
        return min(self.total, self.limit)


def check_format(fmt) -> str:
    if fmt not in FORMATS:
        raise QueryError(f"format: must be one of {', '.join(FORMATS)}, got {fmt!r}", "format")
    return fmt


def check_export_limit(limit) -> int:
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit: must be a whole number between 1 and {MAX_LIMIT}, "
                         f"got {limit!r}", "limit")
    return limit


def _row(hit, url: Callable[[str], str]) -> dict:
    return {"id": hit.id, "path": hit.path, "title": hit.display_title or hit.title,
            "date": hit.date.isoformat() if hit.date else None,
            "categories": list(hit.categories), "people": list(getattr(hit, "people", [])),
            "places": list(getattr(hit, "places", [])),
            "organizations": list(getattr(hit, "organizations", [])), "url": url(hit.id)}


def export(ix, q: str, limit: int = DEFAULT_LIMIT, url: Callable[[str], str] | None = None,
           **filters) -> Export:
    """Start exporting the matches of ``q`` (filters as for ``search``); QueryError at once.

    ``url`` makes an article id into its address (default ``/article/ID``).
    """
    check_export_limit(limit)
    url = url or (lambda article_id: f"/article/{article_id}")
    first = ix.search(q, page=1, per_page=min(CHUNK, limit), highlight=False, facets=False,
                      **filters)

    def rows() -> Iterator[dict]:
        page, res, sent = 1, first, 0
        while True:
            for hit in res.hits[:limit - sent]:
                yield _row(hit, url)
            sent += len(res.hits)
            if sent >= min(limit, res.total) or len(res.hits) < res.per_page:
                return
            page += 1
            res = ix.search(q, page=page, per_page=res.per_page, highlight=False,
                            facets=False, **filters)

    return Export(first.total, limit, rows())


def _cell(value) -> str:
    text = "; ".join(value) if isinstance(value, list) else "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def csv_lines(rows: Iterator[dict], bom: bool = True) -> Iterator[str]:
    """A header and one CSV line per row (lists joined by "; ").

    A UTF-8 byte-order mark first (``bom``) so spreadsheets read the Chinese
    right; a cell starting like a formula gets a leading ' (it stays text).
    """
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow(FIELDS)
    yield ("\ufeff" if bom else "") + buf.getvalue()
    for row in rows:
        buf.seek(0)
        buf.truncate()
        out.writerow([_cell(row[f]) for f in FIELDS])
        yield buf.getvalue()


def jsonl_lines(rows: Iterator[dict]) -> Iterator[str]:
    """One JSON object per line."""
    for row in rows:
        yield json.dumps(row, ensure_ascii=False) + "\n"
