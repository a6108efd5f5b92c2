"""Serving the app: several gunicorn worker processes, or one waitress process.

A search costs a few milliseconds of Python, so one process serves one
request at a time whatever its threads (the GIL). gunicorn runs a process
per core; each opens the index itself (Whoosh's files are shared through the
page cache) and is warmed up before it takes requests. Where gunicorn does
not run (Windows) or one process is asked for, waitress serves alone.
"""
from __future__ import annotations

import logging
import os
from typing import Any, Callable

from flask import Flask

__all__ = ["serve", "default_workers"]

log = logging.getLogger("webui")

WAITRESS_THREADS = 8


def default_workers() -> int:
    """A worker process per core, at most 4: each holds its own jieba dictionary
    (~150 MB), so more cores than that are better left to the indexer."""
    return max(1, min(4, os.cpu_count() or 1))


def warm(app: Flask) -> None:
    """Open the index, load the segmenter and answer a page and an API request now
    (Flask, Jinja and the JSON path load lazily), not on users' first requests."""
    from search import SearchError

    from .shared_index import current_index

    with app.app_context():
        try:
            current_index().search("新闻", per_page=1)
        except SearchError as exc:  # no index yet, or being rebuilt: pages say so
            log.warning("%s", exc)
            return
    client = app.test_client()
    for url in ("/?q=新闻", "/api/search?q=新闻&per_page=1"):
        client.get(url)


def serve(make_app: Callable[[], Flask], host: str, port: int, workers: int,
          threads: int) -> None:
    """Serve until interrupted; ``make_app`` runs in each worker process."""
    if workers > 1 and os.name == "posix":
        try:
            server = _gunicorn(make_app, host, port, workers, threads)
        except ImportError:
            log.warning("gunicorn is not installed: serving with one process")
        else:
            server.run()
            return
    import waitress

    app = make_app()
    warm(app)  # as gunicorn's workers are: the first request must not pay for opening
    waitress.serve(app, host=host, port=port, threads=max(threads, WAITRESS_THREADS))


def _gunicorn(make_app: Callable[[], Flask], host: str, port: int, workers: int,
              threads: int):
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self) -> None:
            options: dict[str, Any] = {
                "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
                "workers": workers, "threads": threads, "worker_class": "gthread",
                "post_worker_init": lambda worker: warm(worker.wsgi),
                "accesslog": None, "errorlog": "-", "loglevel": "warning",
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Flask:
            return make_app()

    return Server()
