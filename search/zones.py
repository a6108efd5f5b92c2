"""The index's time zone: the one --tz named, in which every date is given and read."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from .schema import CHINA_TZ

__all__ = ["index_zone", "in_zone", "zone_named"]

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
