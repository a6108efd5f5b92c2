"""Ranking for news (search/ranking.py): stubs, folding, recency, series, straddles.

A small corpus written for these rules, each group paired with what ranking
must do with it; then properties that must hold on any index (the bundled
corpus and the real rsshub sample).
"""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from search.query import EXACT_BONUS
from search.ranking import RankingRules, series_labels
from conftest import BACKENDS
from tests.synth import article

FILLER = "记者从会上获悉，相关部门将继续推进各项工作，进一步完善制度保障，确保任务按期完成。"


def _post(root, name, title, text, date):
    path = root / f"{name}.md"
    path.write_text(article(0, head=title, text=text, date=date), encoding="utf-8")


def _p(*sentences):
    return "".join(f"<p>{s}</p>" for s in sentences)


@pytest.fixture(scope="module")
def news_corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("ranking-corpus")
    # A story and the video-only stub filed beside it the same day; a stub with no twin.
    _post(root, "a1", "北约峰会在维尔纽斯开幕", _p("北约峰会今天开幕，北约各国领导人出席。" + FILLER),
          "2023-07-11 10:00:00")
    _post(root, "a2", "北约峰会在维尔纽斯开幕", "", "2023-07-11 12:30:00")
    _post(root, "a3", "北约外长举行会晤", "", "2023-04-04 09:00:00")
    # A column of five: high scores, but at most two in a top 10.
    for i in range(5):
        _post(root, f"s{i}", f"【北约观察】第{i + 1}期 北约东扩", _p("北约北约北约。" + FILLER),
              f"2022-0{i + 1}-15 08:00:00")
    # One event filed four times within two days under the same title.
    for i in range(4):
        _post(root, f"e{i}", "北约防长会议召开", _p(f"北约防长会议第{i}次报道。北约北约。" + FILLER),
              f"2021-10-2{i // 2} 0{i}:00:00")
    # Ordinary stories, older to newer.
    for i in range(8):
        _post(root, f"n{i}", f"国际观察{i}号", _p("北约" + FILLER * (1 + i % 3)),
              f"{2013 + i}-05-0{1 + i % 8} 08:00:00")
    # The same text ten years apart: the newer one first.
    _post(root, "r0", "北约议会大会简讯", _p("北约议会大会闭幕。" + FILLER), "2013-06-01 08:00:00")
    _post(root, "r1", "北约议会大会简报", _p("北约议会大会闭幕。" + FILLER), "2023-06-01 08:00:00")
    # 北约 only across a word boundary (north of, about 400 km), in a short, high-scoring story.
    _post(root, "x0", "城市见闻", _p("该市位于首都以北约400公里。"), "2020-01-01 08:00:00")
    return root


@pytest.fixture(scope="module", params=BACKENDS)
def news(request, news_corpus, tmp_path_factory):
    """The corpus above on each backend: the rules are the same on both."""
    import search
    from indexer.update import update_index

    if request.param == "whoosh":
        location = tmp_path_factory.mktemp("ranking-index")
    else:
        location = request.getfixturevalue("scratch_cluster").url
    update_index(news_corpus, location, rebuild=True)
    ix = search.open_index(location)
    yield ix
    if hasattr(ix, "close"):
        ix.close()


def _ids(res):
    return [h.path.rsplit("/", 1)[-1].removesuffix(".md") for h in res.hits]


def test_stub_beside_its_story_folds_into_it(news):
    res = news.search("北约峰会", per_page=50)
    assert _ids(res).count("a1") == 1 and "a2" not in _ids(res)
    hit = res.hits[_ids(res).index("a1")]
    assert [p.rsplit("/", 1)[-1] for p in hit.duplicates] == ["a2.md"]
    assert news.search("", per_page=1).total == news.doc_count == 23 - 1


def test_stories_without_text_never_outrank_stories_with_text(news):
    res = news.search("北约", per_page=50)
    ids = _ids(res)
    assert ids[-1] == "a3"  # the twin-less stub: last, whatever BM25 made of its short title
    off = RankingRules(news=False)
    rules, news.ranking = news.ranking, off
    try:
        assert _ids(news.search("北约", per_page=50)).index("a3") < len(ids) - 1
    finally:
        news.ranking = rules


