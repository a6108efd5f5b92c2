"""bench/explore.py's build sandwich on the bundled corpus: every build starts from the
page cache state asked for, and the result says which (no timing assertions)."""
from __future__ import annotations

import argparse
import sys

import pytest

from conftest import CORPUS, ROOT

sys.path.insert(0, str(ROOT))

from bench import explore  # noqa: E402


@pytest.mark.parametrize("page_cache", ["warm", "cold", "asis"])
def test_build_runs_each_build_from_the_page_cache_asked_for(page_cache, tmp_path, monkeypatch):
    monkeypatch.setattr(explore, "_python", lambda tree: sys.executable)
    seen = []
    page = explore._page_cache
    monkeypatch.setattr(explore, "_page_cache", lambda *a: (seen.append(a), page(*a)))
    args = argparse.Namespace(corpus=str(CORPUS), out=str(tmp_path), baseline=str(ROOT),
                              order="explore,explore", page_cache=page_cache)
    result = explore.build(args)
    assert seen == [(str(CORPUS), page_cache)] * 2  # before each build
    assert result["page_cache"] == page_cache and len(result["loads"]) == 2
    assert all(wall > 0 and cpu > 0 for wall, cpu in result["runs"]["explore"])
    assert (tmp_path / "ix_explore_1" / "CURRENT").is_file()


def test_page_cache_leaves_the_corpus_as_it_was_and_skips_what_it_cannot_open(tmp_path):
    (tmp_path / "a.md").write_text("---\ntitle: 甲\n---\n正文", encoding="utf-8")
    (tmp_path / "gone.md").symlink_to(tmp_path / "nowhere")
    for how in ("warm", "cold", "asis"):
        explore._page_cache(str(tmp_path), how)
    assert (tmp_path / "a.md").read_text(encoding="utf-8") == "---\ntitle: 甲\n---\n正文"


def test_page_cache_choices_are_checked(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["explore.py", "build", "C", "O", "--page-cache", "tepid"])
    with pytest.raises(SystemExit):
        explore.main()
    assert "tepid" in capsys.readouterr().err
