"""python -m search: query an index from the command line."""
from __future__ import annotations

import argparse
import html
import json
import re
import sys
from datetime import date, datetime

from .backend import open_index
from .categories import fold
from .errors import QueryError, SearchError
from .export import DEFAULT_LIMIT, FORMATS, MAX_LIMIT, csv_lines, export, jsonl_lines
from .hits import ResultPage
from .params import SORTS
from .params import MAX_PER_PAGE
from .terminal import columns, use_colour, wrap

__all__ = ["main"]

EXIT_OK, EXIT_NO_INDEX, EXIT_USAGE = 0, 1, 2
_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)
_TAG = re.compile(r"<[^>]+>")
_BOLD_YELLOW, _RESET = "\x1b[1;33m", "\x1b[0m"
# The library's parameter names, as this command spells them.
_OPTION = {"q": "QUERY", "categories": "--category", "per_page": "--per-page",
           "people": "--person", "places": "--place", "orgs": "--org"}


def _plain(fragment: str, colour: bool) -> str:
    """Our escaped, <mark>ed HTML as terminal text (bold yellow when a tty)."""
    # A function, not a template: the escape codes must not be read as regex escapes.
    fragment = _MARK.sub(lambda m: f"{_BOLD_YELLOW}{m.group(1)}{_RESET}" if colour
                         else m.group(1), fragment)
    return html.unescape(_TAG.sub("", fragment))


def _as_json(res: ResultPage) -> str:
    hits = [{
        "id": h.id, "path": h.path, "duplicates": h.duplicates, "title": h.title,
        "title_html": h.title_html, "snippet_html": h.snippet_html,
        "date": h.date.isoformat() if h.date else None, "categories": h.categories,
        "author": h.author, "score": h.score, "people": h.people, "places": h.places,
        "organizations": h.organizations} for h in res.hits]
    return json.dumps({"query": res.query, "total": res.total, "page": res.page,
                       "per_page": res.per_page, "took_ms": round(res.took_ms, 2),
                       "hits": hits, "facets": {
                           **res.facets, "timeline": res.timeline.as_json(),
                           "timeline_granularity": res.timeline.granularity,
                           "timeline_undated": res.timeline.undated},
                       "interpreted_as": res.interpreted_as, "alternatives": res.alternatives,
                       "did_you_mean": res.did_you_mean}, ensure_ascii=False, indent=1)


def _headline(res: ResultPage) -> str:
    count = f"{res.total} result{'' if res.total == 1 else 's'} ({res.took_ms:.0f} ms)"
    if res.total and not res.hits:
        return f"{count}; page {res.page} is past the end: the last is page {res.pages}"
    if res.pages > 1:
        return f"{count}, page {res.page} of {res.pages}"
    return count


def _as_text(res: ResultPage, colour: bool, limit: int) -> str:
    lines = [_headline(res)]
    first = (res.page - 1) * res.per_page
    for n, h in enumerate(res.hits, first + 1):
        when = h.date.strftime("%Y-%m-%d %H:%M") if h.date else "no date"  # index's zone
        lines.append("")
        lines += wrap(f"{n}. {_plain(h.title_html or html.escape(h.title), colour)}", limit)
        lines += wrap(f"{when} · {' / '.join(h.categories)} · {h.path}", limit, "   ")
        if h.snippet_html:
            lines += wrap(_plain(h.snippet_html, colour), limit, "   ")
    return "\n".join(lines)


def _no_such_category(name: str, known: list[str]) -> str:
    near = [c for c in known if fold(name) in fold(c)][:5]
    return f"no category named {name!r}" + (f"; did you mean {', '.join(near)}?" if near else
                                            " (categories match whole names)")


