"""Export: every match (not one page) as CSV or JSON Lines, from the library, the API and the CLI."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from search.errors import QueryError
from search.export import FIELDS, csv_lines, export

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


def _all_ids(ix, q, **kw):
    res = ix.search(q, per_page=1000, highlight=False, **kw)
    return [h.id for h in res.hits]


def test_library_export_yields_every_match_in_the_search_order(corpus_index, monkeypatch):
    import search.export as ex

    monkeypatch.setattr(ex, "CHUNK", 7)  # many chunks over the small corpus
    started = export(corpus_index, "的", sort="newest")
    rows = list(started.rows)
    assert [r["id"] for r in rows] == _all_ids(corpus_index, "的", sort="newest")
    assert started.total == len(rows) > 7
    assert set(rows[0]) == set(FIELDS) and rows[0]["url"] == f"/article/{rows[0]['id']}"


def test_library_export_stops_at_the_limit(corpus_index, monkeypatch):
    import search.export as ex

    monkeypatch.setattr(ex, "CHUNK", 4)
    started = export(corpus_index, "", limit=10, categories=["新媒体"])
    rows = list(started.rows)
    assert len(rows) == 10 == started.count < started.total
    assert [r["id"] for r in rows] == _all_ids(corpus_index, "", categories=["新媒体"])[:10]
    with pytest.raises(QueryError) as err:
        export(corpus_index, "x", limit=0)
    assert err.value.param == "limit"


def test_csv_cells_never_start_a_formula():
    lines = list(csv_lines(iter([{**{f: "" for f in FIELDS}, "title": "=HYPERLINK(1)",
                                  "people": ["甲", "乙"]}])))
    rows = list(csv.reader(io.StringIO("".join(lines).lstrip("\ufeff"))))
    assert rows[0] == list(FIELDS)
    assert rows[1][FIELDS.index("title")] == "'=HYPERLINK(1)"
    assert rows[1][FIELDS.index("people")] == "甲; 乙"


@pytest.fixture(scope="module")
def client(corpus_index_dir):
    from webui import create_app

    return create_app(index_dir=corpus_index_dir).test_client()


def test_api_streams_csv_of_every_match(client, corpus_index):
    resp = client.get("/api/export?q=的&format=csv")
    assert resp.status_code == 200 and resp.is_streamed
    assert resp.headers["X-Export-Limit"] == "10000"
    assert resp.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["id"] for r in rows] == _all_ids(corpus_index, "的")
    assert int(resp.headers["X-Total-Count"]) == len(rows)
    assert rows[0]["url"].endswith(f"/article/{rows[0]['id']}")


def test_api_jsonl_takes_the_search_filters_and_a_limit(client, corpus_index):
    resp = client.get("/api/export?q=&category=新媒体&sort=oldest&format=jsonl&limit=3")
    lines = resp.get_data(as_text=True).splitlines()
    assert resp.headers["X-Export-Limit"] == "3"
    assert [json.loads(line)["id"] for line in lines] == \
        _all_ids(corpus_index, "", categories=["新媒体"], sort="oldest")[:3]


@pytest.mark.parametrize("args,param", [("format=xml", "format"), ("limit=0", "limit"),
                                        ("limit=abc", "limit"), ("since=2022-13-01", "since")])
def test_api_rejects_bad_parameters_by_name(client, args, param):
    resp = client.get(f"/api/export?q=中国&{args}")
    assert resp.status_code == 400
    assert resp.get_json()["error"].startswith(param)


def test_cli_exports_csv(corpus_index_dir, corpus_index):
    out = subprocess.run([sys.executable, "-m", "search", "--index", str(corpus_index_dir),
                          "--export", "csv", "--limit", "5", "的"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [r["id"] for r in rows] == _all_ids(corpus_index, "的")[:5]
    assert "exported the first 5" in out.stderr
    bad = subprocess.run([sys.executable, "-m", "search", "--index", str(corpus_index_dir),
                          "--export", "xml", "的"], capture_output=True, text=True, cwd=ROOT,
                         timeout=120)
    assert bad.returncode == 2 and "--export" in bad.stderr


def test_cli_name_filters(corpus_index_dir, corpus_index):
    org = next(iter(corpus_index.search("").facets["organizations"]))
    want = [h.id for h in corpus_index.search("", orgs=[org], sort="oldest", per_page=1000).hits]
    out = subprocess.run([sys.executable, "-m", "search", "--index", str(corpus_index_dir),
                          "--org", org, "--sort", "oldest", "--export", "jsonl"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert [json.loads(line)["id"] for line in out.stdout.splitlines()] == want
    assert all(org in json.loads(line)["organizations"] for line in out.stdout.splitlines())
