"""The pure parts of ingest: dates, URLs, identity, sort dates, schedule, discovery, health."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from ingest.helpers import NOW

from siman_hub.models import Entry, SourceState
from siman_hub.sources import dates, decide, discover, health, identity, schedule, urls


@pytest.mark.parametrize(
    ("text", "tz", "expected"),
    [
        ("Senin, 15 Januari 2019 10:00 WIB", "Asia/Jakarta", "2019-01-15T03:00:00+00:00"),
        ("15 Januari 2019 10:00 WITA", "Asia/Jakarta", "2019-01-15T02:00:00+00:00"),
        ("Jumat, 15 Maret 2024 18.30 WIT", "Asia/Jakarta", "2024-03-15T09:30:00+00:00"),
        ("15 Agustus 2024 18.30.30", "Asia/Makassar", "2024-08-15T10:30:30+00:00"),
        ("26 Feb 2020 10:34", "Asia/Jakarta", "2020-02-26T03:34:00+00:00"),  # zone-less = local
        ("Wed, 26 Feb 2020 10:34:42 +0700", "Asia/Jayapura", "2020-02-26T03:34:42+00:00"),
        ("2026-11-12T10:00:00Z", "Asia/Jakarta", "2026-11-12T10:00:00+00:00"),
        ("2026-11-12 10:00:00", "Asia/Jakarta", "2026-11-12T03:00:00+00:00"),
        ("Tue, 10 Jun 2003 04:00:00 -0000", "Asia/Jakarta", "2003-06-09T21:00:00+00:00"),
    ],
)
def test_dates_as_government_sites_write_them(text: str, tz: str, expected: str) -> None:
    assert dates.parse_date(text, tz).isoformat() == expected


@pytest.mark.parametrize("text", ["", "kemarin", "31 Februari 2024 10:00", "32 Jan 2024"])
def test_untrustworthy_dates_are_none(text: str) -> None:
    assert dates.parse_date(text) is None


def test_date_from_url_and_future_clamp() -> None:
    assert dates.date_from_url("https://x.go.id/2026/11/12/berita").isoformat() == "2026-11-11T17:00:00+00:00"
    assert dates.date_from_url("https://x.go.id/berita/123") is None
    assert dates.clamp_future(NOW + timedelta(days=400), NOW) == NOW


def test_urls_resolve_and_strip_tracking_for_identity_only() -> None:
    assert urls.resolve("../b?x=1", "https://x.go.id/a/c/") == "https://x.go.id/a/b?x=1"
    assert urls.resolve("javascript:alert(1)", "https://x.go.id/") is None
    assert urls.resolve("data:text/html,hi", "https://x.go.id/") is None
    assert urls.strip_tracking("https://x.go.id/a?id=3&utm_source=rss&fbclid=z") == "https://x.go.id/a?id=3"
    assert urls.canonical("http://www.x.go.id/a/?utm_medium=x") == urls.canonical("https://x.go.id/a")


def fields(guid: str | None, link: str | None, title: str = "t") -> identity.IdentityFields:
    return identity.IdentityFields(guid, link, "2026-01-01", title, "c")


def test_identity_degrades_past_five_percent_and_is_sticky_and_overridable() -> None:
    good = [fields(f"g{i}", f"https://x/{i}") for i in range(40)]
    assert identity.choose_mode_noted(good) == ("guid", None)
    one_bad = [*good[:-1], fields("g0", "https://x/39")]  # 1 of 40 = 2.5% repeated: tolerated
    assert identity.choose_mode(one_bad) == "guid"
    constant = [fields("1", f"https://x/{i}") for i in range(40)]
    mode, note = identity.choose_mode_noted(constant)
    assert mode == "link" and note.startswith("guid: 98% of 40")
    assert identity.choose_mode(good, stored="link") == "link"  # never climbs back on its own
    assert identity.choose_mode(constant, configured="guid") == "guid"
    keys = identity.assign_keys(constant, "guid")
    assert len(set(keys)) == 40  # repeats within the mode fall back to content keys


def entry(published: datetime | None) -> Entry:
    return Entry(key="k", title="t", published=published)


def test_backlog_sorts_by_own_dates_and_late_items_by_first_seen() -> None:
    old, fresh, undated = entry(NOW - timedelta(days=3)), entry(NOW - timedelta(hours=2)), entry(None)
    decide.assign_sort_dates([old, fresh, undated], NOW, backlog=True)
    assert (old.sort_date, fresh.sort_date, undated.sort_date) == (
        old.published,
        fresh.published,
        old.published,
    )
    late, ancient, ontime = entry(NOW - timedelta(days=3)), entry(NOW - timedelta(days=60)), entry(NOW)
    decide.assign_sort_dates([late, ancient, ontime], NOW, backlog=False)
    assert late.sort_date == NOW and ancient.sort_date == ancient.published and ontime.sort_date == NOW


def test_schedule_hints_backoff_and_jitter() -> None:
    assert schedule.retry_after("120", NOW) == NOW + timedelta(seconds=120)
    assert schedule.retry_after("Fri, 20 Nov 2026 05:00:00 GMT", NOW) == datetime(2026, 11, 20, 5, tzinfo=UTC)
    assert schedule.retry_after("999999999", NOW) == NOW + timedelta(days=1)
    assert schedule.retry_after("soon", NOW) is None
    assert schedule.cache_until({"cache-control": "max-age=600"}, NOW) == NOW + timedelta(minutes=10)
    assert schedule.cache_until({"cache-control": "no-cache", "expires": "x"}, NOW) is None
    assert schedule.cache_until({"expires": "0"}, NOW) is None
    lo, hi = (schedule.next_after_success(NOW, 30, r) for r in (0.0, 1.0))
    assert lo == NOW + timedelta(minutes=27) and hi == NOW + timedelta(minutes=33)
    waits = [schedule.backoff(n, 30, 1.0) for n in range(1, 12)]
    assert waits[0] == timedelta(minutes=30) and waits[1] == timedelta(minutes=60)
    assert max(waits) == timedelta(days=1)
    assert schedule.backoff(3, 30, 0.0) == timedelta(minutes=60)  # equal jitter: at least half
    assert schedule.is_due(None, NOW) and not schedule.is_due(NOW + timedelta(1), NOW)
    assert schedule.is_due(NOW + timedelta(1), NOW, force=True)


def test_discovery_reads_alternate_links_and_demotes_comment_feeds() -> None:
    page = b"""<html><head><base href="https://x.go.id/sub/">
    <link rel="alternate" type="application/rss+xml" title="Komentar" href="/comments/feed/">
    <link rel="alternate" type="application/rss+xml" title="Berita" href="feed/">
    <link rel="stylesheet" href="s.css"><link rel="alternate" type="text/html" href="/en/">
    </head></html>"""
    found = discover.feed_links(page, "https://x.go.id/")
    assert [f.url for f in found] == ["https://x.go.id/sub/feed/", "https://x.go.id/comments/feed/"]
    assert discover.looks_like_html(page) and not discover.looks_like_html(b"<?xml version='1.0'?><rss/>")


def test_health_words() -> None:
    st = SourceState("s", last_fetch_at=NOW, last_new_item_at=NOW - timedelta(days=20))
    assert health.feed_health(st, NOW, 14)[0] == "stale"
    st.last_new_item_at = NOW
    assert health.feed_health(st, NOW, 14) == ("ok", "")
    st.last_error, st.last_status = "timeout", None
    assert health.feed_health(st, NOW, 14)[0] == "down"
    st.last_error, st.last_status = "HTML page instead of a feed", 200
    assert health.feed_health(st, NOW, 14)[0] == "broken"
    st.disabled_reason = "410 Gone"
    assert health.source_health(True, [st, None], NOW, 14) == ("disabled", "410 Gone")
    assert health.source_health(False, [], NOW, 14)[0] == "disabled"
