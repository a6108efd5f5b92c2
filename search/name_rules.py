"""Rules that mend jieba's tagging of names where its cut splits one name into words.

They run on the (word, tag) pairs of a title and lead, after the dictionary and
the HMM (search/names.py), and were chosen on samples of the archive other than
the ones the quality figures come from (docs/quality.md):

- a lone surname before a two-character given name tagged a person is one
  person (赵 + 红艳);
- the names of organisations (name_bodies.py);
- a word jieba does not know that ends in an administrative unit (镇, 乡, 村
  ...) is a place, and so is a place followed by a lone unit (桂平 + 市), a word
  jieba does not know or calls a person followed by a lone 村/镇/乡 (华家源 + 村),
  a noun followed by a lone 县 (资源 + 县), and a place or an unknown word
  followed by an area (雄安 + 新区, 成都 + 高新区; 成都 stays a place);
- an abbreviation and 组织 (世卫 + 组织), and a place, 合作 and 组织 (上海 合作
  组织) are one organisation;
- a person's name, a middle dot and the family name after it are one person
  (纳兰德拉 · 莫迪), listed whole and by the family name (莫迪).
- after a title, the untagged pieces of a foreign name are one person (总统 马克 龙);
  a "person" ending in 岛 湖 湾 港 峡 州 is a place (毛伊岛); a verb of motion and a
  one-character place (来京) is no place (``motion_places``).
- after those (``unglue``): a dictionary place gluing a Chinese-named place and a place word
  (北京 + 天安门广场) is both; a name and a monarch's ordinal (卡洛斯 + 三世) are one person,
  and so are two person-tagged pieces making one transliterated name (马特 + 维延科).
"""
from __future__ import annotations

from .name_bodies import ANCHORS, han, join_body

__all__ = ["mend", "motion_places", "unglue"]

_UNITS = frozenset("省市县区镇乡村州旗")
_PLACE_UNITS = frozenset("省市县镇乡村州")  # after a place: 区 and 旗 start other words (区域)
_NEW_PLACE_UNITS = frozenset("县镇乡村")  # ending a word jieba does not know
# A word before a lone 村/镇/乡 that is no other name: unknown, or a "person" (金光 + 村).
_UNKNOWN_OR_GIVEN = frozenset("x nr nrx nrfg nrt".split())
# Tags of a known word that names a county before a lone 县 (资源 + 县): not 支持 (v), 这个 (r).
_COUNTY_TAGS = frozenset("n nz".split())
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
# Endings of a place's name never ending a person's given name (毛伊岛, 艾奥瓦州, 张家港; not
# 山 江 海 河: 王岐山, 张德江, 秦大河): a "person" ending in one is a place.
_PLACE_ENDS = frozenset("岛湖湾港峡州")
# Titles a foreign person's name follows (总统 万斯, 总干事 谭德塞): a word of transliteration
# characters after one is that person whatever the dictionary calls it (nz, a place, none).
_TITLES = frozenset("总统 副总统 总理 副总理 首相 国王 女王 王储 外长 外交部长 国防部长 总干事 "
                    "秘书长 议长 大使 总书记 领导人 主席".split())
_RETITLED = frozenset("nz x - nrx".split())
# Tags of single characters that end a name after a title (说 v, 在 p, 和 c, 将 d ...).
_NOT_PIECES = frozenset("v p c d u uj ul ug uz r m q f t a vn ad".split())
_NAME_STOPS = frozenset("时等和与同及说称在将女互")
# A verb of coming and going before a one-character place makes no place's name (来京, 驻港).
_MOTION = frozenset("来回离赴抵返驻留入")
_FAMILY_TAGS = _GIVEN | {"-", "x", "j", "zg", "nz", "ns", "nsf"}


def _dotted(tagged, i: int, before, translit: frozenset[str]) -> tuple[str, int] | None:
    """The part after the dot of a foreign person's "given·family" name at tagged[i], and the
    index past it; None unless the part before is a person (纳兰德拉 · 莫迪)."""
    if before is None or before[1] not in _GIVEN and not (before[1] in ("-", "x")
                                                          and translit.issuperset(before[0])):
        return None
    j, parts = i + 1, []
    while j < len(tagged) and len(parts) < 3:
        word, tag = tagged[j]
        if not han(word) or len(word) > 5:
            break
        if not (tag in _FAMILY_TAGS or not parts and len(word) == 1 and word in translit):
            break
        parts.append(word)
        j += 1
    return ("".join(parts), j) if parts else None


