"""A text-less stub filed beside its story folds into it, on both backends.

Three files paired with what every reader must see: a story with text, a stub
(title only) filed the same day under the same title, and a stub with no
story. Then updates: the story removed (its stub is listed again), and added
back after the stub (the stub folds again). Counts, ids and duplicates must
agree on both backends at every step.
"""
from __future__ import annotations

import pytest

from conftest import BACKENDS
from tests.synth import age, article

TITLE = "河口湿地迎来越冬候鸟"
STORY = "<p>河口湿地今年迎来越冬候鸟两万余只，保护站工作人员每天巡护记录。</p>"


def _post(root, name, title, text, date):
    (root / f"{name}.md").write_text(article(0, head=title, text=text, date=date),
                                     encoding="utf-8")


def _name(path: str) -> str:
    return path.rsplit("/", 1)[-1].removesuffix(".md")


@pytest.fixture(params=BACKENDS)
def location(request, tmp_path):
    if request.param == "whoosh":
        return str(tmp_path / "ix")
    return request.getfixturevalue("scratch_cluster").url


def _view(ix) -> dict:
    """What a reader sees: every listed article's name -> its duplicates' names."""
    res = ix.search("", per_page=50)
    assert res.total == ix.doc_count == len(res.hits)
    assert sum(res.facets["years"].values()) == res.total
    return {_name(h.path): sorted(_name(p) for p in h.duplicates) for h in res.hits}


def test_stub_folds_into_its_story_through_updates(location, tmp_path):
    import search
    from indexer.update import update_index

    root = tmp_path / "corpus"
    root.mkdir()
    _post(root, "story", TITLE, STORY, "2024-01-10 08:00:00")
    _post(root, "stub", f"“{TITLE}”", "", "2024-01-10 19:30:00")  # punctuation aside, equal
    _post(root, "lone", "候鸟保护志愿者上岗", "", "2024-01-12 09:00:00")
    _post(root, "far", TITLE, "", "2024-03-01 09:00:00")  # same title, weeks later: no fold
    age(root)
    update_index(root, location, rebuild=True)
    ix = search.open_index(location)
    try:
        assert _view(ix) == {"story": ["stub"], "lone": [], "far": []}
        res = ix.search("越冬候鸟", per_page=10)
        assert sorted(_name(h.path) for h in res.hits) == ["far", "story"] and res.total == 2
        story = next(h for h in res.hits if _name(h.path) == "story")
        assert [_name(p) for p in ix.get(story.id).duplicates] == ["stub"]
        # The story goes: its stub is an article again.
        (root / "story.md").unlink()
        update_index(root, location)
        assert _view(ix) == {"stub": [], "lone": [], "far": []}
        # The story comes back after its stub: the stub folds again.
        _post(root, "story", TITLE, STORY, "2024-01-10 08:00:00")
        age(root)
        update_index(root, location)
        assert _view(ix) == {"story": ["stub"], "lone": [], "far": []}
        assert ix.search("候鸟").total == 3
    finally:
        if hasattr(ix, "close"):
            ix.close()


def test_a_fold_change_is_published_with_its_update(scratch_cluster, tmp_path):
    """Killed before it publishes, an update that unfolds a stub leaves the fold as it was."""
    import os
    import signal
    import subprocess
    import sys

    import search
    from conftest import ROOT
    from indexer.update import update_index

    root, url = tmp_path / "corpus", scratch_cluster.url
    root.mkdir()
    _post(root, "story", TITLE, STORY, "2024-01-10 08:00:00")
    _post(root, "stub", TITLE, "", "2024-01-10 19:30:00")
    age(root)
    update_index(root, url, rebuild=True)
    ix = search.open_index(url)
    try:
        assert _view(ix) == {"story": ["stub"]}
        (root / "story.md").unlink()
        out = subprocess.run([sys.executable, "-m", "indexer", str(root), "--index", url],
                             capture_output=True, text=True, cwd=ROOT, timeout=120,
                             env={**os.environ, "NEWSEARCH_KILL_AT": "cluster:update-before-publish"})
        assert out.returncode == -signal.SIGKILL
        assert _view(ix) == {"story": ["stub"]}  # the stub's new row is not published
        update_index(root, url)
        assert _view(ix) == {"stub": []}
    finally:
        ix.close()
