"""A source's health in one word, for ``siman-hub sources`` and the portal's health page. Pure.

- ``disabled``: off in feeds.yaml, or a feed answered 410 Gone (the reason says which and when);
- ``down``: the last attempt got no usable answer (connection error, timeout, HTTP 5xx/429, redirect loop);
- ``broken``: the server answered, but not with a feed we can read (4xx, HTML without a feed, unparsable body);
- ``stale``: fetches succeed but no new item for ``stale_days``;
- ``ok`` / ``never`` (not fetched yet).
A source with several feeds takes its worst feed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from ..models import FetchLog, SourceState

_ORDER = ("ok", "never", "stale", "broken", "down", "disabled")


def feed_health(st: SourceState | None, now: datetime, stale_days: int) -> tuple[str, str]:
    if st is None or st.last_fetch_at is None:
        return "never", ""
    if st.disabled_reason:
        return "disabled", st.disabled_reason
    if st.last_error:
        code = st.last_status
        if code is None or code >= 500 or code == 429:
            return "down", st.last_error
        return "broken", st.last_error
    since = st.last_new_item_at
    if since is None or now - since > timedelta(days=stale_days):
        return "stale", f"no new item since {since.date().isoformat() if since else 'ever'}"
    return "ok", ""


def source_health(enabled: bool, states: Iterable[SourceState | None], now: datetime, stale_days: int
                  ) -> tuple[str, str]:  # fmt: skip
    if not enabled:
        return "disabled", "enabled: false in feeds.yaml"
    worst = ("ok", "")
    for st in states:
        h = feed_health(st, now, stale_days)
        if _ORDER.index(h[0]) > _ORDER.index(worst[0]):
            worst = h
    return worst


def failing_since(logs: Iterable[FetchLog]) -> datetime | None:
    """Start of the current run of failed attempts, from a feed's fetch log newest first (None: not failing).

    The state keeps only the count of consecutive failures; the log keeps when each one happened."""
    since = None
    for log in logs:
        if log.error is None:
            break
        since = log.started_at
    return since


def health_since(status: str, st: SourceState | None, logs: Iterable[FetchLog]) -> datetime | None:
    """Since when a feed has had ``status``: its first failed attempt in a row when down, broken or disabled by
    a 410; its last new item when stale; None otherwise (ok, never fetched, or failures older than the log)."""
    if st is None:
        return None
    if status == "stale":
        return st.last_new_item_at
    if status in ("down", "broken", "disabled"):
        return failing_since(logs)
    return None
