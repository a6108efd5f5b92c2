"""Rules that mend jieba's tagging of names where its cut splits one name into words.

They run on the (word, tag) pairs of a title and lead, after the dictionary and
the HMM (search/names.py), and were chosen on samples of the archive other than
the ones the quality figures come from (docs/quality.md):

- a lone surname before a two-character given name tagged a person is one
  person (赵 + 红艳);
- a run of nouns that ends in an organisation's head word (委员会, 协会,
  有限公司, 部, 局 ...) and starts with a name or a body's prefix (国家, 中央,
  国际 ...) is one organisation (国家 林业 和 草原 局);
- a word jieba does not know that ends in an administrative unit (镇, 乡, 村
  ...) is a place, and so is a place followed by a lone unit (桂平 + 市);
- a person's name, a middle dot and the family name after it are one person
  (纳兰德拉 · 莫迪), listed whole and by the family name (莫迪).
"""
from __future__ import annotations

__all__ = ["mend"]

# Head words of a body's name: the run before them is the body's own name.
_ORG_HEADS = frozenset(
    "委员会 联合会 协会 学会 商会 基金会 总会 有限公司 股份有限公司 有限责任公司 公司 总公司 集团 "
    "研究院 研究所 研究中心 科学院 大学 学院 医院 银行 法院 检察院 博物馆 档案馆 纪念馆 图书馆 "
    "美术馆 科技馆 办公室 总台 电视台 通讯社 报社 歌舞团 艺术团 剧院 控制中心 研究中心 新闻中心 指挥部 "
    "管理局 总局 总署 人民政府 政府 党委 常委会 委 部 局 署 厅 办 院 司".split())
# Head words that follow generic nouns as often as names (科技公司, 当地医院): the run
# must hold a name or a body's prefix before them.
_ANCHORS = frozenset("中国 国家 中央 国际 全国 世界 联合国 省 市 县 自治区 中华全国 全军 中共".split())
_ONE_CHAR_HEADS = frozenset("委部局署厅办院司")
# Heads that make a body's name of the nouns before them without a name or prefix
# (基金业协会, 交通运输部), when those nouns are long enough not to be generic (村民委员会).
_STRONG_HEADS = frozenset("委员会 联合会 协会 有限公司 股份有限公司 总台 通讯社 部 局 委 署 厅".split())
_BARE_MIN = 3
# Tags of words that can stand inside a body's name ("-": a common word, 广播电视);
# verbs and adjectives only after a name or prefix (中央 选举 委员会, 国家 卫生 健康 委).
_INNER = frozenset("n nz ns nt j vn an b x".split())
_INNER_AFTER_ANCHOR = _INNER | {"a", "-"}
_MIN_LEN, _MAX_LEN = 4, 16
_NAME_TAGS = frozenset("ns nsf nt nz j".split())
_UNITS = frozenset("省市县区镇乡村州旗")
_PLACE_UNITS = frozenset("省市县镇乡村州")  # after a place: 区 and 旗 start other words (区域)
_NEW_PLACE_UNITS = frozenset("县镇乡村")  # ending a word jieba does not know
_SURNAME_TAGS_NOT = frozenset("p c d r u uj ul m q".split())
# A given name: a person's tag, or "nrx", a word the dictionary calls a person that does
# not look like a whole name (红艳: no surname; names.py).
_GIVEN = frozenset(("nr", "nrfg", "nrt", "nrx"))
# A foreign name written given·family: the family part is person-tagged words, pieces the
# fixes drop ("-"), unknown, abbreviation- or place-tagged words (卡古塔), or single
# transliteration characters.
_DOTS = frozenset("·•・‧")
_FAMILY_TAGS = _GIVEN | {"-", "x", "j", "zg", "nz", "ns", "nsf"}
_JOINS = frozenset("和与")  # 国家林业和草原局, 住房和城乡建设部
_BREAKS = frozenset("会见 会同 会晤 指导 访问 出席 主持".split())  # verbs jieba calls nouns


def _han(word: str) -> bool:
    return bool(word) and all("\u4e00" <= ch <= "\u9fff" for ch in word)


def _anchor(pair) -> bool:
    return pair[1] in _NAME_TAGS or pair[0] in _ANCHORS


