"""Friendly error pages (JSON under /api/) and the security headers on every response.

No request may end in a traceback: HTTP errors, unexpected exceptions and a
missing or mismatched index all become a short page that says what to do.
"""
from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

import search

from .params import BadParameter

__all__ = ["register_error_handlers", "add_security_headers", "SECURITY_HEADERS"]

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' https: http: data:; object-src 'none'; "
        "frame-ancestors 'none'; base-uri 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

_TITLES = {
    400: "请求参数有误", 404: "找不到这个页面", 405: "不支持这种请求方式",
    413: "请求太大", 414: "地址太长", 431: "请求头太大",
    500: "服务器出错了", 503: "索引暂时不可用",
}
# Pages speak Chinese whatever werkzeug's (English) description says.
_MESSAGES = {
    404: "这篇文章或这个页面不存在，可能是链接有误或索引已经更新。",
    405: "这个地址不接受这种请求方式。",
    413: "请求的内容太大，无法处理。",
    414: "这个地址太长，无法处理。请缩短搜索词。",
    431: "请求头太大，无法处理。",
}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _render(status: int, message: str, detail: str = "",
            page_message: str = "") -> tuple[Response | str, int]:
    """JSON with the (English) message under /api/, else a page with the Chinese one."""
    if _wants_json():
        return jsonify({"error": message}), status
    message = page_message or message
    title = _TITLES.get(status, "出错了")
    return render_template("error.html", status=status, title=title, message=message,
                           detail=detail), status


def handle_http_error(exc: HTTPException) -> Response:
    response = current_app.make_response(_http_error_body(exc))
    if getattr(exc, "valid_methods", None):  # 405 must say what is allowed
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def _http_error_body(exc: HTTPException) -> tuple[Response | str, int]:
    status = exc.code or 500
    if isinstance(exc, InternalServerError):
        # Flask has already logged the original exception; show nothing of it.
        return _render(500, "处理请求时发生了意外错误，请稍后再试。")
    if isinstance(exc, BadParameter):
        return _render(400, exc.description, detail=f"参数：{exc.param}", page_message=exc.zh)
    if status == 400:
        return _render(400, exc.description or "bad request", page_message="请求的格式有误。")
    return _render(status, exc.description or exc.name,
                   page_message=_MESSAGES.get(status, f"请求无法处理（{status}）。"))


def handle_index_unavailable(exc: search.SearchError) -> Response:
    current_app.logger.warning("index unavailable: %s", exc)
    index_dir = current_app.config.get("INDEX_DIR", "index")
    if isinstance(exc, search.IndexMismatch):
        message = "索引是用不同的分词设置建立的，需要重建。"
    elif isinstance(exc, search.ShardUnavailable):
        message = "集群中有分片暂时没有响应，要找的内容可能就在上面，请稍后再试。"
    elif isinstance(exc, search.IndexCorrupt):
        message = f"索引文件已损坏，需要重建：{exc}"
    else:
        message = "搜索索引还没有建好，或正在重建。"
    detail = (f"建立索引：python -m indexer corpus --index {index_dir} --rebuild；"
              f"或者直接运行 python -m webui，没有索引时它会先建索引。")
    if isinstance(exc, search.ShardUnavailable):
        detail = "查看集群：python -m search.sphinx status --dir 集群目录"
    body, status = _render(503, message, detail=detail)
    response = current_app.make_response((body, status))
    response.headers["Retry-After"] = "30"
    return response


def register_error_handlers(app: Flask) -> None:
    for code in (400, 404, 405, 500):
        app.register_error_handler(code, handle_http_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(search.IndexNotFound, handle_index_unavailable)
    app.register_error_handler(search.IndexMismatch, handle_index_unavailable)
    app.register_error_handler(search.IndexCorrupt, handle_index_unavailable)


def add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
