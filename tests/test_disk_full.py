"""Disk full, a read-only index folder, an index on another filesystem: for real.

The index lives on a small tmpfs mounted for the test (root only; skipped
where mounting is not permitted, unless CI is set). A disk that fills during
a full build, during an update, or at any step of publishing must leave the
live index serving unchanged, exit 4 naming the folder and saying the disk
is full, and leave nothing the next run cannot clean up. The exact steps of
publishing are hit with ``NEWSEARCH_FILL_AT``, which makes the indexer fill
the disk there itself (a real ENOSPC from the kernel).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import synth

ARTICLES = 60


def indexer(corpus: Path, index: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "indexer", str(corpus), "--index", str(index),
                           "-q", *args], cwd=synth.ROOT, env={**synth.env(), **env},
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)


def mount_tmpfs(where: Path, size: str) -> None:
    where.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                            capture_output=True, text=True) if os.geteuid() == 0 else None
    if result is None or result.returncode != 0:
        why = result.stderr.strip() if result else "not root"
        if os.environ.get("CI"):
            pytest.fail(f"CI must be able to mount a tmpfs: {why}")
        pytest.skip(f"cannot mount a tmpfs here ({why})")


@pytest.fixture()
def disk(tmp_path):
    """An 8 MB tmpfs for the index (another filesystem than the corpus)."""
    mnt = tmp_path / "mnt"
    mount_tmpfs(mnt, "8m")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path, Path]:
    """A corpus (and a pristine copy of it) and its index on the ordinary disk, built once."""
    tmp = tmp_path_factory.mktemp("disk-full")
    pristine, corpus, index = tmp / "pristine", tmp / "corpus", tmp / "index"
    synth.write_corpus(pristine, range(ARTICLES))
    shutil.copytree(pristine, corpus)
    result = indexer(corpus, index)
    assert result.returncode == 0, result.stderr
    return pristine, corpus, index


@pytest.fixture()
def live(built, disk):
    """The corpus as built and a copy of its index on the tmpfs; (corpus, index)."""
    pristine, corpus, built_index = built
    shutil.rmtree(corpus)
    shutil.copytree(pristine, corpus)  # same path and times: the index's manifest matches
    index = disk / "index"
    shutil.copytree(built_index, index)
    assert os.stat(corpus).st_dev != os.stat(index).st_dev  # index on another filesystem
    return corpus, index


def fill(disk: Path, leave: int) -> Path:
    """Take all but ``leave`` bytes of the tmpfs."""
    st = os.statvfs(disk)
    filler = disk / "filler"
    with open(filler, "wb") as f:
        os.posix_fallocate(f.fileno(), 0, max(0, st.f_bavail * st.f_frsize - leave))
    return filler


def state(index: Path) -> tuple[str, list[str], int]:
    """CURRENT, every entry of the index folder, and what the index answers."""
    return ((index / "CURRENT").read_text(), sorted(p.name for p in index.iterdir()),
            synth.total(index, synth.q(5)))


def assert_failed_cleanly(result, index: Path, before, what: str = "is full") -> None:
    assert result.returncode == 4, result.stderr
    assert what in result.stderr and str(index) in result.stderr, result.stderr
    assert "previous index is unchanged" in result.stderr
    assert "Traceback" not in result.stderr
    assert state(index) == before  # nothing left behind, same answers


def test_disk_full_during_a_full_build(live, disk):
    corpus, index = live
    before = state(index)
    assert before[2] == 1
    filler = fill(disk, 100_000)
    assert_failed_cleanly(indexer(corpus, index, "--rebuild"), index, before)
    filler.unlink()
    result = indexer(corpus, index, "--rebuild")
    assert result.returncode == 0, result.stderr
    assert synth.total(index, synth.q(5)) == 1 and state(index)[0] != before[0]


def test_disk_full_during_an_update(live, disk):
    corpus, index = live
    synth.write_corpus(corpus, range(ARTICLES, ARTICLES + 100))
    before = state(index)
    filler = fill(disk, 100_000)
    assert_failed_cleanly(indexer(corpus, index), index, before)
    assert synth.total(index, synth.q(ARTICLES + 1)) == 0
    filler.unlink()
    result = indexer(corpus, index)
    assert result.returncode == 0, result.stderr
    assert synth.total(index, synth.q(ARTICLES + 1)) == 1
    assert synth.total(index, synth.q(5)) == 1


@pytest.mark.parametrize("point", ["full:after-commit", "full:before-publish",
                                   "update:after-commit", "update:before-publish"])
def test_disk_full_while_publishing(live, disk, point):
    corpus, index = live
    if point.startswith("update"):
        synth.write(corpus, ARTICLES + 500)
        synth.age(corpus)
    args = ["--rebuild"] if point.startswith("full") else []
    before = state(index)
    filler = disk / "filler"
    result = indexer(corpus, index, *args, NEWSEARCH_FILL_AT=point,
                     NEWSEARCH_FILL_FILE=str(filler))
    assert filler.stat().st_size > 0  # the step was reached and the disk filled
    assert_failed_cleanly(result, index, before)
    filler.unlink()
    result = indexer(corpus, index, *args)
    assert result.returncode == 0, result.stderr
    if point.startswith("update"):
        assert synth.total(index, synth.q(ARTICLES + 500)) == 1
    assert synth.total(index, synth.q(5)) == 1


def test_a_read_only_index_folder(live, disk):
    corpus, index = live
    synth.write(corpus, ARTICLES + 700)
    synth.age(corpus)
    before = state(index)
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    try:
        assert_failed_cleanly(indexer(corpus, index), index, before, what="read-only")
        assert_failed_cleanly(indexer(corpus, index, "--rebuild"), index, before,
                              what="read-only")
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=True)
    result = indexer(corpus, index)
    assert result.returncode == 0, result.stderr
    assert synth.total(index, synth.q(ARTICLES + 700)) == 1
