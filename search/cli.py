"""python -m search: query an index from the command line."""
from __future__ import annotations

import argparse
import html
import json
import os
import re
import sys

from .errors import SearchError
from .index import SORTS, ResultPage, open_index
from .schema import CHINA_TZ

__all__ = ["main"]

_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)
_TAG = re.compile(r"<[^>]+>")


_BOLD_YELLOW, _RESET = "\x1b[1;33m", "\x1b[0m"


def _plain(fragment: str, colour: bool) -> str:
    """Our escaped, <mark>ed HTML as terminal text (bold yellow when a tty)."""
    # A function, not a template: the escape codes must not be read as regex escapes.
    fragment = _MARK.sub(lambda m: f"{_BOLD_YELLOW}{m.group(1)}{_RESET}" if colour
                         else m.group(1), fragment)
    return html.unescape(_TAG.sub("", fragment))


def _use_colour() -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _as_json(res: ResultPage) -> str:
    hits = [{
        "id": h.id, "path": h.path, "duplicates": h.duplicates, "title": h.title,
        "title_html": h.title_html, "snippet_html": h.snippet_html,
        "date": h.date.isoformat() if h.date else None, "categories": h.categories,
        "author": h.author, "score": h.score} for h in res.hits]
    return json.dumps({"query": res.query, "total": res.total, "page": res.page,
                       "per_page": res.per_page, "took_ms": round(res.took_ms, 2),
                       "hits": hits, "facets": res.facets}, ensure_ascii=False, indent=1)


def _as_text(res: ResultPage, colour: bool) -> str:
    lines = [f"{res.total} results ({res.took_ms:.0f} ms)"]
    first = (res.page - 1) * res.per_page
    for n, h in enumerate(res.hits, first + 1):
        when = h.date.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M") if h.date else "no date"
        lines.append(f"\n{n}. {_plain(h.title_html or html.escape(h.title), colour)}")
        lines.append(f"   {when} · {' / '.join(h.categories)} · {h.path}")
        if h.snippet_html:
            lines.append(f"   {_plain(h.snippet_html, colour)}")
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m search", allow_abbrev=False,
        description="Search the index. Options may come before, after or between the query "
                    "words; a word starting with - (like -会见) is query text that excludes it, "
                    "and everything after -- is query text.")
    p.add_argument("query", nargs="*", metavar="QUERY",
                   help='query text: words (all must match), "a phrase", OR, -word or NOT word, '
                        "title:word, category:name (no QUERY: every article, within the filters)")
    p.add_argument("--index", default="index", metavar="DIR", help="index folder (default: index)")
    p.add_argument("--page", type=int, default=1)
    p.add_argument("--per-page", type=int, default=10)
    p.add_argument("--sort", choices=SORTS, default="relevance")
    p.add_argument("--category", action="append", help="only this category (repeatable)")
    p.add_argument("--since", help="YYYY-MM-DD")
    p.add_argument("--until", help="YYYY-MM-DD")
    p.add_argument("--json", action="store_true", help="print JSON")
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


def main(argv: list[str] | None = None) -> int:
    p = _parser()
    options, words = _split(sys.argv[1:] if argv is None else list(argv), p)
    args = p.parse_args(options)
    args.query = words
    try:
        res = open_index(args.index).search(
            " ".join(args.query), page=args.page, per_page=args.per_page,
            categories=args.category, since=args.since, until=args.until, sort=args.sort)
    except SearchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        print(_as_json(res) if args.json else _as_text(res, _use_colour()))
    except BrokenPipeError:  # piped into head: not an error
        sys.stderr.close()
    return 0
