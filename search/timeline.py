"""Coverage over time: how many matching articles each year, month or day.

The counts are exact (a ``bincount`` over every matching document's period,
duplicates already folded into one document). Bars run without gaps from the
first to the last period (empty periods count 0), so the chart is a time axis;
their width follows the span shown: years, months under about three years,
days under about two months.
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

__all__ = ["Period", "Timeline", "granularity_for", "timeline_from_days", "timeline_of",
           "day_numbers", "GRANULARITIES"]

GRANULARITIES = ("year", "month", "day")
DAY_SPAN_MAX = 62      # days: under about two months, a bar per day
MONTH_SPAN_MAX = 1095  # days: under about three years, a bar per month
_EPOCH = date(1970, 1, 1)
_SECONDS_PER_DAY = 86400
_days_cache: dict = {}


@dataclass(frozen=True)
class Period:
    """One bar: its label (2022, 2022-03 or 2022-03-05), first and last day, and count."""

    period: str
    count: int
    first: date
    last: date


@dataclass
class Timeline:
    """Matching articles per period, in date order; ``undated`` ones are not in a bar."""

    granularity: str = "year"
    periods: list[Period] = field(default_factory=list)
    undated: int = 0

    def as_json(self) -> list[dict]:
        return [{"period": p.period, "count": p.count} for p in self.periods]

    @property
    def peak(self) -> int:
        return max((p.count for p in self.periods), default=0)


def granularity_for(first: int, last: int) -> str:
    """The bar width for a span of day numbers ``first``..``last``."""
    span = last - first
    if span < DAY_SPAN_MAX:
        return "day"
    return "month" if span < MONTH_SPAN_MAX else "year"


def day_numbers(ts: np.ndarray, offset_s: int) -> tuple[np.ndarray, np.ndarray]:
    """Each document's local day and month (since 1970-01-01 in the index's zone), cached.

    Computed once per generation's date array (the tables are shared and
    read-only) and forgotten with it.
    """
    key = (id(ts), offset_s)
    codes = _days_cache.get(key)
    if codes is None:
        days = np.floor_divide(ts + offset_s, _SECONDS_PER_DAY).astype(np.int32)
        codes = days, _months(days).astype(np.int32)
        _days_cache[key] = codes
        weakref.finalize(ts, _days_cache.pop, key, None)
    return codes


def _months(days: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of day numbers."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def _day(n: int) -> date:
    return _EPOCH + timedelta(days=int(n))


def _month_first(m: int) -> date:
    return date(1970 + m // 12, m % 12 + 1, 1)


def _bars(granularity: str, lo: int, hi: int) -> tuple[int, int]:
    """First and last period code (days, months or years) of the day span lo..hi."""
    if granularity == "day":
        return lo, hi
    first, last = _months(np.array([lo, hi]))
    return (int(first), int(last)) if granularity == "month" else \
        (int(first) // 12, int(last) // 12)


def _period(granularity: str, code: int, count: int) -> Period:
    if granularity == "day":
        d = _day(code)
        return Period(d.isoformat(), count, d, d)
    if granularity == "month":
        first = _month_first(code)
        last = _month_first(code + 1) - timedelta(days=1)
        return Period(first.strftime("%Y-%m"), count, first, last)
    year = 1970 + code
    return Period(f"{year:04d}", count, date(year, 1, 1), date(year, 12, 31))


def timeline_from_days(days: np.ndarray, undated: int = 0, lo: int | None = None,
                       hi: int | None = None, months: np.ndarray | None = None) -> Timeline:
    """The timeline of matches on these local day numbers, within an optional filter span.

    ``lo``/``hi`` (day numbers: the date filter, already limited to the days
    the archive covers) make the axis span what the filter asks for.
    """
    if not len(days):
        return Timeline(undated=undated)
    first, last = int(days.min()), int(days.max())
    start = first if lo is None else min(lo, first)
    end = last if hi is None else max(hi, last)
    granularity = granularity_for(start, end)
    c0, c1 = _bars(granularity, start, end)
    codes = days if granularity == "day" else _months(days) if months is None else months
    if granularity == "year":
        codes = codes // 12
    counts = np.bincount(codes - c0, minlength=c1 - c0 + 1)
    return Timeline(granularity, [_period(granularity, c0 + i, int(n))
                                  for i, n in enumerate(counts.tolist())], undated)


def timeline_of(docs: np.ndarray, ts: np.ndarray, has_date: np.ndarray, lo: int | None,
                hi: int | None, offset_s: int) -> Timeline:
    """The timeline of documents ``docs`` (dates ``ts``/``has_date`` by document number).

    ``lo``/``hi``: the date filter in epoch seconds (None: open), ``offset_s`` the
    index zone's offset from UTC.
    """
    days, months = day_numbers(ts, offset_s)
    dated = docs[has_date[docs]]
    mine = days[dated]
    span = _archive_span(days, has_date)
    if span is None:
        return Timeline(undated=len(docs))
    to_day = lambda s: (s + offset_s) // _SECONDS_PER_DAY  # noqa: E731
    lo_day = None if lo is None else min(max(to_day(lo), span[0]), span[1])
    hi_day = None if hi is None else max(min(to_day(hi), span[1]), span[0])
    return timeline_from_days(mine, len(docs) - len(mine), lo_day, hi_day, months[dated])


def _archive_span(days: np.ndarray, has_date: np.ndarray) -> tuple[int, int] | None:
    """First and last day any article of the generation is dated, cached with the days."""
    key = ("span", id(days))
    span = _days_cache.get(key)
    if span is None:
        dated = days[has_date]
        span = (int(dated.min()), int(dated.max())) if len(dated) else ()
        _days_cache[key] = span
        weakref.finalize(days, _days_cache.pop, key, None)
    return span or None
