"""HTML pages: the search page and the article view."""
from __future__ import annotations

import re

from flask import Blueprint, abort, render_template, request
from markupsafe import Markup

from search.highlight import Highlighter

from . import links
from .charts import timeline_chart
from .examples import home_examples
from .page_state import page_params, state_params
from .params import run_search
from .sanitize import highlighted_html, highlighter_for
from .shared_index import current_index

__all__ = ["bp"]

bp = Blueprint("views", __name__)

# Ids are made by the index; anything else cannot name an article, so it is
# refused before the lookup and never gets near anything else.
_ARTICLE_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
# SearchParams field -> the facet of ResultPage with those names.
_FACET = {"people": "people", "places": "places", "orgs": "organizations"}


@bp.get("/")
def search() -> str:
    params, notices = page_params(request.args)
    ix = current_index()
    if not params.q.strip() and not params.browsing and not params.has_names:
        return render_template("search.html", params=params, result=None, notices=notices,
                               examples=home_examples(ix), doc_count=ix.doc_count)
    result = run_search(ix, params)
    clamped_from = None
    if result.total and params.page > result.pages:
        # Past the end: show the last page (with a note) rather than an empty one.
        clamped_from, params = params.page, params.with_(page=result.pages)
        result = run_search(ix, params)
    return render_template(
        "search.html", params=params, result=result, clamped_from=clamped_from,
        notices=notices,
        categories=links.category_links(params, result.facets.get("categories", {}),
                                        result.total),
        years=links.year_links(params, result.facets.get("years", {}), result.total),
        names=[(label, links.name_links(params, attr, result.facets.get(_FACET[attr], {}),
                                        result.total))
               for attr, label in links.NAME_LABELS.items()],
        chart=timeline_chart(result.timeline, params),
        sorts=links.sort_links(params), active_filters=links.active_filters(params),
        days=links.day_links(params) if params.browsing else None,
        pages=links.page_links(params, result.pages) if result.pages > 1 else [],
        suggestions=links.suggestions(params, ix) if not result.total else [],
        examples=home_examples(ix) if not result.total else None)


@bp.get("/article/<article_id>")
def article(article_id: str) -> str:
    if not _ARTICLE_ID.fullmatch(article_id):
        abort(404)
    ix = current_index()
    art = ix.get(article_id)
    if art is None:
        abort(404)
    # Bad or overlong search state only loses its highlighting; the article still shows.
    state = state_params(request.args)
    marker = highlighter_for(ix, state.q, state.literal)
    return render_template(
        "article.html", article=art, q=state.q, params=state,
        title_html=Markup(marker.mark(art.display_title)) if marker else art.display_title,
        body_html=_body_html(art, marker),
        related=ix.related(art.id, limit=5),
        names=[(label, [(n, links.name_url(attr, n)) for n in getattr(art, _FACET[attr], [])])
               for attr, label in links.NAME_LABELS.items()])


def _body_html(art: search.Article, marker: Highlighter | None) -> Markup:
    """The sanitised body; its plain text when cleaning left nothing to see (e.g. a video)."""
    # The first match gets an id: a roundup's hit links straight to the item that matched.
    html = Markup(str(highlighted_html(art.html, marker)).replace(
        "<mark>", '<mark id="first-match">', 1))
    if html.striptags().strip() or "<img " in html:
        return html
    paragraphs = [p for p in art.body.split("\n") if p.strip()]
    return Markup("").join(
        Markup("<p>{}</p>").format(Markup(marker.mark(p)) if marker else p) for p in paragraphs)
