"""python -m indexer's command line: bad arguments are usage errors that say what is wrong."""
from __future__ import annotations

import json
import shlex
import subprocess
import sys

import pytest

import synth


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    synth.write_corpus(root, range(3))
    return root


def usage_error(result, *words) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr, (word, result.stderr)


def test_bad_paths_are_usage_errors_naming_the_option(corpus, tmp_path):
    a_file = tmp_path / "file"
    a_file.write_text("x", encoding="utf-8")
    usage_error(synth.indexer(corpus, "--index", a_file), f"--index {a_file}", "not a folder")
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("北约 5\n".encode("gbk"))
    usage_error(synth.indexer(corpus, "--index", tmp_path / "ix", "--userdict", gbk),
                f"--userdict {gbk}", "UTF-8")
    usage_error(synth.indexer(corpus, "--index", tmp_path / "ix", "--userdict", tmp_path),
                f"--userdict {tmp_path}", "folder")
    usage_error(synth.indexer(corpus, "--index", tmp_path / "ix", "--report", tmp_path),
                f"--report {tmp_path}", "folder")
    usage_error(synth.indexer(corpus, "--index", tmp_path / "ix", "--workers", "0"),
                "--workers", "at least 1")
    assert not (tmp_path / "ix").exists()  # no run started


def test_a_missing_corpus_leaves_no_index_folder_behind(tmp_path):
    result = synth.indexer(tmp_path / "nowhere", "--index", tmp_path / "ix")
    assert result.returncode == 4 and "corpus folder not found" in result.stderr
    assert not (tmp_path / "ix").exists()


def test_the_summary_counts_in_words_that_agree(corpus, tmp_path):
    (corpus / "bad.md").write_text("---\ntitle: [oops\n---\n", encoding="utf-8")
    result = synth.indexer(corpus, "--index", tmp_path / "ix")
    assert result.returncode == 3
    assert "1 file skipped" in result.stdout and "3 articles" in result.stdout


def test_the_rebuild_hint_is_a_command_that_works(corpus, tmp_path):
    index = tmp_path / "ix"
    assert synth.indexer(corpus, "--index", index, "-q").returncode == 0
    from search.storage import current_generation
    meta_path = current_generation(index) / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["fingerprint"] = "0-old"
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    broken = subprocess.run([sys.executable, "-m", "search", "--index", str(index), "合成新闻"],
                            cwd=tmp_path, env=synth.env(), capture_output=True, text=True,
                            timeout=60)
    assert broken.returncode == 1
    command = broken.stderr.split("rebuild it with: ", 1)[1].strip()
    # Run from another folder, as a user pasting it would: it must not build ./corpus.
    fixed = subprocess.run(shlex.split(command), cwd=tmp_path, env=synth.env(),
                           capture_output=True, text=True, timeout=120)
    assert fixed.returncode == 0, fixed.stderr
    assert synth.total(index, synth.q(1)) == 1
    assert not (tmp_path / "index").exists()


