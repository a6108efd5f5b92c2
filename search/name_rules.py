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

__all__ = ["ministries", "ministry_fields", "mend"]

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
# A ministry-like word: its one-character head and the tags its stem may have.
_MINISTRY_HEADS = frozenset("部委局署")
_STEM_TAGS = frozenset("n vn an j nz".split())
_COMMON = 5000  # jieba's frequency of a common word (干部 9717)
_FIELD_HEADS = frozenset("部委局署厅")
_FIELD_WORD_TAGS = frozenset("n nt j vn".split())
_NOT_BODIES = frozenset("nr nrfg nrt ns nsf nt m f q".split())
# Endings of bodies the dictionary knows (tag nt) that a name before them belongs to.
_BODY_ENDS = _ORG_HEADS | {"中心"}
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
# A word before a lone 村/镇/乡 that is no other name: unknown, or a "person" (金光 + 村).
_UNKNOWN_OR_GIVEN = frozenset("x nr nrx nrfg nrt".split())
# Areas a place or an unknown word names (雄安 + 新区, 凉山 + 自治州).
_AREAS = frozenset("新区 开发区 高新区 自治州 自治县 自治旗 经济开发区 技术开发区 经济技术开发区".split())
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
# Nouns that say how a person stands to a body, not part of its name (时任 外交部长).
_ROLES = frozenset("时任 代表 成员 委员 经 据".split())
_NOUNS = frozenset("n vn an l".split())
_BREAKS = frozenset("会见 会同 会晤 指导 访问 出席 主持 援引".split())  # verbs jieba calls nouns


def ministry_fields(tags: dict[str, str]) -> frozenset[str]:
    """The nouns that name a ministry's field: the stems of the dictionary's ministry-like
    words (农业 of 农业部, 人力资源 of 人力资源部)."""
    return frozenset(w[:-1] for w, t in tags.items()
                     if len(w) >= 3 and w[-1] in _FIELD_HEADS and t in _FIELD_WORD_TAGS
                     and tags.get(w[:-1]) in _STEM_TAGS)


def ministries(tags: dict[str, str], freq: dict[str, int]):
    """Dictionary words that are a ministry-like body: a one-character head after a stem the
    dictionary knows as a noun (教育 + 部, 政法 + 委, 环保 + 局; not 全部, 西北部, 第一部,
    开好局: the stem must be a noun, not a direction, numeral or verb, and the word must not
    end in a common word: 团 + 干部)."""
    for word, tag in tags.items():
        if (3 <= len(word) <= 5 and word[-1] in _MINISTRY_HEADS and tag not in _NOT_BODIES
                and tags.get(word[:-1]) in _STEM_TAGS and word[-2] not in _MINISTRY_HEADS
                and word not in _ORG_HEADS and freq.get(word[-2:], 0) < _COMMON):
            yield word


def _han(word: str) -> bool:
    return bool(word) and all("\u4e00" <= ch <= "\u9fff" for ch in word)


def _anchor(pair) -> bool:
    return pair[1] in _NAME_TAGS or pair[0] in _ANCHORS


def _head(word: str, tag: str) -> str | None:
    """The head word a body's name ends in: the word itself (局), or the ending of a body
    the dictionary knows (农村部, 国际会议中心: what comes before them is their own name)."""
    if word in _ORG_HEADS:
        return word
    if tag == "nt" and len(word) > 2:
        return next((word[-n:] for n in (4, 3, 2, 1) if word[-n:] in _BODY_ENDS), None)
    return None


