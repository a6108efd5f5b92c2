"""Build the index of a corpus beside the live one, and switch it in atomically.

Files are read by worker processes (``indexer.reading``), stories filed
twice become one document, two writer processes write the documents as
whole segments (``indexer.segments``), and the result becomes a new
generation that is published when complete (``indexer.generation``).
``indexer.update`` builds on the same pieces to apply only what changed.

One writer at a time: ``index_lock`` takes ``INDEX/.lock`` with ``flock``
(the ``filelock`` package), which the kernel releases when the holder dies,
even by SIGKILL; a lock file left behind is therefore never stale.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import threading
import time
from datetime import tzinfo
from pathlib import Path
from typing import Iterator

from whoosh import index as windex

from search.analysis import Segmenter
from search.index import USERDICT_NAME
from search.schema import build_schema

from .corpus import scan_corpus
from .dates import DEFAULT_TZ
from .errors import NothingToIndex
from .lexicon import write_lexicon
from .generation import base_meta, finish_generation, next_generation, run_manifest
from .lock import clear_unpublished, index_lock
from .reading import (READER_VERSION, content_key, fork_pool, group_articles, prepare,
                      read_files, reader_pool, use_segmenter)
from .report import BuildReport, Progress
from .segments import write_segments
from .story import Story

__all__ = ["BuildReport", "build_index", "content_key", "READER_VERSION"]

# A writer's memory grows with its segment (~13 KB a story, mostly postings
# arrays); more segments make a bigger index and slower queries.
_SEGMENT_DOCS = 16_000


def build_index(corpus: str | os.PathLike, index_dir: str | os.PathLike, *,
                userdict: str | os.PathLike | None = None, naive_tz: tzinfo = DEFAULT_TZ,
                workers: int | None = None,
                progress: Progress | None = None, lock_timeout: float = 0,
                reason: str = "") -> BuildReport:
    """Build a fresh index of ``corpus`` and make it the live one in ``index_dir``."""
    started = time.perf_counter()
    root, index_dir = Path(corpus), Path(index_dir)
    scanned_ns = time.time_ns()
    files, notes = scan_corpus(root)
    seg = Segmenter(userdict)  # reads the user dictionary now: a bad path fails early
    report = BuildReport(corpus=str(root), index=str(index_dir), files=len(files),
                         reason=reason, warnings=list(notes))
    with index_lock(index_dir, lock_timeout):
        clear_unpublished(index_dir)
        full_build(root, files, index_dir, seg, naive_tz, scanned_ns, report,
                   userdict=userdict, workers=workers, progress=progress)
    report.seconds = time.perf_counter() - started
    return report


def full_build(root: Path, files: list[Path], index_dir: Path, seg: Segmenter,
               naive_tz: tzinfo, scanned_ns: int, report: BuildReport, *, userdict,
               workers: int | None, progress: Progress | None) -> None:
    """Read every file and write a new generation; call with the lock held."""
    report.mode = "full"
    with reader_pool(root, naive_tz, userdict, len(files), workers) as pool:
        _run(root, files, index_dir, seg, naive_tz, scanned_ns, report, pool, progress)


def _run(root: Path, files: list[Path], index_dir: Path, seg: Segmenter, naive_tz: tzinfo,
         scanned_ns: int, report: BuildReport, pool, progress: Progress | None) -> None:
    # The parent is idle while the readers work: it loads jieba and the names'
    # tables meanwhile (seconds) for the writers it forks next. The readers were
    # forked before this thread started, and it ends before the writers fork.
    loading = threading.Thread(target=use_segmenter, args=(seg,), daemon=True)
    loading.start()
    try:
        reads = read_files([(f, None) for f in files], pool, report, progress)
    finally:
        loading.join()
    articles = [r.article for r in reads if r.article is not None]
    groups = group_articles(articles)
    if not groups:
        raise NothingToIndex(f"no readable article in {report.corpus} "
                             f"({len(files)} files, {len(report.problems)} skipped)")
    report.indexed = len(articles)
    report.articles = len(groups)
    report.duplicates = len(articles) - len(groups)
    manifest = run_manifest(root, seg, naive_tz, scanned_ns)
    manifest.files = {r.rel: r.entry for r in reads if r.entry is not None}
    with next_generation(index_dir, report) as gen:
        _write_documents(gen, groups, pool, seg)
        write_lexicon(gen, seg)  # pinyin, "did you mean" and suggestions read it
        if seg.userdict_text:
            (gen / USERDICT_NAME).write_text(seg.userdict_text, encoding="utf-8")
        finish_generation(gen, "full", manifest, base_meta(report, manifest))


# Groups for the writer processes, inherited through fork (not pickled).
_GROUPS: list[list[Story]] = []


def _write_part(part: tuple[str, int, int]) -> list:
    """In a writer process: the k-th of n consecutive shares of the groups, as segments."""
    gen, k, n = part
    forked = multiprocessing.parent_process() is not None
    if forked:
        _return_freed_memory()
    ix = windex.open_dir(gen)
    start, end = k * len(_GROUPS) // n, (k + 1) * len(_GROUPS) // n
    segments = -(-(end - start) // _SEGMENT_DOCS)  # equal sizes, none above the limit
    return write_segments(ix, _share(start, end, release=forked),
                          per_segment=-(-(end - start) // max(1, segments)))


def _share(start: int, end: int, release: bool) -> Iterator[dict]:
    """Documents of groups start..end; a forked writer lets go of each group once
    prepared (its copy of the parent's pages is then reused, not kept)."""
    for i in range(start, end):
        yield prepare(_GROUPS[i])
        if release:
            _GROUPS[i] = None


def _return_freed_memory() -> None:
    """glibc: allocate every block over 1 MB with mmap, so freeing it returns it.

    Otherwise glibc raises its mmap threshold after the first large free and
    serves later arrays from the heap, which never shrinks: a writer kept the
    peak of every segment's postings arrays for the rest of the build.
    """
    try:
        import ctypes

        ctypes.CDLL(None).mallopt(-3, 1 << 20)  # M_MMAP_THRESHOLD; also stops the adjusting
    except (OSError, AttributeError):
        pass


def _write_documents(gen: Path, groups: list[list[Story]], pool, seg: Segmenter) -> None:
    """The full build's write step: every group into a new Whoosh index in ``gen``.

    With worker processes, each writes its share as whole segments (Whoosh
    searches them together; nothing is merged), so both cores index.
    """
    global _GROUPS
    use_segmenter(seg)  # loaded once here, shared with the forked writers
    ix = windex.create_in(str(gen), build_schema())
    writer = ix.writer()  # holds Whoosh's write lock while the parts are written
    try:
        _GROUPS = groups
        n = min(pool.spec[0], len(groups)) if pool is not None else 1
        parts = [(str(gen), k, n) for k in range(n)]
        if n > 1:
            pool.terminate()  # the readers are done: free their memory before forking writers
            pool.join()
            # Python's collector writes to every object it tracks, which would
            # copy all the parent's pages (every article) into each writer.
            gc.freeze()
            try:
                with fork_pool(n, pool.spec[1]) as wp:
                    segments = [s for part in wp.map(_write_part, parts) for s in part]
            finally:
                gc.unfreeze()
        else:
            segments = _write_part(parts[0])
        writer._commit_toc(segments)
        writer._finish()
    except BaseException:
        writer.cancel()  # never leave Whoosh's write lock held
        raise
    finally:
        _GROUPS = []
