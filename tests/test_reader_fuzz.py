"""Fuzzing the reader: whatever a file holds, a run never raises, and every file is
either indexed or skipped with a reason.

Articles are generated with arbitrary Unicode in the title and body (control
characters, NUL, astral planes), YAML escapes (lone surrogates included),
odd YAML types, raw bytes and broken or deeply nested HTML. The example
counts stay modest so the suite stays fast; a failure prints the files.
"""
from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from indexer.corpus import parse_article
from indexer.errors import NothingToIndex
from indexer.manifest import load_manifest
from indexer.reading import content_key
from indexer.update import update_index
from search.storage import current_generation

_TAGS = ("p", "div", "span", "b", "table", "td", "li", "script", "style", "br", "a", "pre")
_ESCAPES = ("\\x00", "\\x01", "\\x0b", "\\ud800", "\\udfff", "\\u2028", "\\uffff", "\\t",
            "\\U0001F600", "\\e", "\\N")

texts = st.text(max_size=60)  # any code point but surrogates (they cannot be written raw)


@st.composite
def escaped(draw) -> str:
    """A double-quoted YAML scalar mixing text and escapes (some of them invalid)."""
    parts = draw(st.lists(st.one_of(texts.map(lambda t: t.replace("\\", "").replace('"', "")),
                                    st.sampled_from(_ESCAPES)), max_size=6))
    return '"' + "".join(parts) + '"'


scalars = st.one_of(
    texts.map(json.dumps),                   # JSON strings are YAML; controls escaped
    texts.map(lambda t: t.replace("\n", " ")),  # raw, may well break the YAML
    escaped(),
    st.integers().map(str), st.sampled_from(["null", "~", "true", "[]", "{}", "2022-13-45",
                                             "[a, [b, {c: d}]]", "{x: 1}", "&a x", "*a", "!!binary AAAA"]),
)


@st.composite
def html(draw, depth: int = 0) -> str:
    """HTML with unclosed, stray and deeply nested tags, entities and raw text."""
    pieces = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.integers(0, 4 if depth < 6 else 1))
        if kind == 0:
            pieces.append(draw(texts))
        elif kind == 1:
            pieces.append(draw(st.sampled_from(["&#1;", "&#0;", "&#xd800;", "&amp", "&bogus;",
                                                "<!--", "-->", "</p>", "<", "]]>", "\x00"])))
        else:
            tag = draw(st.sampled_from(_TAGS))
            close = draw(st.sampled_from([f"</{tag}>", "", f"</{tag}"]))
            pieces.append(f"<{tag}>" + draw(html(depth + 1)) + close)
    return "".join(pieces)


@st.composite
def article_bytes(draw) -> bytes:
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=200))
    lines = [f"title: {draw(scalars)}"]
    for key in ("categories", "author", "date"):
        if draw(st.booleans()):
            lines.append(f"{key}: {draw(scalars)}")
    if draw(st.booleans()):
        lines.append("categories:\n" + "".join(f"- {draw(scalars)}\n" for _ in range(2)))
    text = "---\n" + "\n".join(lines) + "\n---\n" + draw(html())
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-16", "gb18030"]))
    return text.encode(encoding, "surrogatepass" if encoding == "utf-8" else "replace")


_FUZZ = settings(max_examples=150, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@_FUZZ
@given(article_bytes())
def test_reading_never_raises_and_always_says_why(data):
    root = Path("/corpus")
    art, problems = parse_article(root, root / "a.md", data)
    if art is None:
        assert [p for p in problems if p.fatal and p.reason], problems
        return
    for text in (art.title, art.body, art.author, *art.categories):
        text.encode("utf-8")  # no lone surrogate
        assert not any(ord(c) < 32 and c not in "\t\n\r" for c in text), repr(text)
    content_key(art.title, art.body)


@settings(max_examples=20, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(article_bytes(), min_size=1, max_size=4))
def test_a_run_never_raises_and_accounts_for_every_file(files):
    tmp = Path(tempfile.mkdtemp(prefix="fuzz-"))
    try:
        corpus, index = tmp / "corpus", tmp / "index"
        corpus.mkdir()
        names = {f"{i}.md" for i in range(len(files))}
        for i, data in enumerate(files):
            (corpus / f"{i}.md").write_bytes(data)
        try:
            report = update_index(corpus, index)
        except NothingToIndex as exc:
            assert {p.path for p in exc.report.problems} == names
            assert all(p.reason for p in exc.report.problems)
            return
        indexed = set(load_manifest(current_generation(index)).files)
        skipped = {p.path for p in report.problems}
        assert indexed | skipped == names and not indexed & skipped
        assert all(p.reason for p in report.problems)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