def _org_start(tagged, end: int, head: str) -> int:
    """Index where the body's name ending at tagged[end] (ending in ``head``) starts, or end."""
    start = end
    while start > 0:
        word, tag = tagged[start - 1]
        if _han(word) and word not in _BREAKS and (tag in _INNER_AFTER_ANCHOR
                                                  or word in _ANCHORS):
            start -= 1
        elif tag == "l" and start == end:  # a set phrase right before the head: 自然资源 部
            start -= 1
        elif (word in _JOINS and head in _ONE_CHAR_HEADS and start > 1
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
    if head in _STRONG_HEADS:  # no anchor: nouns only, long enough
        while start < end and (tagged[start][0] in _JOINS or tagged[start][1] not in _INNER
                               and not (tagged[start][1] == "l" and start == end - 1)):
            start += 1
        if sum(len(w) for w, _ in tagged[start:end]) >= _BARE_MIN:
            return start
    return end


def _body_start(tagged, end: int, fields: frozenset[str]) -> int:
    """Index where the name of a body the dictionary knows (tagged[end]) starts, or end.

    Places and prefixes join it (菲律宾 国际会议中心), and the fields of ministries with
    和/与 between them (人力资源 和 社会保障部); a ministry without a prefix of its own also
    takes up to two nouns right before it (应急 管理部), or the body it belongs to (中央军委
    政治工作部). Another body does not join it otherwise (党中央 国务院: two bodies), nor a
    word it starts with (中国 中国外文局), nor a common noun before a place.
    """
    body, start, nouns = tagged[end][0], end, 0
    ministry = body[-1] in _MINISTRY_HEADS
    bare = ministry and not any(body.startswith(a) for a in _ANCHORS)
    while start > 0:
        word, tag = tagged[start - 1]
        if not _han(word) or body.startswith(word) or word in _BREAKS or word in _ROLES:
            break
        if tag in ("nt", "nz"):  # a parent body and its department (中央军委 政治工作部)
            return start - 1 if bare and nouns < 2 else start
        if tag in ("ns", "nsf") or word in _ANCHORS:
            start, nouns = start - 1, 2  # a name: only names and prefixes before it
        elif bare and nouns < 2 and len(word) > 1 and (word in fields or tag in _NOUNS):
            start, nouns = start - 1, nouns + 1
        elif (word in _JOINS and bare and start > 1 and nouns < 2
              and (tagged[start - 2][0] in fields
                   or len(tagged[start - 2][0]) > 1 and tagged[start - 2][1] in _NOUNS)):
            start -= 1
        else:
            break
    return start


def _join_org(out: list, head: str, fields: frozenset[str]) -> None:
    """Join the body's name that ends at out[-1], ending in ``head``, into one organisation."""
    end = len(out) - 1
    start = _org_start(out, end, head) if head == out[end][0] else _body_start(out, end, fields)
    if start < end and _MIN_LEN <= sum(len(w) for w, _ in out[start:]) <= _MAX_LEN:
        # The places inside stay places too (吉林省 of 吉林省档案馆): a place facet finds it.
        inner = [(w, t) for w, t in out[start:end] if t in ("ns", "nsf")]
        # A place kept before the area it names (成都, 成都高新区) is written once.
        words = [w for i, (w, _) in enumerate(out[start:], start)
                 if not (i < end and out[i + 1][0].startswith(w))]
        out[start:] = inner + [("".join(words), "nt")]


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


def mend(tagged, surnames: frozenset[str], translit: frozenset[str],
         fields: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """The (word, tag) pairs with the rules above applied, in one pass (it runs per article);
    ``surnames`` and ``translit`` are names.py's characters of surnames and transliterations,
    ``fields`` the fields of ministries (``ministry_fields``)."""
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
            if (len(word) == 1 and word in _NEW_PLACE_UNITS and last_tag in _UNKNOWN_OR_GIVEN
                    and 2 <= len(last) <= 3 and _han(last) and last[-1] not in _UNITS):
                out[-1] = (last + word, "ns")  # 华家源 + 村: jieba knows no such person
                continue
            if (word in _AREAS and (last_tag in ("ns", "nsf") or last_tag == "x" and _han(last))
                    and 2 <= len(last) <= 4):
                whole = (last + word, "ns")  # 雄安 + 新区; 成都 + 高新区, and 成都 stays
                out[-1:] = [out[-1], whole] if last_tag in ("ns", "nsf") else [whole]
                continue
            if word == "组织" and last_tag == "j" and len(last) == 2:
                out[-1] = (last + word, "nt")  # 世卫 + 组织: an abbreviated body
                continue
        if (tag == "x" and 3 <= len(word) <= 5 and word[-1] in _NEW_PLACE_UNITS and _han(word)
                and not _UNITS.intersection(word[:-1])):
            tag = "ns"  # 保太镇, a word jieba does not know
        out.append((word, tag))
        head = _head(word, tag)
        if head:
            _join_org(out, head, fields)
    return out
