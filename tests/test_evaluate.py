"""The array evaluation returns exactly what Whoosh's evaluation of the same query returns.

Random queries and filters (tests/equivalence.py) over real stories: totals,
facets, the hits of the page and their order (scores to rounding). The
xwlb index is built by two writer processes and then updated, so it has
several segments, one written by Whoosh's own writer, and deletions.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

import equivalence
from conftest import SHARED, needs_shared


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
    update_index(corpus, index, workers=2)
    files = sorted(corpus.rglob("*.md"))
    for f in files[::25]:
        f.unlink()  # deletions
    for f in files[1::40]:
        text = f.read_text(encoding="utf-8")
        f.write_text(text.replace("。", "。北约东扩与一带一路。", 1), encoding="utf-8")
    shutil.copytree(files[2].parent, corpus / "copied")  # duplicates of kept stories
    report = update_index(corpus, index)
    assert report.updated and report.removed
    return search.open_index(index)


def _check(ix, n, seed):
    failures = equivalence.run(ix, n, seed)
    assert not failures, failures[:5]


def test_same_results_as_whoosh_on_updated_xwlb(xwlb_updated):
    gen = xwlb_updated.generation
    assert len([p for p in os.listdir(gen) if p.endswith(".seg")]) >= 3
    _check(xwlb_updated, 1200, seed=1)


def test_same_results_as_whoosh_on_rsshub(rsshub_index):
    _check(rsshub_index, 600, seed=2)


def test_same_results_as_whoosh_on_bundled_corpus(corpus_index):
    _check(corpus_index, 300, seed=3)


def test_the_check_catches_a_wrong_score(corpus_index, monkeypatch):
    from search import evaluate

    monkeypatch.setattr(evaluate, "K1", 1.3)
    assert equivalence.run(corpus_index, 100, seed=4)
