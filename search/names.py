"""People, places and organisations an article names, found at index time.

Where to look and how were measured on the archive (docs/quality.md): the
title and lead paragraph, not the whole body (five times the cost, and a
story's names are in its lead); jieba's precise cut with its HMM, then each
known word's part of speech from jieba's dictionary (a lookup), and only for
words the dictionary does not know (new names: 泽连斯基) jieba's POS HMM,
remembered per word. jieba's full POS tagger runs that HMM on every
sentence and costs four times as much.

jieba's dictionary tags are noisy (普京 is a place there, 丘陵 a person):
``names_fixes.txt`` corrects the most frequent wrong tags of news names
and drops common words tagged as names. The user dictionary's tags win. Words it calls
people without a person's shape are not listed; ``name_rules`` (and ``name_bodies`` for
organisations) joins names jieba cut apart.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from .analysis import Segmenter, _cache_dir, normalize
from .name_bodies import ministries, ministry_fields, split_titles, titled_bodies
from .name_rules import mend, motion_places, unglue

__all__ = ["KINDS", "Names", "NameFinder", "NAMES_VERSION", "finder_for", "lead_text",
           "name_keys"]

# Name kind -> jieba's tags for it.
KINDS = {"people": ("nr", "nrfg", "nrt"), "places": ("ns", "nsf"), "organizations": ("nt",)}
_PEOPLE_TAGS = frozenset(KINDS["people"])
_KIND_OF = {tag: kind for kind, tags in KINDS.items() for tag in tags}
FIXES = Path(__file__).with_name("names_fixes.txt")
NAMES_VERSION = "6-" + hashlib.sha256(FIXES.read_bytes()).hexdigest()[:8]
LEAD_MIN, LEAD_MAX = 60, 400  # characters of lead read: paragraphs up to MIN, cut at MAX
PER_KIND_MAX = 64  # a lead's list of names (22 companies, 86 leaders) is kept whole
# "央视网消息（新闻联播）：", "新华社北京3月5日电", "本台消息：" before the story itself.
_DATELINE = re.compile(r"^(?:[^，。！？“”：:\s]{0,20}?(?:消息|讯)(?:[（(][^）)]{0,20}[）)])?[：:]"
                       r"|[^，。！？“”：:\s]{0,20}?\d{1,2}日电\s*)")
_HAN = re.compile(r"[\u4e00-\u9fff]{2,}")


# The commonest Chinese surnames: a two-character word jieba does not know is
# taken for a person only after one of these (乌称 "Ukraine said" is not a name).
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞"
    "左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕"
    "屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧"
    "闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝")


# Characters of transliterated foreign names (Xinhua's tables use few others):
# jieba cuts 别尔德穆哈梅多夫 into 别 尔德 穆哈 梅 多夫, each tagged alone.
_TRANSLIT = frozenset(
    "阿埃艾爱安昂奥巴拜班邦贝本比彼毕边宾波伯博布查达戴丹道德邓迪蒂杜多厄尔法范菲费芬丰弗福"
    "盖甘冈戈格贡古瓜圭哈海汉豪赫亨胡华霍基吉加贾杰金卡凯坎康考柯科克肯库夸奎拉莱兰朗劳勒雷蕾"
    "里利莉林琳卢鲁伦罗洛马迈麦曼芒梅蒙米敏明莫姆穆纳奈南内尼涅宁纽努诺欧帕潘佩皮珀普齐奇恰乔"
    "切琴丘萨塞桑瑟森沙尚什施舍斯松苏索塔泰坦汤唐特提图托瓦万旺威韦维温沃乌武西希谢辛休亚扬耶"
    "伊因英尤约扎泽詹哲夫连谭茨兹娃娜妮莎丽琪绍舒瑞若廷通季迦伽歇哥恩鲍堡顿登都丁汀夏雅佐祖")
_NAME_TAGS = frozenset(_KIND_OF)
_PLACE_TAGS = frozenset(KINDS["places"])
# Less common surnames, also heading unknown names (习 + 近平, 栗 + 战书)...
_RARE_SURNAMES = frozenset("习洪栗郁荆冀燕楚鞠粟逯厉雍帅钮揭鄢蔺晁辜谯亢庹隗禹楼郗綦茅蓟阚贲冼扈")
# ... and surnames that are common characters, enough to pass a person's shape only.
_MORE_SURNAMES = _RARE_SURNAMES | frozenset("晋闻宿原战相幸门权虎国於衣桓暴植滑都")
_NOT_NAME_ENDS = ("关系", "合作")
_MORE_TRANSLIT = frozenset("得翰廉列逊保")  # 彼得 约翰 威廉 列宁 约翰逊 保罗
_COMPOUND_SURNAMES = frozenset("欧阳 司马 诸葛 上官 东方 令狐 皇甫 公孙 慕容 尉迟 长孙 宇文 司徒 夏侯 "
                               "端木 西门 南宫 独孤 呼延 轩辕".split())


def _transliterations(tagged):
    """Adjacent pieces of one transliterated name, joined and tagged as a whole.

    A run of two or more pieces made only of transliteration characters, at
    least one tagged a name, becomes one name: a person if a piece was tagged
    one, else a place.
    """
    run: list[tuple[str, str]] = []
    for word, tag in list(tagged) + [("", "x")]:
        if word and len(word) <= 4 and _TRANSLIT.issuperset(word):
            run.append((word, tag))
            continue
        if len(run) > 1 and any(t in _NAME_TAGS for _, t in run) and not all(
                t in _PLACE_TAGS and len(w) > 1 for w, t in run):  # 卡塔尔 多哈: two places
            kinds = {_KIND_OF.get(t) for _, t in run}
            yield "".join(w for w, _ in run), "nr" if "people" in kinds else "ns"
        else:
            yield from run
        run = []
        if word:
            yield word, tag


def _candidate(text: str) -> bool:
    """Whether a run jieba could not cut may hold a name: a Chinese name's length after a
    surname, or transliteration characters mostly (a foreign name)."""
    if not 2 <= len(text) <= 12:
        return False
    if (text[0] in _SURNAMES or text[0] in _RARE_SURNAMES) and len(text) <= 4:
        return True
    return sum(ch in _TRANSLIT for ch in text) * 3 >= len(text) * 2


def _person_shape(word: str) -> bool:
    """Whether a word jieba's dictionary calls a person looks like one: a surname and one or
    two characters (a compound surname and up to two), or transliteration characters mostly
    (its dictionary calls 雪山, 迎春 and 严格遵守 people)."""
    if ((word[0] in _SURNAMES or word[0] in _MORE_SURNAMES) and len(word) <= 3
            or word[:2] in _COMPOUND_SURNAMES and len(word) <= 4):
        return True
    return sum(ch in _TRANSLIT or ch in _MORE_TRANSLIT for ch in word) * 3 >= len(word) * 2


def _plausible(word: str, kind: str) -> bool:
    """Whether an HMM-tagged unknown word can be a name of this kind."""
    if kind == "people" and len(word) == 2:
        return word[0] in _SURNAMES or word[0] in _RARE_SURNAMES
    return len(word) > 1


@dataclass
class Names:
    """The names of one article, each list in order of first mention."""

    people: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    organizations: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[str]]:
        return {"people": self.people, "places": self.places,
                "organizations": self.organizations}


def lead_text(title: str, body: str) -> str:
    """Title and lead paragraph(s), less a dateline, as the tagger reads them."""
    lead, n = [], 0
    for para in body.split("\n"):
        para = para.strip()
        for _ in range(2):  # "央视网消息（新闻联播）：本台消息："
            para = _DATELINE.sub("", para, count=1).strip()
        if para:
            lead.append(para)
            n += len(para)
        if n >= LEAD_MIN:
            break
    return (title.strip() + "\n" + "\n".join(lead))[:LEAD_MAX]


def _dictionary_tags(open_dict) -> dict[str, str]:
    """jieba's word -> tag table, cached (reading the dictionary's text takes a second).

    A private ``jieba.Tokenizer`` reads jieba's own dictionary (user words come
    on top), so one cache per jieba version serves every index.
    """
    import jieba

    cache = Path(_cache_dir()) / f"names-tags-{jieba.__version__}.marshal"
    try:
        return marshal.loads(cache.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        pass
    tags: dict[str, str] = {}
    with open_dict() as f:
        for raw in f:
            parts = raw.decode("utf-8").split()
            if len(parts) == 3:
                tags[parts[0]] = parts[2]
    try:  # written whole, then renamed: a reader never sees half a file
        tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps(tags))
        os.replace(tmp, cache)
    except OSError:
        pass
    return tags


def _read_fixes(path: Path) -> dict[str, str | None]:
    """word -> tag (None: never a name), from lines "word tag" or "word -"."""
    fixes: dict[str, str | None] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("#", 1)[0].split()
        if len(parts) == 2:
            fixes[normalize(parts[0])] = None if parts[1] == "-" else parts[1]
    return fixes


class NameFinder:
    """Finds names with one segmenter's dictionary (and user dictionary); thread-safe."""

    def __init__(self, segmenter: Segmenter):
        self.segmenter = segmenter
        self._lock = threading.Lock()
        self._tags: dict[str, str] | None = None
        self._unknown: dict[str, list[tuple[str, str]]] = {}  # OOV word -> HMM's tagging
        self._hmm = None
        self._fields: frozenset[str] = frozenset()
        self._titled: dict[str, tuple[str, str]] = {}

    def load(self) -> dict[str, str]:
        """Load the tag tables now (a second), e.g. before forking writers that share them."""
        with self._lock:
            if self._tags is None:
                import jieba.posseg as posseg

                self.segmenter.initialize()
                tok = self.segmenter.tokenizer
                pos = posseg.POSTokenizer.__new__(posseg.POSTokenizer)
                pos.tokenizer = tok
                tags = dict(_dictionary_tags(tok.get_dict_file))
                self._fields = ministry_fields(tags)
                tags.update(ministries(tags, tok.FREQ))
                for word, tag in tags.items():
                    if tag in _PEOPLE_TAGS and not _person_shape(word):
                        tags[word] = "nrx"  # not listed; a given name to name_rules
                    elif tag in _KIND_OF and word.endswith(_NOT_NAME_ENDS):
                        tags[word] = "-"  # 中美关系, 中日合作: the dictionary's "places"
                tags.update(dict.fromkeys(motion_places(tags), "-"))
                for word, tag in _read_fixes(FIXES).items():
                    tags[word] = tag or "-"  # "-": never a name; "x": unknown
                tags.update(tok.user_word_tag_tab)  # the user's dictionary has the last word
                self._titled = titled_bodies(tags)
                self._hmm = pos._POSTokenizer__cut_detail
                self._tags = tags
        return self._tags

    def _tagged(self, text: str):
        """(word, tag) pairs; runs the dictionary cannot cut are tagged as one by the HMM.

        Such a run is single characters and words jieba made up with its HMM:
        an unknown name cut into pieces (扎 + 里夫, 谭 + 德塞) comes back whole,
        as jieba's own POS tagger treats runs of single characters.
        """
        tags = self._tags or self.load()
        freq = self.segmenter.tokenizer.FREQ
        run: list[str] = []
        made_up = False
        for word in self.segmenter.tokenizer.cut(text):
            tag = tags.get(word)
            known = tag is not None or bool(freq.get(word))
            if ("\u4e00" <= word <= "\u9fff" if len(word) == 1
                    else not known and _HAN.fullmatch(word)):
                run.append(word)
                made_up = made_up or not known or len(run) > 1
                continue
            if run:
                yield from self._run(run, made_up, tags)
                run, made_up = [], False
            yield word, tag or "x"
        if run:
            yield from self._run(run, made_up, tags)

    def _run(self, run: list[str], made_up: bool, tags: dict[str, str]):
        text = "".join(run)
        # The POS HMM costs milliseconds a run: only for runs that can be a name.
        if not made_up or not _candidate(text):
            return [(w, tags.get(w, "x")) for w in run]
        return self._unknown_run(text)

    def _unknown_run(self, text: str) -> list[tuple[str, str]]:
        seen = self._unknown.get(text)
        if seen is None:
            tags = self._tags or {}
            seen = [(w, tags.get(w, f)) for w, f in self._hmm(text)]  # known words: their tag
            # an implausible "name" stays in the text untagged (博鲁 + 阿尔特 can still join)
            seen = [(w, f if f not in _KIND_OF or _plausible(w, _KIND_OF[f]) else "x")
                    for w, f in seen]
            if len(self._unknown) < 200_000:  # bounded: a long build sees many
                self._unknown[text] = seen
        return seen

    def find(self, title: str, body: str) -> Names:
        """The names in an article's title and lead paragraph."""
        found: dict[str, dict[str, None]] = {kind: {} for kind in KINDS}
        tagged = _transliterations(self._tagged(normalize(lead_text(title, body))))
        tagged = split_titles(tagged, self._titled, self._tags or {})
        mended = mend(tagged, _SURNAMES, _TRANSLIT, self._fields, self.segmenter.tokenizer.FREQ)
        for word, tag in unglue(mended, self._tags or {}, _TRANSLIT,
                                self.segmenter.tokenizer.FREQ, _NAME_TAGS):
            kind = _KIND_OF.get(tag)
            if kind and len(word) > 1 and len(found[kind]) < PER_KIND_MAX:
                found[kind][word] = None
        return Names(*(list(found[kind]) for kind in KINDS))


_finders: dict[int, NameFinder] = {}


def finder_for(segmenter: Segmenter) -> NameFinder:
    """The one NameFinder of a segmenter (its tag table is loaded once per process)."""
    finder = _finders.get(id(segmenter))
    if finder is None or finder.segmenter is not segmenter:
        finder = _finders[id(segmenter)] = NameFinder(segmenter)
    return finder


def name_keys(names: dict | None) -> list[str]:
    """A stored names value as keys of one list ("people:普京"), for the per-document arrays."""
    return [f"{kind}:{name}" for kind in KINDS for name in (names or {}).get(kind, ())]