def test_at_most_two_of_a_series_or_event_per_ten(news):
    res = news.search("北约", per_page=10)
    labels = Counter(h.title.split("】")[0] if "】" in h.title else h.title for h in res.hits)
    assert max(labels.values()) <= 2
    # Later pages hold the rest, capped the same way; and they are one click away.
    pages = [news.search("北约", page=p, per_page=10).hits for p in (1, 2, 3)]
    assert [sum("【北约观察】" in h.title for h in hits) for hits in pages] == [2, 2, 1]
    first = next(h for h in res.hits if "【北约观察】" in h.title)
    assert first.series_total == 5 and first.series_query
    assert news.search(first.series_query, per_page=50).total == 5


def test_pages_agree_with_one_long_page(news):
    long = _ids(news.search("北约", per_page=30))
    paged = sum((_ids(news.search("北约", page=p, per_page=10)) for p in (1, 2, 3)), [])
    assert paged == long and len(set(long)) == len(long)


def test_newer_story_first_when_the_match_is_as_good(news):
    ids = _ids(news.search("北约议会大会", per_page=50))
    assert ids.index("r1") < ids.index("r0")


def test_match_straddling_a_word_boundary_ranks_after_words(news):
    ids = _ids(news.search("北约", per_page=50))
    assert ids.index("x0") > max(ids.index(i) for i in ids if i.startswith("n"))
    # A quoted phrase asks for the characters: no demotion.
    assert "x0" in _ids(news.search('"北约"', per_page=50))


def test_first_tier_stays_first(news):
    res = news.search("北约峰会", per_page=50)
    tiers = [h.score >= EXACT_BONUS for h in res.hits]
    assert tiers == sorted(tiers, reverse=True) and tiers[0]


@pytest.mark.parametrize("which", ["corpus_index", "rsshub_index"])
def test_ranking_properties_on_real_indexes(which, request):
    ix = request.getfixturevalue(which)
    _, tables, _ = ix._state()
    titles = [h.title for h in ix.search("", per_page=60, highlight=False).hits]
    words = {w for t in titles for w in ix.segmenter.words(t) if len(w) > 1}
    for q in sorted(words)[:80]:
        res = ix.search(q, per_page=20, highlight=False, facets=False)
        docs = np.array([ix._state()[0].number(h.id) for h in res.hits])
        if not len(docs):
            continue
        tier = [int(h.score // EXACT_BONUS) for h in res.hits]
        text = (tables.body_len[docs] > 0).tolist()
        assert list(zip(tier, text)) == sorted(zip(tier, text), reverse=True), q
        labels = series_labels(docs[:10], tables, ix.ranking.event_days)
        same_tier = len(set(tier[:10])) == 1
        if same_tier and res.total > 20:
            assert max(Counter(labels).values()) <= 2, q


def test_page_links_the_rest_of_a_series(news):
    import html
    import re

    from webui import create_app

    client = create_app(index_dir=news.path).test_client()
    page = client.get("/?q=北约&since=2012-01-01").get_data(as_text=True)
    link = re.search(r'<p class="hit__series"><a href="([^"]+)">同一专栏共 5 篇报道', page)
    assert link, "no series link on the page"
    follow = client.get(html.unescape(link.group(1))).get_data(as_text=True)
    assert follow.count('class="hit"') == 5 and "since=2012-01-01" in html.unescape(link.group(1))
    # The API carries the same, for other front ends.
    hits = client.get("/api/search?q=北约").get_json()["hits"]
    assert any(h.get("series_total") == 5 and h.get("series_query") for h in hits)


def test_date_order_puts_straddling_matches_last(news):
    newest = _ids(news.search("北约", sort="newest", per_page=50))
    assert newest[-1] == "x0"  # dated 2020, amid the others, but not about 北约
    paged = sum((_ids(news.search("北约", sort="newest", page=p, per_page=5)) for p in range(1, 6)),
                [])
    assert paged == newest[:25]
