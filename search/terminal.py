"""Text for a terminal: display width of Chinese text, wrapping, colour."""
from __future__ import annotations

import os
import re
import shutil
import sys
import unicodedata

__all__ = ["use_colour", "width", "wrap", "columns"]

_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
_TOKEN = re.compile(r"\x1b\[[0-9;]*m|[A-Za-z0-9_.,:;!?'\"()\-/@#%&+]{1,20}(?= |$)| |.", re.S)


def use_colour() -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def columns() -> int:
    """The terminal's width (COLUMNS, else the terminal, else 80); at least 20."""
    return max(20, shutil.get_terminal_size((80, 24)).columns)


def width(text: str) -> int:
    """Columns the text takes: wide and full-width characters count two, escapes none."""
    text = _ESCAPE.sub("", text)
    return sum(0 if unicodedata.combining(ch) else
               2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, limit: int, indent: str = "") -> list[str]:
    """Lines of at most ``limit`` columns; Chinese breaks anywhere, short Latin words whole."""
    lines, line, used = [], indent, width(indent)
    for token in _TOKEN.findall(text):
        size = width(token)
        if used + size > limit and used > width(indent):
            lines.append(line.rstrip())
            line, used = indent, width(indent)
            if token == " ":
                continue
        line += token
        used += size
    if line.strip():
        lines.append(line.rstrip())
    return lines
