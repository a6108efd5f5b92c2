"""Varied API requests, so that a server's result cache meets mostly new ones.

Each request is one of the mix's queries with or without a year filter, on one of
the first pages, sometimes sorted by date: thousands of distinct URLs, shuffled
with a fixed seed and handed out once each until they run out.
"""
import itertools
import random
import threading
import urllib.parse

YEARS = range(2012, 2026)
PAGES = (1, 1, 1, 2, 3)  # most people stay on the first page


def urls(queries, seed, path="/api/search"):
    """Every distinct combination, in a shuffled order fixed by seed."""
    combos = []
    for q in queries:
        for year in (None, *YEARS):
            for page in sorted(set(PAGES)):
                for sort in ("relevance", "newest"):
                    combos.append((q, year, page, sort))
    rng = random.Random(seed)
    rng.shuffle(combos)
    # Weight page 1 as people do, without repeating a URL: drop most deep pages.
    keep = [c for c in combos if c[2] == 1 or rng.random() < PAGES.count(c[2]) / PAGES.count(1)]
    return [path + "?" + urllib.parse.urlencode(_args(*c)) for c in keep]


def _args(q, year, page, sort):
    args = {"q": q}
    if year is not None:
        args.update(since=f"{year}-01-01", until=f"{year}-12-31")
    if page != 1:
        args["page"] = page
    if sort != "relevance":
        args["sort"] = sort
    return args


class Feed:
    """Hands the URLs out to client threads, each once, then round again."""

    def __init__(self, url_list):
        self.urls, self._next, self._lock = url_list, itertools.count(), threading.Lock()
        self.handed = 0

    def take(self):
        with self._lock:
            i = next(self._next)
            self.handed = i + 1
        return self.urls[i % len(self.urls)]

    @property
    def distinct_share(self):
        return min(self.handed, len(self.urls)) / self.handed if self.handed else None
