"""Organisations: which dictionary words are bodies, and which words before a body's head
word or a known body belong to its name (name_rules.mend calls ``join_body`` per word).

- a word made of a field noun and a ministry's one-character head (教育 + 部, 政法 + 委,
  环保 + 局) is a body (``ministries``, from the dictionary's word list once per process);
- a run of nouns that ends in an organisation's head word (委员会, 协会, 有限公司, 部, 局
  ...) and starts with a name or a body's prefix (国家, 中央, 国际 ...) is one organisation
  (国家 林业 和 草原 局);
- a body the dictionary knows whose ending is a head (社会保障部, 国际会议中心) takes the
  places and prefixes before it (菲律宾 国际会议中心), and a ministry also the fields of
  ministries (人力资源 和 社会保障部) or the body it belongs to (中央军委 政治工作部);
- a dictionary word made of a body and an office lists the body (中央政治局 常委,
  ``titled_bodies`` and ``split_titles``).
"""
from __future__ import annotations

__all__ = ["ANCHORS", "han", "join_body", "ministries", "ministry_fields", "split_titles",
           "titled_bodies"]

# Head words of a body's name: the run before them is the body's own name.
_ORG_HEADS = frozenset(
    "委员会 联合会 协会 学会 商会 基金会 总会 有限公司 股份有限公司 有限责任公司 公司 总公司 集团 "
    "研究院 研究所 研究中心 科学院 大学 学院 医院 银行 法院 检察院 博物馆 档案馆 纪念馆 图书馆 "
    "美术馆 科技馆 办公室 总台 电视台 通讯社 报社 歌舞团 艺术团 剧院 控制中心 研究中心 新闻中心 指挥部 "
    "管理局 总局 总署 人民政府 政府 党委 常委会 论坛 领导小组 委 部 局 署 厅 办 院 司".split())
# Head words that follow generic nouns as often as names (科技公司, 当地医院): the run
# must hold a name or a body's prefix before them.
ANCHORS = frozenset("中国 国家 中央 国际 全国 世界 联合国 省 市 县 自治区 中华全国 全军 中共".split())
_ONE_CHAR_HEADS = frozenset("委部局署厅办院司")
# A ministry-like word: its one-character head and the tags its stem may have.
_MINISTRY_HEADS = frozenset("部委局署")
_STEM_TAGS = frozenset("n vn an j nz".split())
_COMMON = 5000  # jieba's frequency of a common word (干部 9717)
_FIELD_HEADS = frozenset("部委局署厅")
_FIELD_WORD_TAGS = frozenset("n nt j vn".split())
_NOT_BODIES = frozenset("nr nrfg nrt ns nsf nt m f q".split())
# "nto": a generic unit (铁路局) that is a body only with a name before it (ministries()).
_BODY_TAGS = frozenset(("nt", "nto"))
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
_JOINS = frozenset("和与")  # 国家林业和草原局, 住房和城乡建设部
# Nouns that say how a person stands to a body, not part of its name (时任 外交部长).
_ROLES = frozenset("时任 代表 成员 成员国 委员 经 据 代理 新任 前任 现任 政府 外长".split())
_NOUNS = frozenset("n vn an l".split())
_BREAKS = frozenset("会见 会同 会晤 指导 访问 出席 主持 援引".split())  # verbs jieba calls nouns
# Words that start a country's own name of a body (中国 国家博物馆): a place before them is
# where the body is, not part of its name (北京 中国国家博物馆).
_NATIONAL = frozenset("中国 中华 中共".split())
# Offices that follow a body in one dictionary word (中央政治局常委, 军委主席); 长 only after a
# ministry's or department's head (外交部长, not 新大长).
_OFFICES = frozenset("常委 委员 主席 副主席 书记 副书记 总理 副总理 委员长 副委员长 秘书长 "
                     "发言人 主任 副主任".split())
_CHIEF_AFTER = frozenset("部厅局院")
_OFFICE_ENDS = frozenset(w[-1] for w in _OFFICES) | {"长"}


def ministry_fields(tags: dict[str, str]) -> frozenset[str]:
    """The nouns that name a ministry's field: the stems of the dictionary's ministry-like
    words (农业 of 农业部, 人力资源 of 人力资源部)."""
    return frozenset(w[:-1] for w, t in tags.items()
                     if len(w) >= 3 and w[-1] in _FIELD_HEADS and t in _FIELD_WORD_TAGS
                     and tags.get(w[:-1]) in _STEM_TAGS)