def _piece(word: str, tag: str, first: bool, translit: frozenset[str]) -> bool:
    """Whether (word, tag) can be a piece of a foreign name after a title (_titled_name)."""
    if not han(word):
        return False
    if first:
        return len(word) > 1 and tag in _RETITLED
    return word[0] not in _NAME_STOPS and (
        tag in _RETITLED or len(word) == 1 and (word in translit or tag not in _NOT_PIECES))


def _titled_name(tagged, i: int, translit: frozenset[str], first_ok: bool = False):
    """The foreign name that starts at tagged[i] after a title, whatever the dictionary calls
    its pieces (总统 马克 龙, 总理 梅德韦 杰夫, 总统 拉赫 蒙), and the index past it: pieces
    that are no other word's (untagged, dropped by the fixes, nz) or single characters that are
    no verb or particle (说, 在 end it), two-thirds transliteration characters. ``first_ok``:
    tagged[i] is a place the dictionary does not know (the HMM's guess: 总干事 谭德塞)."""
    j, name = i, ""
    while j < len(tagged) and len(name) < 8:
        word, tag = tagged[j]
        if not (first_ok and j == i or _piece(word, tag, j == i, translit)):
            break
        name, j = name + word, j + 1
    if (2 <= len(name) <= 8 and name[0] not in _NAME_STOPS
            and sum(ch in translit for ch in name) * 3 >= len(name) * 2):
        return name, j
    return None


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


def _joined(out: list, word: str, tag: str) -> bool:
    """Whether ``word`` joined out[-1] into one place or body (in place)."""
    last, last_tag = out[-1]
    if (len(word) == 1 and word in _PLACE_UNITS and last_tag in ("ns", "nsf")
            and last[-1] not in _UNITS):
        out[-1] = (last + word, "ns")  # 桂平 + 市
    elif (len(word) == 1 and word in _NEW_PLACE_UNITS and 2 <= len(last) <= 3 and han(last)
          and last[-1] not in _UNITS
          and (last_tag in _UNKNOWN_OR_GIVEN
               or word == "县" and last_tag in _COUNTY_TAGS and last not in ANCHORS)):
        out[-1] = (last + word, "ns")  # 华家源 + 村: jieba knows no such person; 资源 + 县
    elif (word in _AREAS and 2 <= len(last) <= 4
          and (last_tag in ("ns", "nsf") or last_tag == "x" and han(last) and len(last) == 2)):
        # 雄安 + 新区 (not 将雄安 + 新区: the HMM's longer runs carry a word before the name);
        # 成都 + 高新区, and 成都 stays a place
        whole = (last + word, "ns")
        out[-1:] = [out[-1], whole] if last_tag in ("ns", "nsf") else [whole]
    elif word == "组织" and last_tag == "j" and len(last) == 2:
        out[-1] = (last + word, "nt")  # 世卫 + 组织: an abbreviated body
    elif (word == "组织" and last == "合作" and len(out) > 1
          and (out[-2][1] in ("ns", "nsf", "j") or out[-2][0] in ANCHORS)):
        out[-1:] = [(out[-2][0] + last + word, "nt")]  # 上海 合作 组织; 上海 stays a place
    else:
        return False
    return True


def motion_places(tags: dict[str, str]) -> list[str]:
    """The dictionary's two-character "places" that are a verb of motion and a one-character
    place or abbreviation (来京 回京 驻沪 入川): not places."""
    return [w for w, t in tags.items() if len(w) == 2 and w[0] in _MOTION
            and t in ("ns", "nsf") and tags.get(w[1]) in ("ns", "nsf", "j")]


