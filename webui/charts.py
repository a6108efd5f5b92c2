"""The coverage-over-time chart: bar geometry for an inline SVG drawn by the server.

The template only places what is computed here, so the chart needs no script
and no chart library, and every bar is a plain link to its period.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from search.timeline import Timeline

from .links import search_url
from .params import SearchParams

__all__ = ["Bar", "Chart", "timeline_chart", "GRANULARITY_LABELS"]

GRANULARITY_LABELS = {"year": "年", "month": "月", "day": "日"}
WIDTH, HEIGHT = 600, 96  # viewBox units; the SVG scales to its box
# On a phone the chart scrolls sideways at this width a bar (so each is a 44 px target).
PHONE_SLOT_PX = 52
_GAP = 0.15  # share of a bar's slot left empty between bars


@dataclass(frozen=True)
class Bar:
    """One bar: where it is drawn, what it says and where it leads."""

    x: float
    y: float
    width: float
    height: float
    label: str    # "2022-03：12 篇" (the bar's title and accessible name)
    url: str
    current: bool  # the period the date filter already selects


@dataclass
class Chart:
    """What the template draws: bars, axis labels and a text alternative."""

    granularity: str
    bars: list[Bar] = field(default_factory=list)
    first: str = ""
    last: str = ""
    peak: int = 0
    summary: str = ""
    width: int = WIDTH
    height: int = HEIGHT
    phone_width: int = WIDTH  # px: the SVG's own width, used where it may scroll


def _period_label(period: str, granularity: str) -> str:
    if granularity == "year":
        return f"{period} 年"
    if granularity == "month":
        y, m = period.split("-")
        return f"{y} 年 {int(m)} 月"
    y, m, d = period.split("-")
    return f"{y} 年 {int(m)} 月 {int(d)} 日"


def timeline_chart(timeline: Timeline, params: SearchParams) -> Chart | None:
    """The chart of a result page's timeline; None when no match has a date."""
    periods = timeline.periods
    if not periods or not timeline.peak:
        return None
    slot = WIDTH / len(periods)
    peak = timeline.peak
    bars = []
    for i, p in enumerate(periods):
        height = (HEIGHT - 2) * p.count / peak
        if p.count and height < 1.5:
            height = 1.5  # a period with matches stays visible beside a tall peak
        since, until = p.first.isoformat(), p.last.isoformat()
        current = params.since == since and params.until == until
        label = f"{_period_label(p.period, timeline.granularity)}：{p.count} 篇"
        bars.append(Bar(round(i * slot + slot * _GAP / 2, 2), round(HEIGHT - height, 2),
                        round(max(slot * (1 - _GAP), 0.5), 2), round(height, 2), label,
                        search_url(params, since=since, until=until), current))
    unit = GRANULARITY_LABELS[timeline.granularity]
    busiest = max(periods, key=lambda p: p.count)
    summary = (f"按{unit}统计的匹配文章数，从 {_period_label(periods[0].period, timeline.granularity)}"
               f"到 {_period_label(periods[-1].period, timeline.granularity)}，"
               f"最多的是 {_period_label(busiest.period, timeline.granularity)}（{busiest.count} 篇）")
    if timeline.undated:
        summary += f"；另有 {timeline.undated} 篇没有日期"
    return Chart(timeline.granularity, bars, periods[0].period, periods[-1].period, peak,
                 summary + "。", phone_width=max(320, len(periods) * PHONE_SLOT_PX))
