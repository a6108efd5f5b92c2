"""Incremental update: bring the index in line with the corpus, reading only what changed.

``update_index`` compares the corpus with the live generation's manifest:
new files are added, changed files re-indexed, deleted files removed.
A file whose size and mtime match its manifest entry is not opened; one whose
mtime alone moved is hashed, and re-read only if its bytes changed.

Documents are groups of files with the same content key (the same story filed
twice). Every group a change touches is deleted by id and added again from
all its current files, so removing one of two duplicates keeps the other,
and a changed file moves to the group its new text belongs to. Files of a
touched group that did not change are read again for that (a handful).

The change is written into a new generation: the live one's files are
hard-linked into it (Whoosh never rewrites a file in place), a Whoosh writer
applies the deletions and additions there, and the generation is published
like a full build. Readers keep the old generation until the switch, and a
killed update leaves the live index exactly as it was.

A full build happens instead, and ``report.reason`` says why, when there is
no index yet, when the analysis (code version, jieba, user dictionary), the
article reader, the time zone for naive dates or the corpus folder differ
from the index's, or when the manifest does not describe the live index.
"""
from __future__ import annotations

import os
import shutil
from functools import partial
import time
from dataclasses import dataclass
from pathlib import Path
from datetime import tzinfo

from whoosh import index as windex
from whoosh.writing import MERGE_SMALL

from search.analysis import Segmenter
from search.backend import is_cluster_url
from search.errors import IndexNotFound
from search.index import USERDICT_NAME
from search.columnar import has_whoosh_postings, write_missing
from search.integrity import size_problems
from search.storage import META_NAME, current_generation, read_meta
from search.zones import zone_named

from .build import full_build
from .lexicon import update_lexicon
from .synonyms import store_synonyms
from .generation import (base_meta, finish_generation, next_generation, run_manifest,
                         toc_generation)
from .reading import READER_VERSION, documents, group_articles, read_files, reader_pool
from .report import BuildReport, Progress
from .lock import clear_unpublished, index_lock
from .corpus import scan_corpus
from .story import Story
from .dates import DEFAULT_TZ
from .errors import CorpusNotFound, NothingToIndex
from .manifest import MANIFEST_NAME, Entry, Manifest, load_manifest, write_manifest

__all__ = ["update_index", "plan_reads", "plan_changes", "Changes", "REBUILD_SHARE",
           "REBUILD_MIN_FILES"]

# An update costs several times a full build per file it rewrites (deletions,
# re-reading whole duplicate groups, merging): past about a fifth of the corpus
# (measured on 2,000 files) a full build is as fast and leaves a compact index.
REBUILD_SHARE = 0.2
REBUILD_MIN_FILES = 100


@dataclass
class Changes:
    """What an update rewrites: content keys, their groups of files, the new manifest."""

    affected: set[str]
    groups: list[list[Story]]
    manifest: Manifest
    touched: bool  # file times moved without a change of content


def update_index(corpus: str | os.PathLike, index_dir: str | os.PathLike, *,
                 rebuild: bool = False, userdict: str | os.PathLike | None = None,
                 keep_userdict: bool = True, naive_tz: tzinfo | None = None,
                 workers: int | None = None, limitmb: int = 256,
                 progress: Progress | None = None, lock_timeout: float = 0,
                 synonyms: str | os.PathLike | None = None) -> BuildReport:
    """Update the index of ``corpus`` in ``index_dir`` (a full build when needed or asked).

    Without ``userdict``, the dictionary the index was built with is kept
    (unless ``keep_userdict`` is false); without ``naive_tz``, so is its time
    zone for dates written without one (``DEFAULT_TZ`` for a new index).
    ``synonyms``: a file of synonym groups to store with the index (no rebuild).
    """
    if is_cluster_url(index_dir):
        from .cluster import update_cluster

        return update_cluster(corpus, str(index_dir), rebuild=rebuild, userdict=userdict,
                              keep_userdict=keep_userdict, naive_tz=naive_tz, workers=workers,
                              progress=progress, lock_timeout=lock_timeout, synonyms=synonyms)
    started = time.perf_counter()
    root, index_dir = Path(corpus), Path(index_dir)
    seg = Segmenter(userdict) if userdict else None  # a bad path fails before any work
    if not root.is_dir():  # before the lock: a mistyped corpus must not create an index folder
        raise CorpusNotFound(f"corpus folder not found: {root}")
    with index_lock(index_dir, lock_timeout):
        clear_unpublished(index_dir)
        if synonyms:
            store_synonyms(index_dir, synonyms)
        if seg is None:
            userdict = _stored_userdict(index_dir) if keep_userdict else None
            seg = Segmenter(userdict)
        naive_tz = naive_tz or _stored_tz(index_dir) or DEFAULT_TZ
        scanned_ns = time.time_ns()
        files, notes = scan_corpus(root)
        report = BuildReport(corpus=str(root), index=str(index_dir), files=len(files),
                             warnings=list(notes))
        live, manifest, reason = _live_state(index_dir, root, seg, naive_tz)
        if rebuild:
            reason = "asked for with --rebuild"
        try:
            if reason:
                report.reason = reason
                full_build(root, files, index_dir, seg, naive_tz, scanned_ns, report,
                           userdict=userdict, workers=workers, progress=progress)
            else:
                _update(root, files, index_dir, live, manifest, seg, naive_tz, scanned_ns,
                        report, userdict=userdict, workers=workers, limitmb=limitmb,
                        progress=progress)
        except NothingToIndex as exc:
            exc.report = report  # so --report can still name every skipped file
            report.seconds = time.perf_counter() - started
            raise
    report.seconds = time.perf_counter() - started
    return report