def _whole(low: int, high: int):
    def check(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be {low} to {high}, not {value}")
        return value
    return check


def _day(text: str) -> str:
    try:
        (datetime if "T" in text or " " in text else date).fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a date: {text!r} (expected YYYY-MM-DD, e.g. 2022-05-18)") from None
    return text


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m search", allow_abbrev=False,
        description="Search the index. Options may come before, after or between the query "
                    "words; a word starting with - (like -会见) is query text that excludes it, "
                    "and everything after -- is query text.",
        epilog="Exit status: 0 when the search ran (even with no results), 1 when there is no "
               "usable index, 2 for a bad command line. Colour on a terminal unless NO_COLOR "
               "is set.")
    p.add_argument("query", nargs="*", metavar="QUERY",
                   help='query text: words (all must match), "a phrase", OR, -word or NOT word, '
                        "title:word, category:name (no QUERY: every article, within the filters)")
    p.add_argument("--index", default="index", metavar="DIR", help="index folder (default: index)")
    p.add_argument("--page", type=_whole(1, 2 ** 31), default=1, metavar="N",
                   help="page of results (default: 1)")
    p.add_argument("--per-page", type=_whole(1, MAX_PER_PAGE), default=10, metavar="N",
                   help=f"results a page, 1 to {MAX_PER_PAGE} (default: 10)")
    p.add_argument("--sort", choices=SORTS, default="relevance")
    p.add_argument("--category", action="append", metavar="NAME",
                   help="only this category (repeatable: any of them)")
    for flag, what in (("--person", "person"), ("--place", "place"), ("--org", "organisation")):
        p.add_argument(flag, action="append", metavar="NAME",
                       help=f"only articles naming this {what} in title or lead "
                            f"(repeatable: all of them)")
    p.add_argument("--since", type=_day, metavar="YYYY-MM-DD", help="from this day on")
    p.add_argument("--until", type=_day, metavar="YYYY-MM-DD", help="up to this day, inclusive")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--export", choices=FORMATS, metavar="csv|jsonl",
                   help="print every match (not one page) as CSV or JSON Lines")
    p.add_argument("--limit", type=_whole(1, MAX_LIMIT), default=DEFAULT_LIMIT, metavar="N",
                   help=f"with --export: at most N matches (default: {DEFAULT_LIMIT})")
    p.add_argument("--literal", action="store_true",
                   help="search the text exactly as typed: no pinyin, correction or synonyms")
    return p


def _split(argv: list[str], p: argparse.ArgumentParser) -> tuple[list[str], list[str]]:
    """(options, query words): -word is query text, not an unknown option."""
    takes_value = {s: a.nargs != 0 for a in p._actions for s in a.option_strings}
    options, words, i = [], [], 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            words.extend(argv[i + 1:])
            break
        flag = arg.split("=", 1)[0]
        if flag in takes_value or arg.startswith("--"):
            # Unknown --options go to argparse, which says they are unknown.
            options.append(arg)
            if takes_value.get(flag) and "=" not in arg and i + 1 < len(argv):
                options.append(argv[i + 1])
                i += 1
        else:
            words.append(arg)
        i += 1
    return options, words


def _names(args) -> dict:
    return {"people": args.person, "places": args.place, "orgs": args.org}


def _export(p: argparse.ArgumentParser, args, q: str) -> int:
    """--export: every match as CSV or JSON Lines on stdout, a chunk of results at a time."""
    try:
        started = export(open_index(args.index, lazy=True), q, limit=args.limit,
                         categories=args.category, since=args.since, until=args.until,
                         sort=args.sort, **_names(args))
        lines = csv_lines(started.rows, bom=False) if args.export == "csv" else \
            jsonl_lines(started.rows)
        for line in lines:
            sys.stdout.write(line)
        sys.stdout.flush()
    except QueryError as exc:
        p.error(f"{_OPTION.get(exc.param or '', f'--{exc.param}')}: "
                f"{str(exc).split(': ', 1)[-1]}")
    except SearchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_NO_INDEX
    except BrokenPipeError:  # piped into head: not an error
        sys.stderr.close()
        return EXIT_OK
    if started.total > started.limit:
        print(f"note: {started.total} matches; exported the first {started.limit} "
              f"(--limit)", file=sys.stderr)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    p = _parser()
    options, words = _split(sys.argv[1:] if argv is None else list(argv), p)
    args = p.parse_args(options)
    if args.export:
        return _export(p, args, " ".join(words))
    try:
        ix = open_index(args.index, lazy=True)  # a phrase need not wait for jieba
        res = ix.search(
            " ".join(words), page=args.page, per_page=args.per_page,
            categories=args.category, since=args.since, until=args.until, sort=args.sort,
            **_names(args), assist=not args.literal)
    except QueryError as exc:
        name = _OPTION.get(exc.param or "", f"--{exc.param}")
        p.error(f"{name}: {str(exc).split(': ', 1)[-1]}")
    except SearchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_NO_INDEX
    for name in res.unknown_categories:
        print(f"note: {_no_such_category(name, ix.categories())}", file=sys.stderr)
    if res.interpreted_as:
        print(f"note: showing results for {res.interpreted_as} (--literal searches "
              f"{res.query!r} as typed)", file=sys.stderr)
    elif res.did_you_mean:
        print(f"note: did you mean {res.did_you_mean}?", file=sys.stderr)
    if res.partial:
        print(f"warning: partial results ({res.partial_reason})", file=sys.stderr)
    try:
        print(_as_json(res) if args.json else _as_text(res, use_colour(), columns()))
    except BrokenPipeError:  # piped into head: not an error
        sys.stderr.close()
    return EXIT_OK
