"""The index's write lock: one indexer at a time, never a stale lock.

An ``flock`` on ``INDEX/.lock`` (the ``filelock`` package), which the kernel
releases when its holder dies, even by SIGKILL; ``.lock.info`` names the
holder for the message a second indexer prints.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from filelock import FileLock, Timeout

from search.errors import IndexBusy, IndexNotFound
from search.storage import current_generation, prune

__all__ = ["index_lock", "clear_unpublished", "LOCK_NAME", "LOCK_INFO"]

LOCK_NAME = ".lock"
LOCK_INFO = ".lock.info"


@contextmanager
def index_lock(index_dir: Path, timeout: float = 0) -> Iterator[None]:
    """Hold the index's write lock; IndexBusy (naming the holder) after ``timeout`` s."""
    index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(index_dir / LOCK_NAME))
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        waited = f" (waited {timeout:g} s)" if timeout > 0 else ""
        raise IndexBusy(f"another indexer{_holder(index_dir)} is working on {index_dir}"
                        f"{waited}; try again when it is done, or pass --wait SECONDS"
                        ) from None
    try:
        info = {"pid": os.getpid(), "host": socket.gethostname(),
                "since": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        try:
            (index_dir / LOCK_INFO).write_text(json.dumps(info), encoding="utf-8")
        except OSError:
            pass  # only informative
        yield
    finally:
        lock.release()


def _holder(index_dir: Path) -> str:
    try:
        info = json.loads((index_dir / LOCK_INFO).read_text(encoding="utf-8"))
        return f" (pid {int(info['pid'])} since {info['since']})"
    except (OSError, ValueError, KeyError, TypeError):
        return ""


def clear_unpublished(index_dir: Path) -> None:
    """Delete generation folders a killed run left behind (call with the lock held)."""
    prune(index_dir)
    try:
        live = current_generation(index_dir).name
    except IndexNotFound:
        return
    for gen in index_dir.glob("gen-*"):
        if gen.is_dir() and gen.name > live:
            shutil.rmtree(gen, ignore_errors=True)
