"""Every date form found in the front matter -> an aware datetime."""
from __future__ import annotations

from datetime import date, datetime, time, tzinfo
from email.utils import parsedate_to_datetime

from search.schema import CHINA_TZ

__all__ = ["parse_date", "DEFAULT_TZ"]

# Feeds write local wall-clock time without a zone; for Chinese news that is
# China Standard Time.
DEFAULT_TZ: tzinfo = CHINA_TZ
_EXTRA_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y-%m-%d %H:%M",
                  "%Y年%m月%d日 %H:%M", "%Y年%m月%d日")


def _aware(dt: datetime, naive_tz: tzinfo) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=naive_tz)


def _from_text(text: str, naive_tz: tzinfo) -> datetime:
    text = text.strip()
    if not text:
        raise ValueError("empty date")
    if text[:3].isalpha():  # RFC 822: "Thu, 03 Feb 2022 11:02:11 GMT"
        try:
            return _aware(parsedate_to_datetime(text), naive_tz)
        except (TypeError, ValueError, IndexError):
            pass
    try:
        return _aware(datetime.fromisoformat(text.replace("Z", "+00:00")), naive_tz)
    except ValueError:
        pass
    for fmt in _EXTRA_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=naive_tz)
        except ValueError:
            continue
    raise ValueError(f"unrecognised date {text!r}")


def parse_date(value: object, naive_tz: tzinfo = DEFAULT_TZ) -> datetime:
    """An aware datetime for a front-matter date; ValueError saying why not."""
    if isinstance(value, datetime):
        dt = _aware(value, naive_tz)
    elif isinstance(value, date):
        dt = datetime.combine(value, time.min, naive_tz)
    elif isinstance(value, str):
        dt = _from_text(value, naive_tz)
    else:
        raise ValueError(f"not a date: {value!r}")
    if not 1 <= dt.year <= 9999 or dt.utcoffset() is None:
        raise ValueError(f"date out of range: {value!r}")
    return dt
