"""What a search returns: a page of hits, and a whole article (both backends)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .timeline import Timeline

__all__ = ["Hit", "ResultPage", "Article"]


@dataclass
class Hit:
    """One article in a result list (duplicates folded into one hit)."""

    id: str
    path: str
    duplicates: list[str]
    title: str
    date: datetime | None
    categories: list[str]
    author: str
    score: float
    title_html: str
    snippet_html: str
    display_title: str = ""  # the title as it read before a pipeline put "_" in it
    item_title_html: str = ""  # in a roundup, the headline of the item that matched
    # When more of its series (a column) or event (the same title within days)
    # match than the page shows: how many, and the search that lists them.
    series_total: int = 0
    series_query: str = ""
    series_since: datetime | None = None
    series_until: datetime | None = None
    people: list[str] = field(default_factory=list)  # named in its title and lead
    places: list[str] = field(default_factory=list)
    organizations: list[str] = field(default_factory=list)


@dataclass
class ResultPage:
    """One page of results, with the exact total and facet counts."""

    query: str
    total: int
    page: int
    per_page: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    took_ms: float = 0.0
    # Categories asked for (filter or category:) that name none in the index.
    unknown_categories: list[str] = field(default_factory=list)
    # Of ``total``, the articles holding each term exactly as typed (an unquoted
    # term is cut into words that may stand apart), and how terms were cut.
    exact_total: int = 0
    read_as: list[tuple[str, list[str]]] = field(default_factory=list)
    partial: bool = False  # some shard did not answer: total and facets are short
    partial_reason: str = ""
    timeline: Timeline = field(default_factory=Timeline)  # matches per period (facets)
    # Query assistance (search.assist): the query searched instead of the one typed
    # (pinyin read as Chinese, a homophone corrected), other words of that reading,
    # and a query suggested beside the results.
    interpreted_as: str | None = None
    alternatives: list[str] = field(default_factory=list)
    did_you_mean: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass
class Article:
    """A whole stored article, for an article view."""

    id: str
    path: str
    duplicates: list[str]
    title: str
    body: str
    html: str
    date: datetime | None
    categories: list[str]
    author: str
    display_title: str = ""
    people: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    organizations: list[str] = field(default_factory=list)
