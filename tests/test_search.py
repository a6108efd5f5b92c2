"""Query language, filters, sorting, dedupe and ranking over the bundled corpus."""
import re
from datetime import date

import pytest

import search
from search.analysis import fuse, normalize

DUP_TITLE = "北约马德里峰会发布新_战略概念_"


def _all(ix, q, **kw):
    # The literal engine, checked against the texts: synonyms would add articles
    # without the query (COVID-19 finds 新冠); tests/test_assist.py checks assistance.
    kw.setdefault("assist", False)
    return ix.search(q, per_page=1000, highlight=False, **kw)


def _texts(ix):
    """Every article's normalised title and body, by id."""
    res = ix.search("", per_page=1000, highlight=False, facets=False)
    return {h.id: normalize(h.title + "\n" + ix.get(h.id).body) for h in res.hits}


def test_public_api_names():
    for name in ("open_index", "Index", "Hit", "ResultPage", "IndexNotFound",
                 "IndexMismatch", "QueryError", "SearchError"):
        assert name in search.__all__ and hasattr(search, name)


def test_open_missing_index_raises_index_not_found(tmp_path):
    with pytest.raises(search.IndexNotFound, match=str(tmp_path)):
        search.open_index(tmp_path)


@pytest.mark.parametrize("q", ["北约", "普京", "俄", "包", "2022年", "F-35", "COVID-19",
                               "5G", "iPhone 13", "全国人大", "乌克兰", "芯片"])
def test_every_article_containing_the_query_is_found(any_corpus_index, q):
    texts = _texts(any_corpus_index)
    truth = {i for i, t in texts.items() if all(p in t for p in normalize(q).split())}
    got = {h.id for h in _all(any_corpus_index, q).hits}
    assert truth and truth <= got
    assert _all(any_corpus_index, q).total == len(got)


def test_traditional_and_fullwidth_queries_find_simplified_text(any_corpus_index):
    assert _all(any_corpus_index, "台灣").total == _all(any_corpus_index, "台湾").total >= 1
    assert _all(any_corpus_index, "北約").total == _all(any_corpus_index, "北约").total
    assert _all(any_corpus_index, "ｉＰｈｏｎｅ").total == _all(any_corpus_index, "iphone").total >= 1


def test_words_are_anded_or_ored_and_excluded(any_corpus_index):
    ids = lambda q: {h.id for h in _all(any_corpus_index, q).hits}
    both, a, b = ids("北约 普京"), ids("北约"), ids("普京")
    assert both == a & b
    assert ids("北约 OR 普京") == a | b
    assert ids("北约 -普京") == a - b == ids("北约 NOT 普京")


def test_quoted_phrase_must_appear_as_written(any_corpus_index):
    texts = _texts(any_corpus_index)
    res = _all(any_corpus_index, '"国内生产总值"')
    assert {h.id for h in res.hits} == {i for i, t in texts.items() if "国内生产总值" in t}
    assert _all(any_corpus_index, '"生产国内总值"').total == 0


@pytest.mark.parametrize("spellings", [("F-35", "F35", '"F 35"', "f‐35"),
                                       ("COVID-19", "covid19", "Covid 19")])
def test_letters_and_digits_match_with_or_without_a_hyphen(any_corpus_index, spellings):
    texts = _texts(any_corpus_index)
    joined = fuse(normalize(spellings[0]))
    truth = {i for i, t in texts.items() if joined in fuse(t)}
    assert truth
    for q in spellings:
        res = _all(any_corpus_index, q)
        assert {h.id for h in res.hits} == truth, q
        assert res.read_as == [] and res.exact_total == res.total  # one term, not f + 35


def test_digits_never_join_digits(any_corpus_index):
    # "35" is not found in "3.5" or "3-5"; every hit holds 35 as written.
    texts = _texts(any_corpus_index)
    for q in ("35", "2022"):
        truth = {i for i, t in texts.items() if q in fuse(t)}
        assert {h.id for h in _all(any_corpus_index, q).hits} == truth


