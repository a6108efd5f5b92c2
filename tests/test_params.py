"""The library's parameters, as documented: every bad one raises QueryError naming itself."""
from __future__ import annotations

import pytest

import search


@pytest.mark.parametrize("q", [123, None, b"\xe5\x8c\x97\xe4\xba\xac", ["北京"], 1.5])
def test_a_query_that_is_not_text_is_refused(corpus_index, q):
    with pytest.raises(search.QueryError) as err:
        corpus_index.search(q)
    assert err.value.param == "q" and str(err.value).startswith("q:")


@pytest.mark.parametrize("categories", [[None], 5, [b"x"], {"a": 1}, b"x"])
def test_bad_categories_are_a_query_error_not_a_type_error(corpus_index, categories):
    with pytest.raises(search.QueryError) as err:
        corpus_index.search("北约", categories=categories)
    assert err.value.param == "categories" and "categories" in str(err.value)


@pytest.mark.parametrize("kwargs, param", [
    ({"page": 0}, "page"), ({"page": "2"}, "page"), ({"page": True}, "page"),
    ({"per_page": 0}, "per_page"), ({"per_page": 1001}, "per_page"),
    ({"sort": "best"}, "sort"), ({"since": "yesterday"}, "since"), ({"until": 5}, "until")])
def test_each_bad_parameter_names_itself(corpus_index, kwargs, param):
    with pytest.raises(search.QueryError) as err:
        corpus_index.search("北约", **kwargs)
    assert err.value.param == param and str(err.value).startswith(f"{param}:")


def test_related_names_its_own_limit(corpus_index):
    hit = corpus_index.search("北约").hits[0]
    for bad in (-1, "3", None):
        with pytest.raises(search.QueryError) as err:
            corpus_index.related(hit.id, limit=bad)
        assert err.value.param == "limit" and "per_page" not in str(err.value)
    assert len(corpus_index.related(hit.id, limit=2)) <= 2


def test_an_empty_query_lists_every_article_within_the_filters(corpus_index):
    everything = corpus_index.search("", per_page=5, sort="newest")
    assert everything.total == corpus_index.doc_count
    assert corpus_index.search("   ").total == corpus_index.doc_count
    category = next(iter(everything.facets["categories"]))
    some = corpus_index.search("", categories=[category])
    assert some.total == everything.facets["categories"][category] < everything.total
    # Text with nothing to look for is not empty: it finds nothing.
    assert corpus_index.search("，。").total == 0
