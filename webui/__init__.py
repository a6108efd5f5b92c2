"""Web UI for the news search engine: ``create_app(index_dir=...)`` builds the Flask app.

Nothing is created at import time, so tests and servers can build as many
apps as they like, each with its own index.
"""
from __future__ import annotations

from os import PathLike
from typing import Any

from flask import Flask

from . import api, exports, feeds, views
from .errors import add_security_headers, register_error_handlers
from .formatting import register_filters
from .links import article_url, back_url, search_url, series_url
from .params import DEFAULT_PER_PAGE
from .shared_index import EXTENSION_KEY, SharedIndex

__all__ = ["create_app"]


def create_app(index_dir: str | PathLike = "index", site_name: str = "新闻搜索",
               **config: Any) -> Flask:
    """A Flask app serving search pages, the JSON API and feeds for one index.

    The index is opened on first use, so the app starts even while it is
    missing; such requests get a 503 page until it exists.
    """
    app = Flask(__name__)
    app.config.update(INDEX_DIR=str(index_dir), SITE_NAME=site_name,
                      MAX_CONTENT_LENGTH=64 * 1024)
    app.config.update(config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False  # facets come ordered by count; keep that order
    app.extensions[EXTENSION_KEY] = SharedIndex(index_dir)
    # "/article//x" is a bad address, not one to redirect: answer 404 like any other.
    app.url_map.merge_slashes = False

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(feeds.bp)
    register_filters(app)
    register_error_handlers(app)
    app.after_request(add_security_headers)

    app.jinja_env.globals.update(search_url=search_url, article_url=article_url,
                                 series_url=series_url,
                                 back_url=back_url)
    app.jinja_env.globals["DEFAULT_PER_PAGE"] = DEFAULT_PER_PAGE

    @app.context_processor
    def site() -> dict[str, Any]:
        return {"site_name": app.config["SITE_NAME"]}

    return app
