"""Roundups: stories made of several short items, each under its own headline.

A bulletin such as 国际联播快讯 files five unrelated items as one story whose
title names none of them. When a query matches one of those items and not the
title, the item's headline says far better what was found; this finds it.

A headline is a short paragraph that does not end a sentence, followed by a
longer paragraph; a roundup has at least two of them.
"""
from __future__ import annotations

import re

from .highlight import Highlighter

__all__ = ["matched_item"]

MAX_HEADLINE = 40
_SENTENCE_END = re.compile(r"[。！？；…：:.!?;]$")


def _headlines(body: str) -> list[tuple[int, str]]:
    """(offset, text) of each headline paragraph of ``body``, in order."""
    out, pos = [], 0
    paragraphs = body.split("\n")
    for i, para in enumerate(paragraphs):
        text = para.strip()
        following = paragraphs[i + 1].strip() if i + 1 < len(paragraphs) else ""
        if (text and len(text) <= MAX_HEADLINE and not _SENTENCE_END.search(text)
                and len(following) > len(text)):
            out.append((pos, text))
        pos += len(para) + 1
    return out


def matched_item(title: str, body: str, marker: Highlighter | None) -> str:
    """The headline of the item holding the first match, when the title has none; else ""."""
    if marker is None or marker.spans(title):
        return ""
    spans = marker.spans(body)
    if not spans:
        return ""
    heads = _headlines(body)
    if len(heads) < 2:
        return ""
    first = spans[0][0]
    under = [text for offset, text in heads if offset <= first]
    return under[-1] if under else ""
