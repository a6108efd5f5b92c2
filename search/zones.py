"""The index's time zone: the one --tz named, in which every date is given and read."""
from __future__ import annotations

import re
from datetime import date as date_cls, datetime, time as time_cls, timedelta, timezone, tzinfo

from .errors import QueryError
from .schema import CHINA_TZ

__all__ = ["index_zone", "in_zone", "zone_named", "date_bounds"]

_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")


def zone_named(name) -> timezone | None:
    """'+09:00' (as the manifest and meta write it) -> that zone; None for anything else."""
    m = _OFFSET.fullmatch(str(name or ""))
    if not m:
        return None
    minutes = int(m.group(2)) * 60 + int(m.group(3))
    offset = timedelta(minutes=-minutes if m.group(1) == "-" else minutes)
    return CHINA_TZ if offset == CHINA_TZ.utcoffset(None) else timezone(offset)


def index_zone(meta: dict) -> timezone:
    """The zone named in an index's meta; China time for indexes that name none."""
    return zone_named(meta.get("tz")) or CHINA_TZ


def in_zone(stored: str | None, zone: timezone) -> datetime | None:
    """A stored ISO date as an aware datetime in ``zone``; None for none."""
    if not stored:
        return None
    dt = datetime.fromisoformat(stored)
    return (dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)).astimezone(zone)


def _as_utc(value, name: str, end: bool, zone=CHINA_TZ) -> int | None:
    """Epoch seconds for a since/until bound; a bare date covers its whole day (index zone)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value or " " in value \
                else date_cls.fromisoformat(value)
        except ValueError:
            raise QueryError(f"{name}: not a date: {value!r} (expected YYYY-MM-DD)",
                             name) from None
    if isinstance(value, datetime):
        dt = value if value.tzinfo else value.replace(tzinfo=zone)
    elif isinstance(value, date_cls):
        dt = datetime.combine(value, time_cls.max if end else time_cls.min, zone)
    else:
        raise QueryError(f"{name}: expected a date or datetime, got {type(value).__name__}",
                         name)
    return int(dt.timestamp())


def date_bounds(since, until, zone: tzinfo = CHINA_TZ) -> tuple[int | None, int | None]:
    """Epoch seconds of a since/until filter (None: open), given in ``zone``."""
    lo, hi = _as_utc(since, "since", False, zone), _as_utc(until, "until", True, zone)
    if lo is not None and hi is not None and lo > hi:
        raise QueryError("since: must not be later than until", "since")
    return lo, hi
