"""Incremental updates, automatic full rebuilds, the write lock and --watch."""
from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import search
from indexer.build import build_index
from indexer.lock import LOCK_NAME
from indexer.errors import NothingToIndex
from indexer.manifest import MANIFEST_NAME, load_manifest
from indexer.update import update_index
from search.errors import IndexBusy
from search.storage import current_generation

import synth

def docs(index_dir) -> list[tuple]:
    """Every document as (id, path, duplicates, categories, title), sorted."""
    ix = search.open_index(index_dir)
    res = ix.search("", per_page=1000, highlight=False, facets=False)
    assert res.total == len(res.hits)
    return sorted((h.id, h.path, tuple(h.duplicates), tuple(h.categories), h.title)
                  for h in res.hits)


def same_as_rebuild(corpus, index_dir, tmp_path) -> None:
    fresh = tmp_path / f"fresh-{time.monotonic_ns()}"
    build_index(corpus, fresh)
    assert docs(index_dir) == docs(fresh)
    shutil.rmtree(fresh)


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    synth.write_corpus(root, range(30))
    return root


@pytest.fixture
def index(tmp_path, corpus):
    path = tmp_path / "index"
    report = update_index(corpus, path)
    assert report.mode == "full" and "no index" in report.reason
    return path


def test_an_unchanged_corpus_is_not_read_again(corpus, index):
    gen = current_generation(index)
    # Same size and mtime, other bytes: only a re-read could notice.
    victim = corpus / "000" / "00003.md"
    st = victim.stat()
    victim.write_text(victim.read_text(encoding="utf-8").replace("合成新闻3号", "改过新闻3号"),
                      encoding="utf-8")
    os.utime(victim, ns=(st.st_atime_ns, st.st_mtime_ns))
    report = update_index(corpus, index)
    assert report.mode == "update" and report.unchanged == 30
    assert (report.indexed, report.updated, report.removed) == (0, 0, 0)
    assert current_generation(index) == gen  # nothing written


def test_added_changed_and_deleted_files(corpus, index, tmp_path):
    synth.write(corpus, 100)
    synth.write(corpus, 5, head="改写后的标题")
    (corpus / "000" / "00007.md").unlink()
    report = update_index(corpus, index)
    assert report.mode == "update"
    assert report.changes == {"added": ["001/00100.md"], "updated": ["000/00005.md"],
                              "removed": ["000/00007.md"]}
    assert (report.indexed, report.updated, report.removed, report.unchanged) == (1, 1, 1, 28)
    assert report.articles == 30
    ix = search.open_index(index)
    assert ix.search(synth.q(100)).total == 1
    assert ix.search("改写后的标题").total == 1
    assert ix.search(synth.q(5)).total == 0
    assert ix.search(synth.q(7)).total == 0
    same_as_rebuild(corpus, index, tmp_path)


def test_a_reader_open_during_an_update_sees_it_when_published(corpus, index):
    before = search.open_index(index)
    assert before.search(synth.q(105)).total == 0
    synth.write(corpus, 105)
    update_index(corpus, index)
    found = []
    worker = threading.Thread(target=lambda: found.append(before.search(synth.q(105)).total),
                              daemon=True)
    worker.start()
    worker.join(timeout=5)
    assert not worker.is_alive(), "search.Index deadlocked on a generation switch"
    assert found == [1]


def test_a_touched_file_is_hashed_not_reindexed(corpus, index):
    gen = current_generation(index)
    path = corpus / "000" / "00002.md"
    os.utime(path, None)  # mtime now, bytes the same
    report = update_index(corpus, index)
    assert report.changes == {"added": [], "updated": [], "removed": []}
    assert current_generation(index) == gen
    entry = load_manifest(gen).files["000/00002.md"]
    assert entry.mtime_ns == path.stat().st_mtime_ns  # remembered: not hashed again


def test_removing_one_of_two_duplicates_keeps_the_other(corpus, index, tmp_path):
    twin = "fold/twin.md"
    text = synth.article(3, categories=("新媒体", "合成站", "头条"))
    (corpus / "fold").mkdir()
    (corpus / twin).write_text(text, encoding="utf-8")
    update_index(corpus, index)
    hit = search.open_index(index).search(synth.q(3)).hits
    assert len(hit) == 1 and hit[0].path == "000/00003.md" and hit[0].duplicates == [twin]
    assert set(hit[0].categories) == {"新媒体", "合成站", "快讯", "头条"}

    (corpus / "000" / "00003.md").unlink()
    report = update_index(corpus, index)
    assert report.removed == 1 and report.articles == 30
    hit = search.open_index(index).search(synth.q(3)).hits
    assert len(hit) == 1 and hit[0].path == twin and hit[0].duplicates == []
    assert hit[0].categories == ["新媒体", "合成站", "头条"]
    same_as_rebuild(corpus, index, tmp_path)


