"""Category names as people type them: whole names, with case, width and script folded."""
from __future__ import annotations

from collections.abc import Iterable

from .analysis import normalize

__all__ = ["fold", "resolve", "category_filter"]


def fold(name: str) -> str:
    """The form two names are compared in: 36KR, ３６ｋｒ and 36Kr are one name."""
    return " ".join(normalize(name).split())


def resolve(wanted: Iterable[str], known: Iterable[str]) -> tuple[list[str], list[str]]:
    """(the index's names that the wanted ones name, the wanted ones that name none).

    A category matches only as a whole name: 36 is not 36Kr.
    """
    by_fold: dict[str, list[str]] = {}
    for name in known:
        by_fold.setdefault(fold(name), []).append(name)
    names: list[str] = []
    unknown: list[str] = []
    for name in wanted:
        found = by_fold.get(fold(name))
        if found:
            names.extend(found)
        elif name.strip():
            unknown.append(name)
    return list(dict.fromkeys(names)), list(dict.fromkeys(unknown))


def category_filter(categories: list[str] | None, parsed, known: list[str]
                    ) -> tuple[list[str] | None, list[str]]:
    """(names to filter on, None for no filter; every unknown name, filter and category:)."""
    asked = [c.text for c in parsed.positives() + parsed.negatives if c.field == "category"]
    _, unknown = resolve(asked, known)
    if not categories:
        return None, unknown
    names, missing = resolve(categories, known)
    # Only unknown names: keep them, so the filter finds nothing rather than everything.
    return names or categories, list(dict.fromkeys(missing + unknown))
