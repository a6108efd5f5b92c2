"""JSON API: ``/api/search`` takes the search page's parameters and returns JSON."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

import search

from .formatting import iso
from .params import parse_search_args, run_search, suggest_args
from .shared_index import current_index

__all__ = ["bp", "hit_json"]

bp = Blueprint("api", __name__, url_prefix="/api")


def hit_json(hit: search.Hit) -> dict[str, Any]:
    """One hit as JSON; the date in China Standard Time with its offset."""
    return {
        "id": hit.id, "path": hit.path, "duplicates": list(hit.duplicates),
        "title": hit.title, "display_title": hit.display_title,
        "title_html": hit.title_html, "item_title_html": hit.item_title_html,
        "snippet_html": hit.snippet_html,
        "date": iso(hit.date), "categories": list(hit.categories), "author": hit.author,
        "score": hit.score,
        "series_total": hit.series_total, "series_query": hit.series_query,
        "series_since": iso(hit.series_since), "series_until": iso(hit.series_until),
        "people": list(hit.people), "places": list(hit.places),
        "organizations": list(hit.organizations),
    }


@bp.get("/search")
def search_json() -> Response:
    params = parse_search_args(request.args)
    # Unlike the page, a page past the end stays empty: clients page until no hits.
    result = run_search(current_index(), params)
    return jsonify({
        "query": result.query, "total": result.total, "exact_total": result.exact_total,
        "read_as": [{"term": term, "words": words} for term, words in result.read_as],
        "page": result.page,
        "per_page": result.per_page, "pages": result.pages,
        "took_ms": round(result.took_ms, 3),
        # True when a shard of a cluster did not answer: total and facets are short.
        "partial": result.partial,
        "hits": [hit_json(h) for h in result.hits],
        "facets": {"categories": result.facets.get("categories", {}),
                   "years": result.facets.get("years", {}),
                   "people": result.facets.get("people", {}),
                   "places": result.facets.get("places", {}),
                   "organizations": result.facets.get("organizations", {}),
                   # Matches per period in date order; undated matches are in no period.
                   "timeline": result.timeline.as_json(),
                   "timeline_granularity": result.timeline.granularity,
                   "timeline_undated": result.timeline.undated},
        "unknown_categories": result.unknown_categories,
        # Query assistance: what was searched instead of the query (pinyin read as
        # Chinese, a homophone corrected), other readings, and a suggestion.
        "interpreted_as": result.interpreted_as,
        "alternatives": list(result.alternatives),
        "did_you_mean": result.did_you_mean,
    })


@bp.get("/suggest")
def suggest_json() -> Response:
    """Completions of ``q`` (a Chinese or pinyin prefix) from the archive's words."""
    q, limit = suggest_args(request.args)
    return jsonify({"query": q, "suggestions": current_index().suggest(q, limit)})
