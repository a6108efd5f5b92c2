"""The synopses in the docs agree with the parsers: every option is shown, none is made up."""
from __future__ import annotations

import re

import pytest

from conftest import ROOT

_FENCE = re.compile(r"```[a-z]*\n(.*?)```", re.S)
_FLAG = re.compile(r"(?<![\w-])(--?[a-z][a-z-]*)")


def _parsers():
    from indexer.arguments import parser as indexer_parser
    from search.cli import _parser as search_parser
    from webui.cli import _parser as webui_parser

    return {"indexer": indexer_parser(), "search": search_parser(), "webui": webui_parser()}


def synopses(text: str) -> dict[str, str]:
    """'python -m X ...' lines of the fenced blocks, with their indented continuations."""
    found: dict[str, str] = {}
    for block in _FENCE.findall(text):
        current = None
        for line in block.splitlines():
            m = re.match(r"python -m (\w+) ", line)
            if m:
                current = m.group(1)
                found[current] = found.get(current, "") + " " + line[m.end():]
            elif current and line.startswith(" "):
                found[current] += " " + line
            else:
                current = None
    return found


@pytest.mark.parametrize("doc", ["README.md", "docs/api.md"])
def test_synopses_show_exactly_the_options_of_the_parsers(doc):
    shown = synopses((ROOT / doc).read_text(encoding="utf-8"))
    assert shown, f"{doc} has no synopsis"
    parsers = _parsers()
    for prog, line in shown.items():
        actions = [a for a in parsers[prog]._actions if a.option_strings and a.dest != "help"]
        flags = set(_FLAG.findall(line))
        known = {s for a in actions for s in a.option_strings}
        assert flags <= known, f"{doc}: python -m {prog} shows {flags - known}, which it lacks"
        missing = [a.option_strings[-1] for a in actions if not flags & set(a.option_strings)]
        assert not missing, f"{doc}: the synopsis of python -m {prog} omits {missing}"
