"""The JSON report of an indexer run (--report), written atomically whatever the outcome."""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

from .report import BuildReport

__all__ = ["report_data", "write_report"]


def report_data(r: BuildReport | None, status: int, error: str = "") -> dict:
    """The report's fields; without a BuildReport (the run failed early) the counts are 0."""
    data = {"mode": None, "reason": "", "corpus": None, "index": None, "generation": None,
            "files": 0, "articles": 0, "indexed": 0, "updated": 0, "removed": 0,
            "unchanged": 0, "duplicates": 0, "skipped": [], "warnings": [], "changes": None,
            "seconds": 0.0}
    if r is not None:
        d = asdict(r)
        data.update({k: d[k] for k in data if k in d and k not in ("skipped", "warnings")})
        data["skipped"] = [{"path": p.path, "reason": p.reason} for p in r.problems]
        data["warnings"] = [{"path": p.path, "reason": p.reason} for p in r.warnings]
        data["changes"] = r.changes if r.mode == "update" else None
        data["seconds"] = round(r.seconds, 3)
    data["exit_status"] = status
    data["error"] = error or None
    data["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return data


def write_report(path: str | os.PathLike, data: dict) -> None:
    """Replace ``path`` with the report in one step: a reader sees the old or the new one.

    OSError when it cannot be written.
    """
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
