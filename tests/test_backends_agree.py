"""Both backends find the same articles: bench.quality's recall probes on the bundled corpus.

Every probe kind (jieba words, arbitrary substrings, Latin/digit tokens with their
neighbours, Traditional spellings, pasted headlines) must give the same result set,
total, exact count and reading on the Whoosh index and on the 2-shard cluster.
"""
from __future__ import annotations

import random
import sys
import unicodedata

import pytest

from conftest import CORPUS, ROOT

sys.path.insert(0, str(ROOT))

from bench.quality import _headline_probes, _probes, _texts, result_set  # noqa: E402
from search.analysis import normalize  # noqa: E402


@pytest.fixture(scope="module")
def probes():
    arts, docs, norm = _texts(CORPUS)
    kinds = _probes(docs, random.Random(20261130), 12)
    kinds["headline"] = [a.title for a in _headline_probes(arts, docs)][:15]
    return kinds, norm


def _outcome(ix, q: str):
    ids, total, exact = result_set(ix, q)
    return set(ids), total, exact, ix.search(q, per_page=1).read_as


@pytest.mark.parametrize("kind", ["word", "substring", "mixed", "traditional", "headline"])
def test_result_sets_agree_on_every_probe_kind(kind, probes, corpus_index, sphinx_corpus_index):
    kinds, _ = probes
    assert len(kinds[kind]) >= 12
    for q in kinds[kind]:
        assert _outcome(sphinx_corpus_index, q) == _outcome(corpus_index, q), q


def test_exact_count_is_the_articles_holding_the_term_whole(probes, any_corpus_index):
    kinds, norm = probes
    cut = 0
    # Probes without punctuation: for them, holding the term is plain containment.
    for q in [q for q in kinds["substring"] + kinds["mixed"] if normalize(q).isalnum()]:
        res = any_corpus_index.search(q, per_page=1)
        holding = sum(1 for text in norm.values() if normalize(q) in text)
        assert res.exact_total == holding, q
        if res.read_as:
            cut += 1
            assert res.read_as[0][0] == unicodedata.normalize("NFKC", q) and len(res.read_as[0][1]) >= 1
    assert cut >= 5  # the probes did exercise terms cut into words


@pytest.mark.parametrize("q", ["美国人", "美国人 -咖啡馆", "title:人工智能 OR 数据中心", '"人工智能" 发展',
                               "人工智能 OR 5G网络", "category:科技 数据中心"])
def test_exact_count_and_reading_agree_with_operators(q, corpus_index, sphinx_corpus_index):
    for since in (None, "2023-01-01"):
        a = corpus_index.search(q, since=since)
        b = sphinx_corpus_index.search(q, since=since)
        assert (b.total, b.exact_total, b.read_as) == (a.total, a.exact_total, a.read_as), q
