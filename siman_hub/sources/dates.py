"""Dates as Indonesian government sites really write them.

feedparser reads "WIB" as UTC (seven hours wrong), returns nothing for "Senin, 15 Januari 2019", and treats a
zone-less "26 Feb 2020 10:34" as UTC. Here a date without a zone, or with WIB/WITA/WIT, is read in the
publisher's own time zone, and Indonesian day and month names are understood.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

_MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "pebruari": 2, "feb": 2, "peb": 2, "maret": 3, "mar": 3, "april": 4,
    "apr": 4, "mei": 5, "may": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "agustus": 8, "agu": 8, "agt": 8,
    "ags": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "oct": 10,
    "november": 11, "nov": 11, "nopember": 11, "nop": 11, "desember": 12, "des": 12, "dec": 12,
    "january": 1, "february": 2, "march": 3, "june": 6, "july": 7, "august": 8, "october": 10, "december": 12,
}  # fmt: skip
_ZONES = {"WIB": 7, "WITA": 8, "WIT": 9, "UTC": 0, "GMT": 0, "Z": 0, "UT": 0}
_DAY_NAMES = r"(?:senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu|ahad|mon|tue|wed|thu|fri|sat|sun)[a-z]*"

_HUMAN = re.compile(
    rf"^\s*(?:{_DAY_NAMES}\s*,?\s*)?(?P<d>\d{{1,2}})[\s\-/]+(?P<m>[a-z]+)\.?[\s\-/]+(?P<y>\d{{4}})"
    r"(?:\s*[,|/-]?\s*(?:pukul\s*)?(?P<H>\d{1,2})[:.](?P<M>\d{2})(?:[:.](?P<S>\d{2}))?)?"
    r"\s*(?P<z>WIB|WITA|WIT|UTC|GMT|Z|[+-]\d{2}:?\d{2})?\s*$",
    re.IGNORECASE,
)
_URL_DATE = re.compile(r"(?<!\d)(20\d{2})[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])(?!\d)")


def _offset(zone: str | None) -> timedelta | None:
    if not zone:
        return None
    z = zone.upper()
    if z in _ZONES:
        return timedelta(hours=_ZONES[z])
    sign = -1 if z[0] == "-" else 1
    digits = z[1:].replace(":", "")
    return sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4]))


def parse_date(text: str | None, tz: str = "Asia/Jakarta") -> datetime | None:
    """An aware UTC datetime for ``text``, or None if it is not a date we can trust."""
    if not text:
        return None
    if type(text) is str:  # memoized: an entry's published and updated are usually the same string
        return _parse_date_str(text, tz)
    return _parse_date(text, tz)


@lru_cache(maxsize=256)
def _parse_date_str(text: str, tz: str) -> datetime | None:
    return _parse_date(text, tz)


def _parse_date(text: str, tz: str) -> datetime | None:
    s = " ".join(str(text).split())
    if not s:
        return None
    local = ZoneInfo(tz)
    # ISO 8601 / RFC 3339 (also "2026-11-12 10:00:00" zone-less)
    iso = s.replace(" WIB", "+07:00").replace(" WITA", "+08:00").replace(" WIT", "+09:00")
    try:
        dt = datetime.fromisoformat(iso.replace("Z", "+00:00") if iso.endswith("Z") else iso)
        return _aware(dt, local)
    except ValueError:
        pass
    m = _HUMAN.match(s)
    if m:
        month = _MONTHS.get(m["m"].lower())
        if month:
            try:
                dt = datetime(
                    int(m["y"]), month, int(m["d"]), int(m["H"] or 0), int(m["M"] or 0), int(m["S"] or 0)
                )
            except ValueError:
                return None
            off = None if m["z"] == "-0000" else _offset(m["z"])  # RFC 5322 "-0000": zone unknown → local
            if off is None:
                return dt.replace(tzinfo=local).astimezone(UTC)
            return (dt - off).replace(tzinfo=UTC)
    try:
        dt = parsedate_to_datetime(s)
    except (TypeError, ValueError, IndexError):
        return None
    if dt is None:
        return None
    if dt.tzinfo is None or re.search(r"-0000\s*$", s):
        # RFC 822 "-0000" means "zone unknown": read as the publisher's local time
        return dt.replace(tzinfo=local).astimezone(UTC)
    return dt.astimezone(UTC)


def _aware(dt: datetime, local: ZoneInfo) -> datetime:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=local)
    return dt.astimezone(UTC)


def date_from_url(url: str | None, tz: str = "Asia/Jakarta") -> datetime | None:
    """A date written in a URL path (``/2026/11/12/`` or ``/20261112/``), at local midnight."""
    if not url:
        return None
    m = _URL_DATE.search(url)
    if not m:
        return None
    try:
        return datetime(int(m[1]), int(m[2]), int(m[3]), tzinfo=ZoneInfo(tz)).astimezone(UTC)
    except ValueError:
        return None


def clamp_future(dt: datetime | None, now: datetime) -> datetime | None:
    """A date after the fetch is a CMS clock or zone error: treat it as 'now'."""
    if dt is None:
        return None
    return min(dt, now)
