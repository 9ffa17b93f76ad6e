"""When to ask a feed again: per-source interval with jitter, server hints, and backoff for failing sources.

Pure functions of (state, headers, now, a random number): cron calls ``siman-hub run`` every few minutes, and
these decide which feeds are due, so one place holds every politeness rule and tests need no clock or network.

Rules
- A feed is due when it has never been fetched, or ``now >= next_fetch_at``; ``force`` (``fetch --source``)
  ignores the schedule.
- After a success the next fetch is ``interval`` ± 10% jitter later (jitter spreads hundreds of feeds that share
  an interval so they do not all fire on the same cron tick), but never before the server's Cache-Control
  max-age / Expires or Retry-After says; server hints are capped at one day so a bad header cannot silence a
  source for a year.
- After a failure the wait doubles per consecutive failure (interval · 2^(n-1)), with "equal jitter" (half fixed,
  half random), capped at about a day.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

MAX_WAIT = timedelta(days=1)
JITTER = 0.10


def _http_date(value: str) -> datetime | None:
    try:
        dt = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if dt is None:
        return None
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(UTC)


def retry_after(value: str | None, now: datetime) -> datetime | None:
    """``Retry-After`` as an absolute time (seconds or an HTTP date), capped at a day; None if absent/garbage."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return now + min(timedelta(seconds=int(value)), MAX_WAIT)
    when = _http_date(value)
    if when is None:
        return None
    return min(max(when, now), now + MAX_WAIT)


def cache_until(headers: dict[str, str], now: datetime) -> datetime | None:
    """Freshness lifetime from Cache-Control ``max-age`` (wins) or ``Expires``; None when the server gives none.

    ``no-cache``/``no-store`` give no lifetime (we then simply follow our own interval).
    """
    cc = headers.get("cache-control", "").lower()
    directives = {}
    for part in cc.split(","):
        name, _, arg = part.strip().partition("=")
        directives[name.strip()] = arg.strip().strip('"')
    if "no-store" in directives or "no-cache" in directives:
        return None
    if "max-age" in directives:
        try:
            seconds = int(directives["max-age"])
        except ValueError:
            return None
        return now + min(timedelta(seconds=max(seconds, 0)), MAX_WAIT)
    expires = headers.get("expires")
    if expires:
        when = _http_date(expires)
        if when is None:  # "Expires: 0" and friends mean "already expired"
            return None
        return min(max(when, now), now + MAX_WAIT)
    return None


def is_due(next_fetch_at: datetime | None, now: datetime, *, force: bool = False) -> bool:
    return force or next_fetch_at is None or now >= next_fetch_at


def next_after_success(
    now: datetime, interval_minutes: int, rand: float, *hints: datetime | None
) -> datetime:
    """``interval`` ± 10% from now, pushed later by any server hint (cache lifetime, Retry-After)."""
    base = timedelta(minutes=interval_minutes)
    when = now + base * (1 + JITTER * (2 * rand - 1))
    for hint in hints:
        if hint is not None and hint > when:
            when = hint
    return when


def backoff(failures: int, interval_minutes: int, rand: float) -> timedelta:
    """Wait after ``failures`` consecutive failures: exponential, equal jitter, capped at about a day."""
    n = max(failures, 1)
    raw = timedelta(minutes=interval_minutes) * (2 ** min(n - 1, 20))
    raw = min(raw, MAX_WAIT)
    return raw / 2 + (raw / 2) * rand


def next_after_failure(
    now: datetime, failures: int, interval_minutes: int, rand: float, retry_at: datetime | None = None
) -> datetime:
    when = now + backoff(failures, interval_minutes, rand)
    if retry_at is not None and retry_at > when:
        when = retry_at
    return when
