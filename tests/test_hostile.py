"""Any query string: no exception, a sane page, escaped output (property-based)."""
from hypothesis import HealthCheck, given, settings, strategies as st

OPERATORS = ['"', "“", "”", "-", "OR", "AND", "NOT", "title:", "category:", "*", "(", ")",
             " ", "　", "\\", "<script>", "&", "'", "北约", "普京", "俄", "的", "2022年",
             "F-35", "\x00", "\u202e", "🙂", "臺灣"]

queries = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(OPERATORS), max_size=40).map("".join),
    st.lists(st.sampled_from(OPERATORS), max_size=20).map(" ".join),
)

SETTINGS = settings(max_examples=150, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(q=queries)
def test_any_query_gives_a_sane_page(any_corpus_index, q):
    res = any_corpus_index.search(q, per_page=5)
    assert 0 <= len(res.hits) <= 5 and res.total >= len(res.hits)
    assert res.total <= any_corpus_index.doc_count
    for hit in res.hits:
        text = hit.title_html + hit.snippet_html
        assert "<script" not in text and "<" not in text.replace("<mark>", "").replace("</mark>", "")


@SETTINGS
@given(q=queries, sort=st.sampled_from(["relevance", "newest", "oldest"]))
def test_total_does_not_depend_on_page_size_or_sort(any_corpus_index, q, sort):
    small = any_corpus_index.search(q, per_page=1, sort=sort, highlight=False)
    large = any_corpus_index.search(q, per_page=100, highlight=False)
    assert small.total == large.total == len(large.hits)