def mend(tagged, surnames: frozenset[str], translit: frozenset[str],
         fields: frozenset[str] = frozenset(), known=None) -> list[tuple[str, str]]:
    """The (word, tag) pairs with the rules above applied, in one pass (it runs per article);
    ``surnames`` and ``translit`` are names.py's characters of surnames and transliterations,
    ``fields`` the fields of ministries (``ministry_fields``), ``known`` jieba's word
    frequencies (a place it does not know after a title is the HMM's guess)."""
    tagged = list(tagged)
    out: list[tuple[str, str]] = []
    i, whole_at = 0, None  # whole_at: where the last dotted name is, its family name after it
    while i < len(tagged):
        word, tag = tagged[i]
        i += 1
        if out and out[-1][0] in _TITLES:
            guessed = known is not None and tag in ("ns", "nsf") and not known.get(word)
            titled = (tag in _RETITLED or guessed) and _titled_name(tagged, i - 1, translit,
                                                                    guessed)
            if titled:
                out.append((titled[0], "nr"))
                i = titled[1]
                continue
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
            if _joined(out, word, tag):
                continue
        if (tag == "x" and 3 <= len(word) <= 5 and word[-1] in _NEW_PLACE_UNITS and han(word)
                and not _UNITS.intersection(word[:-1])):
            tag = "ns"  # 保太镇, a word jieba does not know
        elif (tag in ("nr", "nrfg", "nrt") and word[0] in "和同与及" and len(word) >= 4
              and translit.issuperset(word[1:])):
            out.append((word[0], "c"))  # 同 托卡耶夫: the HMM's run took the conjunction
            word = word[1:]
        elif tag in ("nr", "nrfg", "nrt") and word[-1] in _PLACE_ENDS and "·" not in word:
            tag = "ns"  # 秦皇岛, 伊尔库茨克州: the dictionary's or the HMM's "person"
        out.append((word, tag))
        join_body(out, word, tag, fields)
    return out



# A monarch's ordinal after a name is part of it (伊丽莎白 + 二世, tagged nrx alone).
_ORDINALS = frozenset("一世 二世 三世 四世 五世 六世".split())
_PLACE_SPLIT_TAGS = frozenset(("ns", "nsf"))
_PERSONS = frozenset(("nr", "nrfg", "nrt"))
_WHOLE_ENDS = frozenset("洲国")  # 珠江三角洲, 墨西哥合众国: one place
# Characters a run of a name's pieces took from the text around it (和 特恩布尔, 卢称), and
# ends of places (萨苏埃拉宫, 某某镇): no joined name begins or ends with one ...
_JOIN_STOPS = frozenset(_NAME_STOPS | set("致曾为宫镇军"))
_JOINED_STOPS = frozenset("和与及")  # ... nor holds a conjunction (卢拉 和 罗塞夫: two people)


def _foreign(name: str, translit: frozenset[str]) -> bool:
    """Whether two joined pieces make one transliterated name: four to eight characters,
    two-thirds transliteration characters, no dot, conjunction or word from around it."""
    return (4 <= len(name) <= 8 and sum(ch in translit for ch in name) * 3 >= len(name) * 2
            and name[0] not in _JOIN_STOPS and name[-1] not in _JOIN_STOPS
            and not _DOTS.intersection(name) and not _JOINED_STOPS.intersection(name))


def _place_parts(word: str, tags: dict[str, str], translit: frozenset[str]):
    """The two places a dictionary place glues (北京 + 某某广场), or None: a place of two or
    three characters with a Chinese name (not a transliteration: 沙特 + 阿拉伯) and a place
    word of three or more, both in the dictionary, not a region or a state's long name."""
    for k in (2, 3):
        head, rest = word[:k], word[k:]
        if (tags.get(head) in _PLACE_SPLIT_TAGS and not translit.issuperset(head)
                and tags.get(rest) in _PLACE_SPLIT_TAGS and len(rest) >= 3
                and rest[-1] not in _WHOLE_ENDS):
            return head, rest
    return None


def unglue(tagged: list, tags: dict[str, str], translit: frozenset[str], known,
           kinds: frozenset[str]):
    """The pairs tagged one of ``kinds`` (names; the rest are not needed after this), with a
    glued dictionary place listed as its two places (organisations stay whole), a person's
    ordinal joined to the name, and two pieces the dictionary calls people joined when they
    make one transliterated name it does not know (马特 + 维延科); ``tags`` the dictionary's
    tags, ``known`` jieba's word frequencies."""
    skip, last = -1, len(tagged) - 1
    for i, (word, tag) in enumerate(tagged):
        if tag not in kinds and tag != "nrx" or i == skip:
            continue
        if i < last:
            after, after_tag = tagged[i + 1]
            if tag in _GIVEN and after in _ORDINALS or (
                    tag in _PERSONS and after_tag in _PERSONS
                    and _foreign(word + after, translit) and not known.get(word + after)):
                yield word + after, "nr"
                skip = i + 1
                continue
        parts = (_place_parts(word, tags, translit)
                 if len(word) >= 5 and tag in _PLACE_SPLIT_TAGS else None)
        if parts:
            yield from ((part, tag) for part in parts)
        else:
            yield word, tag
