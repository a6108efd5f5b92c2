"""A file of named numpy arrays, read through one memory map.

Beside each Whoosh segment the indexer writes its postings as arrays
(``search.columnar``). Mapped rather than loaded, they cost no private memory:
every thread and every worker process reading the same generation shares the
page cache, and only the parts a query touches are ever read from disk.

Layout: 8 magic bytes, the directory's length (8 bytes, little-endian), the
directory as JSON ({name: [dtype, shape, offset]}), then each array at a
64-byte aligned offset.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Mapping

import numpy as np

from .errors import IndexCorrupt

__all__ = ["write_arrays", "read_arrays"]

MAGIC = b"NSARR01\n"
_ALIGN = 64


def _aligned(n: int) -> int:
    return -(-n // _ALIGN) * _ALIGN


def write_arrays(path: str | os.PathLike, arrays: Mapping[str, np.ndarray]) -> None:
    """Write ``arrays`` to ``path`` (through a temporary file, renamed into place)."""
    arrays = {k: np.ascontiguousarray(v) for k, v in arrays.items()}
    directory, offset = {}, 0
    for name, a in arrays.items():
        directory[name] = [a.dtype.str, list(a.shape), offset]
        offset = _aligned(offset + a.nbytes)
    head = json.dumps(directory).encode("utf-8")
    start = _aligned(len(MAGIC) + 8 + len(head))
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(MAGIC + len(head).to_bytes(8, "little") + head)
        for name, a in arrays.items():
            f.seek(start + directory[name][2])
            f.write(a.data)
        f.truncate(start + offset)
    os.replace(tmp, path)


def read_arrays(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """The arrays of a file written by ``write_arrays``, as read-only views of a map."""
    try:
        # A plain ndarray over the map: np.memmap's subclass hooks cost
        # microseconds on every slice, and queries slice thousands of times.
        mm = np.memmap(path, dtype=np.uint8, mode="r").view(np.ndarray)
        if bytes(mm[:8]) != MAGIC:
            raise ValueError("not an array file")
        size = int.from_bytes(bytes(mm[8:16]), "little")
        directory = json.loads(bytes(mm[16:16 + size]))
        start = _aligned(16 + size)
        out = {}
        for name, (dtype, shape, offset) in directory.items():
            dt = np.dtype(dtype)
            count = int(np.prod(shape, dtype=np.int64))
            lo = start + offset
            if lo + count * dt.itemsize > len(mm):
                raise ValueError(f"array {name} runs past the end of the file")
            out[name] = mm[lo:lo + count * dt.itemsize].view(dt).reshape(shape)
        return out
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexCorrupt(f"cannot read {path}: {exc}") from None
