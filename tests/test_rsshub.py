"""End to end over the real rsshub articles in ../shared (skipped only without it)."""
import random

import pytest

from indexer.build import content_key
from indexer.corpus import iter_articles
from search.analysis import is_searchable, normalize

from conftest import RSSHUB, needs_shared


@pytest.fixture(scope="module")
def articles():
    needs_shared()
    return [a for a, _ in iter_articles(RSSHUB) if a]


def test_every_file_of_the_real_corpus_is_read(articles):
    assert len(articles) == 158
    assert all(a.title and a.date for a in articles)


def test_every_article_is_found_first_by_its_own_headline(rsshub_index, articles):
    misses = []
    for art in articles:
        hits = rsshub_index.search(art.title, highlight=False, facets=False).hits
        if not hits or hits[0].id != content_key(art.title, art.body):
            misses.append(art.title)
    assert misses == []


def _probes(articles, n, seed=20261126):
    rng = random.Random(seed)
    out = []
    while len(out) < n:
        text = rng.choice(articles).body
        size = rng.choice((1, 2, 2, 3, 3, 4, 5, 6, 8, 12))
        if len(text) <= size:
            continue
        start = rng.randrange(len(text) - size)
        probe = text[start:start + size]
        if is_searchable(normalize(probe)) and '"' not in probe and not probe.startswith("-"):
            out.append(probe)
    return out


def test_substrings_of_the_text_find_every_article_containing_them(rsshub_index, articles):
    texts = {}
    for a in articles:
        texts[content_key(a.title, a.body)] = (normalize(a.title), normalize(a.body))
    missed = {}
    for probe in _probes(articles, 300):
        needle = normalize(probe)
        truth = {k for k, (t, b) in texts.items() if needle in t or needle in b}
        res = rsshub_index.search(probe, per_page=1000, highlight=False, facets=False)
        lost = truth - {h.id for h in res.hits}
        if lost:
            missed[probe] = len(lost)
    assert missed == {}


def test_highlighted_snippets_mark_the_query(rsshub_index):
    res = rsshub_index.search("北约")
    assert res.total >= 5
    for hit in res.hits:
        assert "<mark>北约</mark>" in hit.snippet_html + hit.title_html
