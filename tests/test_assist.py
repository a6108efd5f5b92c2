"""Query assistance in the library: pinyin, homophones, synonyms, suggestions.

A small corpus written here, where every count is known: 普京 in 12
articles and the homophone 普金 in 1, xinhua as letters in 3 and 新华 in 6,
北约 in 4 and 北大西洋公约组织 in 2 others, iphone in 3, 重庆 and 银行 once each.
"""
from __future__ import annotations

import re
from functools import partial
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

import search
from indexer.build import build_index
from indexer.update import update_index
from search.assist import Assistant, _render
from search.lexicon import Lexicon
from search.synonyms import Synonyms
from search.query import parse
from conftest import BACKENDS

_TEXTS = (
    [("普京会见来访外宾", f"俄罗斯总统普京第{i}次会见外宾，双方讨论合作。") for i in range(12)]
    + [("演员普金出演新剧", "演员普金在新剧中饰演一位老师。")]
    + [("Xinhua reports", f"According to Xinhua, item {i} was published.") for i in range(3)]
    + [("新华社消息", f"新华社记者第{i}次报道城市建设。") for i in range(6)]
    + [("北约峰会召开", f"北约成员国领导人第{i}次会议。") for i in range(4)]
    + [("北大西洋公约组织扩大", f"北大西洋公约组织第{i}次讨论扩大。") for i in range(2)]
    + [("新款iphone发布", f"苹果公司发布新款iphone第{i}代。") for i in range(3)]
    + [("重庆银行开业", "重庆一家银行今天开业。")]
)


