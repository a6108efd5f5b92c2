"""--category and category: name categories the same way: whole names, case and width folded."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

import search
import synth


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    root = tmp_path_factory.mktemp("categories")
    synth.write_corpus(root / "corpus", range(0, 3), categories=("新媒体", "36Kr"))
    synth.write_corpus(root / "corpus", range(3, 5), categories=("新媒体", "36氪快讯"))
    synth.write_corpus(root / "corpus", range(5, 6), categories=("頭條",))
    result = synth.indexer(root / "corpus", "--index", root / "index", "-q")
    assert result.returncode == 0, result.stderr
    return root / "index"


@pytest.mark.parametrize("typed, expected", [
    ("36Kr", 3), ("36KR", 3), ("３６ｋｒ", 3), (" 36kr ", 3), ("36氪快讯", 2), ("头条", 1),
    ("36", 0), ("Kr", 0), ("新", 0)])
def test_filter_and_prefix_agree_on_whole_folded_names(index, typed, expected):
    ix = search.open_index(index)
    by_filter = ix.search("", categories=[typed])
    by_prefix = ix.search(f'category:"{typed}"')
    assert by_filter.total == by_prefix.total == expected
    unknown = [typed] if expected == 0 else []
    assert by_filter.unknown_categories == by_prefix.unknown_categories == unknown


def test_a_known_and_an_unknown_category(index):
    res = search.open_index(index).search("", categories=["36KR", "nothing"])
    assert res.total == 3 and res.unknown_categories == ["nothing"]


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "search", *map(str, args)], cwd=synth.ROOT,
                          env=synth.env(), capture_output=True, text=True, timeout=60)


def test_the_cli_says_when_a_category_does_not_exist(index):
    found = _cli("--index", index, "--json", "--category", "36KR", "合成新闻")
    assert found.returncode == 0 and json.loads(found.stdout)["total"] == 3
    assert "note:" not in found.stderr
    missing = _cli("--index", index, "--category", "36", "合成新闻")
    assert missing.returncode == 0
    assert "no category named '36'" in missing.stderr and "36Kr" in missing.stderr
    in_query = _cli("--index", index, "category:36", "合成新闻")
    assert "no category named '36'" in in_query.stderr


def test_the_page_and_the_api_say_when_a_category_does_not_exist(index):
    from webui import create_app

    client = create_app(index_dir=index).test_client()
    page = client.get("/?q=合成新闻&category=36")
    assert page.status_code == 200
    assert "没有名为“36”的分类" in page.get_data(as_text=True)
    api = client.get("/api/search?q=合成新闻&category=36KR").get_json()
    assert api["total"] == 3 and api["unknown_categories"] == []
    api = client.get("/api/search?q=合成新闻&category=36").get_json()
    assert api["total"] == 0 and api["unknown_categories"] == ["36"]
