"""Each fixture file in fixtures/articles is paired with what it must produce."""
import json
from datetime import datetime

import pytest

from indexer.clean import html_to_text
from indexer.corpus import find_files, read_article

from conftest import CORPUS, FIXTURES

ARTICLES = FIXTURES / "articles"
CASES = sorted(p.stem for p in ARTICLES.glob("*.md"))


@pytest.mark.parametrize("name", CASES)
def test_fixture_reads_as_expected(name):
    expected = json.loads((ARTICLES / f"{name}.json").read_text(encoding="utf-8"))
    art, problems = read_article(ARTICLES, ARTICLES / f"{name}.md")
    if "problem" in expected:
        assert art is None
        assert len(problems) == 1 and problems[0].fatal
        assert problems[0].path == f"{name}.md"
        assert expected["problem"].lower() in problems[0].reason.lower()
        return
    assert art is not None, problems
    assert art.path == f"{name}.md"
    for key in ("title", "categories", "author", "body"):
        if key in expected:
            assert getattr(art, key) == expected[key], key
    if "date" in expected:
        want = expected["date"] and datetime.fromisoformat(expected["date"])
        assert art.date == want and (art.date is None or art.date.utcoffset() == want.utcoffset())
    if "warning" in expected:
        assert any(expected["warning"] in p.reason and not p.fatal for p in problems)
    else:
        assert not problems


def test_every_fixture_has_its_expectation():
    assert CASES and all((ARTICLES / f"{n}.json").exists() for n in CASES)


def test_bundled_corpus_reads_with_exactly_one_deliberate_problem():
    files = find_files(CORPUS)
    assert len(files) >= 42
    results = [read_article(CORPUS, f) for f in files]
    skipped = [p for art, probs in results for p in probs if p.fatal]
    assert [p.path for p in skipped] == ["新媒体/示例新闻网/快讯/损坏的样例文件.md"]
    for art, _ in results:
        if art:
            assert art.title and art.date and len(art.categories) == 3
            assert "&#123;" not in art.body and "<" not in art.title


def test_path_is_relative_posix(tmp_path):
    sub = tmp_path / "a b" / "c"
    sub.mkdir(parents=True)
    (sub / "x.md").write_text("---\ntitle: t\n---\n<p>x</p>", encoding="utf-8")
    art, _ = read_article(tmp_path, sub / "x.md")
    assert art.path == "a b/c/x.md"


def test_unreadable_file_is_reported_not_raised(tmp_path):
    target = tmp_path / "gone.md"
    art, problems = read_article(tmp_path, target)
    assert art is None and "cannot read" in problems[0].reason


def test_symlink_loop_does_not_hang_the_walk(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a")
    (tmp_path / "a" / "x.md").write_text("---\ntitle: t\n---\nx", encoding="utf-8")
    assert [p.name for p in find_files(tmp_path)] == ["x.md"]


@pytest.mark.parametrize("html, text", [
    ("<p>第一段</p><p>第二段</p>", "第一段\n第二段"),
    ("没有段落标签，<b>粗体</b>不断行<br>换行", "没有段落标签，粗体不断行\n换行"),
    ("<div>括号&#123;x&#125;与&amp;</div>", "括号{x}与&"),
    ('<p>前<script>alert(1)</script><!-- 注释 -->后<img src="a.jpg">尾</p>', "前后尾"),
    ('<video src="v.mp4"></video>', ""),
    ("<!-- only a comment -->", ""),
    ("   \n ", ""),
    ("<table><tr><td>甲</td><td>乙</td></tr></table>", "甲\n乙"),
    ("<p>全角\u3000空格  与\u00a0不换行</p>", "全角 空格 与 不换行"),
    ("<title>页面标题</title><p>正文</p>", "正文"),
])
def test_html_to_text(html, text):
    assert html_to_text(html) == text
