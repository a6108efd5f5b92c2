"""Where an index lives on disk, and how a new one replaces the old atomically.

An index folder holds generations (``gen-000001/`` …), each a complete Whoosh
index with its ``meta.json``, and a ``CURRENT`` file naming the live one.
A build writes a new generation and then replaces ``CURRENT`` with
``os.replace`` (atomic on POSIX): a reader sees the old index or the new one,
never half of either.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from .errors import IndexNotFound

__all__ = ["current_generation", "new_generation", "publish", "read_meta",
           "write_meta", "prune", "fsync_path", "META_NAME"]

CURRENT = "CURRENT"
META_NAME = "meta.json"
_PREFIX = "gen-"


def current_generation(index_dir: str | os.PathLike) -> Path:
    """The live generation's folder; IndexNotFound if there is none."""
    root = Path(index_dir)
    try:
        name = (root / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise IndexNotFound(f"no index at {root} (build one with: python -m indexer)") from None
    except OSError as exc:
        raise IndexNotFound(f"cannot read index at {root}: {exc.strerror}") from None
    gen = root / name
    if not name.startswith(_PREFIX) or "/" in name or not (gen / META_NAME).is_file():
        raise IndexNotFound(f"index at {root} is incomplete: {CURRENT} names {name!r}")
    return gen


def _generations(root: Path) -> list[Path]:
    return sorted(p for p in root.glob(_PREFIX + "*") if p.is_dir())


def new_generation(index_dir: str | os.PathLike) -> Path:
    """Create and return an empty folder for the next generation."""
    root = Path(index_dir)
    root.mkdir(parents=True, exist_ok=True)
    numbers = [int(p.name[len(_PREFIX):]) for p in _generations(root)
               if p.name[len(_PREFIX):].isdigit()]
    gen = root / f"{_PREFIX}{max(numbers, default=0) + 1:06d}"
    gen.mkdir()
    return gen


def publish(gen: Path) -> None:
    """Make ``gen`` the live generation, atomically and durably."""
    root = gen.parent
    tmp = root / f"{CURRENT}.tmp{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(gen.name + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, root / CURRENT)
    except BaseException:  # a full disk, say: leave nothing behind
        tmp.unlink(missing_ok=True)
        raise
    fsync_path(root)


def fsync_path(path: Path) -> None:
    """Flush a file or a folder's entries to disk; best effort (some filesystems refuse)."""
    try:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass


def prune(index_dir: str | os.PathLike, keep: int = 2) -> None:
    """Delete old generations, keeping the live one and the one before it.

    The previous one is kept because a reader that opened it a moment ago
    may still be searching it.
    """
    root = Path(index_dir)
    try:
        live = current_generation(root)
    except IndexNotFound:
        return
    older = [p for p in _generations(root) if p.name < live.name]
    for path in older[: max(0, len(older) - (keep - 1))]:
        shutil.rmtree(path, ignore_errors=True)
    for path in _generations(root):
        if path.name > live.name and not (path / META_NAME).exists():
            shutil.rmtree(path, ignore_errors=True)  # left by a killed build


def read_meta(gen: Path) -> dict:
    """The generation's metadata (fingerprint, counts, sources)."""
    try:
        return json.loads((gen / META_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexNotFound(f"index metadata unreadable in {gen}: {exc}") from None


def write_meta(gen: Path, meta: dict) -> None:
    """Write metadata last: its presence marks the generation complete."""
    tmp = gen / (META_NAME + ".tmp")
    tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, gen / META_NAME)