def _stored_userdict(index_dir: Path) -> str | None:
    try:
        path = current_generation(index_dir) / USERDICT_NAME
    except IndexNotFound:
        return None
    return str(path) if path.is_file() else None


def _stored_tz(index_dir: Path) -> tzinfo | None:
    try:
        live = current_generation(index_dir)
        name = read_meta(live).get("tz")
    except IndexNotFound:
        return None
    if name is None:  # built before meta named it
        manifest = load_manifest(live)
        name = manifest.tz if manifest else None
    return zone_named(name)


def _live_state(index_dir: Path, root: Path, seg: Segmenter, naive_tz: tzinfo
                ) -> tuple[Path | None, Manifest | None, str]:
    """The live generation and its manifest, or why the next build must be a full one."""
    try:
        live = current_generation(index_dir)
        meta = read_meta(live)
    except IndexNotFound as exc:
        if not (index_dir / "CURRENT").exists():
            return None, None, f"no index in {index_dir} yet"
        return None, None, f"the live index is unusable ({exc})"
    if damage := size_problems(live, meta):
        return None, None, f"the live index is damaged ({'; '.join(damage)})"
    want = run_manifest(root, seg, naive_tz, 0)
    if meta.get("fingerprint") != want.fingerprint:
        stored = live / USERDICT_NAME
        old_dict = stored.read_text(encoding="utf-8") if stored.is_file() else ""
        if old_dict != seg.userdict_text:
            return None, None, "the user dictionary changed"
        return None, None, (f"the analysis changed (index built with {meta.get('fingerprint')}, "
                            f"this version uses {want.fingerprint})")
    manifest = load_manifest(live)
    if manifest is None:
        return None, None, "the index has no usable manifest (built by an older version?)"
    if manifest.reader != READER_VERSION:
        return None, None, (f"the article reader changed (version {manifest.reader} -> "
                            f"{READER_VERSION})")
    if manifest.tz != want.tz:
        return None, None, f"the time zone for dates without one changed ({manifest.tz} -> {want.tz})"
    if manifest.corpus != want.corpus:
        return None, None, f"the corpus folder changed ({manifest.corpus} -> {want.corpus})"
    try:
        toc = toc_generation(live)
    except Exception as exc:  # Whoosh raises many kinds on a damaged folder
        return None, None, f"the live index cannot be opened ({exc})"
    if toc != manifest.toc_generation:
        return None, None, (f"the index and its manifest disagree (Whoosh TOC {toc}, "
                            f"manifest {manifest.toc_generation})")
    return live, manifest, ""


