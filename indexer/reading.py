"""Reading the corpus for a build: files to stories, in worker processes.

Workers are forked (they share the parent's memory) and read a file each:
bytes, front matter, HTML to text, the content key that makes the same story
filed twice one document, and the manifest entry. ``prepare`` turns a group
of such stories into the fields of one document.
"""
from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import Iterable, Iterator

from search.analysis import Segmenter, normalize
from search.names import finder_for
from search.schema import MAX_BODY_CHARS, make_document

from .corpus import Problem, parse_article, read_bytes
from .cutmemo import remember_cuts
from .dates import DEFAULT_TZ
from .manifest import Entry
from .report import BuildReport, Progress
from .story import Story

__all__ = ["FileRead", "READER_VERSION", "content_key", "documents", "fork_pool",
           "group_articles", "prepare", "read_files", "reader_pool", "use_segmenter"]

# Bump when corpus.py, clean.py or dates.py change what an Article holds:
# indexes built by an older reader are then rebuilt instead of updated.
READER_VERSION = 2  # 2: control characters dropped, files cut at 8 MB decoded
# Below this many files, worker processes cost more than they save.
_PARALLEL_MIN = 400


def content_key(title: str, body: str) -> str:
    """Identity of a story by its content: the same text filed twice is one article."""
    data = normalize(title).strip() + "\x00" + normalize(body).strip()
    return hashlib.sha1(data.encode("utf-8")).hexdigest()[:16]


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
        # The CLI's SIGTERM handler (inherited through fork) would turn Pool.terminate()
        # into an exception the worker survives, and the parent's join would hang.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
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


def prepare(group: list[Story]) -> dict:
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
        with fork_pool(workers, initargs) as pool:
            yield pool
    else:
        _init_worker(*initargs)
        yield None


def fork_pool(workers: int, initargs: tuple):
    """A pool whose processes share our memory by fork; remembers how it was made."""
    pool = multiprocessing.get_context("fork").Pool(workers, _init_worker, initargs)
    pool.spec = (workers, initargs)  # so the write step can start writers alike
    return pool


def read_files(items: list[tuple[Path, str | None]], pool, report: BuildReport,
               progress: Progress | None, label: str = "reading") -> list[FileRead]:
    """Read every item (path, expected sha1 or None), recording problems in the report."""
    # 64 files a task: the parent's CPU to hand out paths and take back articles
    # (its pool threads, per task) fell from 0.08-0.12 to 0.05 ms a file.
    results = _map(_read, items, pool, chunksize=64)
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
    docs = _map(prepare, groups, pool, chunksize=8)
    if progress and groups:
        docs = progress(docs, len(groups), "indexing")
    return docs


def use_segmenter(seg: Segmenter) -> Segmenter:
    """Make ``seg`` the one ``prepare`` uses here (and in processes forked after), loaded."""
    global _SEG
    if _SEG is None or _SEG.fingerprint != seg.fingerprint:
        _SEG = seg
    remember_cuts(_SEG)  # loads it; a writer cuts many blocks again (titles, news phrases)
    finder_for(_SEG).load()  # the names' tag tables too, before writers fork
    return _SEG
