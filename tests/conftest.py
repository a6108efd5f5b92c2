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
