"""The search page's reading of its URL: forgiving where the JSON API is strict.

A reader who edits the address bar (``page=0``, ``sort=foo``) or pastes a
query longer than the limit should still get a page of results, told what was
changed; the API answers the same URL with a 400 so clients notice.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Mapping

from werkzeug.datastructures import MultiDict

from .params import (DEFAULT_PER_PAGE, MAX_QUERY_CHARS, BadParameter, SearchParams,
                     parse_search_args)

__all__ = ["page_params", "state_params"]

# Parameters the page falls back from, and what it says when it does.
_FALLBACKS = {
    "page": "页码“{raw}”无效，已显示第 1 页。",
    "sort": "没有“{raw}”这种排序方式，已按相关度排序。",
    "per_page": f"每页条数“{{raw}}”无效，已按每页 {DEFAULT_PER_PAGE} 条显示。",
}


def page_params(args: Mapping[str, str] | MultiDict) -> tuple[SearchParams, list[str]]:
    """Parameters for the page and the notices to show; BadParameter only for dates."""
    args = MultiDict(args)
    notices: list[str] = []
    day = args.pop("day", "").strip()
    if day:
        if _is_date(day):  # the home page's "browse a day" form sends one date
            args["since"] = args["until"] = day
        else:
            notices.append(f"日期“{day[:40]}”无效，应当写成 2022-05-18 这样。")
    q = args.get("q", "")
    if len(q) > MAX_QUERY_CHARS:
        args["q"] = q[:MAX_QUERY_CHARS]
        notices.append(f"搜索词有 {len(q)} 个字符，只用了前 {MAX_QUERY_CHARS} 个。")
    for _ in _FALLBACKS:
        try:
            return parse_search_args(args), notices
        except BadParameter as exc:
            if exc.param not in _FALLBACKS:
                raise
            notices.append(_FALLBACKS[exc.param].format(raw=args.get(exc.param, "")[:40]))
            args.pop(exc.param)
    return parse_search_args(args), notices


def _is_date(text: str) -> bool:
    try:
        return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text)) and bool(date.fromisoformat(text))
    except ValueError:
        return False


def state_params(args: Mapping[str, str] | MultiDict) -> SearchParams:
    """The search an article was opened from, for its links back; never raises."""
    try:
        return page_params(args)[0]
    except BadParameter:
        return SearchParams(q=args.get("q", "")[:MAX_QUERY_CHARS])
