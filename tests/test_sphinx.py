"""The cluster backend: dev-cluster command, writes to shards, faults, safe MATCH text.

The behavioural tests of test_search.py / test_hostile.py run on both
backends (fixture ``any_corpus_index``); these cover what only a cluster has.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys

import pytest
from hypothesis import given, settings, strategies as st

import search
from conftest import CORPUS, ROOT, DevCluster
from indexer.update import update_index
from search.analysis import Segmenter
from search.query import parse
from search.sphinx.config import CAT_CLOSE, CAT_OPEN, EVERY, MARK, NEVER
from search.sphinx.querybuild import build
from test_hostile import OPERATORS

_SEG = Segmenter()
# What MATCH may contain besides letters, digits and our markers: the syntax we write.
_SYNTAX = re.compile(r'@\(title,body\)|@title|@meta|[ "()|-]')


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120, env={**os.environ, **(env or {})})


@settings(max_examples=150, deadline=None, derandomize=True)
@given(q=st.one_of(st.text(max_size=200),
                   st.lists(st.sampled_from(OPERATORS + ["category:x", "SENTENCE", "NEAR/3",
                                                         "ZONE:(h1)", "@title", "~", "^", "$",
                                                         "=", "!", "/", "<<", "'"]),
                            max_size=30).map(" ".join)))
def test_match_text_holds_only_letters_digits_and_our_syntax(q):
    built = build(parse(q), _SEG, ["财经", "a-b"])
    for text in (built.match, built.exact, built.counted):
        if text is None:
            continue
        rest = _SYNTAX.sub("", text)
        assert all(ch.isalnum() or ch in (MARK, EVERY, CAT_OPEN, CAT_CLOSE, NEVER)
                   for ch in rest), (q, text)
        assert text.count('"') % 2 == 0 and '""' not in text
        assert not re.search(r"[A-Z]", rest), (q, text)  # no SENTENCE, NEAR, ZONE...


def test_blank_and_unsearchable_queries_never_send_an_empty_match():
    assert build(parse(""), _SEG, []).match is None  # no MATCH at all: list everything
    nothing = build(parse("，。!!"), _SEG, [])
    assert nothing.nothing and nothing.match is None


def test_dev_cluster_command_reports_and_stops_by_pid(tmp_path):
    cluster = DevCluster(tmp_path / "c", shards=2, name="demo")
    try:
        assert re.fullmatch(r"sphinx://127\.0\.0\.1:\d+/demo", cluster.url)
        out = _cli("-m", "search.sphinx", "status", "--dir", str(tmp_path / "c"))
        assert out.returncode == 0 and out.stdout.count("answering") == 2
        pids = [int((tmp_path / "c" / f"node{i}" / "searchd.pid").read_text()) for i in (0, 1)]
        # Up but never built: a clear error that says what to do.
        with pytest.raises(search.IndexNotFound, match="python -m indexer"):
            search.open_index(cluster.url)
    finally:
        out = _cli("-m", "search.sphinx", "down", "--dir", str(tmp_path / "c"))
    assert out.returncode == 0 and all(str(p) in out.stdout for p in pids)
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    out = _cli("-m", "search.sphinx", "status", "--dir", str(tmp_path / "c"))
    assert out.returncode == 1 and out.stdout.count("stopped") == 2


def test_status_of_a_folder_without_cluster_is_a_clear_error(tmp_path):
    out = _cli("-m", "search.sphinx", "status", "--dir", str(tmp_path))
    assert out.returncode == 4 and "no dev cluster in" in out.stderr and "Traceback" not in out.stderr


@pytest.fixture()
def small_cluster(tmp_path):
    cluster = DevCluster(tmp_path / "cluster", shards=2)
    yield cluster
    cluster.stop()


def _shard_ids(addr: str, table: str) -> set[str]:
    import pymysql

    host, _, port = addr.rpartition(":")
    conn = pymysql.connect(host=host, port=int(port))
    try:
        with conn.cursor() as cur:
            cur.execute(f"SELECT key FROM {table} LIMIT 1000")
            return {row[0] for row in cur.fetchall()}
    finally:
        conn.close()


def _ids(ix, q: str = "") -> set[str]:
    return {h.id for h in ix.search(q, per_page=1000).hits}


def test_indexer_updates_and_rebuilds_a_cluster(small_cluster, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    url = small_cluster.url
    out = _cli("-m", "indexer", str(corpus), "--index", url)
    assert out.returncode == 3 and "55 articles, 1 duplicate file folded" in out.stdout
    ix = search.open_index(url)
    before = ix.search("").total
    assert before == 55
    # Every article is on exactly one shard, and routing uses both.
    state = ix._state()
    per_shard = [_shard_ids(addr, f"news_{state.live}_{i}")
                 for i, addr in enumerate(state.shards)]
    assert all(per_shard) and not per_shard[0] & per_shard[1]
    assert per_shard[0] | per_shard[1] == _ids(ix)
    victim = next(corpus.rglob("*.md"))
    victim.unlink()
    new = corpus / "新媒体" / "新文章.md"
    new.write_text("---\ntitle: 集群增量测试文章\ndate: 2024-05-01\n---\n\n正文提到了独一无二的词语鸭嘴兽。\n",
                   encoding="utf-8")
    report = update_index(corpus, url)
    assert (report.indexed, report.updated, report.removed) == (1, 0, 1)
    assert ix.search("鸭嘴兽").total == 1
    assert ix.search("").total == before  # one gone, one new
    report = update_index(corpus, url)
    assert (report.mode, report.indexed, report.updated, report.removed) == ("update", 0, 0, 0)
    # A rebuild killed before it publishes: readers stay on the old articles.
    before = _ids(ix)
    for path in sorted(corpus.rglob("*.md"))[:20]:
        path.unlink()
    out = _cli("-m", "indexer", str(corpus), "--index", url, "--rebuild",
               env={"NEWSEARCH_KILL_AT": "cluster:before-publish"})
    assert out.returncode == -signal.SIGKILL
    assert _ids(ix) == before
    assert update_index(corpus, url, rebuild=True).mode == "full"
    after = _ids(ix)
    assert after < before and len(after) >= len(before) - 20
    ix.close()


def test_a_dead_shard_gives_partial_results_never_a_silently_smaller_total(small_cluster):
    from webui import create_app

    url = small_cluster.url
    update_index(CORPUS, url)
    ix = search.open_index(url)
    full = ix.search("的", per_page=100)
    assert not full.partial and full.total > 0
    from search.sphinx.rows import shard_of

    live = next(h.id for h in full.hits if shard_of(h.id, 2) == 0
                and any(shard_of(r.id, 2) == 0 for r in ix.related(h.id, limit=50)))
    related_live = [r.id for r in ix.related(live, limit=50) if shard_of(r.id, 2) == 0][:5]
    pid = int((small_cluster.folder / "node1" / "searchd.pid").read_text())
    os.kill(pid, signal.SIGKILL)
    part = ix.search("的", per_page=100)
    assert part.partial and part.partial_reason
    assert part.total < full.total and {h.id for h in part.hits} < {h.id for h in full.hits}
    client = create_app(index_dir=url).test_client()
    data = client.get("/api/search?q=的").get_json()
    assert data["partial"] is True and data["total"] == part.total
    page = client.get("/?q=的").get_data(as_text=True)
    assert "部分结果" in page
    # Article view and related articles: an article on a live shard is shown; one on the
    # dead shard is a clear 503 saying so, never a 404 guess, a 500 or a traceback;
    # related articles are those of the live shard, in the order they had.
    dead = next(h.id for h in full.hits if shard_of(h.id, 2) == 1)
    assert ix.get(live).id == live
    assert [r.id for r in ix.related(live, limit=5)] == related_live
    with pytest.raises(search.ShardUnavailable, match=dead):
        ix.get(dead)
    assert client.get(f"/article/{live}").status_code == 200
    resp = client.get(f"/article/{dead}")
    assert resp.status_code == 503 and "分片" in resp.get_data(as_text=True)
    assert b"Traceback" not in resp.data
    # The head gone too: a clear error, a 503 page, no traceback.
    os.kill(int((small_cluster.folder / "node0" / "searchd.pid").read_text()), signal.SIGKILL)
    with pytest.raises(search.IndexNotFound, match="searchd"):
        search.open_index(url)
    with pytest.raises(search.IndexNotFound):
        ix.search("的")
    for path in ("/?q=的", "/api/search?q=的", "/feed.atom?q=的"):
        resp = client.get(path)
        assert resp.status_code == 503 and b"Traceback" not in resp.data


def test_bad_cluster_addresses_are_clear_errors():
    for url in ("sphinx://", "sphinx://127.0.0.1:1/", "sphinx://h:notaport/x"):
        with pytest.raises(search.IndexNotFound, match="sphinx://"):
            search.open_index(url)
    with pytest.raises(search.IndexNotFound, match="cannot reach"):
        search.open_index("sphinx://127.0.0.1:1/news")


def test_web_page_api_article_and_feed_work_over_the_cluster(corpus_cluster, corpus_index):
    from webui import create_app
    from webui.shared_index import EXTENSION_KEY

    app = create_app(index_dir=corpus_cluster.url)
    client = app.test_client()
    page = client.get("/?q=北约")
    assert page.status_code == 200 and "<mark>北约</mark>" in page.get_data(as_text=True)
    data = client.get("/api/search?q=北约&per_page=3").get_json()
    assert data["total"] == corpus_index.search("北约").total
    assert data["partial"] is False and len(data["hits"]) == 3
    art = client.get(f"/article/{data['hits'][0]['id']}?q=北约")
    assert art.status_code == 200 and "<mark>" in art.get_data(as_text=True)
    assert client.get("/article/0123456789abcdef").status_code == 404
    assert client.get("/feed.atom?q=北约").status_code == 200
    app.extensions[EXTENSION_KEY].get().close()


def test_both_backends_satisfy_one_interface(corpus_index, sphinx_corpus_index):
    for ix in (corpus_index, sphinx_corpus_index):
        assert isinstance(ix, search.Backend)
        res = ix.search("北约", per_page=2)
        assert res.partial is False and res.partial_reason == ""
    assert type(search.open_index(str(corpus_index.path))) is search.Index
    assert sorted(corpus_index.categories()) == sphinx_corpus_index.categories()


def test_broad_name_facets_are_sized_by_the_names_the_cluster_holds(
        corpus_index, sphinx_corpus_index, monkeypatch):
    """Past the cheap bound a name GROUP BY asks for as many groups as the cluster has
    distinct names (counted once per version), and its counts stay exact."""
    from search.sphinx import explore

    monkeypatch.setattr(explore, "_CHEAP_GROUPS", 1)
    monkeypatch.setattr(sphinx_corpus_index, "_name_groups", explore.NameGroups())
    got = sphinx_corpus_index.search("", per_page=1, highlight=False)
    want = corpus_index.search("", per_page=1000, highlight=False)
    for kind in ("people", "places", "organizations"):
        assert got.facets[kind] == want.facets[kind]
        distinct = {n for hit in want.hits for n in getattr(hit, kind)}
        assert sphinx_corpus_index._name_groups._counts[kind] == len(distinct), kind


def test_userdict_and_tz_are_kept_with_the_cluster_as_with_a_folder(small_cluster, tmp_path):
    import synth

    corpus, url, local = tmp_path / "corpus", small_cluster.url, tmp_path / "local"
    synth.write(corpus, 1, text="一位美国人在北京开了一家咖啡馆。", date="2022-03-01 00:30:00")
    synth.write(corpus, 2, text="美国总统访问亚洲，许多人在机场等候。",
                date="2022-03-02T12:00:00+00:00")
    synth.write(corpus, 3, text="新年第一天，港口的船只鸣笛。", date="2023-01-01 00:30:00")
    synth.age(corpus)
    words = tmp_path / "words.txt"
    words.write_text("美国人 100000\n", encoding="utf-8")
    for index in (url, local):
        out = synth.indexer(corpus, "--index", index, "--userdict", words, "--tz", "+09:00", "-q")
        assert out.returncode == 0, out.stderr
    ix, whoosh = search.open_index(url), search.open_index(local)

    def seen(index, q, **kw):
        res = index.search(q, **kw)
        return res.total, res.exact_total, res.read_as, [(h.id, h.date) for h in res.hits]

    # The dictionary decides the reading: one word, so no 美国 + 人.
    assert seen(ix, "美国人") == seen(whoosh, "美国人") and not ix.search("美国人").read_as
    hit = ix.search(synth.q(1)).hits[0]
    assert hit.date.isoformat() == "2022-03-01T00:30:00+09:00" == ix.get(hit.id).date.isoformat()
    assert ix.search(synth.q(2)).hits[0].date.isoformat() == "2022-03-02T21:00:00+09:00"
    day = {"since": "2022-03-01", "until": "2022-03-01"}
    assert seen(ix, "", **day) == seen(whoosh, "", **day) and ix.search("", **day).total == 1
    # Years in the index's zone: 00:30 on 1 January in Tokyo is still 2022 in China.
    assert ix.search("船只").facets["years"] == whoosh.search("船只").facets["years"] == {"2023": 1}
    # Later runs keep both without being told; dropping the dictionary rebuilds and the
    # open reader follows the new one.
    again = synth.indexer(corpus, "--index", url)
    assert again.returncode == 0 and "user dictionary" not in again.stderr
    assert ix.search(synth.q(1)).hits[0].date.utcoffset().total_seconds() == 9 * 3600
    dropped = synth.indexer(corpus, "--index", url, "--no-userdict")
    assert dropped.returncode == 0 and "user dictionary changed" in dropped.stderr
    assert ix.search("美国人").read_as == [("美国人", ["美国", "人"])]
    ix.close()


def test_an_update_is_seen_whole_or_not_at_all(small_cluster, tmp_path, corpus_index):
    corpus, url = tmp_path / "corpus", small_cluster.url
    shutil.copytree(CORPUS, corpus)
    update_index(corpus, url)
    ix = search.open_index(url)
    before = {h.id: h.path for h in ix.search("", per_page=1000).hits}
    gone, changed = sorted(before.values())[:2]
    (corpus / gone).unlink()
    with open(corpus / changed, "a", encoding="utf-8") as f:
        f.write("\n\n鸭嘴兽出现在修改后的文章里。\n")
    (corpus / "新媒体" / "新文章.md").write_text(
        "---\ntitle: 集群增量测试文章\ndate: 2024-05-01\n---\n\n正文提到了鸭嘴兽。\n", encoding="utf-8")
    # Killed after every row was written and retired, before the state row names the run.
    out = _cli("-m", "indexer", str(corpus), "--index", url,
               env={"NEWSEARCH_KILL_AT": "cluster:update-before-publish"})
    assert out.returncode == -signal.SIGKILL
    assert _ids(ix) == set(before) and ix.search("鸭嘴兽").total == 0
    assert ix.search("", per_page=1).total == len(before)
    assert all(ix.get(key) is not None for key in before)
    # The next run finds the same changes and publishes them together.
    report = update_index(corpus, url)
    assert report.mode == "update" and report.changes == {
        "added": ["新媒体/新文章.md"], "updated": [changed], "removed": [gone]}
    assert ix.search("鸭嘴兽").total == 2 and ix.search("", per_page=1).total == len(before)
    local = tmp_path / "local"
    update_index(corpus, local)
    assert _ids(ix) == _ids(search.open_index(local))
    assert all(ix.get(key) is None for key, path in before.items() if path in (gone, changed))
    ix.close()
