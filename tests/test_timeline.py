"""Coverage over time: exact counts per period, on the library, the JSON API and the page."""
from __future__ import annotations

from collections import Counter
from datetime import date

import numpy as np
import pytest

from search.timeline import granularity_for, timeline_from_days

_FMT = {"year": "%Y", "month": "%Y-%m", "day": "%Y-%m-%d"}


def _every_hit(ix, q, **kw):
    res = ix.search(q, per_page=1000, highlight=False, **kw)
    assert res.total <= 1000
    return res


def _expected(res, granularity):
    return Counter(h.date.strftime(_FMT[granularity]) for h in res.hits if h.date)


@pytest.mark.parametrize("q,kw", [("中国", {}), ("", {}), ("的", {"categories": ["新媒体"]}),
                                  ("", {"since": "2022-01-01", "until": "2022-12-31"}),
                                  ("", {"since": "2022-05-01", "until": "2022-05-31"})])
def test_timeline_counts_every_match_once(any_corpus_index, q, kw):
    res = _every_hit(any_corpus_index, q, **kw)
    tl = res.timeline
    assert tl.granularity in ("year", "month", "day")
    got = {p.period: p.count for p in tl.periods}
    expected = _expected(res, tl.granularity)
    assert {k: v for k, v in got.items() if v} == expected
    assert sum(got.values()) + tl.undated == res.total
    # In date order, without gaps: every period between the first and the last is there.
    periods = [p.period for p in tl.periods]
    assert periods == sorted(periods)
    assert all(a.last.toordinal() + 1 == b.first.toordinal()
               for a, b in zip(tl.periods, tl.periods[1:]))


def test_a_date_filter_sets_the_axis_and_its_granularity(any_corpus_index):
    year = any_corpus_index.search("", since="2022-01-01", until="2022-12-31").timeline
    assert year.granularity == "month"
    assert [p.period for p in year.periods] == [f"2022-{m:02d}" for m in range(1, 13)]
    month = any_corpus_index.search("", since="2022-05-01", until="2022-05-31").timeline
    assert month.granularity == "day" and len(month.periods) == 31
    assert month.periods[0].first == date(2022, 5, 1)


def test_no_match_and_no_facets_give_an_empty_timeline(corpus_index):
    assert corpus_index.search("zzzqqqxxx").timeline.periods == []
    assert corpus_index.search("中国", facets=False).timeline.periods == []


def test_granularity_follows_the_span():
    assert granularity_for(0, 61) == "day"
    assert granularity_for(0, 62) == "month"
    assert granularity_for(0, 1094) == "month"
    assert granularity_for(0, 1095) == "year"


def test_periods_across_a_year_end():
    days = np.array([date(2021, 12, 31), date(2022, 1, 1), date(2022, 1, 1), date(2022, 2, 3)],
                    "datetime64[D]").astype(np.int64)
    tl = timeline_from_days(days)
    assert tl.granularity == "day" and len(tl.periods) == 35
    assert (tl.periods[0].period, tl.periods[0].count) == ("2021-12-31", 1)
    assert (tl.periods[1].period, tl.periods[1].count) == ("2022-01-01", 2)
    wide = timeline_from_days(np.r_[days, days[0] + 400])
    assert wide.granularity == "month"
    assert [(p.period, p.count) for p in wide.periods if p.count] == [
        ("2021-12", 1), ("2022-01", 2), ("2022-02", 1), ("2023-02", 1)]


@pytest.fixture(scope="module")
def client(corpus_index_dir):
    from webui import create_app

    return create_app(index_dir=corpus_index_dir).test_client()


def test_api_returns_the_series_in_date_order(client, corpus_index):
    data = client.get("/api/search?q=中国").get_json()
    tl = corpus_index.search("中国").timeline
    assert data["facets"]["timeline"] == [{"period": p.period, "count": p.count}
                                          for p in tl.periods]
    assert data["facets"]["timeline_granularity"] == tl.granularity
    assert sum(p["count"] for p in data["facets"]["timeline"]) + \
        data["facets"]["timeline_undated"] == data["total"]


def test_page_draws_bars_that_link_to_their_period(client):
    import re
    from html import unescape

    page = client.get("/?q=中国").get_data(as_text=True)
    assert '<svg class="timeline__chart"' in page and "<desc>" in page
    bars = re.findall(r'<a class="timeline__bar[^"]*" href="([^"]+)" aria-label="([^"]+)">'
                      r"<title>([^<]+)</title>", page)
    assert bars
    counted = [(url, int(re.search(r"：(\d+) 篇", label).group(1))) for url, label, _ in bars]
    url, count = max(counted, key=lambda b: b[1])
    assert count > 0
    filtered = client.get("/api" + unescape(url).replace("/?", "/search?", 1)).get_json()
    assert filtered["total"] == count
