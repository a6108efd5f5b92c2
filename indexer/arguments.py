"""The command line of python -m indexer: its parser and the checks made before any work."""
from __future__ import annotations

import argparse
from datetime import timedelta, timezone
from pathlib import Path

from .dates import DEFAULT_TZ

__all__ = ["parser", "parse_args"]


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


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m indexer",
        description="Update the search index of a folder of articles: new files are added, "
                    "changed ones re-indexed, deleted ones removed. The first run, --rebuild, "
                    "and a change of analysis settings build it from scratch.")
    p.add_argument("corpus", nargs="?", default="corpus", metavar="CORPUS",
                   help="folder of *.md articles (default: corpus)")
    p.add_argument("--index", default="index", metavar="DIR", help="index folder (default: index)")
    p.add_argument("--rebuild", action="store_true",
                   help="build the whole index again instead of updating it")
    p.add_argument("--watch", action="store_true",
                   help="keep running and update the index whenever files appear, change or go")
    p.add_argument("--debounce", type=_seconds, default=2.0, metavar="SECONDS",
                   help="with --watch: update once the corpus has been quiet this long, and at "
                        "most max(5, 2.5 x SECONDS) after the first change (default: 2)")
    dict_group = p.add_mutually_exclusive_group()
    dict_group.add_argument("--userdict", metavar="FILE",
                            help="jieba user dictionary, UTF-8 (one 'word [freq] [tag]' "
                            "per line; default: the one the index was built with)")
    dict_group.add_argument("--no-userdict", action="store_true",
                            help="drop the index's user dictionary (rebuilds the index)")
    p.add_argument("--synonyms", metavar="FILE",
                   help="synonym groups, UTF-8, one group a line ('北约 北大西洋公约组织 NATO'): "
                        "a query for one member finds them all; stored with the index, no "
                        "rebuild (default: the stored list, else a built-in one)")
    tz_group = p.add_mutually_exclusive_group()
    tz_group.add_argument("--tz", type=_tz, metavar="OFFSET",
                          help="UTC offset for dates written without one (default: the one the "
                               "index was built with; +08:00 for a new index)")
    tz_group.add_argument("--no-tz", action="store_const", dest="tz", const=DEFAULT_TZ,
                          help="go back to the default offset, +08:00 (rebuilds the index)")
    p.add_argument("--workers", type=_workers, metavar="N",
                   help="worker processes (default: up to 2)")
    p.add_argument("--wait", type=_seconds, default=0.0, metavar="SECONDS",
                   help="when another indexer is working on the index, wait this long for it "
                        "(default: exit at once with status 4)")
    p.add_argument("--check", action="store_true",
                   help="verify the size and checksum of every file of the live index against "
                        "those recorded when it was published, and exit (status 1 if damaged)")
    p.add_argument("--report", metavar="FILE", help="write a JSON report of the run to this file")
    p.add_argument("-q", "--quiet", action="store_true", help="print only problems and errors")
    return p


def _userdict_problem(path: Path) -> str:
    if path.is_dir():
        return "is a folder, not a file"
    if not path.exists():
        return "no such file"
    try:
        path.read_bytes().decode("utf-8")
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    except UnicodeDecodeError as exc:
        return f"is not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start}); " \
               "save it as UTF-8"
    return ""


def _report_problem(path: Path) -> str:
    if path.is_dir():
        return "is a folder"
    if not path.resolve().parent.is_dir():
        return f"folder {path.resolve().parent} does not exist"
    return ""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parsed arguments; a bad one ends the program with status 2 and says which."""
    p = parser()
    args = p.parse_args(argv)
    if Path(args.index).exists() and not Path(args.index).is_dir():
        p.error(f"--index {args.index}: is a file, not a folder")
    if args.userdict and (problem := _userdict_problem(Path(args.userdict))):
        p.error(f"--userdict {args.userdict}: {problem}")
    if args.synonyms and (problem := _userdict_problem(Path(args.synonyms))):
        p.error(f"--synonyms {args.synonyms}: {problem}")
    if args.report and (problem := _report_problem(Path(args.report))):
        p.error(f"--report {args.report}: {problem}")
    return args
