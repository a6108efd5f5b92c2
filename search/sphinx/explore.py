"""The cluster's coverage over time and names: GROUP BY on the rows' attributes.

As on the Whoosh backend (``search.timeline``, ``search.name_table``):
matches per local day grouped by searchd and folded into years or months
here; each kind of name is a 64-bit MVA attribute of hashed names, a filter
is an equality on it (every one must hold) and a facet its GROUP BY, the name
read back from the group's representative row.
"""
from __future__ import annotations

import hashlib
import json

import numpy as np

from ..name_table import FACET_SIZE
from ..names import KINDS
from ..timeline import Timeline, timeline_from_days

__all__ = ["NAME_COLUMNS", "name_code", "name_codes", "name_conditions", "timeline",
           "name_facets", "names_of"]

# Kind of name -> its MVA attribute.
NAME_COLUMNS = {"people": "people", "places": "places", "organizations": "orgs"}
# Groups counted per statement: every distinct day (55 years) or name must fit for
# exact counts (searchd's counts are approximate past max_matches).
_DAY_GROUPS = 20_000
_NAME_GROUPS = 200_000
_FETCH = 200  # groups fetched per kind; the first FACET_SIZE after sorting ties by name
_DAY = 86400


def name_code(name: str) -> int:
    """A name's number in its MVA attribute (63 bits of SHA-1: no collisions in practice)."""
    return int(hashlib.sha1(name.encode("utf-8")).hexdigest()[:15], 16)


def name_codes(names: list[str]) -> list[int]:
    return sorted({name_code(n) for n in names})


def name_conditions(wanted: dict[str, list[str]]) -> list[str]:
    """WHERE conditions: the article names every one of ``wanted`` ({kind: names})."""
    return [f"{NAME_COLUMNS[kind]} = {name_code(n)}"
            for kind, names in wanted.items() for n in names]


def timeline(run, table: str, where: str, params: list, total: int, lo: int | None,
             hi: int | None, offset_s: int) -> Timeline:
    """Matches per local day, from searchd, as the library's timeline."""
    dated = where + (" AND " if where else " WHERE ") + "has_date = 1"
    rows, _ = run.select(f"SELECT (ts + {offset_s}) DIV {_DAY} AS d, COUNT(*) AS n "
                         f"FROM {table}{dated} GROUP BY d LIMIT {_DAY_GROUPS} "
                         f"OPTION ranker=none, max_matches={_DAY_GROUPS}", params)
    if not rows:
        return Timeline(undated=total)
    days = np.array([int(d) for d, _ in rows], np.int64)
    counts = np.array([int(n) for _, n in rows], np.int64)
    lo_day = hi_day = None
    if lo is not None or hi is not None:
        span, _ = run.select(f"SELECT MIN(ts) AS a, MAX(ts) AS b FROM {table} "
                             f"WHERE has_date = 1", [])
        first, last = ((int(span[0][0]) + offset_s) // _DAY, (int(span[0][1]) + offset_s) // _DAY)
        if lo is not None:
            lo_day = min(max((lo + offset_s) // _DAY, first), last)
        if hi is not None:
            hi_day = max(min((hi + offset_s) // _DAY, last), first)
    return timeline_from_days(np.repeat(days, counts), total - int(counts.sum()), lo_day, hi_day)


def name_facets(run, table: str, where: str, params: list) -> dict[str, dict[str, int]]:
    """The top names of each kind among the matches, exact counts, ties by name."""
    out = {}
    for kind, column in NAME_COLUMNS.items():
        rows, _ = run.select(f"SELECT GROUPBY() AS g, COUNT(*) AS n, extra FROM {table}{where} "
                             f"GROUP BY {column} ORDER BY n DESC LIMIT {_FETCH} "
                             f"OPTION ranker=none, max_matches={_NAME_GROUPS}", params)
        found = []
        for code, n, extra in rows:
            for name in json.loads(extra or "{}").get(kind, ()):
                if name_code(name) == int(code):
                    found.append((name, int(n)))
                    break
        found.sort(key=lambda kv: (-kv[1], kv[0]))
        out[kind] = dict(found[:FACET_SIZE])
    return out


def names_of(extra: dict) -> dict[str, list[str]]:
    """A row's names, by kind (none for rows written before names were kept)."""
    return {kind: list(extra.get(kind, ())) for kind in KINDS}
