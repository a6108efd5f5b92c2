"""From matching documents to a page: filters, totals, facets and the top of the ranking.

Everything here works on the arrays ``search.evaluate`` returns and the
per-document ``search.tables``: a filter is a boolean mask, a facet a
``bincount``, the top of a ranking a partial sort. Orders are Whoosh's:
by score, ties by document number; by date, undated last, ties by number.
"""
from __future__ import annotations

import numpy as np

from .tables import Tables

__all__ = ["allowed", "top", "facet_counts"]


def allowed(tables: Tables, categories: list[str] | None, lo: int | None, hi: int | None
            ) -> np.ndarray | None:
    """Documents the filters let through (None: every document)."""
    mask = None
    if categories:
        mask = tables.category_mask(categories)
    if lo is not None or hi is not None:
        dated = tables.date_mask(lo, hi)
        mask = dated if mask is None else mask & dated
    return mask


def top(docs: np.ndarray, scores: np.ndarray, tables: Tables, sort: str, limit: int
        ) -> np.ndarray:
    """Positions in ``docs`` of the first ``limit`` results, in order."""
    if sort == "relevance":
        if len(docs) > 4 * limit:
            # Only scores at or above the limit-th best can reach the page.
            cut = np.partition(scores, len(scores) - limit)[len(scores) - limit]
            cand = np.flatnonzero(scores >= cut)
        else:
            cand = np.arange(len(docs))
        order = cand[np.lexsort((docs[cand], -scores[cand]))]
        return order[:limit]
    ts = tables.ts[docs]
    order = np.lexsort((docs, ts if sort == "oldest" else -ts, ~tables.has_date[docs]))
    return order[:limit]


def facet_counts(docs: np.ndarray, tables: Tables) -> dict[str, dict[str, int]]:
    """Year and category counts of the matching documents."""
    years = np.bincount(tables.year[docs], minlength=len(tables.year_names))
    starts, ends = tables.cat_ptr[docs], tables.cat_ptr[docs + 1]
    sizes = ends - starts
    at = np.repeat(starts - (np.cumsum(sizes) - sizes), sizes) + np.arange(int(sizes.sum()))
    cats = np.bincount(tables.cat_ids[at], minlength=len(tables.cat_names))
    by_cat = {tables.cat_names[i]: int(cats[i]) for i in np.flatnonzero(cats)}
    by_year = {tables.year_names[i]: int(years[i]) for i in np.flatnonzero(years)}
    return {
        "categories": dict(sorted(by_cat.items(), key=lambda kv: (-kv[1], kv[0]))),
        "years": {y: n for y, n in sorted(by_year.items(), reverse=True) if y},
    }