def write_corpus(folder: Path, texts=_TEXTS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, (title, body) in enumerate(texts):
        (folder / f"a{i:03d}.md").write_text(
            f"---\ntitle: '{title}'\ndate: 2022-03-{1 + i % 28:02d} 08:00:00\n---\n<p>{body}</p>\n",
            encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("assist")
    build_index(write_corpus(root / "corpus"), root / "index")
    return root / "index"


@pytest.fixture(scope="module")
def ix(index_dir):
    return search.open_index(index_dir)


def _ids(page) -> set[str]:
    return {h.id for h in page.hits}


@pytest.mark.parametrize("typed", ["pujing", "pu jing", "PuJing", "pu'jing"])
def test_pinyin_finds_what_the_word_finds(ix, typed):
    res, word = ix.search(typed, per_page=50), ix.search("普京", per_page=50)
    assert res.interpreted_as == "普京"
    assert res.query == typed
    assert res.total == word.total == 12 and _ids(res) == _ids(word)
    assert all("<mark>普京</mark>" in h.title_html for h in res.hits)


def test_heteronyms_read_in_context(ix):
    assert ix.search("chongqing").interpreted_as == "重庆"
    assert ix.search("yinhang").interpreted_as == "银行"


def test_apostrophes_are_syllable_boundaries(ix):
    # bei'yue splits where 北约 does; pu'j'ing cannot be a reading of 普京.
    assert ix.search("pu'jing").interpreted_as == "普京"
    assert ix.search("pu'j'ing").interpreted_as is None


def test_latin_words_the_archive_holds_stay_literal(ix):
    res = ix.search("iphone")
    assert res.interpreted_as is None and res.total == 3
    # xinhua is in 3 articles as letters, 新华 in 6: not far more, so the
    # letters are searched and the word is only suggested.
    res = ix.search("xinhua")
    assert res.interpreted_as is None and res.total == 3
    assert res.did_you_mean == "新华"


def test_assist_false_searches_the_text_as_given(ix):
    res = ix.search("pujing", assist=False)
    assert res.total == 0 and res.interpreted_as is None and res.did_you_mean is None
    assert ix.search("北约", assist=False).total == 4


def test_a_homophone_with_no_results_is_searched_as_the_word_meant(ix):
    res = ix.search("普京会剑")  # 会见 mistyped: nothing holds it
    assert res.total == 0 or res.interpreted_as is not None
    res = ix.search("普京 会剑")
    assert res.interpreted_as == "普京 会见" and res.total == 12


def test_a_rare_homophone_gets_a_suggestion_not_a_rewrite(ix):
    res = ix.search("普金")
    assert res.total == 1 and res.interpreted_as is None
    assert res.did_you_mean == "普京"


def test_a_query_with_plenty_of_results_is_never_corrected(ix):
    res = ix.search("普京")
    assert res.interpreted_as is None and res.did_you_mean is None


def test_synonyms_find_every_member_and_mark_it(ix):
    res = ix.search("北约", per_page=50)
    assert res.total == 6 and res.interpreted_as is None
    assert any("<mark>北大西洋公约组织</mark>" in h.title_html for h in res.hits)
    assert ix.search("北大西洋公约组织").total == 6


def test_a_quoted_phrase_is_never_expanded(ix):
    assert ix.search('"北约"').total == 4


def test_suggestions_complete_chinese_and_pinyin(ix):
    assert ix.suggest("北")[:1] == ["北约"]
    assert "普京" in ix.suggest("puj")
    assert "北约" in ix.suggest("beiy")
    assert ix.suggest("") == [] and ix.suggest("zzzz") == []
    assert len(ix.suggest("北", limit=1)) == 1
    with pytest.raises(search.QueryError):
        ix.suggest("北", limit=-1)


def test_odd_text_never_raises(ix):
    for q in ["'", "' '", "a" * 500, "x'", "OR", "\x00pujing", "普" * 300, "-pujing"]:
        ix.search(q)
        ix.suggest(q)


def test_an_update_counts_new_articles(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", _TEXTS[:3])
    update_index(corpus, tmp_path / "index")
    assert search.open_index(tmp_path / "index").suggest("pu") == ["普京"]
    (corpus / "new.md").write_text("---\ntitle: '重庆新闻'\n---\n<p>重庆下雨。</p>\n",
                                   encoding="utf-8")
    report = update_index(corpus, tmp_path / "index")
    assert report.mode == "update"
    lexicon = Lexicon.load(search.open_index(tmp_path / "index").generation)
    assert lexicon.df("普京") == 3 and lexicon.df("重庆") == 1
    assert search.open_index(tmp_path / "index").search("chongqing").total == 1


def test_updates_keep_the_lexicon_counts_of_a_rebuild(tmp_path):
    # Deleted and changed articles, and segments of earlier updates merged away, are
    # taken out of the counts: a word whose articles are gone is no longer offered.
    from search.arrayfile import read_arrays
    from search.lexicon import LEXICON_NAME

    corpus = write_corpus(tmp_path / "corpus")
    update_index(corpus, tmp_path / "index")
    for i in range(12):  # one article a run: Whoosh merges the small segments as it goes
        (corpus / f"a{i:03d}.md").write_text(
            f"---\ntitle: '重庆新闻{i}'\n---\n<p>重庆第{i}次下雨。</p>\n", encoding="utf-8")
        assert update_index(corpus, tmp_path / "index").mode == "update"
    (corpus / "a012.md").unlink()  # 普金's only article
    update_index(corpus, tmp_path / "index")
    build_index(corpus, tmp_path / "fresh")

    def counts(index):
        arrays = read_arrays(search.open_index(index).generation / LEXICON_NAME)
        return dict(zip(arrays["word"].tolist(), zip(arrays["df"].tolist(),
                                                     arrays["tdf"].tolist())))
    updated, fresh = counts(tmp_path / "index"), counts(tmp_path / "fresh")
    assert updated == fresh
    assert "普金".encode() not in updated and updated["重庆".encode()] == (13, 13)
    assert search.open_index(tmp_path / "index").suggest("pujin") == []


def test_a_rebuild_reads_the_pinyin_of_known_words_from_the_cache(tmp_path, monkeypatch):
    import indexer.lexicon as lexicon
    from search.arrayfile import read_arrays
    from search.lexicon import LEXICON_NAME

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(lexicon, "_CACHE_FROM", 0)  # this corpus has a few hundred words
    asked: list[str] = []
    real = lexicon._readings
    monkeypatch.setattr(lexicon, "_readings", lambda words: asked.extend(words) or real(words))
    corpus = write_corpus(tmp_path / "corpus")
    written = []
    for name in ("a", "b"):
        update_index(corpus, tmp_path / name)
        written.append(read_arrays(search.open_index(tmp_path / name).generation / LEXICON_NAME))
    first = len(asked)
    assert first and "普京" in asked and asked.count("普京") == 1  # read once, then cached
    assert all((written[0][k] == written[1][k]).all() for k in written[0])
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "other-cache"))
    update_index(corpus, tmp_path / "c")
    assert len(asked) == 2 * first  # a machine without the cache reads them all again


def test_without_a_lexicon_queries_are_searched_literally(ix):
    bare = Assistant(None, Synonyms.default())  # an index written before lexicons
    page = bare.search(partial(ix.search, assist=False), "pujing")
    assert page.total == 0 and page.interpreted_as is None and bare.suggest("pu") == []


# -- both backends: the same assistance on the Whoosh index and the cluster ------------
def test_both_backends_read_pinyin_and_suggest(any_corpus_index):
    ix = any_corpus_index
    word = ix.search("北约", per_page=50)
    for typed in ("beiyue", "Bei Yue"):
        res = ix.search(typed, per_page=50)
        assert res.interpreted_as == "北约" and res.query == typed
        assert {h.id for h in res.hits} == {h.id for h in word.hits} and res.total == word.total
    assert ix.search("beiyue", assist=False).total == 0
    assert ix.suggest("beiy")[0] == "北约" and "北约" in ix.suggest("北")
    assert ix.search("iphone").interpreted_as is None


def test_both_backends_expand_synonyms_but_not_phrases(any_corpus_index):
    ix = any_corpus_index
    assert ix.search("NATO").total == ix.search("北约").total > 0
    assert ix.search('"NATO"').total == ix.search('"NATO"', assist=False).total


# -- synonyms given to the indexer --------------------------------------------------
def test_a_synonyms_file_replaces_the_default_list_without_a_rebuild(tmp_path):
    import subprocess
    import sys

    corpus = write_corpus(tmp_path / "corpus")
    index = tmp_path / "index"
    build_index(corpus, index)
    ix = search.open_index(index)
    gen = ix.generation
    assert ix.search("北约").total == 6  # the default list joins 北约 and its long name
    mine = tmp_path / "mine.txt"
    mine.write_text("# ours\n普京 俄罗斯总统\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "indexer", str(corpus), "--index", str(index),
                          "--synonyms", str(mine), "-q"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    ix = search.open_index(index)
    assert ix.generation == gen  # nothing to re-index: the same generation
    assert ix.search("北约").total == 4 and ix.search("俄罗斯总统").total == 12
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00bad")
    run = subprocess.run([sys.executable, "-m", "indexer", str(corpus), "--index", str(index),
                          "--synonyms", str(bad)], capture_output=True, text=True)
    assert run.returncode == 2 and "--synonyms" in run.stderr and "UTF-8" in run.stderr


def test_synonym_lines_are_read_forgivingly():
    syn = Synonyms.parse("北约, 北大西洋公约组织、NATO  # comment\n\n单独\n\"引号\" a:b x\n")
    assert syn.others("nato") == ["北约", "北大西洋公约组织"]
    assert syn.others("單獨") == [] and syn.others("x") == []


# -- the JSON API and the OpenSearch suggestions ------------------------------------------
@pytest.fixture(scope="module")
def client(index_dir):
    from webui import create_app

    return create_app(index_dir).test_client()


def test_api_reports_what_was_searched(client):
    j = client.get("/api/search?q=pujing").get_json()
    assert j["interpreted_as"] == "普京" and j["total"] == 12 and j["query"] == "pujing"
    j = client.get("/api/search?q=pujing&literal=1").get_json()
    assert j["interpreted_as"] is None and j["total"] == 0
    j = client.get("/api/search?q=普金").get_json()
    assert j["did_you_mean"] == "普京" and j["total"] == 1


def test_api_suggest_and_opensearch_suggestions(client):
    # Both words read pu jin(g); the one in more titles comes first.
    assert client.get("/api/suggest?q=puj").get_json() == {"query": "puj",
                                                           "suggestions": ["普京", "普金"]}
    r = client.get("/suggest?q=北")
    assert r.mimetype == "application/x-suggestions+json"
    assert r.get_json()[0] == "北" and "北约" in r.get_json()[1]
    assert "application/x-suggestions+json" in client.get("/opensearch.xml").get_data(True)
    assert client.get("/api/suggest?q=北&limit=0").status_code == 400
    for q in ["", "<script>", "'" * 100, "\x00"]:
        assert client.get("/api/suggest", query_string={"q": q}).status_code == 200


def test_the_page_says_what_was_searched_and_links_the_literal_text(client):
    html = client.get("/?q=pujing").get_data(as_text=True)
    assert "已显示 <a" in html and "<strong>普京</strong>" in html
    assert "literal=1" in html
    # An article opened from there marks what was searched.
    link = re.search(r'href="(/article/[^"]+)"', html).group(1).replace("&amp;", "&")
    assert "q=%E6%99%AE%E4%BA%AC" in link
    assert "<mark>普京</mark>" in client.get(link).get_data(as_text=True)
    html = client.get("/?q=普金").get_data(as_text=True)
    assert "你是不是要找" in html and "<strong>普京</strong>" in html
    html = client.get("/?q=<b>pujing</b>").get_data(as_text=True)
    assert "<b>pujing" not in html


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('北约普京 "“”-:ORNTtitle分类category0.2x\'')),
               max_size=30))