def test_changing_one_duplicate_splits_the_group(corpus, index, tmp_path):
    (corpus / "fold").mkdir()
    (corpus / "fold" / "twin.md").write_text(synth.article(4), encoding="utf-8")
    update_index(corpus, index)
    (corpus / "fold" / "twin.md").write_text(synth.article(4, text="<p>独立的新正文</p>"),
                                             encoding="utf-8")
    update_index(corpus, index)
    hits = search.open_index(index).search(synth.q(4)).hits
    assert sorted((h.path, tuple(h.duplicates)) for h in hits) == [
        ("000/00004.md", ()), ("fold/twin.md", ())]
    same_as_rebuild(corpus, index, tmp_path)


def test_random_edits_always_match_a_full_rebuild(corpus, index, tmp_path):
    rng = random.Random(7)
    live = {n: None for n in range(30)}
    extra = 200
    for step in range(4):
        for _ in range(6):
            op = rng.choice(["add", "change", "delete", "dup", "touch"])
            n = rng.choice(sorted(live))
            if op == "add":
                synth.write(corpus, extra)
                live[extra] = None
                extra += 1
            elif op == "change":
                synth.write(corpus, n, text=synth.body(n + 1000 * (step + 1)))
            elif op == "delete" and len(live) > 5:
                (corpus / f"{n // 100:03d}" / f"{n:05d}.md").unlink()
                del live[n]
            elif op == "dup":
                other = rng.choice(sorted(live))
                src = corpus / f"{other // 100:03d}" / f"{other:05d}.md"
                shutil.copy(src, corpus / f"{n // 100:03d}" / f"{n:05d}.md")
            else:
                os.utime(corpus / f"{n // 100:03d}" / f"{n:05d}.md", None)
        assert update_index(corpus, index).mode == "update"
    same_as_rebuild(corpus, index, tmp_path)


def test_a_file_that_turns_bad_keeps_its_last_good_version(corpus, index):
    path = corpus / "000" / "00006.md"
    path.write_text("---\ntitle: [broken\n---\n", encoding="utf-8")
    report = update_index(corpus, index)
    assert [p.path for p in report.problems] == ["000/00006.md"]
    assert "previously indexed version stays searchable" in report.problems[0].reason
    assert search.open_index(index).search(synth.q(6)).total == 1
    # Still reported on the next run, and picked up once repaired.
    assert [p.path for p in update_index(corpus, index).problems] == ["000/00006.md"]
    synth.write(corpus, 6, head="修好了的文章")
    report = update_index(corpus, index)
    assert not report.problems and report.updated == 1
    ix = search.open_index(index)
    assert ix.search("修好了的文章").total == 1 and ix.search(synth.q(6)).total == 0


def test_skipped_files_are_retried_every_run(corpus, index):
    bad = corpus / "000" / "bad.md"
    bad.write_text("no front matter here", encoding="utf-8")
    assert [p.path for p in update_index(corpus, index).problems] == ["000/bad.md"]
    assert [p.path for p in update_index(corpus, index).problems] == ["000/bad.md"]
    bad.write_text(synth.article(0, head="终于能读的文章"), encoding="utf-8")
    report = update_index(corpus, index)
    assert report.changes["added"] == ["000/bad.md"] and not report.problems


def test_analysis_and_settings_changes_force_a_full_rebuild(corpus, index, tmp_path):
    words = tmp_path / "words.txt"
    words.write_text("合成新闻 5\n", encoding="utf-8")
    report = update_index(corpus, index, userdict=words)
    assert report.mode == "full" and report.reason == "the user dictionary changed"
    # Later runs keep the index's dictionary without being told again.
    assert update_index(corpus, index).mode == "update"
    report = update_index(corpus, index, keep_userdict=False)
    assert report.mode == "full" and report.reason == "the user dictionary changed"

    from datetime import timezone
    report = update_index(corpus, index, naive_tz=timezone.utc)
    assert report.mode == "full" and "time zone" in report.reason and "+00:00" in report.reason

    meta_path = current_generation(index) / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["fingerprint"] = "0-old-analysis"
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    report = update_index(corpus, index, naive_tz=timezone.utc)
    assert report.mode == "full" and "analysis changed" in report.reason
    assert "0-old-analysis" in report.reason

    report = update_index(corpus, index, rebuild=True, naive_tz=timezone.utc)
    assert report.mode == "full" and "--rebuild" in report.reason


def test_a_manifest_that_does_not_match_the_index_means_a_rebuild(corpus, index):
    gen = current_generation(index)
    data = json.loads((gen / MANIFEST_NAME).read_text(encoding="utf-8"))
    data["toc_generation"] += 1  # as if the manifest were from another commit
    (gen / MANIFEST_NAME).write_text(json.dumps(data), encoding="utf-8")
    report = update_index(corpus, index)
    assert report.mode == "full" and "disagree" in report.reason
    (current_generation(index) / MANIFEST_NAME).unlink()
    report = update_index(corpus, index)
    assert report.mode == "full" and "no usable manifest" in report.reason
    assert update_index(corpus, index).mode == "update"


