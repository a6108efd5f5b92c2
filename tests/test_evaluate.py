"""The array evaluation returns exactly what Whoosh's evaluation of the same query returns.

Random queries and filters (tests/equivalence.py) over real stories: totals,
facets, the hits of the page and their order (scores to rounding). The
xwlb index is built by two writer processes and then updated, so it has
several segments, one written by Whoosh's own writer, and deletions.

A full build keeps the text fields' postings in arrays only; these indexes
are built with Whoosh's postings too (``REFERENCE_POSTINGS``) so that Whoosh
can evaluate them, and a test checks that the arrays are the same either way.
"""
from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
import subprocess
import sys

import pytest

import equivalence
from conftest import CORPUS, RSSHUB, SHARED, needs_shared


@contextmanager
def reference_postings():
    from indexer import segments

    segments.REFERENCE_POSTINGS = True
    try:
        yield
    finally:
        segments.REFERENCE_POSTINGS = False


def _build(corpus, tmp_path_factory, name):
    """Built as conftest builds its indexes, with Whoosh's postings as well."""
    import search
    from indexer.build import build_index

    index = tmp_path_factory.mktemp(name)
    with reference_postings():
        build_index(corpus, index)
    return search.open_index(index)


@pytest.fixture(scope="module")
def xwlb_updated(tmp_path_factory):
    needs_shared()
    import search
    from indexer.update import update_index

    corpus = tmp_path_factory.mktemp("xwlb-corpus")
    subprocess.run([sys.executable, str(SHARED / "tools" / "xwlb_to_posts.py"), str(corpus),
                    "--years", "2019-2020", "--limit", "1500"], check=True,
                   stdout=subprocess.DEVNULL)
    index = tmp_path_factory.mktemp("xwlb-index")
    with reference_postings():
        update_index(corpus, index, workers=2)
    files = sorted(corpus.rglob("*.md"))
    for f in files[::50]:
        f.unlink()  # deletions
    for f in files[1::80]:
        text = f.read_text(encoding="utf-8")
        f.write_text(text.replace("。", "。北约东扩与一带一路。", 1), encoding="utf-8")
    (corpus / "copied").mkdir()
    for f in files[2:200:40]:
        shutil.copy(f, corpus / "copied" / f.name)  # duplicates of kept stories
    # A small share of the corpus: an update by Whoosh's writer, not a rebuild.
    with reference_postings():
        report = update_index(corpus, index)
    assert report.updated and report.removed
    return search.open_index(index)


def _check(ix, n, seed):
    failures = equivalence.run(ix, n, seed)
    assert not failures, failures[:5]


def test_same_results_as_whoosh_on_updated_xwlb(xwlb_updated):
    gen = xwlb_updated.generation
    assert len([p for p in os.listdir(gen) if p.endswith(".arrays")]) >= 3
    _check(xwlb_updated, 600, seed=1)


def test_same_results_as_whoosh_on_rsshub(tmp_path_factory):
    needs_shared()
    _check(_build(RSSHUB, tmp_path_factory, "rsshub-ref"), 500, seed=2)


@pytest.fixture(scope="module")
def corpus_ref(tmp_path_factory):
    return _build(CORPUS, tmp_path_factory, "corpus-ref")


def test_same_results_as_whoosh_on_bundled_corpus(corpus_ref):
    _check(corpus_ref, 300, seed=3)


def test_the_check_catches_a_wrong_score(corpus_ref, monkeypatch):
    from search import evaluate

    monkeypatch.setattr(evaluate, "K1", 1.3)
    assert equivalence.run(corpus_ref, 100, seed=4)


def test_arrays_are_the_same_with_or_without_whoosh_postings(corpus_ref, corpus_index):
    from search.arrayfile import read_arrays
    from search.columnar import WHOOSH_POSTINGS
    from search.lexicon import LEXICON_NAME

    def arrays(ix):
        paths = [p for p in ix.generation.glob("*.arrays") if p.name != LEXICON_NAME]
        assert len(paths) == 1  # (the bundled corpus is one segment)
        return read_arrays(paths[0])

    ref, real = arrays(corpus_ref), arrays(corpus_index)
    assert ref.pop(WHOOSH_POSTINGS)[0] == 1 and real.pop(WHOOSH_POSTINGS)[0] == 0
    assert ref.keys() == real.keys()
    for name in ref:
        assert ref[name].dtype == real[name].dtype and (ref[name] == real[name]).all(), name
    real_reader = corpus_index._searcher().reader()
    assert not list(real_reader.lexicon("text_ng"))  # the real build: arrays only
