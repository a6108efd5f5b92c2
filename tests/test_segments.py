"""The fast segment writer writes what Whoosh's own writer writes.

A full build keeps the bigram, character and title-word postings in arrays
only; with ``REFERENCE_POSTINGS`` it also writes them in Whoosh's format,
which is how its block writer is compared with Whoosh's here.
"""
import pytest
from whoosh import index as windex

from indexer.build import content_key
from indexer.corpus import iter_articles
from indexer import termwriter
from indexer import segments
from indexer.segments import write_segments
from indexer.update import _merge_small
from search.arrayfile import read_arrays
from search.columnar import ARRAY_FIELDS, WHOOSH_POSTINGS, arrays_from_reader
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


def _index(root, docs, fast: bool, per_segment: int = 8, reference: bool = False) -> Index:
    gen = new_generation(root)
    ix = windex.create_in(str(gen), build_schema())
    writer = ix.writer()
    if fast:  # by default seven small segments, so multi-segment search is exercised too
        segments.REFERENCE_POSTINGS = reference
        try:
            writer._commit_toc(write_segments(ix, iter(docs), per_segment=per_segment))
        finally:
            segments.REFERENCE_POSTINGS = False
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


@pytest.fixture(scope="module")
def single(docs, tmp_path_factory):
    """One segment, merged and written a few terms at a time (as a large field's are)."""
    saved = termwriter._TERMS_PER_PASS, termwriter._PIECE
    termwriter._TERMS_PER_PASS, termwriter._PIECE = 7, 200
    try:
        return _index(tmp_path_factory.mktemp("single"), docs, True, per_segment=10_000,
                      reference=True)
    finally:
        termwriter._TERMS_PER_PASS, termwriter._PIECE = saved


def _terms(ix: Index):
    reader = ix._ix.reader()
    return reader, sorted(reader.all_terms())


def test_every_posting_and_term_statistic_is_the_stock_writers(pair, single):
    stock, stock_terms = _terms(pair[0])
    assert _terms(single)[1] == stock_terms
    # A real build's segments leave the array fields out of Whoosh's postings.
    assert _terms(pair[1])[1] == [(f, t) for f, t in stock_terms if f not in ARRAY_FIELDS]
    fast, _ = _terms(single)
    inlined = 0
    for field, term in stock_terms:
        a, b = stock.postings(field, term), fast.postings(field, term)
        assert list(_items(a)) == list(_items(b)), (field, term)
        ta, tb = stock.term_info(field, term), fast.term_info(field, term)
        for stat in ("weight", "doc_frequency", "min_length", "max_length", "max_weight",
                     "min_id", "max_id"):
            assert getattr(ta, stat)() == getattr(tb, stat)(), (field, term, stat)
        if tb.is_inlined():
            inlined += 1
            copy = fast.postings(field, term).copy()  # Whoosh's ListMatcher.copy lost these
            assert copy.term() == (field, term) and copy.block_max_length() == tb.max_length()
    assert inlined > len(stock_terms) // 3  # most terms occur once: their posting is inlined


def _items(m):
    while m.is_active():
        yield m.id(), m.weight(), m.value()
        m.next()


def test_arrays_are_those_of_the_stock_writers_postings(pair, single):
    ref = arrays_from_reader(pair[0]._ix.reader())  # one segment, documents in the same order
    (path,) = single.generation.glob("*.arrays")
    got = read_arrays(path)
    assert ref.pop(WHOOSH_POSTINGS)[0] == 1 and got.pop(WHOOSH_POSTINGS)[0] == 1
    assert ref.keys() == got.keys()
    for name in ref:
        assert ref[name].dtype == got[name].dtype and (ref[name] == got[name]).all(), name


def test_stock_writer_merges_reference_segments(docs, tmp_path):
    ix = _index(tmp_path, docs, True, reference=True)
    before = {q: ix.search(q, per_page=100, highlight=False).total for q in QUERIES}
    writer = ix._ix.writer()
    writer.commit(optimize=True)  # reads every inlined and block posting back
    merged = Index(tmp_path)
    assert len(merged._ix._segments()) == 1
    assert {q: merged.search(q, per_page=100, highlight=False).total for q in QUERIES} == before


def test_updates_never_merge_segments_whose_postings_are_arrays_only(docs, tmp_path):
    from whoosh.writing import MERGE_SMALL

    ix = _index(tmp_path, docs, True)
    writer = ix._ix.writer()
    try:
        own = ix._ix._segments()
        assert len(MERGE_SMALL(writer, list(own))) < len(own)  # Whoosh would merge them
        assert _merge_small(ix.generation, writer, list(own)) == list(own)
    finally:
        writer.cancel()
