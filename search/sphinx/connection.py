"""SphinxQL connections (PyMySQL), with every driver error turned into ours."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator
from urllib.parse import urlsplit

import pymysql

from ..errors import IndexNotFound, SearchError

__all__ = ["connect", "parse_url", "SphinxUnavailable", "SphinxQueryFailed", "cursor"]


class SphinxUnavailable(IndexNotFound):
    """The cluster (or a node of it) cannot be reached."""


class SphinxQueryFailed(SearchError):
    """searchd refused a statement (a bug of ours, or a config that does not match)."""


def parse_url(url: str) -> tuple[str, int, str]:
    """``sphinx://host:port/name`` -> (host, port, name); IndexNotFound if malformed."""
    parts = urlsplit(url)
    name = parts.path.strip("/")
    try:
        port = parts.port or 9306
    except ValueError:
        port = -1
    if parts.scheme != "sphinx" or not parts.hostname or port < 1 or not name.isidentifier():
        raise IndexNotFound(f"not a cluster address: {url!r} (expected sphinx://host:port/name)")
    return parts.hostname, port, name


def connect(host: str, port: int, timeout: float = 5.0) -> pymysql.connections.Connection:
    """A SphinxQL connection; SphinxUnavailable when nothing answers."""
    try:
        return pymysql.connect(host=host, port=port, autocommit=True, charset="utf8",
                               connect_timeout=timeout, read_timeout=30, write_timeout=30)
    except pymysql.err.MySQLError as exc:
        raise SphinxUnavailable(f"cannot reach searchd at {host}:{port}: {exc.args[-1]}") from None


@contextmanager
def cursor(conn) -> Iterator:
    """A cursor whose driver errors become SphinxUnavailable / SphinxQueryFailed."""
    try:
        with conn.cursor() as cur:
            yield cur
    except pymysql.err.OperationalError as exc:
        raise SphinxUnavailable(f"searchd connection lost: {exc.args[-1]}") from None
    except pymysql.err.MySQLError as exc:
        raise SphinxQueryFailed(f"searchd refused a statement: {exc.args[-1]}") from None
