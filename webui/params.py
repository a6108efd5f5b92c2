"""Request arguments -> validated search parameters, shared by pages, API and feed.

One parser means the HTML page, the JSON API and the Atom feed accept exactly
the same URLs and reject bad ones with the same messages.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Mapping

from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest

import search
from search.params import SORTS

__all__ = ["BadParameter", "SearchParams", "parse_search_args", "run_search", "search_kwargs_for",
           "suggest_args",
           "NAME_ARGS", "whole_number",
           "MAX_QUERY_CHARS", "MAX_PER_PAGE", "DEFAULT_PER_PAGE"]

DEFAULT_PER_PAGE = 10
MAX_PER_PAGE = 1000  # the search module's own limit
# Far longer than any real query, short enough that one request stays cheap.
MAX_QUERY_CHARS = 500
MAX_CATEGORIES = 20
# SearchParams field -> its URL parameter (repeatable, like category).
NAME_ARGS = {"people": "person", "places": "place", "orgs": "org"}
MAX_PAGE = 1_000_000_000  # pages past the end are clamped; this only bounds the number
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class BadParameter(BadRequest):
    """A request parameter is invalid; pages show it as a 400 page, the API as JSON."""

    def __init__(self, param: str, message: str, zh: str = ""):
        super().__init__(f"{param}: {message}")
        self.param = param
        # The page speaks Chinese; the API keeps the English message as its "error".
        self.zh = zh or f"参数 {param} 的值无效。"


@dataclass(frozen=True)
class SearchParams:
    """Everything that selects one page of results; all of it lives in the URL."""

    q: str = ""
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    categories: tuple[str, ...] = field(default_factory=tuple)
    since: str = ""
    until: str = ""
    sort: str = "relevance"
    people: tuple[str, ...] = field(default_factory=tuple)
    places: tuple[str, ...] = field(default_factory=tuple)
    orgs: tuple[str, ...] = field(default_factory=tuple)
    literal: bool = False  # search the text as typed: no pinyin, correction or synonyms

    @property
    def has_filters(self) -> bool:
        return bool(self.categories or self.since or self.until or self.has_names)

    @property
    def has_names(self) -> bool:
        return bool(self.people or self.places or self.orgs)

    @property
    def browsing(self) -> bool:
        """No query but dates: the stories of those days, in the order they aired."""
        return not self.q.strip() and bool(self.since or self.until)

    def with_(self, **changes: Any) -> "SearchParams":
        """A copy with some fields changed; filters and sort reset the page to 1."""
        if "page" not in changes:
            changes["page"] = 1
        return replace(self, **changes)

    def url_args(self) -> dict[str, Any]:
        """Query-string arguments for url_for, leaving out defaults to keep URLs short."""
        args: dict[str, Any] = {"q": self.q}
        if self.categories:
            args["category"] = list(self.categories)
        for attr, arg in NAME_ARGS.items():
            if getattr(self, attr):
                args[arg] = list(getattr(self, attr))
        for name in ("since", "until"):
            if getattr(self, name):
                args[name] = getattr(self, name)
        if self.sort != "relevance":
            args["sort"] = self.sort
        if self.per_page != DEFAULT_PER_PAGE:
            args["per_page"] = self.per_page
        if self.page != 1:
            args["page"] = self.page
        if self.literal:
            args["literal"] = 1
        return args

    def search_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``Index.search``."""
        return {"page": self.page, "per_page": self.per_page,
                "categories": list(self.categories) or None,
                "since": self.since or None, "until": self.until or None,
                "sort": self.sort, "people": list(self.people) or None,
                "places": list(self.places) or None, "orgs": list(self.orgs) or None,
                "assist": not self.literal}


