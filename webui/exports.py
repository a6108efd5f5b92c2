"""``/api/export``: every match of a search (not one page) as CSV or JSON Lines, streamed."""
from __future__ import annotations

from flask import Blueprint, Response, request, stream_with_context, url_for

import search
from search.export import DEFAULT_LIMIT, MAX_LIMIT, csv_lines, export, jsonl_lines

from .params import BadParameter, parse_search_args, search_kwargs_for, whole_number
from .shared_index import current_index

__all__ = ["bp"]

bp = Blueprint("exports", __name__, url_prefix="/api")

_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}


@bp.get("/export")
def export_matches() -> Response:
    params = parse_search_args(request.args)
    fmt = request.args.get("format", "").strip() or "csv"
    if fmt not in _TYPES:
        raise BadParameter("format", f"must be csv or jsonl, got {fmt[:40]!r}",
                           f"导出格式只能是 csv 或 jsonl，收到的是“{fmt[:40]}”。")
    limit = whole_number(request.args, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    kwargs = search_kwargs_for(params)
    for name in ("page", "per_page"):
        kwargs.pop(name)
    try:
        started = export(current_index(), params.q, limit=limit,
                         url=lambda i: url_for("views.article", article_id=i, _external=True),
                         **kwargs)
    except search.QueryError as exc:
        raise BadParameter(exc.param or "q", str(exc)) from None
    lines = csv_lines(started.rows) if fmt == "csv" else jsonl_lines(started.rows)
    resp = Response(stream_with_context(lines), content_type=_TYPES[fmt])
    resp.headers["Content-Disposition"] = f'attachment; filename="export.{fmt}"'
    resp.headers["X-Export-Limit"] = str(limit)
    resp.headers["X-Total-Count"] = str(started.total)
    resp.headers["X-Export-Count"] = str(started.count)
    return resp