def test_query_text_rendered_again_parses_the_same(text):
    # Synonyms and corrections rewrite query text: nothing else may change.
    parsed = parse(text)
    again = parse(_render(parsed, lambda c: [c.text]))
    assert again.groups == parsed.groups and again.negatives == parsed.negatives


def test_search_cli_says_what_it_searched_and_takes_literal(index_dir):
    import json
    import subprocess
    import sys

    def run(*args):
        return subprocess.run([sys.executable, "-m", "search", "--index", str(index_dir),
                               "--json", *args], capture_output=True, text=True)

    out = run("pujing")
    assert out.returncode == 0 and "showing results for 普京" in out.stderr
    data = json.loads(out.stdout)
    assert data["interpreted_as"] == "普京" and data["total"] == 12
    out = run("--literal", "pujing")
    assert json.loads(out.stdout)["total"] == 0 and out.stderr == ""


# -- pinyin of words the lexicon lacks: read over the bigram terms (search.lattice) ------
# 斐澜湾 and 沃蒂卡 are in no jieba dictionary and no title: only jieba's HMM finds
# them, in bodies. Wodika is also written in Latin letters, in 2 articles.
_BODY_ONLY = (
    [("渔民生活", f"记者在斐澜湾第{i}次采访了当地渔民。") for i in range(3)]
    + [("酒厂新品", f"沃蒂卡酒厂第{i}次推出新品。") for i in range(3)]
    + [("Wodika news", f"The Wodika brand was sold, part {i}.") for i in range(2)]
    + [("城市建设", "新华社记者报道城市建设。")]
)