def test_moving_the_corpus_means_a_rebuild(corpus, index, tmp_path):
    moved = tmp_path / "moved"
    shutil.copytree(corpus, moved)
    report = update_index(moved, index)
    assert report.mode == "full" and "corpus folder changed" in report.reason


def test_an_emptied_corpus_keeps_the_previous_index(corpus, index):
    gen = current_generation(index)
    shutil.rmtree(corpus)
    corpus.mkdir()
    with pytest.raises(NothingToIndex, match="previous index is kept"):
        update_index(corpus, index)
    assert current_generation(index) == gen
    assert search.open_index(index).search(synth.q(1)).total == 1


def test_leftovers_of_a_killed_run_are_cleared(corpus, index):
    live = current_generation(index)
    for name in ("gen-000090", "gen-000091"):  # one unfinished, one finished but never published
        (index / name).mkdir()
    (index / "gen-000091" / "meta.json").write_text("{}", encoding="utf-8")
    synth.write(corpus, 101)
    report = update_index(corpus, index)
    assert sorted(p.name for p in index.glob("gen-*")) == [live.name, report.generation]


def test_generations_share_files_by_hard_links(corpus, index):
    live = current_generation(index)
    synth.write(corpus, 102)
    new = index / update_index(corpus, index).generation
    segs = [p for p in live.glob("MAIN_*.*")]  # a segment's files (and its arrays)
    assert segs and any((new / p.name).exists() and (new / p.name).stat().st_ino == p.stat().st_ino
                        for p in segs)


# ------------------------------------------------------------------ the lock

HOLD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from indexer.lock import index_lock
    with index_lock(Path(sys.argv[1])):
        print("locked", flush=True)
        time.sleep(60)
""")


def _hold_lock(index_dir) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(index_dir)], env=synth.env(),
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_a_second_indexer_is_refused_and_a_killed_ones_lock_is_free(corpus, index):
    """The lock is flock(2): held while its process lives, released by the kernel on SIGKILL."""
    holder = _hold_lock(index)
    try:
        with pytest.raises(IndexBusy, match=f"pid {holder.pid}"):
            update_index(corpus, index)
        started = time.monotonic()
        with pytest.raises(IndexBusy, match="waited"):
            update_index(corpus, index, lock_timeout=0.5)
        assert time.monotonic() - started >= 0.5
        cli = synth.indexer(corpus, "--index", index)
        assert cli.returncode == 4 and "another indexer" in cli.stderr
        assert "Traceback" not in cli.stderr
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert (index / LOCK_NAME).exists()  # the file stays; the lock does not
    synth.write(corpus, 103)
    assert update_index(corpus, index).indexed == 1


def test_a_waiting_indexer_runs_once_the_lock_is_free(corpus, index):
    holder = _hold_lock(index)
    synth.write(corpus, 104)
    waiter = subprocess.Popen([sys.executable, "-m", "indexer", str(corpus), "--index",
                               str(index), "--wait", "30", "-q"], env=synth.env(),
                              cwd=synth.ROOT, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    assert waiter.poll() is None  # still waiting
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert waiter.wait(timeout=60) == 0, waiter.stderr.read()
    assert search.open_index(index).search(synth.q(104)).total == 1


# ------------------------------------------------------------------ --watch

def _wait_for(predicate, timeout: float = 25.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_watch_follows_files_as_they_come_change_and_go(corpus, tmp_path):
    index = tmp_path / "watched"
    report_path = tmp_path / "watch.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "indexer", str(corpus), "--index", str(index), "--watch",
         "--debounce", "0.5", "--report", str(report_path)],
        env=synth.env(), cwd=synth.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    try:
        def total(q):
            return synth.total(index, q, timeout=3)

        assert _wait_for(lambda: total(synth.q(1)) == 1), "first build never appeared"
        first_gen = current_generation(index)
        for n in range(300, 303):  # a feed writing a few files
            synth.write(corpus, n)
        (corpus / "000" / "00001.md").unlink()
        assert _wait_for(lambda: total(synth.q(302)) == 1 and total(synth.q(1)) == 0)
        assert all(total(synth.q(n)) == 1 for n in (300, 301))
        synth.write(corpus, 2, head="看着改的标题")
        assert _wait_for(lambda: total("看着改的标题") == 1)
        report = json.loads(report_path.read_text(encoding="utf-8"))
        assert report["mode"] == "update" and report["changes"]["updated"] == ["000/00002.md"]
        # Quiet corpus: no more updates (our own reads must not count as changes).
        gen = current_generation(index)
        time.sleep(2.0)
        assert current_generation(index) == gen != first_gen
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert "stopped watching" in out
    assert out.count("updated:") <= 4, out