def _report(path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_an_interrupted_first_build_still_writes_its_report(corpus, tmp_path):
    index, report = tmp_path / "ix", tmp_path / "out" / "r.json"
    report.parent.mkdir()
    result = synth.indexer(corpus, "--index", index, "--report", report,
                           kill_at="full:after-commit=INT")
    assert result.returncode == 130 and "Traceback" not in result.stderr
    data = _report(report)
    assert data["exit_status"] == 130 and "interrupted" in data["error"]
    assert data["corpus"] == str(corpus) and not (index / "CURRENT").exists()
    assert [p.name for p in report.parent.iterdir()] == ["r.json"]  # no temporary left


@pytest.mark.parametrize("signal_name, status", [("INT", 130), ("TERM", 143)])
def test_an_interrupted_update_replaces_the_last_success(corpus, tmp_path, signal_name, status):
    index, report = tmp_path / "ix", tmp_path / "r.json"
    assert synth.indexer(corpus, "--index", index, "--report", report).returncode == 0
    assert _report(report)["exit_status"] == 0
    synth.write(corpus, 9)
    result = synth.indexer(corpus, "--index", index, "--report", report,
                           kill_at=f"update:before-publish={signal_name}")
    assert result.returncode == status and "Traceback" not in result.stderr
    assert _report(report)["exit_status"] == status
    assert synth.total(index, synth.q(9)) == 0  # the index is as it was


def test_a_watch_that_cannot_start_writes_its_report(tmp_path):
    report = tmp_path / "r.json"
    result = synth.indexer(tmp_path / "nowhere", "--index", tmp_path / "ix", "--watch",
                           "--report", report)
    assert result.returncode == 4
    data = _report(report)
    assert data["exit_status"] == 4 and "not found" in data["error"]


def test_tz_is_remembered_until_changed(corpus, tmp_path):
    import search

    index = tmp_path / "ix"
    assert synth.indexer(corpus, "--index", index, "--tz", "+09:00", "-q").returncode == 0
    synth.write(corpus, 7)
    plain = synth.indexer(corpus, "--index", index)
    assert plain.returncode == 0, plain.stderr
    assert "updated: 1 added" in plain.stdout and "time zone" not in plain.stderr
    hit = search.open_index(index).search(synth.q(7)).hits[0]
    assert hit.date.isoformat() == "2022-03-01T08:00:00+09:00"
    back = synth.indexer(corpus, "--index", index, "--no-tz")
    assert back.returncode == 0 and "time zone" in back.stderr and "full build" in back.stdout
    hit = search.open_index(index).search(synth.q(7)).hits[0]
    assert hit.date.isoformat() == "2022-03-01T08:00:00+08:00"


def test_the_warnings_the_readme_promises(corpus, tmp_path):
    text = synth.article(50)
    (corpus / "bom.md").write_bytes(b"\xef\xbb\xbf" + synth.article(51).encode("utf-8"))
    (corpus / "crlf.md").write_bytes(synth.article(52).replace("\n", "\r\n").encode("utf-8"))
    listed = text.replace(f"title: '{synth.title(50)}'", "title:\n- 列表标题甲\n- 列表标题乙")
    (corpus / "list.md").write_text(listed, encoding="utf-8")
    (corpus / "UPPER.MD").write_text(synth.article(53), encoding="utf-8")
    report = tmp_path / "r.json"
    result = synth.indexer(corpus, "--index", tmp_path / "ix", "--report", report)
    assert result.returncode == 0, result.stderr
    warned = {w["path"]: w["reason"] for w in _report(report)["warnings"]}
    assert "byte-order mark" in warned["bom.md"]
    assert "CRLF" in warned["crlf.md"]
    assert "list" in warned["list.md"]
    assert ".md" in warned["UPPER.MD"] and "not read" in warned["UPPER.MD"]
    for path in ("bom.md", "crlf.md", "list.md", "UPPER.MD"):
        assert f"warning {path}: " in result.stderr
    assert synth.total(tmp_path / "ix", "列表标题甲 列表标题乙") == 1  # still indexed
    assert synth.total(tmp_path / "ix", synth.q(52)) == 1
    assert "warning 000/" not in result.stderr  # ordinary files are not warned about


def test_an_update_of_a_large_share_rebuilds_and_says_so(tmp_path):
    from indexer.update import REBUILD_MIN_FILES, REBUILD_SHARE

    corpus, index = tmp_path / "corpus", tmp_path / "ix"
    total = int(REBUILD_MIN_FILES / REBUILD_SHARE) + 50
    synth.write_corpus(corpus, range(total))
    assert synth.indexer(corpus, "--index", index, "-q", timeout=600).returncode == 0
    small = REBUILD_MIN_FILES // 5
    for n in range(small):
        synth.write(corpus, n, head=f"小改标题{n}号")
    synth.age(corpus)
    update = synth.indexer(corpus, "--index", index, timeout=600)
    assert update.returncode == 0 and f"updated: 0 added, {small} changed" in update.stdout
    big = int(total * REBUILD_SHARE) + 10
    for n in range(big):
        synth.write(corpus, n, head=f"大改过的标题{n}号，长长长长长")  # another size
    synth.age(corpus)
    rebuild = synth.indexer(corpus, "--index", index, timeout=600)
    assert rebuild.returncode == 0, rebuild.stderr
    assert "full build:" in rebuild.stdout and f"{big} of {total} files changed" in rebuild.stderr
    assert synth.total(index, "大改过的标题") == big and synth.total(index, "小改标题") == 0


def test_small_updates_that_add_up_rebuild(tmp_path, monkeypatch):
    """A full build's segments are never merged: the articles small updates replace stay
    stored until a rebuild, which comes once they pass the same share."""
    from indexer import update

    monkeypatch.setattr(update, "REBUILD_MIN_FILES", 10)
    corpus, index = tmp_path / "corpus", tmp_path / "ix"
    synth.write_corpus(corpus, range(60))
    update.update_index(corpus, index)
    reasons = []
    for round_ in range(4):
        for n in range(5 * round_, 5 * round_ + 5):  # 5 files a run: far below a fifth
            synth.write(corpus, n, head=f"第{round_}轮改过的标题")
        synth.age(corpus)
        reasons.append(update.update_index(corpus, index).reason)
    assert reasons[:2] == ["", ""]  # 5, then 10 + 5 stale of 60: updates
    assert "replaced or deleted articles are still stored" in reasons[2]
    assert reasons[3] == ""  # the rebuild shed them: updates again
    assert synth.total(index, "第3轮改过的标题") == 5