@pytest.fixture(scope="module", params=BACKENDS)
def body_only(request, tmp_path_factory):
    """The corpus above on each backend (a cluster's reader reads its indexer's counts)."""
    root = tmp_path_factory.mktemp("body_only")
    location = root / "index" if request.param == "whoosh" else \
        request.getfixturevalue("scratch_cluster").url
    update_index(write_corpus(root / "corpus", _BODY_ONLY), location, rebuild=True)
    ix = search.open_index(location)
    yield ix
    if hasattr(ix, "close"):
        ix.close()


def test_pinyin_of_a_word_found_only_in_bodies_reads_as_that_word(body_only):
    ix = body_only
    tok = ix.segmenter.tokenizer
    assert "斐澜湾" not in tok.FREQ and ix.assistant.lexicon.df("斐澜湾") == 0
    for typed in ("feilanwan", "fei lan wan", "FeiLanWan"):
        res = ix.search(typed, per_page=10)
        assert res.interpreted_as == "斐澜湾" and res.query == typed
        assert res.total == 3 == ix.search("斐澜湾").total
    assert ix.search("fei'l'anwan").interpreted_as is None  # no reading splits so


def test_a_latin_word_the_corpus_holds_stays_literal(body_only):
    # wodika reads as 沃蒂卡 (3 articles), but the letters are in 2: not 20 times as
    # many, so the letters are searched; a string no lexicon holds is not suggested.
    assert body_only.assistant.pinyin("wodika").text == "沃蒂卡"
    res = body_only.search("wodika")
    assert res.interpreted_as is None and res.total == 2 and res.did_you_mean is None


