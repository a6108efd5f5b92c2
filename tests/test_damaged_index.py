"""A damaged live index: a file truncated, emptied or deleted under it.

Every file of a generation is recorded (size and SHA-1) in its meta.json when
it is published. Opening the index and each search compare sizes, so the
damage is a clear IndexCorrupt naming the file (not a Whoosh traceback, or a
SIGBUS from a truncated memory map); the page answers 503 with the reason;
the next ``python -m indexer`` rebuilds by itself and says why; and
``python -m indexer --check`` compares sizes and checksums.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import search
from indexer.update import update_index
from search.integrity import FILES_KEY
from search.storage import current_generation, read_meta
from webui import create_app

import synth

DAMAGE = ("truncated", "emptied", "deleted")


def damage(path: Path, how: str) -> None:
    if how == "deleted":
        path.unlink()
    else:
        size = path.stat().st_size
        os.truncate(path, size // 2 if how == "truncated" else 0)


def largest_file(index: Path) -> Path:
    gen = current_generation(index)
    names = read_meta(gen)[FILES_KEY]
    return gen / max(names, key=lambda n: names[n]["size"])


def indexer(*args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "indexer", *map(str, args)], cwd=synth.ROOT,
                          env=synth.env(), capture_output=True, text=True, timeout=300,
                          stdin=subprocess.DEVNULL, **kw)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("damaged")
    corpus, index = tmp / "corpus", tmp / "index"
    synth.write_corpus(corpus, range(40))
    update_index(corpus, index)
    return corpus, index


@pytest.fixture()
def index(built, tmp_path) -> Path:
    """A fresh copy of the built index (the corpus path recorded in it stays the same)."""
    copy = tmp_path / "index"
    shutil.copytree(built[1], copy)
    return copy


def test_every_file_of_the_generation_is_recorded(index):
    gen = current_generation(index)
    record = read_meta(gen)[FILES_KEY]
    on_disk = {p.name for p in gen.iterdir()
               if p.name not in ("meta.json", "manifest.json") and "WRITELOCK" not in p.name}
    assert set(record) == on_disk
    for name, rec in record.items():
        assert rec["size"] == (gen / name).stat().st_size and len(rec["sha1"]) == 40


@pytest.mark.parametrize("how", DAMAGE)
def test_opening_a_damaged_index_names_the_file(index, how):
    victim = largest_file(index)
    damage(victim, how)
    with pytest.raises(search.IndexCorrupt, match=victim.name) as caught:
        search.open_index(index)
    assert isinstance(caught.value, search.SearchError)
    word = {"truncated": "truncated", "emptied": "empty", "deleted": "missing"}[how]
    assert word in str(caught.value)


@pytest.mark.parametrize("how", DAMAGE)
def test_the_next_search_after_damage_raises_index_corrupt(index, how):
    # In a child: a regression would read a truncated memory map, and SIGBUS
    # would take the test runner with it.
    script = textwrap.dedent(f"""
        import os, sys
        from pathlib import Path
        import search
        ix = search.open_index({str(index)!r})
        assert ix.search({synth.q(3)!r}).total == 1
        victim = Path({str(largest_file(index))!r})
        if {how!r} == "deleted":
            victim.unlink()
        else:
            os.truncate(victim, victim.stat().st_size // 2 if {how!r} == "truncated" else 0)
        try:
            ix.search({synth.q(4)!r})
        except search.IndexCorrupt as exc:
            print("IndexCorrupt:", exc)
    """)
    out = subprocess.run([sys.executable, "-c", script], cwd=synth.ROOT, env=synth.env(),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("IndexCorrupt:") and largest_file(index).name in out.stdout


def test_the_page_and_the_api_answer_503_with_the_reason(index):
    client = create_app(index_dir=index).test_client()
    assert client.get("/", query_string={"q": "经济"}).status_code == 200
    victim = largest_file(index)
    damage(victim, "truncated")
    page = client.get("/", query_string={"q": "经济"})
    assert page.status_code == 503
    assert victim.name in page.get_data(as_text=True)
    assert "Traceback" not in page.get_data(as_text=True)
    api = client.get("/api/search", query_string={"q": "经济"})
    assert api.status_code == 503 and victim.name in api.get_json()["error"]


@pytest.mark.parametrize("how", DAMAGE)
def test_the_next_indexer_run_rebuilds_and_says_why(built, index, how):
    corpus = built[0]
    victim = largest_file(index)
    damage(victim, how)
    result = indexer(corpus, "--index", index)
    assert result.returncode == 0, result.stderr
    assert "full build because the live index is damaged" in result.stderr
    assert victim.name in result.stderr
    ix = search.open_index(index)
    assert ix.doc_count == 40 and ix.search(synth.q(7)).total == 1
    assert indexer("--check", "--index", index).returncode == 0


def test_check_passes_on_an_intact_index_and_after_an_update(built, index):
    result = indexer("--check", "--index", index)
    assert result.returncode == 0 and "index OK" in result.stdout, result.stderr
    synth.write(built[0], 1000)
    try:
        update = indexer(built[0], "--index", index)
    finally:
        (built[0] / "010" / "01000.md").unlink()
    assert update.returncode == 0 and "updated: 1 added" in update.stdout, update.stderr
    assert indexer("--check", "--index", index).returncode == 0


@pytest.mark.parametrize("how", DAMAGE + ("changed",))
def test_check_names_what_is_wrong(index, how):
    victim = largest_file(index)
    if how == "changed":  # same size, other bytes: only the checksum tells
        data = bytearray(victim.read_bytes())
        data[len(data) // 2] ^= 0xFF
        victim.write_bytes(bytes(data))
    else:
        damage(victim, how)
    result = indexer("--check", "--index", index)
    assert result.returncode == 1
    assert victim.name in result.stderr and "damaged" in result.stderr
    if how == "changed":
        assert "checksum" in result.stderr


def test_check_without_an_index_fails(tmp_path):
    result = indexer("--check", "--index", tmp_path / "none")
    assert result.returncode == 4 and "no index" in result.stderr
