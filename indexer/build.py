"""Build an index from a corpus, beside the live one, and switch atomically."""
from __future__ import annotations

import hashlib
import multiprocessing
import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from typing import Callable, Iterable

from filelock import FileLock, Timeout
from whoosh import index as windex

from search.analysis import Segmenter, normalize
from search.errors import IndexBusy
from search.index import USERDICT_NAME
from search.schema import MAX_BODY_CHARS, build_schema, fingerprint, make_document
from search.storage import new_generation, prune, publish, write_meta

from .corpus import Article, Problem, find_files, read_article
from .dates import DEFAULT_TZ
from .errors import NothingToIndex

__all__ = ["BuildReport", "build_index", "content_key"]

LOCK_NAME = ".lock"
# Below this many files, worker processes cost more than they save.
_PARALLEL_MIN = 400


@dataclass
class BuildReport:
    """What a build did: counts, problems, and where the index went."""

    corpus: str
    index: str
    files: int = 0
    articles: int = 0
    duplicates: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    generation: str = ""


def content_key(title: str, body: str) -> str:
    """Identity of a story by its content: the same text filed twice is one article."""
    data = normalize(title).strip() + "\x00" + normalize(body).strip()
    return hashlib.sha1(data.encode("utf-8")).hexdigest()[:16]


# Worker-process state: set once per process by _init_worker.
_ROOT: Path | None = None
_TZ: tzinfo = DEFAULT_TZ
_SEG: Segmenter | None = None


def _init_worker(root: str, naive_tz: tzinfo, userdict: str | None) -> None:
    global _ROOT, _TZ, _SEG
    _ROOT, _TZ = Path(root), naive_tz
    _SEG = Segmenter(userdict)
    _SEG.initialize()


def _read(path: Path) -> tuple[Article | None, list[Problem], str]:
    art, problems = read_article(_ROOT, path, _TZ)
    return art, problems, content_key(art.title, art.body) if art else ""


def _prepare(group: list[Article]) -> dict:
    first = group[0]
    cats = list(dict.fromkeys(c for a in group for c in a.categories))
    return make_document(
        _SEG, id=content_key(first.title, first.body), path=first.path,
        paths=[a.path for a in group], title=first.title, body=first.body, html=first.html,
        author=first.author, categories=cats, date=first.date)


def _map(func, items: Iterable, pool, chunksize: int = 16):
    return pool.imap(func, items, chunksize) if pool else map(func, items)


def build_index(corpus: str | os.PathLike, index_dir: str | os.PathLike, *,
                userdict: str | os.PathLike | None = None, naive_tz: tzinfo = DEFAULT_TZ,
                workers: int | None = None, limitmb: int = 256,
                progress: Callable[[Iterable, int, str], Iterable] | None = None,
                lock_timeout: float = 0) -> BuildReport:
    """Build a fresh index of ``corpus`` and make it the live one in ``index_dir``."""
    started = time.perf_counter()
    root, index_dir = Path(corpus), Path(index_dir)
    files = find_files(root)
    index_dir.mkdir(parents=True, exist_ok=True)
    report = BuildReport(corpus=str(root), index=str(index_dir), files=len(files))
    seg = Segmenter(userdict)  # reads the user dictionary now: a bad path fails early
    lock = FileLock(str(index_dir / LOCK_NAME))
    try:
        lock.acquire(timeout=lock_timeout)
    except Timeout:
        raise IndexBusy(f"another indexer is working on {index_dir} "
                        f"(lock file {index_dir / LOCK_NAME})") from None
    try:
        prune(index_dir)  # clears generations left by a killed build
        workers = workers or min(2, os.cpu_count() or 1)
        use_pool = workers > 1 and len(files) >= _PARALLEL_MIN
        initargs = (str(root), naive_tz, str(userdict) if userdict else None)
        if use_pool:
            with multiprocessing.get_context("fork").Pool(workers, _init_worker, initargs) as pool:
                _run(files, index_dir, seg, report, pool, limitmb, progress)
        else:
            _init_worker(*initargs)
            _run(files, index_dir, seg, report, None, limitmb, progress)
    finally:
        lock.release()
    report.seconds = time.perf_counter() - started
    return report


def _group(files, pool, report: BuildReport, progress) -> list[list[Article]]:
    groups: dict[str, list[Article]] = {}
    items = _map(_read, files, pool)
    if progress:
        items = progress(items, len(files), "reading")
    for art, problems, key in items:
        for p in problems:
            (report.problems if p.fatal else report.warnings).append(p)
        if art is not None:
            if len(art.body) > MAX_BODY_CHARS:
                report.warnings.append(Problem(
                    art.path, f"body of {len(art.body)} characters; only the first "
                              f"{MAX_BODY_CHARS} are searchable", False))
            groups.setdefault(key, []).append(art)
    return list(groups.values())


def _run(files, index_dir: Path, seg: Segmenter, report: BuildReport, pool, limitmb,
         progress) -> None:
    groups = _group(files, pool, report, progress)
    if not groups:
        raise NothingToIndex(f"no readable article in {report.corpus} "
                             f"({len(files)} files, {len(report.problems)} reported)")
    report.articles = len(groups)
    report.duplicates = sum(len(g) - 1 for g in groups)
    gen = new_generation(index_dir)
    ix = windex.create_in(str(gen), build_schema())
    writer = ix.writer(limitmb=limitmb)
    try:
        docs = _map(_prepare, groups, pool, chunksize=8)
        if progress:
            docs = progress(docs, len(groups), "indexing")
        for doc in docs:
            writer.add_document(**doc)
        writer.commit()
    except BaseException:
        writer.cancel()  # never leave Whoosh's write lock held
        shutil.rmtree(gen, ignore_errors=True)
        raise
    if seg.userdict_text:
        (gen / USERDICT_NAME).write_text(seg.userdict_text, encoding="utf-8")
    write_meta(gen, {
        "fingerprint": fingerprint(seg.fingerprint),
        "built": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "corpus": str(Path(report.corpus).resolve()),
        "files": report.files, "articles": report.articles,
        "duplicates": report.duplicates, "skipped": len(report.problems),
    })
    publish(gen)
    prune(index_dir)
    report.generation = gen.name