def _update(root: Path, files: list[Path], index_dir: Path, live: Path, manifest: Manifest,
            seg: Segmenter, naive_tz: tzinfo, scanned_ns: int, report: BuildReport, *,
            userdict, workers, limitmb: int, progress: Progress | None) -> None:
    report.mode = "update"
    old = manifest.files
    disk, removed, to_read = plan_reads(root, files, manifest)
    if not to_read and not removed:
        _unchanged(report, manifest, live)
        return
    changed = sum(sha is None for _, sha in to_read) + len(removed)
    if changed >= REBUILD_MIN_FILES and changed > REBUILD_SHARE * max(len(old), len(disk)):
        report.reason = (f"{changed} of {max(len(old), len(disk))} files changed, more than "
                         f"{REBUILD_SHARE:.0%}: a full build is as fast and keeps the index small")
        full_build(root, files, index_dir, seg, naive_tz, scanned_ns, report,
                   userdict=userdict, workers=workers, progress=progress)
        return
    stale, stored = _stale_documents(live)
    if stale + changed >= REBUILD_MIN_FILES and stale + changed > REBUILD_SHARE * stored:
        # Updates never merge a full build's segments, whose replaced and
        # deleted articles stay on disk: past a fifth, rebuild to shed them.
        report.reason = (f"{stale} replaced or deleted articles are still stored and {changed} "
                         f"files changed, more than {REBUILD_SHARE:.0%} of {stored} stored: "
                         f"a full build is as fast and keeps the index small")
        full_build(root, files, index_dir, seg, naive_tz, scanned_ns, report,
                   userdict=userdict, workers=workers, progress=progress)
        return
    with reader_pool(root, naive_tz, userdict, len(to_read), workers) as pool:
        _apply(root, disk, removed, to_read, index_dir, live, manifest, seg, naive_tz,
               scanned_ns, report, pool, limitmb, progress)


def plan_reads(root: Path, files: list[Path], manifest: Manifest
               ) -> tuple[dict[str, Path], list[str], list[tuple[Path, str | None]]]:
    """(files on disk by relative path, removed paths, files to read with expected sha1)."""
    old = manifest.files
    disk = {path.relative_to(root).as_posix(): path for path in files}
    removed = sorted(set(old) - set(disk))
    to_read: list[tuple[Path, str | None]] = []
    for rel, path in disk.items():
        entry = old.get(rel)
        if entry is None:
            to_read.append((path, None))
            continue
        try:
            st = os.stat(path)
        except OSError:
            to_read.append((path, None))  # reading says why
            continue
        if st.st_size != entry.size:
            to_read.append((path, None))
        elif st.st_mtime_ns != entry.mtime_ns or manifest.is_racy(entry):
            to_read.append((path, entry.sha1))  # re-read only if the bytes changed
    return disk, removed, to_read


def _unchanged(report: BuildReport, manifest: Manifest, live: Path) -> None:
    report.unchanged = len(manifest.files)
    report.articles = len(manifest.keys())
    report.duplicates = len(manifest.files) - report.articles
    report.changes = {"added": [], "updated": [], "removed": []}
    report.generation = live.name


def _apply(root: Path, disk: dict[str, Path], removed: list[str],
           to_read: list[tuple[Path, str | None]], index_dir: Path, live: Path,
           manifest: Manifest, seg: Segmenter, naive_tz: tzinfo, scanned_ns: int,
           report: BuildReport, pool, limitmb: int, progress: Progress | None) -> None:
    change = plan_changes(root, disk, removed, to_read, manifest, seg, naive_tz, scanned_ns,
                          report, pool, progress)
    if not change.affected:
        report.generation = live.name
        if change.touched:  # same documents; only file times to remember
            change.manifest.toc_generation = manifest.toc_generation
            write_manifest(live, change.manifest)
        return
    affected, groups, new_manifest = change.affected, change.groups, change.manifest
    with next_generation(index_dir, report) as gen:
        _link_generation(live, gen)
        ix = windex.open_dir(str(gen))
        # Not compound: Whoosh copies a compound segment's parts into memory
        # in every searcher that opens it.
        writer = ix.writer(limitmb=limitmb, compound=False)
        try:
            for key in sorted(affected):
                writer.delete_by_term("id", key)
            for doc in documents(groups, pool, progress):
                writer.add_document(**doc)
            writer.commit(mergetype=partial(_merge_small, gen))
        except BaseException:
            writer.cancel()  # never leave Whoosh's write lock held
            raise
        _write_arrays(gen)
        update_lexicon(gen, live, seg)
        meta = dict(read_meta(live))
        meta.update({k: v for k, v in base_meta(report, new_manifest).items() if k != "built"})
        finish_generation(gen, "update", new_manifest, meta)


