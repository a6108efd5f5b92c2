"""Snippets and titles: matches in <mark>, everything else escaped."""
import html
import re

import pytest

from search.highlight import SNIPPET_CHARS, Highlighter


def _marked(fragment: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r"<mark>(.*?)</mark>", fragment)]


def test_marks_every_occurrence_and_escapes_the_rest():
    out = Highlighter(["北约"]).mark("<b>北约</b> & 北约's")
    assert out == "&lt;b&gt;<mark>北约</mark>&lt;/b&gt; &amp; <mark>北约</mark>&#x27;s"


def test_marks_original_characters_of_folded_matches():
    assert _marked(Highlighter(["台湾", "iphone"]).mark("臺灣和ＩＰＨＯＮＥ")) == ["臺灣", "ＩＰＨＯＮＥ"]


def test_offsets_survive_characters_that_expand_when_folded():
    # "…" folds to "..." and "㎡" to "m2": marks after them must not drift.
    out = Highlighter(["北约"]).mark("……㎡北约")
    assert _marked(out) == ["北约"] and out.startswith("……㎡<mark>")


def test_phrase_marks_across_punctuation_like_the_index():
    assert _marked(Highlighter(["北约 东扩"]).mark("北约，东扩")) == ["北约，东扩"]


def test_longest_term_wins_where_terms_overlap():
    assert _marked(Highlighter(["全国人大", "人大"]).mark("全国人大常委会")) == ["全国人大"]


def test_hostile_text_is_never_markup():
    text = '<script>alert(1)</script><img src=x onerror=alert(1)>北约'
    out = Highlighter(["script", "北约", "<img"]).mark(text)
    assert "<script" not in out and "<img" not in out
    assert html.unescape(re.sub(r"</?mark>", "", out)) == text


def test_snippet_is_short_centred_on_matches_and_elided():
    body = "开头。" * 100 + "今天北约举行峰会。" + "结尾。" * 100
    out = Highlighter(["北约"]).snippet(body)
    plain = html.unescape(re.sub(r"</?mark>", "", out))
    assert "<mark>北约</mark>" in out
    assert plain.startswith("…") and plain.endswith("…")
    assert len(plain) <= SNIPPET_CHARS + 2


def test_snippet_prefers_the_window_with_most_distinct_terms():
    body = "北约" + "填充文字。" * 60 + "北约与普京会谈" + "填充文字。" * 60
    assert set(_marked(Highlighter(["北约", "普京"]).snippet(body))) == {"北约", "普京"}


@pytest.mark.parametrize("terms", [[], ["不存在的词"]])
def test_snippet_without_matches_is_the_opening(terms):
    out = Highlighter(terms).snippet("第一句。第二句。")
    assert out == "第一句。第二句。"


def test_search_results_mark_what_was_searched(corpus_index):
    for q, piece in (("台灣", "台湾"), ("F-35", "F-35"), ('"国内生产总值"', "国内生产总值")):
        hit = corpus_index.search(q).hits[0]
        assert piece in _marked(hit.title_html + hit.snippet_html)


@pytest.mark.parametrize("term", ["北约", "F-35", "全国人大常委会"])
def test_snippets_never_cut_a_match(term):
    marker = Highlighter([term.lower()])
    for lead in range(0, 160, 3):
        for gap in (1, 7, 50, 95, 117):
            text = "甲" * lead + term + "乙" * gap + term + "。丙" * 80 + term
            snippet = marker.snippet(text)
            assert _marked(snippet) and set(_marked(snippet)) == {term}, (lead, gap, snippet)
            plain = re.sub(r"</?mark>", "", snippet).strip("…")
            # Nothing outside the marks is a piece of the term either.
            assert not plain.startswith(term[1:]) and not plain.endswith(term[:-1]), snippet
