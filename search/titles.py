"""Display titles: undo what RSS-to-file pipelines did to characters in titles.

Those pipelines write each title into a file name first and replace every
character a file cannot hold (``:/\\?*“”<>|[]``) with ``_``: 普京指“北约的存在不合时宜”
is filed as 普京指_北约的存在不合时宜_. The stored and searchable title stays as
filed; this module guesses the original for display, from how Chinese headlines
use those characters: quotes come in pairs, a nested book title inside 《》 is
``<…>``, a short lead before the first mark is a speaker or place (``:``), a
mark at the end of a question is ``?``, and digits around a mark are a score,
a time or a fraction. Where no rule is sure the ``_`` stays: a wrong guess
would be worse than the scar.
"""
from __future__ import annotations

import re

__all__ = ["display_title"]

_MARK = "_"
# A question ends with one of these somewhere before the final mark.
_QUESTION = re.compile(r"吗|呢|什么|何|怎|谁|哪|几|多少|是否|能否|可否|为啥")
# A nested name inside 《》 is a document's name (<…条例>) rather than a slogan ("十三五").
_DOCUMENT_END = re.compile(r"(条例|决定|方案|意见|准则|报告|法|办法|规定|纲要|章程|通知|文选|"
                           r"（修正案）|细则|条约|公约|守则|规则|白皮书|讲话|序言)$")
# After a score, these verbs; a lone "1_8决赛" or "1_3" is a fraction.
_SCORE_NEXT = re.compile(r"战胜|击败|胜|负|逆转|大比分|力克|不敌|战平|取胜|淘汰|横扫|完胜|险胜")
_LEAD_STOP = "】]） 　：，、。"
_MAX_LEAD = 12


def display_title(title: str) -> str:
    """The title as it was before a pipeline put ``_`` for ``:/?“”<>[]``."""
    if _MARK not in title:
        return title
    chosen: dict[int, str] = {}
    marks = [i for i, ch in enumerate(title) if ch == _MARK]
    for i in marks:
        between = _between_ascii(title, i)
        if between:
            chosen[i] = between
    rest = [i for i in marks if i not in chosen]
    if len(rest) % 2:
        _choose_odd_one(title, rest, chosen)
        rest = [i for i in marks if i not in chosen]
    if len(rest) % 2 == 0:
        for open_, close in zip(rest[::2], rest[1::2]):
            chosen[open_], chosen[close] = _pair(title, open_, close)
    return "".join(chosen.get(i, ch) for i, ch in enumerate(title))


def _between_ascii(title: str, i: int) -> str | None:
    """Marks inside ASCII text: ``2_0`` a score, ``21_00`` a time, ``1_8`` and ``8K_4K``
    a list; anything else there (``file_name``, ``__init__``) is a real underscore."""
    left, right = title[:i].rstrip(_MARK), title[i + 1:].lstrip(_MARK)
    run = len(title[:i]) - len(left) + 1 + len(title[i + 1:]) - len(right)
    if run > 1 and (re.search(r"[A-Za-z]$", left) or re.match(r"[A-Za-z]", right)):
        return _MARK  # __init__, a__b: never a pipeline's quote pair
    if not (left and right and _ascii_text(left[-1]) and _ascii_text(right[0])):
        return None
    lw = re.search(r"[A-Za-z0-9]+$", title[:i])
    rw = re.match(r"[A-Za-z0-9]+", title[i + 1:])
    if not lw or not rw:
        return _MARK
    a, b = lw.group(0), rw.group(0)
    if not (a.isdigit() and b.isdigit()):
        # Words with digits (8K_4K_VR) are alternatives; plain words may be a name.
        short = len(a) <= 4 and len(b) <= 4
        return "/" if short and re.search(r"\d", a + b) else _MARK
    if re.search(r"\d_\d+_$", title[:i]) or re.match(r"\d+_\d", title[i + 1:]):
        return "/"  # 5_3_2nm: a list of sizes
    if a == "1" and int(b) > 1 and not _SCORE_NEXT.match(right[len(b):]):
        return "/"  # 1/8决赛, 1/3
    return ":"  # a score (2:0) or a time (21:00)


def _ascii_text(ch: str) -> bool:
    return ch.isascii() and ch.isprintable() and not ch.isspace()


def _choose_odd_one(title: str, rest: list[int], chosen: dict[int, str]) -> None:
    """An odd number of marks: one is not a quote. A final question mark, or a colon."""
    last = rest[-1]
    if last == len(title) - 1 and _QUESTION.search(title[:last]):
        chosen[last] = "?"
        return
    first = rest[0]
    if first == len(title) - 1:
        return  # a colon never ends a title
    lead = re.split(f"[{re.escape(_LEAD_STOP)}]", title[:first])[-1]
    spaced = title[first + 1:first + 2] in (" ", "　")  # "发布会: 从严…" is a colon whatever leads
    if (2 <= len(lead) <= _MAX_LEAD or spaced and lead) and _MARK not in lead:
        chosen[first] = ":"


def _pair(title: str, open_: int, close: int) -> tuple[str, str]:
    """Quotes, or angle brackets for a document named inside a book title."""
    inside = title[open_ + 1:close]
    book = title.rfind("《", 0, open_) > title.rfind("》", 0, open_)
    if book and _DOCUMENT_END.search(inside):
        return "<", ">"
    return "“", "”"