def ministries(tags: dict[str, str], freq: dict[str, int]) -> dict[str, str]:
    """Dictionary words that are a ministry-like body, and their tag: a one-character head
    after a stem the dictionary knows as a noun (教育 + 部, 政法 + 委, 环保 + 局; not 全部,
    西北部, 第一部, 开好局: the stem must be a noun, not a direction, numeral or verb, and the
    word must not end in a common word: 团 + 干部). A ministry or commission whose field also
    has a bureau or department in the dictionary (教育部: 教育局) is a body alone ("nt");
    the others (编辑部, 铁路局, 政法委) name a generic unit, a body only with the name before
    them (中央 政法委, 太原 铁路局): "nto", which mend() makes "nt" when it joins a name."""
    found = {}
    for word, tag in tags.items():
        if (3 <= len(word) <= 5 and word[-1] in _MINISTRY_HEADS and tag not in _NOT_BODIES
                and tags.get(word[:-1]) in _STEM_TAGS and word[-2] not in _MINISTRY_HEADS
                and word not in _ORG_HEADS and freq.get(word[-2:], 0) < _COMMON):
            stem = word[:-1]
            alone = word[-1] in "部委" and (stem + "局" in tags or stem + "厅" in tags)
            found[word] = "nt" if alone else "nto"
    return found


def han(word: str) -> bool:
    return bool(word) and all("\u4e00" <= ch <= "\u9fff" for ch in word)


def _anchor(pair) -> bool:
    return pair[1] in _NAME_TAGS or pair[0] in ANCHORS


def _head(word: str, tag: str) -> str | None:
    """The head word a body's name ends in: the word itself (局), or the ending of a body
    the dictionary knows (农村部, 国际会议中心: what comes before them is their own name)."""
    if word in _ORG_HEADS:
        return word
    if tag in _BODY_TAGS and len(word) > 2:
        return next((word[-n:] for n in (4, 3, 2, 1) if word[-n:] in _BODY_ENDS), None)
    return None


def _org_start(tagged, end: int, head: str) -> int:
    """Index where the body's name ending at tagged[end] (ending in ``head``) starts, or end."""
    start = end
    while start > 0:
        word, tag = tagged[start - 1]
        if han(word) and word not in _BREAKS and (tag in _INNER_AFTER_ANCHOR
                                                  or word in ANCHORS):
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
    if first < end and all(t in _INNER_AFTER_ANCHOR or w in _JOINS or w in ANCHORS
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
    bare = ministry and not any(body.startswith(a) for a in ANCHORS)
    while start > 0:
        word, tag = tagged[start - 1]
        if not han(word) or body.startswith(word) or word in _BREAKS or word in _ROLES:
            break
        if tag in ("nt", "nz"):  # a parent body and its department (中央军委 政治工作部)
            return start - 1 if bare and nouns < 2 else start
        if word == "中共" and body[-1] != "委":
            break  # the party's prefix names its committees (中共 重庆市委), not 中共 国务院
        if tag in ("ns", "nsf") or word in ANCHORS:
            start, nouns = start - 1, 2  # a name: only names and prefixes before it
            if word in _NATIONAL:
                break
        elif bare and nouns < 2 and len(word) > 1 and (word in fields or tag in _NOUNS):
            start, nouns = start - 1, nouns + 1
        elif (word in _JOINS and bare and start > 1 and nouns < 2
              and (tagged[start - 2][0] in fields
                   or len(tagged[start - 2][0]) > 1 and tagged[start - 2][1] in _NOUNS)):
            start -= 1
        else:
            break
    if start < end and tagged[start][0] in _JOINS:  # 贸易代表 和 财政部: 和 joined no field
        start += 1
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




def join_body(out: list, word: str, tag: str, fields: frozenset[str]) -> None:
    """If out[-1] (``word``, ``tag``) ends a body's name, join the words of its name into one."""
    head = _head(word, tag)
    if head:
        _join_org(out, head, fields)


def titled_bodies(tags: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Dictionary words made of a body and an office, not names themselves: word -> (body,
    office) (中央政治局常委 -> 中央政治局 常委, 外交部长 -> 外交部 长); from the tag table once."""
    found = {}
    for word, tag in tags.items():
        if word[-1] not in _OFFICE_ENDS or tag in _NOT_BODIES:
            continue  # most words: one set lookup (the table has 350,000)
        for n in (3, 2, 1):
            body, office = word[:-n], word[-n:]
            if (len(body) >= 2 and tags.get(body) == "nt"
                    and (office in _OFFICES or office == "长" and body[-1] in _CHIEF_AFTER)):
                found[word] = (body, office)
                break
    return found


def split_titles(tagged, titled: dict[str, tuple[str, str]], tags: dict[str, str]) -> list:
    """The (word, tag) pairs with each body named inside an office word listed apart (中央政治局
    常委); a word before it, not a place (mend joins those and keeps them), that makes a
    known body with it joins (中共 + 中央政治局)."""
    out: list[tuple[str, str]] = []
    for word, tag in tagged:
        split = titled.get(word)
        if split is None:
            out.append((word, tag))
            continue
        body, office = split
        if out and out[-1][1] not in ("ns", "nsf") and tags.get(out[-1][0] + body) == "nt":
            out[-1] = (out[-1][0] + body, "nt")
        else:
            out.append((body, "nt"))
        out.append((office, "n"))
    return out
