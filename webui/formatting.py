"""Dates and numbers as readers in China expect them; registered as Jinja filters."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import Flask

__all__ = ["CHINA_TZ", "cst", "iso", "register_filters"]

# News dates are shown in the index's zone (--tz, China time by default): the
# index returns them so, whatever the server's zone is.
CHINA_TZ = timezone(timedelta(hours=8), "CST")


def cst(value: datetime | None, with_time: bool = True) -> str:
    """``2022年5月18日 18:26`` in the date's own (the index's) zone; empty for no date."""
    if value is None:
        return ""
    local = _aware(value)
    text = f"{local.year}年{local.month}月{local.day}日"
    return f"{text} {local:%H:%M}" if with_time else text


def iso(value: datetime | None) -> str | None:
    """ISO 8601 with its offset (the index's zone), for <time> and JSON."""
    if value is None:
        return None
    return _aware(value).isoformat(timespec="seconds")


def _aware(value: datetime) -> datetime:
    # The index returns aware datetimes in its zone; a naive one is taken as China time.
    return value if value.tzinfo else value.replace(tzinfo=CHINA_TZ)


def register_filters(app: Flask) -> None:
    app.jinja_env.filters["cst"] = cst
    app.jinja_env.filters["iso"] = iso