@pytest.mark.parametrize("q", ["3.5", "0.5", "3-5", "2022-2023"])
def test_numbers_joined_by_punctuation_match_as_written(any_corpus_index, q):
    # 3.5 finds 3.5 and 3,5 (punctuation matches any punctuation), never 35 or a 3
    # and a 5 apart in the article; unquoted as quoted: jieba cuts 3.5 at the dot.
    texts = _texts(any_corpus_index)
    left, right = re.split(r"[.-]", q)
    truth = {i for i, t in texts.items() if re.search(left + r"[\W_]+" + right, t)}
    assert {i for i, t in texts.items() if q in t} <= truth
    assert len(truth) < sum(left in t and right in t for t in texts.values())
    for typed in (q, f'"{q}"', q.replace(".", "．").replace("-", "－")):  # full width
        res = _all(any_corpus_index, typed)
        assert {h.id for h in res.hits} == truth, typed
        assert res.read_as == [] and res.exact_total == res.total


def test_title_and_category_prefixes(any_corpus_index):
    for h in _all(any_corpus_index, "title:北约").hits:
        assert "北约" in h.title
    assert _all(any_corpus_index, "title:北约").total < _all(any_corpus_index, "北约").total
    res = _all(any_corpus_index, "category:财经样例")
    assert res.total >= 5 and all("财经样例" in h.categories for h in res.hits)


@pytest.mark.parametrize("q", ["北约", "峰会", "俄", "2022年", "中国", "战略概念", "F-35", "发布 北约"])
def test_title_prefix_finds_exactly_the_titles_containing_it(any_corpus_index, q):
    titles = {h.id: normalize(h.title) for h in _all(any_corpus_index, "").hits}
    truth = {i for i, t in titles.items() if all(w in t for w in normalize(q).split())}
    query = " ".join(f"title:{w}" for w in q.split())
    assert {h.id for h in _all(any_corpus_index, query).hits} == truth


def test_duplicate_story_is_one_hit_listing_the_other_file(any_corpus_index):
    hits = [h for h in _all(any_corpus_index, '"马德里峰会"').hits if h.title == DUP_TITLE]
    assert len(hits) == 1
    assert len(hits[0].duplicates) == 1 and hits[0].duplicates[0] != hits[0].path
    assert {"首页", "头条"} <= set(hits[0].categories)


def test_exact_match_ranks_above_scattered_words(any_corpus_index):
    res = any_corpus_index.search("北约峰会", per_page=20, highlight=False)
    texts = _texts(any_corpus_index)
    flags = ["北约峰会" in texts[h.id] for h in res.hits]
    assert flags == sorted(flags, reverse=True)  # all exact matches first


def test_pasted_headline_finds_its_article_first(any_corpus_index):
    titles = [h.title for h in _all(any_corpus_index, "").hits]
    for title in titles:
        assert any_corpus_index.search(title, highlight=False).hits[0].title == title


def test_filters_by_category_and_dates(any_corpus_index):
    res = _all(any_corpus_index, "北约", categories=["头条"])
    assert res.total and all("头条" in h.categories for h in res.hits)
    res = _all(any_corpus_index, "", since=date(2022, 1, 1), until="2022-12-31")
    assert res.total and all(h.date.year == 2022 for h in res.hits)
    assert set(res.facets["years"]) == {"2022"}
    assert _all(any_corpus_index, "北约", categories=["没有这个分类"]).total == 0


def test_sort_by_date(any_corpus_index):
    newest = [h.date for h in _all(any_corpus_index, "北约", sort="newest").hits]
    oldest = [h.date for h in _all(any_corpus_index, "北约", sort="oldest").hits]
    assert newest == sorted(newest, reverse=True) and oldest == sorted(oldest)


def test_dates_are_aware(any_corpus_index):
    for h in _all(any_corpus_index, "北约").hits:
        assert h.date.tzinfo is not None and h.date.utcoffset() is not None


def test_facets_count_all_results(any_corpus_index):
    res = any_corpus_index.search("北约", per_page=1)
    assert sum(res.facets["years"].values()) == res.total
    assert res.facets["categories"]["示例新闻网"] == res.total


def test_paging_is_consistent(any_corpus_index):
    full = [h.id for h in _all(any_corpus_index, "俄").hits]
    pages = []
    for page in range(1, 5):
        pages += [h.id for h in any_corpus_index.search("俄", page=page, per_page=5).hits]
    assert pages == full[:20]
    assert any_corpus_index.search("俄", page=99, per_page=5).hits == []


@pytest.mark.parametrize("kwargs", [
    {"page": 0}, {"page": -1}, {"per_page": 0}, {"per_page": 1001}, {"sort": "best"},
    {"since": "2022-02-01", "until": "2022-01-01"}, {"since": "not a date"}, {"page": "2"},
])
def test_bad_parameters_raise_query_error(any_corpus_index, kwargs):
    with pytest.raises(search.QueryError):
        any_corpus_index.search("北约", **kwargs)


