"""Dates as readers in each region expect them: Babel's Indonesian (or English) format, in the zone of the
publisher (WIB, WITA or WIT), never the build machine's zone."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime

ZONE_ABBR = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


@lru_cache(maxsize=16)
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


@lru_cache(maxsize=16)
def _zone(tz: str) -> ZoneInfo:
    return ZoneInfo(tz)


def zone_label(tz: str, local: datetime) -> str:
    return ZONE_ABBR.get(tz) or local.strftime("%Z") or tz


def format_local(value: datetime, tz: str, lang: str) -> str:
    """``15 Januari 2025 10.30 WITA``: date and time in ``tz`` with the Indonesian zone abbreviation."""
    local = value.astimezone(_zone(tz))
    text = format_datetime(
        local, "d MMMM y HH.mm" if lang == "id" else "d MMMM y, HH:mm", locale=_locale(lang)
    )
    return f"{text} {zone_label(tz, local)}"


def format_day(value: datetime, tz: str, lang: str) -> str:
    return format_date(value.astimezone(_zone(tz)), "d MMMM y", locale=_locale(lang))


def format_calendar_day(value: date, lang: str) -> str:
    """A local calendar day (no zone: already the site's), e.g. a dashboard period's first and last day."""
    return format_date(value, "d MMMM y", locale=_locale(lang))


def format_month(year: int, month: int, lang: str) -> str:
    """``Januari 2025`` for archive headings."""
    return format_date(datetime(year, month, 1), "LLLL y", locale=_locale(lang))
