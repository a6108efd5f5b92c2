"""The fast segment writer writes what Whoosh's own writer writes."""
import pytest
from whoosh import index as windex

from indexer.build import content_key
from indexer.corpus import iter_articles
from indexer.segments import write_segments
from search.analysis import Segmenter
from search.schema import build_schema, make_document
from search.storage import new_generation, publish, write_meta
from search.index import Index
from search.schema import fingerprint

from conftest import CORPUS

QUERIES = ["北约", "普京", "俄", "包", "的", "2022年", "F-35", "\"国内生产总值\"", "北约 -普京",
           "北约 OR 芯片", "iPhone 13", "中国", "title:北约", ""]


@pytest.fixture(scope="module")
def docs():
    seg = Segmenter()
    arts = [a for a, _ in iter_articles(CORPUS) if a]
    return [make_document(seg, id=content_key(a.title, a.body) + str(i), path=a.path,
                          paths=[a.path], title=a.title, body=a.body, html=a.html,
                          author=a.author, categories=a.categories, date=a.date)
            for i, a in enumerate(arts)]


def _index(root, docs, fast: bool) -> Index:
    gen = new_generation(root)
    ix = windex.create_in(str(gen), build_schema())
    writer = ix.writer()
    if fast:  # seven small segments, so multi-segment search is exercised too
        writer._commit_toc(write_segments(ix, iter(docs), per_segment=8))
        writer._finish()
    else:
        for d in docs:
            writer.add_document(**d)
        writer.commit()
    write_meta(gen, {"fingerprint": fingerprint(Segmenter().fingerprint)})
    publish(gen)
    return Index(root)


@pytest.fixture(scope="module")
def pair(docs, tmp_path_factory):
    return (_index(tmp_path_factory.mktemp("stock"), docs, False),
            _index(tmp_path_factory.mktemp("fast"), docs, True))


def test_fast_writer_makes_several_segments(pair):
    assert len(pair[1]._ix._segments()) >= 6


@pytest.mark.parametrize("q", QUERIES)
def test_same_hits_scores_and_totals(pair, q):
    stock, fast = (ix.search(q, per_page=100, highlight=False) for ix in pair)
    assert stock.total == fast.total == len(stock.hits)
    assert {h.id: round(h.score, 4) for h in stock.hits} == {h.id: round(h.score, 4) for h in fast.hits}
    assert stock.facets == fast.facets


@pytest.mark.parametrize("q", QUERIES)
def test_total_is_exact_on_a_short_page_with_filters(pair, q):
    for ix in pair:
        every = ix.search(q, per_page=1000, highlight=False, facets=False, categories=["头条"])
        short = ix.search(q, per_page=2, highlight=False, facets=False, categories=["头条"])
        assert short.total == every.total == len(every.hits)
        assert all("头条" in h.categories for h in every.hits)
