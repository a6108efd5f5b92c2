"""Build the index of a corpus beside the live one, and switch it in atomically.

An index folder holds generations (see ``search.storage``): a build writes a
complete new one (Whoosh index, ``manifest.json``, ``meta.json`` last) and
then replaces ``CURRENT``; readers see the old index or the new one, never
half of either. A process killed at any moment leaves only an unpublished
folder, which the next run deletes. ``indexer.update`` builds on the same
pieces to apply only what changed.

One writer at a time: ``index_lock`` takes ``INDEX/.lock`` with ``flock``
(the ``filelock`` package), which the kernel releases when the holder dies,
even by SIGKILL; a lock file left behind is therefore never stale.
"""
from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
import shutil
import signal
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from typing import Callable, Iterable, Iterator

from whoosh import index as windex

from search.analysis import Segmenter, normalize
from search.errors import IndexNotFound
from search.index import USERDICT_NAME
from search.schema import MAX_BODY_CHARS, build_schema, fingerprint, make_document
from search.storage import (fsync_path, current_generation, new_generation, prune, publish,
                            write_meta)

from .corpus import Problem, parse_article, read_bytes, scan_corpus
from .dates import DEFAULT_TZ
from .errors import NothingToIndex
from .segments import write_segments
from .lock import clear_unpublished, index_lock
from .story import Story
from .manifest import Entry, Manifest, tz_name, write_manifest

__all__ = ["BuildReport", "build_index", "content_key", "READER_VERSION"]

# Bump when corpus.py, clean.py or dates.py change what an Article holds:
# indexes built by an older reader are then rebuilt instead of updated.
READER_VERSION = 1
# A writer's memory grows with its segment (~13 KB a story, mostly postings
# arrays); more segments make a bigger index and slower queries.
_SEGMENT_DOCS = 16_000
# Below this many files, worker processes cost more than they save.
_PARALLEL_MIN = 400
# Test hook: NEWSEARCH_KILL_AT=<mode>:<point> makes the indexer SIGKILL itself
# there, so crash tests can stop a real process at an exact step.
_KILL_ENV = "NEWSEARCH_KILL_AT"

Progress = Callable[[Iterable, int, str], Iterable]


@dataclass
class BuildReport:
    """What a run did: counts, problems, and where the index went."""

    corpus: str
    index: str
    mode: str = "full"          # "full" or "update"
    reason: str = ""            # why a full build, when one was not asked for
    files: int = 0              # *.md files found in the corpus
    articles: int = 0           # documents in the index afterwards
    duplicates: int = 0         # files folded into another file's document
    indexed: int = 0            # files read and indexed (a full build: all readable ones)
    updated: int = 0            # changed files re-indexed
    removed: int = 0            # files gone from the corpus, taken out of the index
    unchanged: int = 0          # files not read again
    problems: list[Problem] = field(default_factory=list)   # skipped files
    warnings: list[Problem] = field(default_factory=list)   # indexed, with a caveat
    changes: dict[str, list[str]] = field(default_factory=dict)  # paths, in an update
    seconds: float = 0.0
    generation: str = ""


def content_key(title: str, body: str) -> str:
    """Identity of a story by its content: the same text filed twice is one article."""
    data = normalize(title).strip() + "\x00" + normalize(body).strip()
    return hashlib.sha1(data.encode("utf-8")).hexdigest()[:16]


def _checkpoint(point: str) -> None:
    if os.environ.get(_KILL_ENV) == point:
        os.kill(os.getpid(), signal.SIGKILL)


# ------------------------------------------------------- reading the files

@dataclass
class FileRead:
    """One file read by a worker: the article or why not, and its manifest entry."""

    rel: str
    article: Story | None
    problems: list[Problem]
    entry: Entry | None = None      # set when the article was read
    same: bool = False              # its bytes hashed as expected: not parsed
    stat: tuple[int, int] = (0, 0)  # size, mtime_ns when opened


# Worker-process state: set once per process by _init_worker.
_ROOT: Path | None = None
_TZ: tzinfo = DEFAULT_TZ
_SEG: Segmenter | None = None


def _init_worker(root: str, naive_tz: tzinfo, userdict: str | None) -> None:
    global _ROOT, _TZ, _SEG
    if multiprocessing.parent_process() is not None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        _die_with_parent()
    _ROOT, _TZ = Path(root), naive_tz
    seg = Segmenter(userdict)
    # Reading needs no jieba; the writers load it on first use, or inherit the
    # parent's (see _write_documents). A watcher reuses its own.
    if _SEG is None or _SEG.fingerprint != seg.fingerprint:
        _SEG = seg


