"""``python -m webui``: serve the web UI (gunicorn, or waitress), building the index first if needed."""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import search
from indexer.build import build_index
from indexer.update import update_index
from search.backend import is_cluster_url
from indexer.errors import IndexerError

from .server import default_workers, serve

__all__ = ["main", "ensure_index"]

log = logging.getLogger("webui")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m webui", description=__doc__)
    p.add_argument("--index", default="index",
                   help="index folder or sphinx://host:port/name cluster (default: index)")
    p.add_argument("--corpus", default="corpus",
                   help="articles to index when there is no index yet (default: corpus)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    p.add_argument("--workers", type=_positive, default=default_workers(),
                   help="server processes (default: one per core, at most 4; %(default)s here)")
    p.add_argument("--threads", type=_positive, default=2,
                   help="threads per process (default: 2; waitress, with one process, "
                        "uses at least 8)")
    return p


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def ensure_index(index_dir: Path | str, corpus: Path) -> None:
    """Build the index from ``corpus`` when ``index_dir`` holds none.

    An index built with other analysis settings is left alone: rebuilding is
    the indexer's decision, and the pages explain it meanwhile.
    """
    try:
        search.open_index(index_dir)
        return
    except (search.IndexMismatch, search.IndexCorrupt) as exc:
        log.warning("%s", exc)
        return
    except search.IndexNotFound:
        pass
    if not corpus.is_dir():
        raise SystemExit(f"no index in {index_dir} and no corpus folder {corpus} to build one "
                         f"from; pass --corpus DIR or build it with python -m indexer")
    log.info("no index in %s: building it from %s ...", index_dir, corpus)
    try:
        report = (update_index(corpus, index_dir) if is_cluster_url(index_dir)
                  else build_index(corpus, index_dir))
    except (IndexerError, search.IndexNotFound) as exc:  # also: a cluster out of reach
        raise SystemExit(f"cannot build the index: {exc}") from None
    log.info("indexed %d articles from %d files in %.1fs (%d skipped)", report.articles,
             report.files, report.seconds, len(report.problems))


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    index_dir = args.index if is_cluster_url(args.index) else Path(args.index)
    corpus = Path(args.corpus)
    try:
        ensure_index(index_dir, corpus)
    except search.IndexBusy as exc:
        log.warning("%s; serving anyway, pages say so until it is done", exc)

    from . import create_app

    log.info("serving %s on http://%s:%d/ (%d processes)", index_dir, args.host, args.port,
             args.workers)
    serve(lambda: create_app(index_dir=index_dir), args.host, args.port, args.workers,
          args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
