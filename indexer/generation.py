"""Finishing a generation: manifest, meta.json, durability, then publishing it.

An index folder holds generations (see ``search.storage``): a run writes a
complete new one (Whoosh index, ``manifest.json``, ``meta.json`` last) and
then replaces ``CURRENT``; readers see the old index or the new one, never
half of either. A process killed at any moment leaves only an unpublished
folder, which the next run deletes.
"""
from __future__ import annotations

import os
import shutil
import signal
from contextlib import contextmanager
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from typing import Iterator

from whoosh import index as windex

from search.analysis import Segmenter
from search.errors import IndexNotFound
from search.schema import fingerprint
from search.integrity import FILES_KEY, record_files
from search.storage import (current_generation, fsync_path, new_generation, prune, publish,
                            read_meta, write_meta)

from .manifest import Manifest, tz_name, write_manifest
from .reading import READER_VERSION
from .report import BuildReport

__all__ = ["base_meta", "finish_generation", "next_generation", "run_manifest",
           "toc_generation", "checkpoint"]

# Test hook: NEWSEARCH_KILL_AT=<mode>:<point>[=INT|TERM] makes the indexer send
# itself SIGKILL (or that signal) there, so tests can stop a real process at an exact step.
_KILL_ENV = "NEWSEARCH_KILL_AT"
# Test hook: NEWSEARCH_FILL_AT=<mode>:<point> with NEWSEARCH_FILL_FILE=<path> fills
# the disk holding <path> there, so disk-full tests can hit an exact step.
_FILL_ENV, _FILL_FILE_ENV = "NEWSEARCH_FILL_AT", "NEWSEARCH_FILL_FILE"


def checkpoint(point: str) -> None:
    wanted, _, name = os.environ.get(_KILL_ENV, "").partition("=")
    if wanted == point:
        os.kill(os.getpid(), getattr(signal, f"SIG{name or 'KILL'}"))
    if os.environ.get(_FILL_ENV) == point and os.environ.get(_FILL_FILE_ENV):
        _fill_disk(os.environ[_FILL_FILE_ENV])


def _fill_disk(path: str) -> None:
    try:
        with open(path, "ab", buffering=0) as f:
            while True:
                f.write(b"\0" * 65536)
    except OSError:  # ENOSPC: full now; a last partial block may still fit
        try:
            with open(path, "ab", buffering=0) as f:
                while True:
                    f.write(b"\0" * 512)
        except OSError:
            pass


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
    checkpoint(f"{mode}:after-commit")
    write_manifest(gen, manifest)
    checkpoint(f"{mode}:after-manifest")
    write_meta(gen, _with_record(gen, meta))
    _fsync_tree(gen)
    checkpoint(f"{mode}:before-publish")
    publish(gen)
    checkpoint(f"{mode}:after-publish")


def _with_record(gen: Path, meta: dict) -> dict:
    """``meta`` with the size and checksum of every file of ``gen`` (see search.integrity)."""
    try:
        live = current_generation(gen.parent)
        known = read_meta(live).get(FILES_KEY)
    except IndexNotFound:
        live, known = None, None
    return {**meta, FILES_KEY: record_files(gen, live, known)}


def base_meta(report: BuildReport, manifest: Manifest) -> dict:
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return {
        "fingerprint": manifest.fingerprint, "built": now, "updated": now,
        "mode": report.mode, "corpus": manifest.corpus, "tz": manifest.tz, "files": report.files,
        "articles": report.articles, "duplicates": report.duplicates,
        "skipped": len(report.problems),
    }


def _is_live(gen: Path) -> bool:
    try:
        return current_generation(gen.parent) == gen
    except IndexNotFound:
        return False