def whole_number(args: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    """A whole-number parameter within low..high (default when absent); BadParameter else."""
    return _int(args, name, default, low, high)


def _int(args: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name, "").strip()
    if raw == "":
        return default
    if not re.fullmatch(r"[0-9]+", raw):
        raise BadParameter(name, f"must be a whole number, got {raw[:40]!r}",
                           f"参数 {name} 必须是正整数，收到的是“{raw[:40]}”。")
    # Compare lengths first: int() refuses strings of thousands of digits.
    if len(raw.lstrip("0")) > len(str(high)) or not low <= int(raw) <= high:
        raise BadParameter(name, f"must be between {low} and {high}, got {raw[:40]}",
                           f"参数 {name} 必须在 {low} 到 {high} 之间，收到的是 {raw[:40]}。")
    return int(raw)


def _date(args: Mapping[str, str], name: str) -> str:
    raw = args.get(name, "").strip()
    if raw == "":
        return ""
    try:
        if not _ISO_DATE.fullmatch(raw):
            raise ValueError
        date.fromisoformat(raw)
    except ValueError:
        raise BadParameter(name, f"must be a date like 2022-05-18, got {raw[:40]!r}",
                           f"日期 {name} 应当写成 2022-05-18 这样，收到的是“{raw[:40]}”。"
                           ) from None
    return raw


def parse_search_args(args: Mapping[str, str] | MultiDict,
                      default_per_page: int = DEFAULT_PER_PAGE) -> SearchParams:
    """Validated parameters from a query string; BadParameter names the bad one."""
    q = args.get("q", "")
    if len(q) > MAX_QUERY_CHARS:
        raise BadParameter("q", f"is too long ({len(q)} characters, at most {MAX_QUERY_CHARS})",
                           f"搜索词太长：{len(q)} 个字符，最多 {MAX_QUERY_CHARS} 个。")
    sort = args.get("sort", "").strip() or "relevance"
    if sort not in SORTS:
        raise BadParameter("sort", f"must be one of {', '.join(SORTS)}, got {sort[:40]!r}",
                           f"排序方式只能是 {'、'.join(SORTS)}，收到的是“{sort[:40]}”。")
    categories = _repeated(args, "category")
    names = {attr: _repeated(args, arg) for attr, arg in NAME_ARGS.items()}
    since, until = _date(args, "since"), _date(args, "until")
    if since and until and since > until:
        raise BadParameter("since", f"must not be later than until ({since} > {until})",
                           f"开始日期 {since} 晚于结束日期 {until}。")
    return SearchParams(
        q=q, page=_int(args, "page", 1, 1, MAX_PAGE),
        per_page=_int(args, "per_page", default_per_page, 1, MAX_PER_PAGE),
        categories=categories, since=since, until=until, sort=sort,
        literal=args.get("literal", "").strip() not in ("", "0"), **names)


def _repeated(args: Mapping[str, str] | MultiDict, name: str) -> tuple[str, ...]:
    """A repeatable parameter's distinct non-blank values (at most MAX_CATEGORIES)."""
    raw = args.getlist(name) if isinstance(args, MultiDict) else \
        [args[name]] if args.get(name) else []
    values = tuple(dict.fromkeys(v.strip() for v in raw if v.strip()))
    if len(values) > MAX_CATEGORIES:
        what = "categories" if name == "category" else "values"
        raise BadParameter(name, f"at most {MAX_CATEGORIES} {what} at once",
                           f"参数 {name} 一次最多 {MAX_CATEGORIES} 个。" if name != "category"
                           else f"一次最多选 {MAX_CATEGORIES} 个分类。")
    return values


def search_kwargs_for(params: SearchParams) -> dict[str, Any]:
    """``Index.search`` keywords for these parameters, as the page and API search."""
    kwargs = params.search_kwargs()
    if not params.q.strip() and params.sort == "relevance":
        # Nothing to rank: a day's stories in the order they aired; a name's, newest first.
        kwargs["sort"] = "newest" if params.has_names and not params.browsing else "oldest"
    return kwargs


MAX_SUGGESTIONS = 20
MAX_PREFIX_CHARS = 64


def suggest_args(args: Mapping[str, str]) -> tuple[str, int]:
    """(prefix, limit) for suggestions; a long prefix is cut (nothing completes it anyway)."""
    q = args.get("q", "")[:MAX_PREFIX_CHARS]
    return q, _int(args, "limit", 10, 1, MAX_SUGGESTIONS)


def run_search(ix: search.Index, params: SearchParams) -> search.ResultPage:
    """Search with these parameters; anything the index still rejects is a BadParameter."""
    kwargs = search_kwargs_for(params)
    try:
        return ix.search(params.q, **kwargs)
    except search.QueryError as exc:
        # The index's messages start with the parameter's name ("since: ...", "page must ...").
        name = re.match(r"[a-z_]*", str(exc)).group(0) or "q"
        raise BadParameter(name, str(exc)) from None
