"""python -m search as people type it: in a terminal (a pty), piped, with odd arguments."""
from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import unicodedata

import pytest

import synth


def run_in_pty(args, env: dict | None = None, timeout: float = 60) -> tuple[int, str]:
    """Run ``python -m search ARGS`` with a terminal as stdout and stderr."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "search", *map(str, args)], cwd=synth.ROOT,
                            env=env or synth.env(), stdin=subprocess.DEVNULL,
                            stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    chunks = []
    try:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
    return proc.wait(timeout), b"".join(chunks).decode("utf-8", "replace")


def search_cli(*args, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "search", *map(str, args)], cwd=synth.ROOT,
                          env=env or synth.env(), capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli-search")
    synth.write_corpus(root / "corpus", range(6))
    result = synth.indexer(root / "corpus", "--index", root / "index", "-q")
    assert result.returncode == 0, result.stderr
    return root / "index"


def test_a_hit_in_a_terminal_is_marked_in_colour(index):
    status, out = run_in_pty(["--index", index, synth.q(3)])
    assert status == 0, out
    assert "Traceback" not in out
    assert f"\x1b[1;33m{synth.title(3)}\x1b[0m" in out


def test_no_color_turns_colour_off_in_a_terminal(index):
    env = synth.env()
    env["NO_COLOR"] = "1"
    status, out = run_in_pty(["--index", index, synth.q(3)], env=env)
    assert status == 0, out
    assert synth.title(3) in out and "\x1b[" not in out


def test_a_minus_word_is_query_text_wherever_it_stands(index):
    everything = search_cli("--index", index, "--json", "合成新闻")
    assert json.loads(everything.stdout)["total"] == 6
    minus = f"-{synth.title(3)}"
    for args in (["合成新闻", minus], [minus, "合成新闻"], ["--", minus, "合成新闻"],
                 ["合成新闻", minus, "--json"]):
        out = search_cli("--index", index, "--json", *args)
        assert out.returncode == 0, (args, out.stderr)
        data = json.loads(out.stdout)
        assert data["total"] == 5, args
        assert synth.title(3) not in {h["title"] for h in data["hits"]}
    typo = search_cli("--index", index, "--jsno", "合成新闻")
    assert typo.returncode == 2 and "--jsno" in typo.stderr  # a mistyped option stays an error


def test_help_shows_minus_word_and_the_double_dash(index):
    out = search_cli("--help")
    assert out.returncode == 0
    text = " ".join(out.stdout.split())
    assert "-word" in text and " -- " in text  # the separator is explained, not just listed


def test_no_query_lists_every_article_like_the_library(index):
    out = search_cli("--index", index, "--json", "--sort", "newest")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["total"] == 6


@pytest.mark.parametrize("args, named", [
    (["--page", "0"], "--page"), (["--page", "x"], "--page"), (["--per-page", "0"], "--per-page"),
    (["--per-page", "5000"], "--per-page"), (["--since", "May 1"], "YYYY-MM-DD"),
    (["--until", "2022-13-01"], "YYYY-MM-DD"),
    (["--since", "2022-05-02", "--until", "2022-05-01"], "--since")])
def test_bad_options_exit_2_and_name_the_option(index, args, named):
    out = search_cli("--index", index, *args, "合成新闻")
    assert out.returncode == 2, out.stderr
    assert named in out.stderr and "per_page" not in out.stderr and "Traceback" not in out.stderr


def test_counts_pages_and_the_end_of_the_results(index):
    one = search_cli("--index", index, synth.q(1))
    assert one.returncode == 0 and one.stdout.startswith("1 result (")
    paged = search_cli("--index", index, "--per-page", "4", "合成新闻")
    assert paged.stdout.splitlines()[0].endswith("page 1 of 2")
    beyond = search_cli("--index", index, "--page", "9", "--per-page", "4", "合成新闻")
    assert beyond.returncode == 0
    assert "page 9 is past the end" in beyond.stdout and "page 2" in beyond.stdout


def _columns(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


@pytest.mark.parametrize("columns", [40, 72])
def test_lines_fit_the_terminal(index, columns):
    env = synth.env()
    env["COLUMNS"] = str(columns)
    out = search_cli("--index", index, "合成新闻", env=env)
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    assert len(lines) > 12 and max(map(_columns, lines)) <= columns
    text = "".join(line.strip() for line in lines)
    assert synth.title(2) in text  # wrapping loses nothing


_COUNT_LOADS = """
import runpy, sys, jieba
loads = []
real = jieba.Tokenizer.initialize
def counted(self, *a, **kw):
    loads.append(1)
    return real(self, *a, **kw)
jieba.Tokenizer.initialize = counted
sys.argv = ["search"] + sys.argv[1:]
try:
    runpy.run_module("search", run_name="__main__")
finally:
    print("jieba loads:", len(loads), file=sys.stderr)
"""


@pytest.mark.parametrize("query, loads", [
    (synth.q(2), 0), ("", 0), ("合", 0), ("category:快讯", 0), ("合成新闻 会议", 1)])
def test_jieba_loads_only_for_a_query_that_needs_words(index, query, loads):
    out = subprocess.run([sys.executable, "-c", _COUNT_LOADS, "--index", str(index), "--json",
                          query], cwd=synth.ROOT, env=synth.env(), capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["total"] >= 1
    assert f"jieba loads: {loads}" in out.stderr
