"""Honest counts: beside the total, how many articles hold each term exactly as typed."""
from __future__ import annotations

import pytest

import search
import synth
from indexer.build import build_index

TEXTS = {
    1: "一位美国人在北京开了一家咖啡馆，生意很好。",
    2: "美国总统访问亚洲，许多人在机场等候。",
    3: "美国的经济数据公布，分析人士认为增长放缓。",
    4: "今天天气晴朗，适合出门散步。",
}


@pytest.fixture(scope="module")
def ix(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("exact-corpus")
    for n, text in TEXTS.items():
        synth.write(corpus, n, head=f"第{n}篇报道", text=text)
    index = tmp_path_factory.mktemp("exact-index")
    build_index(corpus, index)
    return search.open_index(index)


def test_a_term_cut_into_words_counts_the_whole_term_apart(ix):
    res = ix.search("美国人")
    holding = {h.id for h in ix.search('"美国人"').hits}
    assert res.read_as and res.read_as[0][0] == "美国人" and len(res.read_as[0][1]) > 1
    assert res.total == 3 and res.exact_total == len(holding) == 1
    assert res.hits[0].id in holding  # the first tier


def test_counts_agree_when_nothing_was_cut(ix):
    for q in ('"美国人"', "天气", "天气 -散步", ""):
        res = ix.search(q)
        assert res.exact_total == res.total, q


def test_filters_and_exclusions_apply_to_the_exact_count(ix):
    res = ix.search("美国人 -咖啡馆")
    assert res.total == 2 and res.exact_total == 0 and res.read_as


def test_page_and_api_say_how_many_hold_the_term_whole(ix):
    from webui import create_app

    app = create_app(ix.path)
    with app.test_client() as client:
        page = client.get("/?q=美国人").get_data(as_text=True)
        assert "其中 <strong>1</strong> 篇包含完整的“美国人”" in page
        assert "美国 + 人" in page
        plain = client.get("/?q=天气").get_data(as_text=True)
        assert "包含完整的" not in plain
        data = client.get("/api/search?q=美国人").get_json()
        assert data["total"] == 3 and data["exact_total"] == 1
        assert data["read_as"] == [{"term": "美国人", "words": ["美国", "人"]}]
