"""What a generation holds, recorded when it is published, and checks against that record.

``meta.json`` lists every file of the generation (whatever writes them: Whoosh
segments, the array files beside them, the user dictionary) with its size
and SHA-1. Opening an index and every search compare sizes (one ``stat`` a
file), which catches a file truncated, emptied or deleted under a live
index; ``verify`` (``python -m indexer --check``) also compares checksums.
A generation written before the record existed is not checked.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from .errors import IndexCorrupt

__all__ = ["FILES_KEY", "record_files", "check_sizes", "size_problems", "verify"]

FILES_KEY = "published_files"  # name -> size and SHA-1 of every file, at publish time
# Not part of what a search reads, or rewritten in place after publishing.
_UNRECORDED = {"meta.json", "manifest.json"}
_CHUNK = 1 << 20


def _recorded(path: Path) -> bool:
    name = path.name
    return (path.is_file() and name not in _UNRECORDED and "WRITELOCK" not in name
            and ".tmp" not in name)


def _sha1(path: Path) -> str:
    digest = hashlib.sha1()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def record_files(gen: Path, previous: Path | None = None,
                 known: dict | None = None) -> dict[str, dict]:
    """``{name: {"size", "sha1"}}`` for every file of ``gen``.

    A file hard-linked from ``previous`` (same inode), whose record is in
    ``known``, keeps its checksum: an update does not read the unchanged
    segments again.
    """
    out: dict[str, dict] = {}
    for path in sorted(p for p in gen.iterdir() if _recorded(p)):
        st = path.stat()
        old = (known or {}).get(path.name)
        if old and previous is not None and old.get("size") == st.st_size \
                and _same_inode(st, previous / path.name):
            out[path.name] = dict(old)
        else:
            out[path.name] = {"size": st.st_size, "sha1": _sha1(path)}
    return out


def _same_inode(st: os.stat_result, other: Path) -> bool:
    try:
        o = other.stat()
    except OSError:
        return False
    return (o.st_ino, o.st_dev) == (st.st_ino, st.st_dev)


def _size_problem(path: Path, size: int) -> str:
    try:
        actual = path.stat().st_size
    except FileNotFoundError:
        return f"{path} is missing"
    except OSError as exc:
        return f"{path} cannot be read: {exc.strerror or exc}"
    if actual != size:
        what = "empty" if actual == 0 else "truncated" if actual < size else "too long"
        return f"{path} is {what} ({actual} bytes, {size} when published)"
    return ""


def size_problems(gen: Path, meta: dict) -> list[str]:
    """Each recorded file of ``gen`` that is missing or of another size, said in words."""
    found = (_size_problem(gen / name, rec["size"])
             for name, rec in (meta.get(FILES_KEY) if isinstance(meta.get(FILES_KEY), dict)
                               else {}).items())
    return [p for p in found if p]


def check_sizes(gen: Path, meta: dict, suffix: str = "") -> None:
    """IndexCorrupt naming the first recorded file (ending in ``suffix``) that is missing
    or of another size.

    Runs before searches: plain os.stat on strings (pathlib costs ten times more).
    """
    base = os.fspath(gen) + os.sep
    record = meta.get(FILES_KEY)
    for name, rec in (record if isinstance(record, dict) else {}).items():
        if not name.endswith(suffix):
            continue
        try:
            if os.stat(base + name).st_size == rec["size"]:
                continue
        except OSError:
            pass
        raise IndexCorrupt(f"the index is damaged: {_size_problem(gen / name, rec['size'])}; "
                           f"rebuild it with: python -m indexer")


def verify(gen: Path, meta: dict) -> list[str]:
    """Every problem with ``gen`` against its record: missing, wrong size, wrong checksum."""
    files = meta.get(FILES_KEY)
    if not files:
        return [f"{gen} has no record of its files (built by an older version); "
                f"rebuild it with: python -m indexer --rebuild"]
    problems = []
    for name, rec in files.items():
        path = gen / name
        problem = _size_problem(path, rec["size"])
        if not problem and _sha1(path) != rec["sha1"]:
            problem = f"{path} has changed (its checksum differs from the one recorded)"
        if problem:
            problems.append(problem)
    return problems
