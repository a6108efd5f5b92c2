"""Indexing into a Sphinx/Manticore cluster (``--index sphinx://host:port/name``).

The same reading, change detection and duplicate folding as a local index
(``indexer.update``); only the write differs. A full build fills the slot
readers do not use and then flips the live slot in the state table, so
readers never see a half-built cluster. An incremental update writes the
live slot in place but versioned (``search.sphinx.writer``): its new rows and
the retirement of old ones become visible together when the state row takes
its version, so a run is seen whole or not at all, as with a local index.
"""
from __future__ import annotations

import os
import time
from datetime import timezone, tzinfo
from pathlib import Path

from filelock import FileLock, Timeout

from search.analysis import Segmenter, _cache_dir
from search.errors import IndexBusy
from search.names import finder_for
from search.sphinx.assist import cluster_folder
from search.sphinx.connection import parse_url
from search.sphinx.folding import refold
from search.sphinx.settings import Settings, backend_fingerprint, settings_of
from search.sphinx.state import State, pack, unpack
from search.sphinx.writer import ClusterWriter

from .corpus import scan_corpus
from .dates import DEFAULT_TZ
from .errors import NothingToIndex
from .generation import checkpoint, run_manifest
from .manifest import Entry, Manifest
from . import reading
from .reading import READER_VERSION, group_articles, read_files, reader_pool
from .story import Story
from .synonyms import store_synonyms
from .textcounts import TextCounter
from .report import BuildReport, Progress
from .update import plan_changes, plan_reads

__all__ = ["update_cluster"]


def update_cluster(corpus: str | os.PathLike, url: str, *, rebuild: bool = False,
                   userdict=None, keep_userdict: bool = True, naive_tz: tzinfo | None = None,
                   workers: int | None = None, progress: Progress | None = None,
                   lock_timeout: float = 0, synonyms=None) -> BuildReport:
    """Bring the cluster at ``url`` in line with ``corpus`` (a full build when needed).

    As for a folder: without ``userdict`` the cluster's own is kept (unless
    ``keep_userdict`` is false), without ``naive_tz`` its zone (CST for a new one).
    """
    seg = Segmenter(userdict) if userdict else None  # a bad path fails before any work
    started = time.perf_counter()
    root = Path(corpus)
    host, port, name = parse_url(url)
    lock = FileLock(os.path.join(_cache_dir(), f"sphinx-{host}-{port}-{name}.lock"))
    try:
        lock.acquire(timeout=lock_timeout)
    except Timeout:
        raise IndexBusy(f"another indexer is writing {url}") from None
    writer = None
    try:
        if synonyms:
            store_synonyms(cluster_folder(host, port, name), synonyms)
        writer = ClusterWriter(url)
        stored = settings_of(unpack(writer.state.manifest) if writer.state.manifest else None)
        if seg is None:
            seg = (stored if keep_userdict else Settings()).segmenter()
        naive_tz = naive_tz or (stored.zone if writer.state.live else DEFAULT_TZ)
        writer.zone = naive_tz
        scanned_ns = time.time_ns()
        files, notes = scan_corpus(root)
        report = BuildReport(corpus=str(root), index=url, files=len(files), warnings=list(notes))
        manifest, reason = _live_state(writer.state, root, seg, naive_tz, stored)
        if rebuild:
            reason = "asked for with --rebuild"
        if reason:
            report.reason = reason
            _full(writer, root, files, seg, naive_tz, scanned_ns, report, workers, progress)
        else:
            _update(writer, root, files, manifest, seg, naive_tz, scanned_ns, report, workers,
                    progress)
    finally:
        if writer is not None:
            writer.close()
        lock.release()
    report.seconds = time.perf_counter() - started
    return report


def _manifest(state: State) -> Manifest | None:
    data = unpack(state.manifest) if state.manifest else None
    if not data or data.get("shards") != len(state.shards):
        return None  # routing is by id modulo the shard count: a new count moves rows
    try:
        return Manifest(fingerprint=data["fingerprint"], reader=data["reader"], tz=data["tz"],
                        corpus=data["corpus"], scanned_ns=data["scanned_ns"],
                        files={p: Entry(*v) for p, v in data["files"].items()})
    except (KeyError, TypeError):
        return None


def _packed(m: Manifest, shards: int, seg: Segmenter) -> str:
    """The manifest as the state row keeps it, with the dictionary readers must use."""
    return pack({"shards": shards, "fingerprint": m.fingerprint, "reader": m.reader, "tz": m.tz,
                 "corpus": m.corpus, "scanned_ns": m.scanned_ns, "userdict": seg.userdict_text,
                 "files": {p: [e.size, e.mtime_ns, e.sha1, e.key] for p, e in m.files.items()}})