HOSTILE = ['"', '"北约', "NOT OR x", "OR", "AND", "NOT", "-", "--", "*", "北*", "(", ")",
           "title:", "category:", "title:\"", "' OR 1=1; DROP TABLE x; --",
           "<script>alert(1)</script>", "\x00\x01\x1b[31m", "🙂🙂", "北约" * 500,
           "a" * 5000, "   ", "", "\u202e北约", "date:[2020 TO]", "category:\"",
           "OR OR OR", "-北约 -普京", "\\", "%s%n", "北约 OR", "NOT 北约"]


@pytest.mark.parametrize("q", HOSTILE)
def test_odd_queries_never_raise(any_corpus_index, q):
    res = any_corpus_index.search(q)
    assert res.total >= 0
    for h in res.hits:
        assert "<script" not in h.title_html + h.snippet_html


def test_only_exclusions_return_everything_else(any_corpus_index):
    every = any_corpus_index.search("").total
    assert every == any_corpus_index.doc_count == 55
    assert any_corpus_index.search("-北约").total == every - _all(any_corpus_index, "北约").total


def test_highlight_false_skips_snippets(any_corpus_index):
    hit = any_corpus_index.search("北约", highlight=False).hits[0]
    assert hit.snippet_html == "" and "<mark>" not in hit.title_html


def test_get_and_related(any_corpus_index):
    hit = any_corpus_index.search("北约").hits[0]
    art = any_corpus_index.get(hit.id)
    assert art.title == hit.title and "<" in art.html and "北约" in art.body
    assert any_corpus_index.get("nope") is None and any_corpus_index.get("../../etc/passwd") is None
    related = any_corpus_index.related(hit.id)
    assert related and hit.id not in {r.id for r in related}


def test_every_letter_of_a_very_long_title_is_searchable(tmp_path):
    import synth
    from indexer.build import build_index

    head = "".join(f"第{n}段超长标题文字" for n in range(60))  # ~420 letters
    synth.write(tmp_path / "c", 1, head=head)
    synth.write(tmp_path / "c", 2)
    build_index(tmp_path / "c", tmp_path / "ix")
    ix = search.open_index(tmp_path / "ix")
    tail, start = head[-12:], head[:12]
    assert [h.title for h in _all(ix, f'"{tail}"').hits] == [head]
    assert [h.title for h in _all(ix, f"title:{start}").hits] == [head]
    # Nothing spans the end of the title and the start of the body.
    body_start = normalize(ix.get(_all(ix, start).hits[0].id).body)[:4]
    assert _all(ix, f'"{tail[-2:]}{body_start}"').total == 0


@pytest.mark.parametrize("q", ["北约 OR", "AND 北约", "北约 AND", "北约 NOT", "北约 -",
                               "OR 北约", "北约 OR -普京", "北约 OR OR"])
def test_dangling_operators_are_ignored(corpus_index, q):
    plain = {h.id for h in _all(corpus_index, "北约" + (" -普京" if "普京" in q else "")).hits}
    assert plain and {h.id for h in _all(corpus_index, q).hits} == plain


def test_a_query_of_only_operators_is_text(corpus_index):
    from search.query import parse

    assert [[c.text for c in g] for g in parse("OR").groups] == [["or"]]
    assert [[c.text for c in g] for g in parse("AND NOT").groups] == [["and"], ["not"]]


def test_a_lone_character_before_punctuation_is_checked_in_place(tmp_path):
    # "4.70%": the lone 4 must sit right before 70. When more than 64 bigrams
    # start with 4, its place went unchecked and any story with a 4 and a 70 matched.
    from indexer.build import build_index
    from tests.synth import article

    han = [chr(0x4E00 + 7 * i) for i in range(80)]
    texts = {
        "exact": "今年增速为4.70%，高于预期。",
        "apart": "共有4个项目，投资70亿元。",
        "many": "".join(f"第4{ch}号" for ch in han),
    }
    for name, text in texts.items():
        (tmp_path / f"{name}.md").write_text(article(0, head=name, text=f"<p>{text}</p>"),
                                            encoding="utf-8")
    build_index(tmp_path, tmp_path / "ix")
    ix = search.open_index(tmp_path / "ix")
    assert [h.title for h in ix.search("4.70%").hits] == ["exact"]
    assert [h.title for h in ix.search('"4，70"').hits] == ["exact"]
