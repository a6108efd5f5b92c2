"""python -m indexer: build the index of a corpus from the command line."""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

from search.errors import SearchError

from .build import BuildReport, build_index
from .dates import DEFAULT_TZ

__all__ = ["main", "EXIT_OK", "EXIT_PARTIAL", "EXIT_FAILED"]

EXIT_OK = 0        # every file was read and indexed
EXIT_PARTIAL = 3   # the index was built, but some files were skipped
EXIT_FAILED = 4    # nothing usable was built; the previous index is untouched


def _tz(text: str):
    """'+08:00' / '-5' / 'UTC' -> tzinfo."""
    if text.upper() in ("UTC", "Z", "GMT"):
        return timezone.utc
    sign = -1 if text.startswith("-") else 1
    hours, _, minutes = text.lstrip("+-").partition(":")
    try:
        return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes or 0)))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a UTC offset: {text!r} (try +08:00)") from None


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m indexer",
                                description="Build the search index of a folder of articles.")
    p.add_argument("corpus", nargs="?", default="corpus", help="folder of *.md articles (default: corpus)")
    p.add_argument("--index", default="index", help="index folder (default: index)")
    p.add_argument("--userdict", help="jieba user dictionary (one 'word [freq] [tag]' per line)")
    p.add_argument("--tz", type=_tz, default=DEFAULT_TZ,
                   help="offset for dates written without one (default: +08:00)")
    p.add_argument("--workers", type=int, help="worker processes (default: up to 2)")
    p.add_argument("--rebuild", action="store_true", help="build from scratch (the default for now)")
    p.add_argument("--report", help="write a JSON report of the run to this file")
    p.add_argument("-q", "--quiet", action="store_true", help="print only problems and errors")
    return p


def _progress(items, total: int, label: str):
    from tqdm import tqdm

    return tqdm(items, total=total, desc=label, unit="file", leave=False, disable=None)


def _summary(r: BuildReport) -> str:
    return (f"indexed {r.articles} articles from {r.files} files in {r.seconds:.1f} s "
            f"({r.duplicates} duplicate files folded, {len(r.problems)} files skipped, "
            f"{len(r.warnings)} warnings) -> {r.index}")


def _write_report(path: str, r: BuildReport) -> None:
    data = asdict(r)
    data["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.userdict and not Path(args.userdict).is_file():
        print(f"error: --userdict {args.userdict}: no such file", file=sys.stderr)
        return EXIT_FAILED
    try:
        report = build_index(args.corpus, args.index, userdict=args.userdict,
                             naive_tz=args.tz, workers=args.workers,
                             progress=None if args.quiet else _progress)
    except (SearchError, OSError, UnicodeDecodeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    for p in report.problems:
        print(f"skipped {p.path}: {p.reason}", file=sys.stderr)
    for p in report.warnings:
        if not args.quiet:
            print(f"warning {p.path}: {p.reason}", file=sys.stderr)
    if args.report:
        _write_report(args.report, report)
    if not args.quiet:
        print(_summary(report))
    return EXIT_PARTIAL if report.problems else EXIT_OK