def _live_state(state: State, root: Path, seg: Segmenter, naive_tz: tzinfo, stored: Settings
                ) -> tuple[Manifest | None, str]:
    """The live manifest, or why the next build must be a full one."""
    if not state.live:
        return None, "no index on the cluster yet"
    want = run_manifest(root, seg, naive_tz, 0)
    if stored.userdict != seg.userdict_text:
        return None, "the user dictionary changed"
    if stored.tz != want.tz:
        return None, f"the time zone for dates without one changed ({stored.tz} -> {want.tz})"
    if state.fingerprint != backend_fingerprint(seg, want.tz):
        return None, "the analysis changed"
    manifest = _manifest(state)
    if manifest is None:
        return None, "the cluster has no usable manifest (or its number of shards changed)"
    if manifest.reader != READER_VERSION:
        return None, "the article reader changed"
    if manifest.corpus != want.corpus:
        return None, f"the corpus folder changed ({manifest.corpus} -> {want.corpus})"
    return manifest, ""


def _full(writer: ClusterWriter, root: Path, files: list[Path], seg: Segmenter,
          naive_tz: tzinfo, scanned_ns: int, report: BuildReport, workers, progress) -> None:
    report.mode = "full"
    slot = writer.spare_slot()
    with reader_pool(root, naive_tz, None, len(files), workers) as pool:
        reads = read_files([(f, None) for f in files], pool, report, progress)
        groups = group_articles(r.article for r in reads if r.article is not None)
        if not groups:
            raise NothingToIndex(f"no readable article in {report.corpus} "
                                 f"({len(files)} files, {len(report.problems)} skipped)")
        report.indexed = sum(len(g) for g in groups)
        report.articles, report.duplicates = len(groups), report.indexed - len(groups)
        writer.truncate(slot)
        counter = TextCounter(seg)  # the lexicon for pinyin, homophones, suggestions
        categories = writer.add(counter.tap(_documents(groups, pool, progress)), slot)
    refold(writer, slot, writer.stub_keys)  # a key without a stub has nothing to fold
    manifest = run_manifest(root, seg, naive_tz, scanned_ns)
    manifest.files = {r.rel: r.entry for r in reads if r.entry is not None}
    checkpoint("cluster:before-publish")
    writer.commit(State(slot, [], backend_fingerprint(seg, manifest.tz), sorted(categories),
                        _packed(manifest, len(writer.shards), seg)))
    counter.write(cluster_folder(*parse_url(writer.url)), add_to_existing=False)
    # The old slot keeps its rows until the next rebuild empties it: a reader
    # that read the state a moment ago may still be searching it.
    report.generation = slot


def _update(writer: ClusterWriter, root: Path, files: list[Path], manifest: Manifest,
            seg: Segmenter, naive_tz: tzinfo, scanned_ns: int, report: BuildReport,
            workers, progress) -> None:
    report.mode = "update"
    live = writer.state.live
    disk, removed, to_read = plan_reads(root, files, manifest)
    report.generation = live
    if not to_read and not removed:
        report.unchanged = len(manifest.files)
        report.articles = len(manifest.keys())
        report.duplicates = len(manifest.files) - report.articles
        report.changes = {"added": [], "updated": [], "removed": []}
        return
    with reader_pool(root, naive_tz, None, len(to_read), workers) as pool:
        change = plan_changes(root, disk, removed, to_read, manifest, seg, naive_tz,
                              scanned_ns, report, pool, progress)
        categories: set[str] = set()
        counter, gone = TextCounter(seg), TextCounter(seg)
        if change.affected or change.touched:
            writer.tidy(live)  # before this run's version is used: a failed run's rows go
        if change.affected:
            for _ in gone.tap(writer.retire(change.affected, live)):
                pass  # counted, to be taken out of the lexicon
            categories = writer.add(counter.tap(_documents(change.groups, pool, progress)),
                                    live)
            refold(writer, live, writer.touched)  # in this version: published with the rest
    checkpoint("cluster:update-before-publish")
    if change.affected or change.touched:
        state = writer.state
        categories |= set(state.categories)
        writer.commit(State(live, [], state.fingerprint, sorted(categories),
                            _packed(change.manifest, len(writer.shards), seg)))
    if change.affected:
        counter.write(cluster_folder(*parse_url(writer.url)), add_to_existing=True, less=gone)


def _document(group: list[Story]) -> dict:
    """What a row needs of a group of duplicate files (jieba only to find the names)."""
    first = group[0]
    body, html = first.texts()
    seg = reading._SEG or reading.use_segmenter(Segmenter(None))
    return {"id": first.key, "path": first.path, "paths": [a.path for a in group],
            "names": finder_for(seg).find(first.title, body).as_dict(), "title": first.title,
            "body": body, "html": html, "author": first.author,
            "categories": list(dict.fromkeys(c for a in group for c in a.categories)),
            "date": first.date.astimezone(timezone.utc).isoformat() if first.date else None}


def _documents(groups: list[list[Story]], pool, progress: Progress | None):
    docs = pool.imap(_document, groups, 8) if pool else map(_document, groups)
    return progress(docs, len(groups), "indexing") if progress and groups else docs
