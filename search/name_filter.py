"""The name filters of a search (people=, places=, orgs=): checked, folded, as one mask."""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .analysis import normalize
from .errors import QueryError

__all__ = ["check_names", "NAME_PARAMS", "narrowed"]

# search() keyword -> kind of name (search.names.KINDS)
NAME_PARAMS = {"people": "people", "places": "places", "orgs": "organizations"}
MAX_NAMES = 20


def _one(value, param: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if isinstance(value, (bytes, dict)) or not isinstance(value, Iterable):
        raise QueryError(f"{param}: must be a name or a list of names, "
                         f"got {type(value).__name__}", param)
    names = []
    for name in value:
        if not isinstance(name, str):
            raise QueryError(f"{param}: every name must be text (str), got {name!r}", param)
        folded = normalize(name).strip()
        if folded:
            names.append(folded)
    if len(names) > MAX_NAMES:
        raise QueryError(f"{param}: at most {MAX_NAMES} names at once", param)
    return list(dict.fromkeys(names))


def check_names(people=None, places=None, orgs=None) -> dict[str, list[str]]:
    """{kind: names} asked for (folded as the index stores them); QueryError naming the bad one."""
    given = {"people": people, "places": places, "orgs": orgs}
    return {NAME_PARAMS[p]: names for p, v in given.items() if (names := _one(v, p))}


def narrowed(keep: np.ndarray | None, table, wanted: dict[str, list[str]]
             ) -> np.ndarray | None:
    """The filter mask ``keep`` less the documents that do not name all of ``wanted``."""
    if not wanted:
        return keep
    mask = table.mask(wanted) if table is not None else None
    if mask is None:
        return keep
    return mask if keep is None else keep & mask
