"""What the index holds, file by file: the manifest an incremental update compares with disk.

Each generation folder holds ``manifest.json`` next to ``meta.json``: for every
indexed file its size, mtime (ns), SHA-1 of its bytes and content key, plus
what the whole build depended on (analysis fingerprint, reader version, time
zone for naive dates, corpus folder) and the Whoosh TOC generation it
describes. It is written atomically (tmp + ``os.replace``) after the Whoosh
commit and before ``meta.json``, whose presence marks the generation complete.
Files that were skipped are not in it, so they are read again on every run.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import timedelta, tzinfo
from pathlib import Path

__all__ = ["Entry", "Manifest", "load_manifest", "write_manifest", "tz_name",
           "MANIFEST_NAME", "RACY_NS"]

MANIFEST_NAME = "manifest.json"
_VERSION = 1
# A file whose mtime is this close to (or after) the start of the scan that
# recorded it may have changed again within the same clock tick without its
# size or mtime showing it ("racy clean", as git calls it): such entries are
# confirmed by hash on the next run instead of being trusted.
RACY_NS = 2_000_000_000


@dataclass(frozen=True)
class Entry:
    """One indexed file as it was when read."""

    size: int
    mtime_ns: int
    sha1: str
    key: str          # content key: the id of the document the file belongs to


@dataclass
class Manifest:
    """Every indexed file, and what the index it describes was built with."""

    fingerprint: str
    reader: int
    tz: str
    corpus: str
    scanned_ns: int
    toc_generation: int = -1
    files: dict[str, Entry] = field(default_factory=dict)

    def is_racy(self, entry: Entry) -> bool:
        return entry.mtime_ns >= self.scanned_ns - RACY_NS

    def keys(self) -> set[str]:
        return {e.key for e in self.files.values()}


def tz_name(tz: tzinfo) -> str:
    """'+08:00' for the offset naive dates are read in."""
    offset = tz.utcoffset(None) or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def load_manifest(gen: Path) -> Manifest | None:
    """The generation's manifest; None when it is missing or unreadable."""
    try:
        data = json.loads((gen / MANIFEST_NAME).read_text(encoding="utf-8"))
        if data.get("version") != _VERSION:
            return None
        return Manifest(
            fingerprint=data["fingerprint"], reader=data["reader"], tz=data["tz"],
            corpus=data["corpus"], scanned_ns=data["scanned_ns"],
            toc_generation=data["toc_generation"],
            files={p: Entry(*v) for p, v in data["files"].items()})
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_manifest(gen: Path, manifest: Manifest) -> None:
    """Write atomically: a reader finds the old manifest or the new one, whole."""
    data = {
        "version": _VERSION, "fingerprint": manifest.fingerprint, "reader": manifest.reader,
        "tz": manifest.tz, "corpus": manifest.corpus, "scanned_ns": manifest.scanned_ns,
        "toc_generation": manifest.toc_generation,
        "files": {p: [e.size, e.mtime_ns, e.sha1, e.key]
                  for p, e in sorted(manifest.files.items())},
    }
    tmp = gen / f"{MANIFEST_NAME}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, separators=(",", ":"))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, gen / MANIFEST_NAME)
