"""python -m indexer: build or update the search index of a corpus from the command line."""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

from search.errors import IndexBusy, SearchError

from .report import BuildReport
from .arguments import parse_args
from .update import update_index

__all__ = ["main", "EXIT_OK", "EXIT_PARTIAL", "EXIT_FAILED"]

EXIT_OK = 0        # every file was read and indexed
EXIT_PARTIAL = 3   # the index was built, but some files were skipped
EXIT_FAILED = 4    # nothing usable was built; the previous index is untouched
EXIT_INTERRUPTED = 130


def _progress(items, total: int, label: str):
    from tqdm import tqdm

    return tqdm(items, total=total, desc=label, unit="file", leave=False, disable=None)


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _summary(r: BuildReport) -> str:
    tail = (f"{_n(r.articles, 'article')}, {_n(r.duplicates, 'duplicate file')} folded, "
            f"{_n(len(r.problems), 'file')} skipped, {_n(len(r.warnings), 'warning')}, "
            f"{r.seconds:.1f} s -> {r.index}")
    if r.mode == "update":
        return (f"updated: {r.indexed} added, {r.updated} changed, {r.removed} removed, "
                f"{r.unchanged} unchanged; {tail}")
    return f"full build: {_n(r.indexed, 'file')} indexed; {tail}"


def _report_data(r: BuildReport | None, status: int, error: str = "") -> dict:
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


def _write_report(path: str, data: dict) -> bool:
    target = Path(path)
    tmp = target.with_name(target.name + ".tmp")
    try:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(target)
        return True
    except OSError as exc:
        print(f"error: cannot write the report {path}: {exc.strerror or exc}", file=sys.stderr)
        return False


class _Run:
    """One update (or build), its messages, its report and its exit status."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.status = EXIT_OK

    def __call__(self) -> bool:
        """Run once; True when the index was busy and it should be tried again."""
        a = self.args
        report, error, busy = None, "", False
        try:
            report = update_index(
                a.corpus, a.index, rebuild=a.rebuild, userdict=a.userdict,
                keep_userdict=not a.no_userdict, naive_tz=a.tz, workers=a.workers,
                progress=None if a.quiet or a.watch else _progress, lock_timeout=a.wait)
        except IndexBusy as exc:
            error, busy = str(exc), True
        except (SearchError, OSError, UnicodeDecodeError) as exc:
            error = str(exc) if not isinstance(exc, OSError) else \
                f"{exc.strerror or exc}{': ' + str(exc.filename) if exc.filename else ''}"
        if error:
            print(f"error: {error}", file=sys.stderr)
            self.status = EXIT_FAILED
        else:
            self._tell(report)
            self.status = EXIT_PARTIAL if report.problems else EXIT_OK
        if a.report:
            _write_report(a.report, _report_data(report, self.status, error))
        if a.watch:
            a.rebuild = False  # --rebuild means the first run only
        return busy

    def _tell(self, r: BuildReport) -> None:
        a = self.args
        if r.mode == "full" and r.reason and not a.rebuild:
            if not (a.quiet and r.reason.startswith("no index")):
                print(f"note: full build because {r.reason}", file=sys.stderr)
        for p in r.problems:
            print(f"skipped {p.path}: {p.reason}", file=sys.stderr)
        if not a.quiet:
            for p in r.warnings:
                print(f"warning {p.path}: {p.reason}", file=sys.stderr)
        quiet_update = a.watch and r.mode == "update" and not (r.indexed or r.updated or r.removed)
        if not a.quiet and not quiet_update:
            print(_summary(r), flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    run = _Run(args)
    if args.watch:
        from .watch import watch

        if not Path(args.corpus).is_dir():
            print(f"error: corpus folder not found: {args.corpus}", file=sys.stderr)
            return EXIT_FAILED
        if not args.quiet:
            print(f"watching {args.corpus} (Ctrl-C to stop)", flush=True)
        watch(args.corpus, run, quiet=args.debounce, longest=max(10.0, 5 * args.debounce),
              log=lambda m: print(m, file=sys.stderr))
        if not args.quiet:
            print("stopped watching", flush=True)
        return EXIT_OK
    try:
        run()
    except KeyboardInterrupt:
        print("interrupted; the index is as it was before this run", file=sys.stderr)
        return EXIT_INTERRUPTED
    return run.status
