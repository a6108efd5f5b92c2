"""The links around a result list: facets, sorting, pages and what to try next.

Each is a plain URL built from SearchParams, so every state of the page is a
bookmarkable address and works without JavaScript.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import url_for

import search

from .params import SearchParams

__all__ = ["Link", "search_url", "article_url", "back_url", "series_url", "category_links", "year_links",
           "name_links", "name_url", "NAME_LABELS",
           "sort_links", "day_links", "page_links", "active_filters", "suggestions", "SORT_LABELS"]

SORT_LABELS = {"relevance": "相关度", "newest": "最新", "oldest": "最早"}
# SearchParams field -> what the page calls that kind of name.
NAME_LABELS = {"people": "人物", "places": "地点", "orgs": "机构"}


@dataclass(frozen=True)
class Link:
    """One link for a template: its text, its target and, for facets, a count."""

    label: str
    url: str
    count: int | None = None
    current: bool = False


def search_url(params: SearchParams, **changes) -> str:
    """The search page URL for these parameters with some changed (page reset to 1)."""
    return url_for("views.search", **params.with_(**changes).url_args())


def article_url(article_id: str, params: SearchParams) -> str:
    """An article view that carries the whole search it was opened from."""
    return url_for("views.article", article_id=article_id, **params.url_args())


def series_url(params: SearchParams, hit: search.Hit) -> str:
    """Every match of a hit's series (its column, or its event's days), within this search."""
    changes: dict = {"q": hit.series_query}
    if hit.series_since and hit.series_until:
        changes.update(since=hit.series_since.date().isoformat(),
                       until=hit.series_until.date().isoformat())
    return search_url(params, **changes)


def back_url(params: SearchParams) -> str:
    """The result page an article was opened from, on the same page number."""
    return search_url(params, page=params.page)


def category_links(params: SearchParams, counts: dict[str, int], total: int) -> list[Link]:
    """One link per category that would narrow the results (or undo a chosen one)."""
    chosen = set(params.categories)
    names = list(counts) + [c for c in params.categories if c not in counts]
    links = []
    for name in names:
        if name in chosen:
            links.append(Link(name, search_url(params, categories=_without(params, name)),
                              counts.get(name, 0), True))
        elif counts[name] < total:  # in every result: choosing it would change nothing
            links.append(Link(name, search_url(params, categories=params.categories + (name,)),
                              counts[name]))
    return links


def year_links(params: SearchParams, counts: dict[str, int], total: int) -> list[Link]:
    """A link per year setting since/until to that year; the current one clears it."""
    links = []
    for year, count in counts.items():
        since, until = f"{year}-01-01", f"{year}-12-31"
        current = params.since == since and params.until == until
        if not current and count >= total:
            continue  # every result is from that year already
        url = search_url(params, since="", until="") if current else \
            search_url(params, since=since, until=until)
        links.append(Link(year, url, count, current))
    return links


def name_links(params: SearchParams, attr: str, counts: dict[str, int], total: int
               ) -> list[Link]:
    """Links that narrow the results to the articles naming one more person (place, org)."""
    chosen = getattr(params, attr)
    links = [Link(name, search_url(params, **{attr: tuple(n for n in chosen if n != name)}),
                  counts.get(name), True) for name in chosen]
    for name, count in counts.items():
        if name not in chosen and count < total:  # in every result: it would change nothing
            links.append(Link(name, search_url(params, **{attr: chosen + (name,)}), count))
    return links


def name_url(attr: str, name: str) -> str:
    """Every article naming this person (place, organisation), newest first."""
    return search_url(SearchParams(), **{attr: (name,)})


def active_filters(params: SearchParams) -> list[Link]:
    """One link per filter in use, each removing just that filter."""
    links = [Link(f"分类：{name}", search_url(params, categories=_without(params, name)),
                  current=True) for name in params.categories]
    for attr, label in NAME_LABELS.items():
        chosen = getattr(params, attr)
        links += [Link(f"{label}：{name}",
                       search_url(params, **{attr: tuple(n for n in chosen if n != name)}),
                       current=True) for name in chosen]
    if params.since or params.until:
        label = f"日期：{params.since or '…'} 至 {params.until or '…'}"
        links.append(Link(label, search_url(params, since="", until=""), current=True))
    return links


def _without(params: SearchParams, category: str) -> tuple[str, ...]:
    return tuple(c for c in params.categories if c != category)


def sort_links(params: SearchParams) -> list[Link]:
    labels = dict(SORT_LABELS)
    if params.browsing:  # with nothing to rank, "relevance" is the order the stories aired
        labels["relevance"] = "播出顺序"
        if params.sort != "oldest":
            del labels["oldest"]  # the same order again
    return [Link(label, search_url(params, sort=key), current=params.sort == key)
            for key, label in labels.items()]


def day_links(params: SearchParams) -> list[Link]:
    """For a one-day browse: the day before and the day after."""
    if not params.since or params.since != params.until:
        return []
    day = date.fromisoformat(params.since)
    links = []
    for label, delta in (("← 前一天", -1), ("后一天 →", 1)):
        try:
            other = (day + timedelta(days=delta)).isoformat()
        except OverflowError:  # 0001-01-01 and 9999-12-31 have no neighbour
            continue
        links.append(Link(label, search_url(params, since=other, until=other)))
    return links


def page_links(params: SearchParams, pages: int, window: int = 2) -> list[Link | None]:
    """Numbered page links around the current page; None stands for a gap (…)."""
    shown = sorted({1, pages} | set(range(max(1, params.page - window),
                                          min(pages, params.page + window) + 1)))
    links: list[Link | None] = []
    for i, number in enumerate(shown):
        if i and number - shown[i - 1] > 1:
            links.append(None)
        links.append(Link(str(number), search_url(params, page=number),
                          current=number == params.page))
    return links


def suggestions(params: SearchParams, ix: search.Index) -> list[Link]:
    """For an empty result: the same search without one word or one filter."""
    links: list[Link] = []
    words = params.q.split()
    if len(words) > 1:
        for i, word in enumerate(words):
            rest = " ".join(words[:i] + words[i + 1:])
            links.append(Link(f"去掉“{word}”：{rest}", search_url(params, q=rest)))
    elif len(words) == 1:
        # One long run of Chinese: offer its parts, since the whole may not appear.
        parts = [w for w in dict.fromkeys(ix.segmenter.words(words[0])) if len(w) > 1]
        if len(parts) > 1:
            links += [Link(f"只搜“{w}”", search_url(params, q=w)) for w in parts[:4]]
    for name in params.categories:
        links.append(Link(f"去掉分类“{name}”",
                          search_url(params, categories=_without(params, name))))
    if params.since or params.until:
        links.append(Link("去掉日期范围", search_url(params, since="", until="")))
    for attr, label in NAME_LABELS.items():
        for name in getattr(params, attr):
            links.append(Link(f"去掉{label}“{name}”", search_url(
                params, **{attr: tuple(n for n in getattr(params, attr) if n != name)})))
    names = sum(len(getattr(params, attr)) for attr in NAME_LABELS)
    if len(params.categories) + bool(params.since or params.until) + names > 1:
        links.append(Link("去掉全部筛选条件", search_url(
            params, categories=(), since="", until="", people=(), places=(), orgs=())))
    return links
