"""python -m indexer: build or update the search index of a corpus from the command line."""
from __future__ import annotations

import argparse
import errno
import signal
import sys
from pathlib import Path

from search.errors import IndexBusy, SearchError

from .errors import NothingToIndex
from .report import BuildReport
from .arguments import parse_args
from .run_report import report_data, write_report
from .update import update_index

__all__ = ["main", "EXIT_OK", "EXIT_PARTIAL", "EXIT_FAILED", "EXIT_DAMAGED"]

EXIT_OK = 0        # every file was read and indexed
EXIT_PARTIAL = 3   # the index was built, but some files were skipped
EXIT_FAILED = 4    # nothing usable was built; the previous index is untouched
EXIT_INTERRUPTED = 130   # Ctrl-C
EXIT_TERMINATED = 143    # SIGTERM (128 + 15), as a cron job's timeout sends
EXIT_DAMAGED = 1         # --check: a file of the live index is missing or changed


class _Terminated(BaseException):
    """SIGTERM arrived: stop like Ctrl-C, so the report is still written."""


def _on_sigterm(*_) -> None:
    raise _Terminated()


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


def _write_report(path: str, data: dict) -> None:
    try:
        write_report(path, data)
    except OSError as exc:
        print(f"error: cannot write the report {path}: {exc.strerror or exc}", file=sys.stderr)


def _os_error(exc: OSError, index: str) -> str:
    """What went wrong writing the index, in words a user can act on."""
    where = f" ({exc.strerror or exc}: {exc.filename})" if exc.filename else ""
    kept = "; the previous index is unchanged"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"the disk holding the index folder {index} is full{where}{kept}"
    if exc.errno == errno.EROFS:
        return f"the index folder {index} is on a read-only filesystem{where}{kept}"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"no permission to write in the index folder {index}{where}{kept}"
    return f"{exc.strerror or exc}{': ' + str(exc.filename) if exc.filename else ''}"


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
                synonyms=a.synonyms,
                progress=None if a.quiet or a.watch else _progress, lock_timeout=a.wait)
        except (KeyboardInterrupt, _Terminated) as exc:
            # --watch stops with status 0 when asked to, even in the middle of a run.
            self.status = EXIT_OK if a.watch else EXIT_INTERRUPTED \
                if isinstance(exc, KeyboardInterrupt) else EXIT_TERMINATED
            self.record(None, "interrupted before the run finished; the index is as it was")
            raise
        except IndexBusy as exc:
            error, busy = str(exc), True
        except NothingToIndex as exc:
            error, report = str(exc), exc.report
            for p in (report.problems if report else []):
                print(f"skipped {p.path}: {p.reason}", file=sys.stderr)
        except (SearchError, OSError, UnicodeDecodeError) as exc:
            error = str(exc) if not isinstance(exc, OSError) else _os_error(exc, a.index)
        if error:
            print(f"error: {error}", file=sys.stderr)
            self.status = EXIT_FAILED
        else:
            self._tell(report)
            self.status = EXIT_PARTIAL if report.problems else EXIT_OK
        self.record(report, error)
        if a.watch:
            a.rebuild = False  # --rebuild means the first run only
        return busy

    def record(self, report: BuildReport | None, error: str = "") -> None:
        """Write --report, if asked for, with this run's outcome and exit status."""
        if self.args.report:
            data = report_data(report, self.status, error)
            data["corpus"] = data["corpus"] or str(self.args.corpus)
            data["index"] = data["index"] or str(self.args.index)
            _write_report(self.args.report, data)

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


def _check(index: str, quiet: bool) -> int:
    from .check import check_index

    try:
        result = check_index(index)
    except SearchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    for problem in result.problems:
        print(f"damaged: {problem}", file=sys.stderr)
    if result.problems:
        print(f"error: the index in {index} is damaged; rebuild it with: python -m indexer "
              f"--index {index} CORPUS", file=sys.stderr)
        return EXIT_DAMAGED
    if not quiet:
        print(f"index OK: {result.files} files ({result.bytes / 1e6:.1f} MB) of "
              f"{result.generation} match their sizes and checksums")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.check:
        return _check(args.index, args.quiet)
    run = _Run(args)
    if args.watch:
        from .watch import LONGEST_S, watch

        if not Path(args.corpus).is_dir():
            print(f"error: corpus folder not found: {args.corpus}", file=sys.stderr)
            run.status = EXIT_FAILED
            run.record(None, f"corpus folder not found: {args.corpus}")
            return EXIT_FAILED
        if not args.quiet:
            print(f"watching {args.corpus} (Ctrl-C to stop)", flush=True)
        gone = watch(args.corpus, run, quiet=args.debounce,
                     longest=max(LONGEST_S, 2.5 * args.debounce),
                     log=lambda m: print(m, file=sys.stderr))
        if not args.quiet:
            print("stopped watching", flush=True)
        if gone:  # a cron job or supervisor must see that there is nothing left to watch
            print(f"error: stopped with the corpus folder {args.corpus} gone", file=sys.stderr)
            return EXIT_FAILED
        return EXIT_OK
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        run()
    except (KeyboardInterrupt, _Terminated):
        print("interrupted; the index is as it was before this run", file=sys.stderr)
        return run.status
    return run.status
