"""SIGKILL the indexer at many moments: the live index must not notice, the next run must finish.

Real processes, really killed: after a delay (wherever the run happens to
be: starting, reading, analysing, writing) and at exact steps through
NEWSEARCH_KILL_AT (the indexer SIGKILLs itself there: after the Whoosh
commit, before and after CURRENT is switched).
"""
from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import frontmatter
import pytest

from search.storage import current_generation

import synth
from conftest import SHARED, needs_shared

XWLB_TOOL = SHARED / "tools" / "xwlb_to_posts.py"


def answer(index_dir: Path, query: str) -> tuple[str, int]:
    """(live generation, total for query), from a freshly opened index."""
    return current_generation(index_dir).name, synth.total(index_dir, query)


def kill_after(seconds: float, *args) -> None:
    """Start python -m indexer ARGS and SIGKILL it after ``seconds``.

    The moment is a share of a build timed earlier; on a shared machine this
    run can be faster. If it finishes first, the index is put back as it was
    and the run is tried again, killed twice as early.
    """
    index = Path(args[list(args).index("--index") + 1])
    saved = index.with_name(index.name + ".saved")
    shutil.copytree(index, saved, symlinks=True)
    try:
        for delay in (seconds, seconds / 2, seconds / 4):
            proc = subprocess.Popen([sys.executable, "-m", "indexer", *map(str, args), "-q"],
                                    cwd=synth.ROOT, env=synth.env(), stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            try:
                proc.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                return
            shutil.rmtree(index)
            shutil.copytree(saved, index, symlinks=True)
        pytest.fail(f"the run ended (status {proc.returncode}) before it could be killed at "
                    f"{delay:.2f} s: {proc.stderr.read()}")
    finally:
        shutil.rmtree(saved, ignore_errors=True)


def kill_at(point: str, *args) -> None:
    """Run python -m indexer ARGS, which SIGKILLs itself at ``point``."""
    done = synth.indexer(*args, "-q", kill_at=point)
    assert done.returncode == -signal.SIGKILL, (point, done.returncode, done.stderr)


def timed_build(corpus: Path, index_dir: Path) -> float:
    """Build (or update) the index; seconds it took. Kill moments are fractions of
    this (a fixed delay is past the end on a fast machine, before the start on a slow one)."""
    started = time.perf_counter()
    done = synth.indexer(corpus, "--index", index_dir, "-q")
    assert done.returncode == 0, done.stderr
    return time.perf_counter() - started


def check_unchanged(index_dir: Path, before: tuple[str, int], query: str) -> None:
    assert answer(index_dir, query) == before


def finish_and_find(corpus: Path, index_dir: Path, new_query: str, articles: int) -> None:
    done = synth.indexer(corpus, "--index", index_dir, "-q")
    assert done.returncode == 0, done.stderr
    assert synth.total(index_dir, new_query) >= 1
    assert synth.total(index_dir, "") == articles
    gens = sorted(p.name for p in index_dir.glob("gen-*"))
    assert len(gens) <= 2 and current_generation(index_dir).name == gens[-1]


def test_kills_at_exact_steps_and_moments_on_a_synthetic_corpus(tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    synth.write_corpus(corpus, range(300))
    took = timed_build(corpus, index)
    query = "会议 城市"
    before = answer(index, query)
    assert before[1] > 10

    # A full rebuild killed at moments and at its last steps.
    for share in (0.35, 0.7):
        kill_after(share * took, corpus, "--index", index, "--rebuild")
        check_unchanged(index, before, query)
    kill_at("full:before-publish", corpus, "--index", index, "--rebuild")
    check_unchanged(index, before, query)

    # An update (50 new files, 2 changed, 2 removed) killed at each step.
    synth.write_corpus(corpus, range(1000, 1050))
    synth.write(corpus, 10, head="崩溃测试改过的标题")
    (corpus / "000" / "00011.md").unlink()
    (corpus / "000" / "00012.md").unlink()
    for point in ("update:after-commit", "update:after-manifest", "update:before-publish"):
        kill_at(point, corpus, "--index", index)
        check_unchanged(index, before, query)
    kill_after(0.6 * took, corpus, "--index", index)  # an update takes about as long here
    check_unchanged(index, before, query)

    # Killed just after the switch: the new index is complete and live.
    kill_at("update:after-publish", corpus, "--index", index)
    assert synth.total(index, synth.q(1049)) == 1
    assert synth.total(index, synth.q(11)) == 0
    synth.write(corpus, 1050)
    finish_and_find(corpus, index, synth.q(1050), 300 + 51 - 2)
    assert synth.total(index, "崩溃测试改过的标题") == 1


@pytest.fixture(scope="module")
def xwlb_corpus(tmp_path_factory) -> tuple[Path, Path]:
    """600 real stories as posts, and 60 more held back as 'new' (an update, not a rebuild)."""
    needs_shared()
    out = tmp_path_factory.mktemp("xwlb")
    all_posts = out / "all"
    subprocess.run([sys.executable, str(XWLB_TOOL), str(all_posts), "--limit", "660"],
                   check=True, capture_output=True, timeout=120)
    corpus, new = out / "corpus", out / "new"
    posts = sorted(all_posts.rglob("*.md"))
    for i, path in enumerate(posts):
        target = (new if i >= 600 else corpus) / path.relative_to(all_posts)
        target.parent.mkdir(parents=True, exist_ok=True)
        path.rename(target)
    synth.age(corpus)
    return corpus, new


def test_kills_during_a_real_build_and_update(xwlb_corpus, tmp_path):
    corpus, new = xwlb_corpus
    index = tmp_path / "index"
    took = timed_build(corpus, index)
    query = "习近平"
    before = answer(index, query)
    assert before[1] > 0
    for share in (0.2, 0.5, 0.8):
        kill_after(share * took, corpus, "--index", index, "--rebuild")
        check_unchanged(index, before, query)

    added = sorted(new.rglob("*.md"))
    for path in added:
        target = corpus / path.relative_to(new)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    kill_after(0.4 * took, corpus, "--index", index)  # 60 new files: much of a build's time
    check_unchanged(index, before, query)

    done = synth.indexer(corpus, "--index", index, "--report", tmp_path / "r.json", "-q")
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["mode"] == "update" and report["indexed"] == len(added)
    assert synth.total(index, query) >= before[1]
    titles = [str(frontmatter.loads(p.read_text(encoding="utf-8-sig"))["title"]) for p in added]
    probes = [t for t in titles if re.fullmatch(r"[\u4e00-\u9fff]{6,}", t)][-3:]
    assert probes and all(synth.total(index, f'"{t}"') >= 1 for t in probes)
