"""One rule for dates: aware datetimes in the index's time zone (--tz), everywhere."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta

import pytest

import search
import synth


@pytest.fixture(scope="module")
def tokyo(tmp_path_factory):
    """An index built with --tz +09:00; article 1 written at 00:30 on 1 March, local time."""
    root = tmp_path_factory.mktemp("dates")
    synth.write_corpus(root / "corpus", [1], date="2022-03-01 00:30:00")
    synth.write_corpus(root / "corpus", [2], date="2022-03-02T12:00:00+00:00")
    synth.write_corpus(root / "corpus", [3], date="2023-01-01 00:30:00")  # 2022 in China
    result = synth.indexer(root / "corpus", "--index", root / "index", "--tz", "+09:00", "-q")
    assert result.returncode == 0, result.stderr
    return root / "index"


def test_hit_dates_are_in_the_index_zone(tokyo):
    ix = search.open_index(tokyo)
    hit = ix.search(synth.q(1)).hits[0]
    assert hit.date.utcoffset() == timedelta(hours=9)
    assert hit.date.date() == date(2022, 3, 1) and (hit.date.hour, hit.date.minute) == (0, 30)
    other = ix.search(synth.q(2)).hits[0]  # written with its own offset: shown in the index's
    assert other.date.isoformat() == "2022-03-02T21:00:00+09:00"
    assert ix.get(hit.id).date == hit.date


def test_day_filters_use_the_same_zone(tokyo):
    ix = search.open_index(tokyo)
    assert ix.search(synth.q(1), since="2022-03-01", until="2022-03-01").total == 1
    assert ix.search(synth.q(1), until="2022-02-28").total == 0
    for hit in ix.search("", since="2022-03-01", until="2022-03-01").hits:
        assert hit.date.date() == date(2022, 3, 1)


def test_years_are_counted_in_the_index_zone(tokyo):
    res = search.open_index(tokyo).search(synth.q(3))
    assert res.hits[0].date.year == 2023
    assert res.facets["years"] == {"2023": 1}
    assert [(p.period[:4], p.count) for p in res.timeline.periods] == [("2023", 1)]


def test_cli_and_api_print_the_index_zone(tokyo):
    out = subprocess.run([sys.executable, "-m", "search", "--index", str(tokyo), "--json",
                          synth.q(1)], cwd=synth.ROOT, env=synth.env(), capture_output=True,
                         text=True, timeout=60)
    assert json.loads(out.stdout)["hits"][0]["date"] == "2022-03-01T00:30:00+09:00"
    from webui import create_app

    api = create_app(index_dir=tokyo).test_client().get(f"/api/search?q={synth.q(1)}")
    assert api.get_json()["hits"][0]["date"] == "2022-03-01T00:30:00+09:00"


def test_the_default_zone_is_china_time(corpus_index):
    hit = corpus_index.search("北约").hits[0]
    assert hit.date.utcoffset() == timedelta(hours=8)