def test_the_lattice_is_bounded(body_only, monkeypatch):
    from search import lattice as lat

    looked_up = []
    real = lat.Lattice._bigram_df
    monkeypatch.setattr(lat.Lattice, "_bigram_df",
                        lambda self, codes: looked_up.append(len(codes)) or real(self, codes))
    lattice = body_only.assistant.lattice
    assert lattice.read(["fei", "lan", "wan"]).word == "斐澜湾"
    for typed in ("zhuang" * 6, "yi" * 6, "shi" * 6, "xian" * 6, "a" * 40, "zhongguo" * 12,
                  "e" * 200):
        lattice.words([typed])
    assert lattice.read(["yi"] * (lat.MAX_SYLLABLES + 1)) is None
    # Each step looks up at most (chains kept or a syllable's characters) x characters,
    # and at most MAX_SYLLABLES - 1 steps run per reading of the letters.
    most = max(lat.BEAM, lat.CHARS_PER_SYLLABLE) * lat.CHARS_PER_SYLLABLE
    assert looked_up and max(looked_up) <= most
    assert len(looked_up) <= 8 * 4 * (lat.MAX_SYLLABLES - 1)


def test_an_update_adds_the_new_articles_pairs(tmp_path):
    # A folder: the new segment's postings; a cluster: its indexer's counts, added up.
    from indexer.textcounts import TextCounter
    from search.lattice import GRAMS_NAME, Lattice

    corpus = write_corpus(tmp_path / "corpus", _BODY_ONLY[:1] + _BODY_ONLY[-1:])
    update_index(corpus, tmp_path / "index")
    (corpus / "new.md").write_text("---\ntitle: '渔港'\n---\n<p>斐澜湾渔港扩建。</p>\n",
                                   encoding="utf-8")
    update_index(corpus, tmp_path / "index")
    assert search.open_index(tmp_path / "index").search("feilanwan").total == 2

    seg = search.open_index(tmp_path / "index").segmenter
    for i, add in enumerate((False, True)):
        counter = TextCounter(seg)
        for _ in counter.tap([{"title": "渔民", "body": f"斐澜湾{i}。"}, {"body": "城市"}]):
            pass
        counter.write(tmp_path / "cluster", add_to_existing=add)
    lattice = Lattice.load(tmp_path / "cluster" / GRAMS_NAME)
    assert lattice.read(["fei", "lan", "wan"]).df == 2
    assert lattice.read(["cheng", "shi"]).df == 2


def test_a_cluster_update_keeps_the_lexicon_counts_of_a_rebuild(scratch_cluster, tmp_path):
    # Last in this module: it rebuilds the scratch cluster the body_only fixture filled.
    import numpy as np

    from search.arrayfile import read_arrays
    from search.lattice import GRAMS_NAME
    from search.lexicon import LEXICON_NAME
    from search.sphinx.assist import cluster_folder
    from search.sphinx.connection import parse_url

    url = scratch_cluster.url
    corpus = write_corpus(tmp_path / "corpus")
    update_index(corpus, url, rebuild=True)
    (corpus / "a000.md").write_text("---\ntitle: '重庆新闻'\n---\n<p>重庆下雨。</p>\n",
                                    encoding="utf-8")
    (corpus / "a012.md").unlink()  # 普金's only article
    assert update_index(corpus, url).mode == "update"
    folder = cluster_folder(*parse_url(url))
    updated = {name: read_arrays(folder / name) for name in (LEXICON_NAME, GRAMS_NAME)}
    update_index(corpus, url, rebuild=True)
    for name in (LEXICON_NAME, GRAMS_NAME):
        rebuilt = read_arrays(folder / name)
        assert rebuilt.keys() == updated[name].keys()
        for key, value in rebuilt.items():
            assert np.array_equal(updated[name][key], value), (name, key)
    assert "普金".encode() not in updated[LEXICON_NAME]["word"].tolist()
