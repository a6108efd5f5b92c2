"""A build's remembered jieba cuts (indexer.cutmemo) give jieba's own words, so the same
title words and the same names."""
from __future__ import annotations

import pytest

from indexer.corpus import iter_articles
from indexer.cutmemo import remember_cuts
from search.analysis import Segmenter, normalize
from search.names import NameFinder, lead_text

from conftest import CORPUS, RSSHUB, needs_shared


def _articles(root):
    return [a for a, _ in iter_articles(root) if a is not None]


def _texts(articles):
    """What a build cuts: titles (for title words), title and lead (names), and bodies."""
    for a in articles:
        yield normalize(a.title)
        yield normalize(lead_text(a.title, a.body))
        yield normalize(a.body)


def _same_as_jieba(articles, most):
    plain, remembering = Segmenter(None), Segmenter(None)
    assert remember_cuts(remembering, most=most)
    texts = list(_texts(articles)) * 2  # the second round is answered from memory
    for text in texts:
        assert list(remembering.tokenizer.cut(text)) == list(plain.tokenizer.cut(text))
        assert list(remembering.tokens(text)) == list(plain.tokens(text))
    finders = NameFinder(plain), NameFinder(remembering)
    for a in articles:
        assert finders[1].find(a.title, a.body) == finders[0].find(a.title, a.body), a.path


@pytest.mark.parametrize("most", [20_000, 7])  # 7: forgotten and refilled all the time
def test_remembered_cuts_are_jiebas_on_the_bundled_corpus(most):
    articles = _articles(CORPUS)
    assert len(articles) > 40
    _same_as_jieba(articles, most)


def test_remembered_cuts_are_jiebas_on_real_articles():
    needs_shared()
    _same_as_jieba(_articles(RSSHUB), 20_000)


def test_each_block_is_cut_by_jieba_once():
    seg = Segmenter(None)
    seg.initialize()
    jiebas = seg.tokenizer._Tokenizer__cut_DAG
    blocks = []

    def counted(block):
        blocks.append(block)
        return jiebas(block)

    seg.tokenizer._Tokenizer__cut_DAG = counted
    assert remember_cuts(seg) and remember_cuts(seg)  # a second call wraps nothing again
    words = list(seg.tokenizer.cut("国家主席习近平会见法国总统，国家主席习近平讲话"))
    assert words.count("习近平") == 2
    assert blocks == ["国家主席习近平会见法国总统", "国家主席习近平讲话"]
    list(seg.tokenizer.cut("国家主席习近平讲话"))
    assert len(blocks) == 2


def test_user_dictionary_words_are_cut_as_one(tmp_path):
    userdict = tmp_path / "dict.txt"
    userdict.write_text("星河智联 10 nt\n", encoding="utf-8")
    seg = Segmenter(userdict)
    remember_cuts(seg)
    assert "星河智联" in list(seg.tokenizer.cut("星河智联发布新品，星河智联上市"))