def plan_changes(root: Path, disk: dict[str, Path], removed: list[str],
                 to_read: list[tuple[Path, str | None]], manifest: Manifest, seg: Segmenter,
                 naive_tz: tzinfo, scanned_ns: int, report: BuildReport, pool,
                 progress: Progress | None) -> Changes:
    """Read what changed: the documents to rewrite and the manifest to record."""
    old = manifest.files
    files = dict(old)                       # the new manifest's entries
    articles: dict[str, Story] = {}       # files read this run, by path
    failed: set[str] = set()                # files that could not be read this run
    affected: set[str] = set()              # content keys whose documents are rewritten
    added, updated, touched = [], [], False
    for r in read_files(to_read, pool, report, progress):
        entry = old.get(r.rel)
        if r.same:  # only the mtime moved: remember the new one, read nothing more
            files[r.rel] = Entry(r.stat[0], r.stat[1], entry.sha1, entry.key)
            touched = True
        elif r.article is None:
            failed.add(r.rel)
            if entry is not None:  # keep what was indexed; retried on the next run
                for p in r.problems:
                    if p.fatal:
                        p.reason += "; the previously indexed version stays searchable"
        else:
            articles[r.rel] = r.article
            files[r.rel] = r.entry
            affected.add(r.entry.key)
            if entry is None:
                added.append(r.rel)
            else:
                updated.append(r.rel)
                affected.add(entry.key)
    for rel in removed:
        affected.add(files.pop(rel).key)
    _read_siblings(disk, files, articles, failed, affected, pool, report)
    report.changes = {"added": added, "updated": updated, "removed": removed}
    report.indexed, report.updated, report.removed = len(added), len(updated), len(removed)
    report.unchanged = len(disk) - len(added) - len(updated) - len(failed)
    if not files:
        raise NothingToIndex(f"no readable article left in {report.corpus} "
                             f"({len(disk)} files, {len(report.problems)} skipped); "
                             f"the previous index is kept")
    keys = {e.key for e in files.values()}
    report.articles, report.duplicates = len(keys), len(files) - len(keys)
    new_manifest = run_manifest(root, seg, naive_tz, scanned_ns)
    new_manifest.files = files
    groups = group_articles(articles[rel] for rel, e in files.items() if e.key in affected)
    return Changes(affected, groups, new_manifest, touched)


def _stale_documents(live: Path) -> tuple[int, int]:
    """(documents deleted but still stored, documents stored) in the live generation."""
    ix = windex.open_dir(str(live))
    return ix.doc_count_all() - ix.doc_count(), ix.doc_count_all()


def _merge_small(gen: Path, writer, segments):
    """Whoosh's MERGE_SMALL over the segments Whoosh's writer made.

    A full build's segments keep the text fields' postings in their arrays
    only: Whoosh's merge would drop them, so those segments are never merged
    here (a rebuild rewrites them).
    """
    mergeable = [s for s in segments if has_whoosh_postings(gen, s)]
    kept = [s for s in segments if s not in mergeable]
    return kept + MERGE_SMALL(writer, mergeable)


def _write_arrays(gen: Path) -> None:
    """Postings arrays for the segments Whoosh's writer made (new or merged)."""
    ix = windex.open_dir(str(gen))
    with ix.reader() as reader:
        leaves = [reader] if reader.is_atomic() else [r for r, _ in reader.leaf_readers()]
        write_missing(gen, leaves)


def _read_siblings(disk: dict[str, Path], files: dict[str, Entry],
                   articles: dict[str, Story], failed: set[str], affected: set[str],
                   pool, report: BuildReport) -> None:
    """Read the unchanged files of every touched group, so each group is rebuilt whole.

    A sibling that turns out changed (same size and mtime, other bytes) joins
    its new group, which is then touched too; hence the loop.
    """
    while True:
        need = [rel for rel, e in files.items()
                if e.key in affected and rel not in articles]
        for rel in [rel for rel in need if rel in failed]:
            del files[rel]  # unreadable this run: its group is rebuilt without it
        need = [rel for rel in need if rel not in failed]
        if not need:
            return
        for r in read_files([(disk[rel], None) for rel in need], pool, report, None):
            if r.article is None:
                # Unreadable now: left out of its group and of the manifest,
                # so it is read again (and reported) on the next run.
                failed.add(r.rel)
                del files[r.rel]
                continue
            if r.entry.key != files[r.rel].key:
                affected.add(r.entry.key)
            articles[r.rel] = r.article
            files[r.rel] = r.entry


def _link_generation(live: Path, gen: Path) -> None:
    """Put the live generation's Whoosh files into ``gen`` as hard links (copies if need be)."""
    skip = {META_NAME, MANIFEST_NAME}
    for src in live.iterdir():
        name = src.name
        if name in skip or "WRITELOCK" in name or ".tmp" in name or not src.is_file():
            continue
        try:
            os.link(src, gen / name)
        except OSError:
            shutil.copy2(src, gen / name)
