"""Shared fixtures: one index of the bundled corpus per test session."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = ROOT.parent / "shared"
RSSHUB = SHARED / "corpora" / "rsshub" / "source"


def needs_shared():
    """Skip only where ../shared is absent (a user's fresh clone); CI has it."""
    if not RSSHUB.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI must have the shared corpora at {RSSHUB}")
        pytest.skip("../shared corpora not present")


@pytest.fixture(scope="session")
def corpus_index_dir(tmp_path_factory) -> Path:
    """An index of corpus/, built once for the whole session."""
    from indexer.build import build_index

    path = tmp_path_factory.mktemp("corpus-index")
    build_index(CORPUS, path)
    return path


@pytest.fixture(scope="session")
def corpus_index(corpus_index_dir):
    import search

    return search.open_index(corpus_index_dir)


@pytest.fixture(scope="session")
def rsshub_index(tmp_path_factory):
    """An index of the real rsshub sample (158 articles), built once."""
    needs_shared()
    import search
    from indexer.build import build_index

    path = tmp_path_factory.mktemp("rsshub-index")
    build_index(RSSHUB, path)
    return search.open_index(path)


# -- the cluster backend -------------------------------------------------------------
BACKENDS = ["whoosh", "sphinx"]


def needs_searchd():
    """Skip only where Sphinx is not installed (a user's machine); CI installs it."""
    import shutil

    if shutil.which("searchd") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have searchd (apt-get install sphinxsearch, see .ci/run)")
        pytest.skip("searchd not installed (apt-get install sphinxsearch)")


def free_port_block(size: int = 4) -> int:
    """A base port with ``size`` free consecutive ports on 127.0.0.1.

    Scans from a random start, so concurrent test sessions rarely race for one block.
    """
    import random

    from bench.devcluster import free_port_block as scan

    return scan(size, first=random.randrange(20000, 50000, 2))


class DevCluster:
    """A dev cluster started through ``python -m search.sphinx up``; ``stop`` by pid."""

    def __init__(self, folder: Path, shards: int = 2, name: str = "news"):
        import subprocess
        import sys

        needs_searchd()
        self.folder = folder
        port = free_port_block(2 * shards)
        out = subprocess.run([sys.executable, "-m", "search.sphinx", "up", "--dir", str(folder),
                              "--shards", str(shards), "--port", str(port), "--name", name],
                             capture_output=True, text=True, cwd=ROOT, timeout=60)
        assert out.returncode == 0, out.stderr
        self.url = out.stdout.strip().splitlines()[-1]

    def stop(self) -> None:
        import subprocess
        import sys

        subprocess.run([sys.executable, "-m", "search.sphinx", "down", "--dir",
                        str(self.folder)], capture_output=True, cwd=ROOT, timeout=60)


@pytest.fixture(scope="session")
def corpus_cluster(tmp_path_factory):
    """corpus/ indexed on a 2-shard dev cluster, for the whole session."""
    from indexer.update import update_index

    cluster = DevCluster(tmp_path_factory.mktemp("cluster"))
    try:
        update_index(CORPUS, cluster.url)
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def scratch_cluster(tmp_path_factory):
    """An empty 2-shard cluster for modules with corpora of their own: each rebuilds it first."""
    cluster = DevCluster(tmp_path_factory.mktemp("scratch-cluster"), shards=2, name="scratch")
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def sphinx_corpus_index(corpus_cluster):
    import search

    ix = search.open_index(corpus_cluster.url)
    yield ix
    ix.close()


@pytest.fixture(scope="session", params=BACKENDS)
def any_corpus_index(request):
    """The bundled corpus on each backend in turn: the same tests must pass on both."""
    name = "corpus_index" if request.param == "whoosh" else "sphinx_corpus_index"
    return request.getfixturevalue(name)
