"""python -m indexer: build or update the search index of a corpus from the command line."""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

from search.errors import IndexBusy, SearchError

from .report import BuildReport
from .dates import DEFAULT_TZ
from .update import update_index

__all__ = ["main", "EXIT_OK", "EXIT_PARTIAL", "EXIT_FAILED"]

EXIT_OK = 0        # every file was read and indexed
EXIT_PARTIAL = 3   # the index was built, but some files were skipped
EXIT_FAILED = 4    # nothing usable was built; the previous index is untouched
EXIT_INTERRUPTED = 130


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


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < 1e6:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m indexer",
        description="Update the search index of a folder of articles: new files are added, "
                    "changed ones re-indexed, deleted ones removed. The first run, --rebuild, "
                    "and a change of analysis settings build it from scratch.")
    p.add_argument("corpus", nargs="?", default="corpus", help="folder of *.md articles (default: corpus)")
    p.add_argument("--index", default="index", help="index folder (default: index)")
    p.add_argument("--rebuild", action="store_true",
                   help="build the whole index again instead of updating it")
    p.add_argument("--watch", action="store_true",
                   help="keep running and update the index whenever files appear, change or go")
    p.add_argument("--debounce", type=_seconds, default=2.0, metavar="SECONDS",
                   help="with --watch: update once the corpus has been quiet this long (default: 2)")
    dict_group = p.add_mutually_exclusive_group()
    dict_group.add_argument("--userdict", help="jieba user dictionary (one 'word [freq] [tag]' "
                            "per line; default: the one the index was built with)")
    dict_group.add_argument("--no-userdict", action="store_true",
                            help="drop the index's user dictionary (rebuilds the index)")
    p.add_argument("--tz", type=_tz, default=DEFAULT_TZ,
                   help="offset for dates written without one (default: +08:00)")
    p.add_argument("--workers", type=int, help="worker processes (default: up to 2)")
    p.add_argument("--wait", type=_seconds, default=0.0, metavar="SECONDS",
                   help="when another indexer is working on the index, wait this long for it "
                        "(default: exit at once with status 4)")
    p.add_argument("--report", help="write a JSON report of the run to this file")
    p.add_argument("-q", "--quiet", action="store_true", help="print only problems and errors")
    return p


def _progress(items, total: int, label: str):
    from tqdm import tqdm

    return tqdm(items, total=total, desc=label, unit="file", leave=False, disable=None)


def _summary(r: BuildReport) -> str:
    tail = (f"{r.articles} articles, {r.duplicates} duplicate files folded, "
            f"{len(r.problems)} files skipped, {len(r.warnings)} warnings, "
            f"{r.seconds:.1f} s -> {r.index}")
    if r.mode == "update":
        return (f"updated: {r.indexed} added, {r.updated} changed, {r.removed} removed, "
                f"{r.unchanged} unchanged; {tail}")
    return f"full build: {r.indexed} files indexed; {tail}"


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


def _check_report_path(path: str) -> str:
    parent = Path(path).resolve().parent
    if not parent.is_dir():
        return f"--report {path}: folder {parent} does not exist"
    if Path(path).is_dir():
        return f"--report {path}: is a folder"
    return ""


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
    args = _parser().parse_args(argv)
    if args.userdict and not Path(args.userdict).is_file():
        print(f"error: --userdict {args.userdict}: no such file", file=sys.stderr)
        return EXIT_FAILED
    if args.report and (problem := _check_report_path(args.report)):
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_FAILED
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
