"""Files over the 8 MB read limit, in every encoding the reader knows, cut inside a character.

Reading stops at 8 MB; a multibyte character torn there once made the whole
file fail to decode (UTF-8 then fell to the encoding guesser, which gave up
or picked a wrong encoding) and the article was skipped. Each file here is
built so that the limit falls inside a character; its title and first
paragraph are ordinary and must be indexed, with a warning.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

import search
from indexer.corpus import MAX_FILE_BYTES, parse_article, read_bytes

import synth

SIMPLE = "新闻正文填充内容，这是一段普通的报道。"
# encoding -> (filler sentence, where in its first character the limit must fall).
# Varied text: a guesser cannot tell the encoding of one character repeated.
ENCODINGS = {
    "utf-8": (SIMPLE, 1),
    "gbk": (SIMPLE, 1),
    "gb18030": ("𠀀" + SIMPLE, 3),   # inside a four-byte sequence
    "big5": ("新聞正文填充內容，這是一段普通的報導。", 1),
    "utf-16": ("𠀀" + SIMPLE, 2),    # between the halves of a surrogate pair (BOM written)
}
TITLE = "超大檔案的普通標題"  # traditional: Big5 has no simplified forms
FIRST = "第一段是普通的新聞正文"


def huge_file(encoding: str) -> bytes:
    """About 9 MB whose byte MAX_FILE_BYTES falls inside a filler character."""
    filler, inside = ENCODINGS[encoding]
    width = len(filler.encode("utf-16-le" if encoding == "utf-16" else encoding))
    head = (f"---\ntitle: {TITLE}{encoding}\ndate: 2022-05-01 10:00:00\n---\n"
            f"<p>{FIRST}{encoding}</p>\n<p>")
    pad = 0
    while (MAX_FILE_BYTES - len((head + "x" * pad + "\n").encode(encoding))) % width \
            != inside:
        pad += 1
    head += "x" * pad + "\n"
    count = (9 * 1024 * 1024 - len(head.encode(encoding))) // width
    data = (head + filler * count + "</p>\n").encode(encoding)
    start = len(head.encode(encoding))
    assert (MAX_FILE_BYTES - start) % width == inside  # the limit tears a character
    return data


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("large") / "corpus"
    root.mkdir()
    for encoding in ENCODINGS:
        (root / f"{encoding}.md").write_bytes(huge_file(encoding))
    synth.age(root)
    return root


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
def test_the_first_8_mb_are_read_without_a_torn_character(corpus, encoding):
    path = corpus / f"{encoding}.md"
    data, _ = read_bytes(path)
    art, problems = parse_article(corpus, path, data)
    assert art is not None, problems
    assert art.title == f"{TITLE}{encoding}"
    assert art.body.startswith(f"{FIRST}{encoding}\n")
    assert ENCODINGS[encoding][0] * 10 in art.body[-1000:]
    assert "\ufffd" not in art.body
    reasons = [p.reason for p in problems]
    assert all(not p.fatal for p in problems)
    assert any(f"larger than {MAX_FILE_BYTES} bytes" in r for r in reasons)
    if encoding != "utf-8":
        assert any(r.startswith("not UTF-8") for r in reasons)


def test_the_cli_indexes_them_all_with_warnings(corpus, tmp_path):
    index, report = tmp_path / "index", tmp_path / "report.json"
    result = subprocess.run(
        [sys.executable, "-m", "indexer", str(corpus), "--index", str(index), "--report",
         str(report), "-q"], cwd=synth.ROOT, env=synth.env(), capture_output=True, text=True,
        timeout=600, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["skipped"] == []
    large = {w["path"] for w in data["warnings"] if "larger than" in w["reason"]}
    assert large == {f"{e}.md" for e in ENCODINGS}
    ix = search.open_index(index)
    for encoding in ENCODINGS:
        for query in (f"{TITLE}{encoding}", f"{FIRST}{encoding}"):
            assert [h.path for h in ix.search(f'"{query}"').hits] == [f"{encoding}.md"], query
