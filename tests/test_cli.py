"""python -m indexer and python -m search as a user or a cron job runs them."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

import synth


def search_cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "search", *map(str, args)], cwd=synth.ROOT,
                          env=synth.env(), capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)


def no_traceback(*results) -> None:
    for r in results:
        assert "Traceback" not in r.stderr + r.stdout, r.stderr


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    synth.write_corpus(root, range(5))
    return root


def test_exit_0_then_an_update_then_3_with_a_skipped_file(corpus, tmp_path):
    index, report = tmp_path / "index", tmp_path / "r.json"
    first = synth.indexer(corpus, "--index", index, "--report", report)
    assert first.returncode == 0, first.stderr
    assert "full build: 5 files indexed" in first.stdout
    assert "no index" in first.stderr  # says why it built from scratch
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["mode"] == "full" and data["exit_status"] == 0 and data["indexed"] == 5
    assert data["changes"] is None

    (corpus / "000" / "bad.md").write_text("---\ntitle: [oops\n---\n", encoding="utf-8")
    synth.write(corpus, 7)
    second = synth.indexer(corpus, "--index", index, "--report", report)
    assert second.returncode == 3
    assert "updated: 1 added, 0 changed, 0 removed, 5 unchanged" in second.stdout
    assert "skipped 000/bad.md: broken YAML" in second.stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    expected = {"mode", "reason", "corpus", "index", "generation", "files", "articles",
                "indexed", "updated", "removed", "unchanged", "duplicates", "skipped",
                "warnings", "changes", "seconds", "exit_status", "error", "finished"}
    assert set(data) == expected
    assert data["mode"] == "update" and data["exit_status"] == 3
    assert (data["indexed"], data["updated"], data["removed"]) == (1, 0, 0)
    assert data["changes"] == {"added": ["000/00007.md"], "updated": [], "removed": []}
    assert data["skipped"] == [{"path": "000/bad.md", "reason": data["skipped"][0]["reason"]}]
    assert "broken YAML" in data["skipped"][0]["reason"]

    quiet = synth.indexer(corpus, "--index", index, "-q", "--rebuild")
    assert quiet.returncode == 3 and quiet.stdout == ""
    assert quiet.stderr.startswith("skipped 000/bad.md")  # no note: the rebuild was asked for
    no_traceback(first, second, quiet)


def test_exit_4_when_nothing_can_be_built(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "x.md").write_text("", encoding="utf-8")
    index, report = tmp_path / "index", tmp_path / "r.json"
    nothing = synth.indexer(empty, "--index", index, "--report", report)
    assert nothing.returncode == 4
    assert "error: no readable article" in nothing.stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["exit_status"] == 4 and "no readable article" in data["error"]
    assert not (index / "CURRENT").exists()

    missing = synth.indexer(tmp_path / "nowhere", "--index", index)
    assert missing.returncode == 4 and "corpus folder not found" in missing.stderr
    bad_report = synth.indexer(empty, "--index", index, "--report", tmp_path / "no" / "r.json")
    assert bad_report.returncode == 2 and "does not exist" in bad_report.stderr  # usage
    no_traceback(nothing, missing, bad_report)


def test_userdict_missing_and_kept(corpus, tmp_path):
    index = tmp_path / "index"
    missing = synth.indexer(corpus, "--index", index, "--userdict", tmp_path / "none.txt")
    assert missing.returncode == 2  # a bad command line
    assert missing.stderr.strip().endswith(
        f"error: --userdict {tmp_path / 'none.txt'}: no such file")
    words = tmp_path / "words.txt"
    words.write_text("合成新闻 5\n", encoding="utf-8")
    first = synth.indexer(corpus, "--index", index, "--userdict", words, "-q")
    assert first.returncode == 0, first.stderr
    again = synth.indexer(corpus, "--index", index)  # keeps the index's dictionary
    assert again.returncode == 0 and "updated:" in again.stdout and "note:" not in again.stderr
    dropped = synth.indexer(corpus, "--index", index, "--no-userdict")
    assert dropped.returncode == 0 and "user dictionary changed" in dropped.stderr
    no_traceback(missing, first, again, dropped)


def test_tz_sets_the_zone_of_naive_dates_and_a_change_rebuilds(corpus, tmp_path):
    index = tmp_path / "index"
    assert synth.indexer(corpus, "--index", index, "-q").returncode == 0
    out = search_cli("--index", index, "--json", synth.q(1))
    assert json.loads(out.stdout)["hits"][0]["date"] == "2022-03-01T08:00:00+08:00"  # as written
    utc = synth.indexer(corpus, "--index", index, "--tz", "UTC")
    assert utc.returncode == 0 and "time zone" in utc.stderr and "full build" in utc.stdout
    out = search_cli("--index", index, "--json", synth.q(1))
    assert json.loads(out.stdout)["hits"][0]["date"] == "2022-03-01T08:00:00+00:00"
    bad = synth.indexer(corpus, "--index", index, "--tz", "noon")
    assert bad.returncode == 2 and "not a UTC offset" in bad.stderr  # a usage error
    no_traceback(utc, out, bad)


def test_search_json_shape(corpus, tmp_path):
    index = tmp_path / "index"
    assert synth.indexer(corpus, "--index", index, "-q").returncode == 0
    out = search_cli("--index", index, "--json", synth.q(2))
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) == {"query", "total", "page", "per_page", "took_ms", "hits", "facets",
                         "interpreted_as", "alternatives", "did_you_mean"}
    assert data["total"] == 1 and data["page"] == 1 and data["query"] == synth.q(2)
    hit = data["hits"][0]
    assert set(hit) == {"id", "path", "duplicates", "title", "title_html", "snippet_html",
                        "date", "categories", "author", "score", "people", "places",
                        "organizations"}
    assert hit["path"] == "000/00002.md" and hit["title"] == synth.title(2)
    assert "<mark>" in hit["title_html"]
    assert set(data["facets"]) == {"categories", "years", "people", "places", "organizations",
                                   "timeline", "timeline_granularity", "timeline_undated"}
    assert sum(p["count"] for p in data["facets"]["timeline"]) == 1
    text = search_cli("--index", index, synth.q(2))
    assert text.returncode == 0 and text.stdout.startswith("1 result (")
    no_traceback(out, text)


def test_search_on_a_missing_or_mismatched_index_is_one_clear_line(corpus, tmp_path):
    missing = search_cli("--index", tmp_path / "nothing", "北约")
    assert missing.returncode != 0 and missing.stdout == ""
    lines = missing.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: no index at")

    index = tmp_path / "index"
    assert synth.indexer(corpus, "--index", index, "-q").returncode == 0
    from search.storage import current_generation
    meta_path = current_generation(index) / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["fingerprint"] = "0-old"
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    mismatch = search_cli("--index", index, "北约")
    assert mismatch.returncode != 0
    lines = mismatch.stderr.strip().splitlines()
    assert len(lines) == 1 and "rebuild" in lines[0]
    no_traceback(missing, mismatch)