def _org_start(tagged, end: int) -> int:
    """Index where the body's name ending at tagged[end] (a head word) starts, or end."""
    start = end
    while start > 0:
        word, tag = tagged[start - 1]
        if _han(word) and word not in _BREAKS and (tag in _INNER_AFTER_ANCHOR
                                                  or word in _ANCHORS):
            start -= 1
        elif tag == "l" and start == end:  # a set phrase right before the head: 自然资源 部
            start -= 1
        elif (word in _JOINS and tagged[end][0] in _ONE_CHAR_HEADS and start > 1
              and tagged[start - 2][1] in _INNER):
            start -= 1  # 林业 和 草原 局: only before a ministry's one-character head
        else:
            break
    # A body's name starts with a name or a prefix: the first one in the run.
    first = next((i for i in range(start, end) if _anchor(tagged[i])), end)
    if end - first == 1 and tagged[first][1] not in _NAME_TAGS:
        first = end  # 国家 + 政府, 全国 + 委员会: a prefix alone is no name
    if first < end and all(t in _INNER_AFTER_ANCHOR or w in _JOINS or w in _ANCHORS
                           for w, t in tagged[first:end]):
        return first
    if tagged[end][0] in _STRONG_HEADS:  # no anchor: nouns only, long enough
        while start < end and (tagged[start][0] in _JOINS or tagged[start][1] not in _INNER
                               and not (tagged[start][1] == "l" and start == end - 1)):
            start += 1
        if sum(len(w) for w, _ in tagged[start:end]) >= _BARE_MIN:
            return start
    return end


def _join_org(out: list) -> None:
    """Join the body's name that ends at out[-1], a head word, into one organisation."""
    end = len(out) - 1
    start = _org_start(out, end)
    if start < end and _MIN_LEN <= sum(len(w) for w, _ in out[start:]) <= _MAX_LEN:
        # The places inside stay places too (吉林省 of 吉林省档案馆): a place facet finds it.
        inner = [(w, t) for w, t in out[start:end] if t in ("ns", "nsf")]
        out[start:] = inner + [("".join(w for w, _ in out[start:]), "nt")]


def _dotted(tagged, i: int, before, translit: frozenset[str]) -> tuple[str, int] | None:
    """The part after the dot of a foreign person's "given·family" name at tagged[i], and the
    index past it; None unless the part before is a person (纳兰德拉 · 莫迪)."""
    if before is None or before[1] not in _GIVEN and not (before[1] in ("-", "x")
                                                          and translit.issuperset(before[0])):
        return None
    j, parts = i + 1, []
    while j < len(tagged) and len(parts) < 3:
        word, tag = tagged[j]
        if not _han(word) or len(word) > 5:
            break
        if not (tag in _FAMILY_TAGS or not parts and len(word) == 1 and word in translit):
            break
        parts.append(word)
        j += 1
    return ("".join(parts), j) if parts else None


def _join_dotted(out: list, family: str, whole_at: int | None) -> int:
    """Join out[-1], a dot and ``family`` into the whole name, followed by the family name
    the news calls them by; a third part extends the last whole name (约韦里·卡古塔·穆塞韦尼).
    The whole name's index."""
    if whole_at == len(out) - 2 and out[-2][0].endswith("·" + out[-1][0]):
        out[-2:] = [(out[-2][0] + "·" + family, "nr"), (family, "nr")]
    else:
        out[-1] = (out[-1][0] + "·" + family, "nr")
        out.append((family, "nr"))
    return len(out) - 2


def mend(tagged, surnames: frozenset[str], translit: frozenset[str]) -> list[tuple[str, str]]:
    """The (word, tag) pairs with the rules above applied, in one pass (it runs per article);
    ``surnames`` and ``translit`` are names.py's characters of surnames and transliterations."""
    tagged = list(tagged)
    out: list[tuple[str, str]] = []
    i, whole_at = 0, None  # whole_at: where the last dotted name is, its family name after it
    while i < len(tagged):
        word, tag = tagged[i]
        i += 1
        if word in _DOTS:
            dotted = _dotted(tagged, i - 1, out[-1] if out else None, translit)
            if dotted:
                whole_at, i = _join_dotted(out, dotted[0], whole_at), dotted[1]
                continue
        if out:
            last, last_tag = out[-1]
            if (tag in _GIVEN and len(word) == 2 and len(last) == 1 and last in surnames
                    and last_tag not in _SURNAME_TAGS_NOT
                    and (tag != "nrx" or last_tag == "nr")):  # 包(v) 汤圆(nrx): no name
                out[-1] = (last + word, "nr")  # 赵 + 红艳
                continue
            if (len(word) == 1 and word in _PLACE_UNITS and last_tag in ("ns", "nsf")
                    and last[-1] not in _UNITS):
                out[-1] = (last + word, "ns")  # 桂平 + 市
                continue
        if (tag == "x" and 3 <= len(word) <= 5 and word[-1] in _NEW_PLACE_UNITS and _han(word)
                and not _UNITS.intersection(word[:-1])):
            tag = "ns"  # 保太镇, a word jieba does not know
        out.append((word, tag))
        if word in _ORG_HEADS:
            _join_org(out)
    return out