def _die_with_parent() -> None:
    """Linux: end this worker when the indexer dies, even by SIGKILL.

    Otherwise orphaned workers linger, holding a copy of the lock's file
    descriptor (so the lock) until they notice the broken pipe.
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent died before prctl took effect
            os._exit(1)
    except (OSError, AttributeError):
        pass


def _read(item: tuple[Path, str | None]) -> FileRead:
    """Read a file; when its bytes hash to ``expected``, stop there (it did not change)."""
    path, expected = item
    rel = path.relative_to(_ROOT).as_posix()
    try:
        data, st = read_bytes(path)
    except OSError as exc:
        return FileRead(rel, None, [Problem(rel, f"cannot read: {exc.strerror or exc}")])
    sha1 = hashlib.sha1(data).hexdigest()
    stat = (st.st_size, st.st_mtime_ns)
    if expected is not None and sha1 == expected:
        return FileRead(rel, None, [], same=True, stat=stat)
    art, problems = parse_article(_ROOT, path, data, _TZ)
    if art is None:
        return FileRead(rel, None, problems, stat=stat)
    if len(art.body) > MAX_BODY_CHARS:
        problems.append(Problem(rel, f"body of {len(art.body)} characters; only the first "
                                     f"{MAX_BODY_CHARS} are searchable", False))
    key = content_key(art.title, art.body)
    return FileRead(rel, Story.of(art, key), problems, Entry(stat[0], stat[1], sha1, key),
                    stat=stat)


def _prepare(group: list[Story]) -> dict:
    """Keyword arguments for add_document: one document for a group of duplicate files."""
    first = group[0]
    cats = list(dict.fromkeys(c for a in group for c in a.categories))
    body, html = first.texts()
    return make_document(
        _SEG, id=first.key, path=first.path, paths=[a.path for a in group], title=first.title,
        body=body, html=html, author=first.author, categories=cats, date=first.date)


def _map(func, items: Iterable, pool, chunksize: int = 16):
    return pool.imap(func, items, chunksize) if pool else map(func, items)


@contextmanager
def reader_pool(root: Path, naive_tz: tzinfo, userdict, n_files: int,
                workers: int | None) -> Iterator[object | None]:
    """Worker processes for reading and analysis, or None to work in this process."""
    workers = workers or min(2, os.cpu_count() or 1)
    initargs = (str(root), naive_tz, str(userdict) if userdict else None)
    if workers > 1 and n_files >= _PARALLEL_MIN:
        with _fork_pool(workers, initargs) as pool:
            yield pool
    else:
        _init_worker(*initargs)
        yield None


def _fork_pool(workers: int, initargs: tuple):
    """A pool whose processes share our memory by fork; remembers how it was made."""
    pool = multiprocessing.get_context("fork").Pool(workers, _init_worker, initargs)
    pool.spec = (workers, initargs)  # so the write step can start writers alike
    return pool


def read_files(items: list[tuple[Path, str | None]], pool, report: BuildReport,
               progress: Progress | None, label: str = "reading") -> list[FileRead]:
    """Read every item (path, expected sha1 or None), recording problems in the report."""
    results = _map(_read, items, pool)
    if progress and items:
        results = progress(results, len(items), label)
    out = []
    for r in results:
        for p in r.problems:
            (report.problems if p.fatal else report.warnings).append(p)
        out.append(r)
    return out


def group_articles(articles: Iterable[Story]) -> list[list[Story]]:
    """Articles grouped by content key, each group and the list in path order."""
    groups: dict[str, list[Story]] = {}
    for art in sorted(articles, key=lambda a: a.path):
        groups.setdefault(art.key, []).append(art)
    return list(groups.values())


def documents(groups: list[list[Story]], pool, progress: Progress | None) -> Iterable[dict]:
    docs = _map(_prepare, groups, pool, chunksize=8)
    if progress and groups:
        docs = progress(docs, len(groups), "indexing")
    return docs


# ------------------------------------------------- finishing a generation

def run_manifest(root: Path, seg: Segmenter, naive_tz: tzinfo, scanned_ns: int) -> Manifest:
    """An empty manifest for a run over ``root`` with these settings."""
    return Manifest(fingerprint=fingerprint(seg.fingerprint), reader=READER_VERSION,
                    tz=tz_name(naive_tz), corpus=str(root.resolve()), scanned_ns=scanned_ns)


def toc_generation(gen: Path) -> int:
    """The number of the Whoosh TOC the generation folder holds."""
    return windex.open_dir(str(gen)).latest_generation()


def _fsync_tree(gen: Path) -> None:
    """Make the generation's files durable before CURRENT names it (power loss, not just kill)."""
    for path in [*(p for p in gen.iterdir() if p.is_file()), gen]:
        fsync_path(path)


@contextmanager
def next_generation(index_dir: Path, report: BuildReport) -> Iterator[Path]:
    """A new generation folder to fill and publish; removed if that fails before publishing."""
    gen = new_generation(index_dir)
    try:
        yield gen
    except BaseException:
        if not _is_live(gen):
            shutil.rmtree(gen, ignore_errors=True)
        raise
    prune(index_dir)
    report.generation = gen.name


def finish_generation(gen: Path, mode: str, manifest: Manifest, meta: dict) -> None:
    """Manifest, then meta.json (marks it complete), then publish; the order matters."""
    manifest.toc_generation = toc_generation(gen)
    _checkpoint(f"{mode}:after-commit")
    write_manifest(gen, manifest)
    _checkpoint(f"{mode}:after-manifest")
    write_meta(gen, meta)
    _fsync_tree(gen)
    _checkpoint(f"{mode}:before-publish")
    publish(gen)
    _checkpoint(f"{mode}:after-publish")


def base_meta(report: BuildReport, manifest: Manifest) -> dict:
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return {
        "fingerprint": manifest.fingerprint, "built": now, "updated": now,
        "mode": report.mode, "corpus": manifest.corpus, "files": report.files,
        "articles": report.articles, "duplicates": report.duplicates,
        "skipped": len(report.problems),
    }


# -------------------------------------------------------------- full build

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
    reads = read_files([(f, None) for f in files], pool, report, progress)
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
        yield _prepare(_GROUPS[i])
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
    global _GROUPS, _SEG
    if _SEG is None or _SEG.fingerprint != seg.fingerprint:
        _SEG = seg
    _SEG.initialize()  # once here, shared with the forked writers
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
                with _fork_pool(n, pool.spec[1]) as wp:
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


def _is_live(gen: Path) -> bool:
    try:
        return current_generation(gen.parent) == gen
    except IndexNotFound:
        return False
