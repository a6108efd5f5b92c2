"""Bulk postings (search.postings) encode exactly what the per-document formats encode."""
import re
from array import array

import numpy as np
from hypothesis import given, settings, strategies as st
from whoosh.system import pack_uint

from search.analysis import char_codes, gram_codes, grams, term_text
from search.postings import Occurrences, aggregate, frequency_values
from search.schema import CompactPositions

_RUN = re.compile(r"[^\W_]+")


def _joins(a: str, gap: str, b: str) -> bool:
    """The run rule of search.analysis, written out: F-35, 歼-20, COVID-19, F 35 join."""
    digit = lambda ch: re.fullmatch(r"\d", ch) is not None  # noqa: E731
    letter_digit = digit(a) != digit(b)
    if gap in ("-", "\u2010"):
        return letter_digit
    latin = (digit(a) and "a" <= b <= "z") or ("a" <= a <= "z" and digit(b))
    return gap == " " and letter_digit and latin


def reference_runs(norm: str) -> list[str]:
    runs, gaps = [], []
    for m in _RUN.finditer(norm):
        if runs:
            gap = norm[gaps[-1]:m.start()]
            if _joins(runs[-1][-1], gap, m.group()[0]):
                runs[-1] += m.group()
                gaps[-1] = m.end()
                continue
        runs.append(m.group())
        gaps.append(m.end())
    return runs


def reference_grams(norm: str) -> dict[str, list[int]]:
    """The bigram rule written out plainly: each letter/digit starts a bigram, or
    stands alone at the end of its run; positions count letters and digits only."""
    out: dict[str, list[int]] = {}
    pos = 0
    for run in reference_runs(norm):
        for i in range(len(run)):
            out.setdefault(run[i:i + 2], []).append(pos + i)
        pos += len(run)
    return out


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("北约东扩台湾的F35fx-_， 𠀋ßé\u3000\u2010"), max_size=40)
       | st.text(max_size=30))
def test_gram_codes_follow_the_bigram_rule(text):
    assert grams(text) == reference_grams(text)
    assert [term_text(c) for c in char_codes(text).tolist()] == list("".join(reference_runs(text)))


def test_term_codes_sort_like_the_terms_utf8_bytes():
    codes = np.unique(np.concatenate([gram_codes("北约北a约z𠀋ab"), char_codes("北约z𠀋")]))
    terms = [term_text(c).encode("utf-8") for c in codes.tolist()]
    assert terms == sorted(terms) and len(set(terms)) == len(terms)


positions = st.lists(st.integers(0, 300_000), min_size=1, max_size=12, unique=True).map(sorted)


@settings(max_examples=300, deadline=None)
@given(st.lists(positions, min_size=1, max_size=8))
def test_positions_encode_like_compact_positions(lists):
    fmt = CompactPositions()
    # One term per list, all in document 0, interleaved the way a text would be.
    occ = sorted((p, t) for t, ps in enumerate(lists) for p in ps)
    p = aggregate(Occurrences(np.array([t for _, t in occ], np.uint64),
                              np.zeros(len(occ), np.uint32),
                              np.array([pos for pos, _ in occ], np.uint32),
                              np.ones(len(occ), np.float32)))
    assert p.codes.tolist() == list(range(len(lists)))
    for i, ps in enumerate(lists):
        value = p.values[p.offsets[i]:p.offsets[i + 1]]
        assert value == fmt.encode(ps)
        assert fmt.decode_positions(value) == ps
        assert p.freqs[i] == len(ps) and p.weights[i] == len(ps)


def test_counts_encode_like_frequency_and_weights_add_up():
    occ = Occurrences(np.array([7, 3, 7, 7, 3], np.uint64), np.array([0, 0, 0, 1, 1], np.uint32),
                      None, np.array([1, 1, 3, 1, 3], np.float32))
    p = aggregate(occ)
    assert list(zip(p.codes.tolist(), p.docs.tolist(), p.freqs.tolist(), p.weights.tolist())) == [
        (3, 0, 1, 1.0), (3, 1, 1, 3.0), (7, 0, 2, 4.0), (7, 1, 1, 1.0)]
    assert p.offsets is None  # count fields: the value is the frequency, made when written
    assert frequency_values(p.freqs) == b"".join(pack_uint(n) for n in (1, 1, 2, 1))


def test_array_typecodes_match_numpy_widths():
    assert [array(t).itemsize for t in "BHI"] == [1, 2, 4]
