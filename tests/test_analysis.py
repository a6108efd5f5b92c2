"""Normalisation, bigrams and word tokens: what indexing and querying share."""
import pytest

from search.analysis import OffsetMap, Segmenter, fuse, grams, is_searchable, normalize, word_runs
from search.substring import plan


@pytest.mark.parametrize("raw, folded", [
    ("台灣", "台湾"), ("北約", "北约"), ("ＦＯＯ", "foo"), ("２０２２年", "2022年"),
    ("iPhone", "iphone"), ("COVID-19", "covid-19"), ("頭髮", "头发"), ("Straße", "strasse"),
])
def test_normalize_folds_width_case_and_traditional(raw, folded):
    assert normalize(raw) == folded


def test_offset_map_points_back_to_source():
    text = "…台灣ＡＢ"
    mapped = OffsetMap(text)
    norm, origin = mapped.norm, [mapped.start(i) for i in range(len(mapped.norm))]
    assert norm == "...台湾ab"
    assert [text[i] for i in origin] == ["…", "…", "…", "台", "灣", "Ａ", "Ｂ"]


def test_grams_one_token_per_position_across_scripts():
    g = grams(normalize("F-35战机，北约"))
    assert g == {"f3": [0], "35": [1], "5战": [2], "战机": [3], "机": [4], "北约": [5], "约": [6]}


@pytest.mark.parametrize("text, runs", [
    # A hyphen between a letter and a digit joins: the token is one term.
    ("F-35", ["f35"]), ("F35", ["f35"]), ("F 35", ["f35"]), ("歼-20", ["歼20"]),
    ("COVID-19疫情", ["covid19疫情"]), ("M-1", ["m1"]), ("100 km", ["100km"]),
    # Never two digits (3.5 and 3-5 are not 35), never two letters, never a
    # space next to a Han character (the page's spacing is not a join).
    ("3.5", ["3", "5"]), ("3-5", ["3", "5"]), ("3 5", ["3", "5"]), ("wi-fi", ["wi", "fi"]),
    ("F--35", ["f", "35"]), ("F - 35", ["f", "35"]), ("北约 2022", ["北约", "2022"]),
])
def test_runs_join_letters_and_digits_across_one_hyphen(text, runs):
    assert [run for _, run in word_runs(normalize(text))] == runs


def test_fuse_drops_only_joining_marks():
    assert fuse("f-35与3-5和f 35") == "f35与3-5和f35"


def test_substring_plan_offsets_skip_separators():
    slots, singles, length = plan("北约 东扩")
    assert slots == [(0, "北约"), (2, "东扩")] and singles == [] and length == 4
    slots, singles, _ = plan("f-35")
    assert slots == [(0, "f3"), (1, "35")] and singles == []
    slots, singles, _ = plan("f--35")
    assert slots == [(1, "35")] and singles == [(0, "f")]


def test_is_searchable():
    assert is_searchable("俄") and is_searchable("5g")
    assert not is_searchable("  ，。!? _ ") and not is_searchable("")


@pytest.fixture(scope="module")
def seg():
    s = Segmenter()
    s.initialize()
    return s


def test_search_mode_subwords_share_parent_position(seg):
    toks = list(seg.tokens(normalize("全国人大常委会通过")))
    by_pos = {}
    for t in toks:
        by_pos.setdefault(t.pos, []).append(t.text)
    assert by_pos[0][-1] == "全国人大常委会"
    assert {"全国", "人大", "常委会"} <= set(by_pos[0])
    assert by_pos[1] == ["通过"]


def test_token_offsets_slice_the_text(seg):
    text = normalize("F-35 战机与 COVID-19，2022年 iPhone 13")
    for t in seg.tokens(text):
        assert fuse(text)[t.start:t.end] == t.text
    texts = [t.text for t in seg.tokens(text)]
    for piece in ("f35", "covid19", "2022", "iphone13"):
        assert piece in texts
    positions = [t.pos for t in seg.tokens(text)]
    assert positions == sorted(positions) and positions[-1] < len(positions)


def test_userdict_changes_segmentation_and_fingerprint(tmp_path):
    d = tmp_path / "dict.txt"
    d.write_text("马德里峰会 100 n\n", encoding="utf-8")
    plain, custom = Segmenter(), Segmenter(d)
    assert "马德里峰会" not in plain.words("北约马德里峰会")
    assert "马德里峰会" in custom.words("北约马德里峰会")
    assert plain.fingerprint != custom.fingerprint
