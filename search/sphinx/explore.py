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
import threading

import numpy as np

from ..name_table import FACET_SIZE
from ..names import KINDS, PER_KIND_MAX
from ..timeline import Timeline, timeline_from_days

__all__ = ["NAME_COLUMNS", "name_code", "name_codes", "name_conditions", "timeline",
           "name_facets", "names_of", "NameGroups", "group_cap"]

# Kind of name -> its MVA attribute.
NAME_COLUMNS = {"people": "people", "places": "places", "organizations": "orgs"}
# Groups counted per statement: every distinct day (55 years) or name must fit for
# exact counts (searchd's counts are approximate past max_matches). searchd sizes
# its sorter by max_matches on every shard, whatever matches: 200,000 costs half a
# second a statement even over 50 rows, so each statement asks for no more groups
# than it can have (group_cap).
_DAY_GROUPS = 20_000
_NAME_GROUPS = 200_000
_CHEAP_GROUPS = 20_000  # asked for without knowing the ceiling (a few ms a statement)
_FETCH = 200  # groups fetched per kind; the first FACET_SIZE after sorting ties by name


def group_cap(rows: int, per_row: int, ceiling: int, least: int = _FETCH) -> int:
    """max_matches for an exact GROUP BY over ``rows`` rows of at most ``per_row``
    values each, never above ``ceiling`` (the most groups there can be)."""
    return max(least, min(ceiling, rows * per_row))


class NameGroups:
    """How many distinct names of each kind a cluster's live rows hold: the ceiling
    of a broad query's name GROUP BY. Counted once per published version (three
    statements at the full ceiling), and only when a query matches enough rows to
    need it."""

    def __init__(self):
        self._lock = threading.Lock()
        self._key: tuple = ()
        self._counts: dict[str, int] = {}

    def ceiling(self, run, key: tuple, table: str, where: str, kind: str) -> int:
        with self._lock:
            if self._key == key:
                return self._counts[kind]
        counts = {}
        for k, column in NAME_COLUMNS.items():
            counts[k] = run.select(f"SELECT GROUPBY() AS g FROM {table}{where} GROUP BY "
                                   f"{column} LIMIT 1 OPTION ranker=none, "
                                   f"max_matches={_NAME_GROUPS}", [])[1]
        with self._lock:
            self._key, self._counts = key, counts
        return counts[kind]
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
                         f"OPTION ranker=none, max_matches="
                         f"{group_cap(total, 1, _DAY_GROUPS, 100)}", params)
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


def name_facets(run, table: str, where: str, params: list, total: int,
                ceiling=lambda kind: _NAME_GROUPS) -> dict[str, dict[str, int]]:
    """The top names of each kind among the ``total`` matches, exact counts, ties by name.

    ``ceiling(kind)``: the most distinct names of a kind the live rows hold.
    """
    out = {}
    for kind, column in NAME_COLUMNS.items():
        cap = group_cap(total, PER_KIND_MAX, _CHEAP_GROUPS)
        if total * PER_KIND_MAX > _CHEAP_GROUPS:
            cap = group_cap(total, PER_KIND_MAX, ceiling(kind))
        rows, _ = run.select(f"SELECT GROUPBY() AS g, COUNT(*) AS n, extra FROM {table}{where} "
                             f"GROUP BY {column} ORDER BY n DESC LIMIT {_FETCH} "
                             f"OPTION ranker=none, max_matches={cap}", params)
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
