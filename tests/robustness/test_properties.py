"""Property-based tests (Hypothesis) of the pure functions hostile input flows through: URL canonicalization, date
parsing, entry identity, slug generation and the output writer's path check."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from hypothesis.provisional import urls as web_urls

from siman_hub.cli.opml import slug
from siman_hub.config.schema import SLUG
from siman_hub.publish.writer import Staging
from siman_hub.sources import dates, identity
from siman_hub.sources import urls as urlmod

WIB = ZoneInfo("Asia/Jakarta")
MONTHS_ID = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
             "November", "Desember"]  # fmt: skip
DAYS_ID = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]

hostile_text = st.text(st.characters(codec="utf-8"), max_size=200) | st.sampled_from(
    ["javascript:alert(1)", " JaVa\tScRiPt:x", "data:text/html,x", "//evil.example", "http://[::1", "http://a:b@",
     "https://x.go.id:99999/", "\x00", "http://%zz/", "..//..//etc/passwd", "file:///etc/passwd", "\u202ehttps://x"]
)  # fmt: skip
timestamps = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
)


# --- URLs -------------------------------------------------------------------------------------------------------


@given(hostile_text)
def test_canonical_never_raises_and_is_always_https_or_none(text: str) -> None:
    c = urlmod.canonical(text)
    assert c is None or c.startswith("https://")


@given(web_urls())
@example("http://M.M.A.COM/")
@example("https://m.www.example.go.id/berita")
def test_canonical_is_idempotent(url: str) -> None:
    c = urlmod.canonical(url)
    assume(c is not None)
    assert urlmod.canonical(c) == c


@given(
    web_urls(), st.sampled_from(["utm_source=x", "utm_medium=email&utm_campaign=y", "fbclid=abc", "gclid=1"])
)
def test_canonical_ignores_tracking_parameters(url: str, tracking: str) -> None:
    parts = urlsplit(url)
    assume(not parts.fragment)
    tracked = url + ("&" if parts.query else "?") + tracking
    assert urlmod.canonical(tracked) == urlmod.canonical(url)


@given(web_urls())
def test_canonical_ignores_scheme_and_host_case(url: str) -> None:
    parts = urlsplit(url)
    assume(parts.hostname and parts.hostname.isascii())
    flipped = parts._replace(scheme="http" if parts.scheme == "https" else "https",
                             netloc=parts.netloc.replace(parts.hostname, parts.hostname.upper()))  # fmt: skip
    assert urlmod.canonical(flipped.geturl()) == urlmod.canonical(url)


@given(hostile_text, st.sampled_from([None, "https://kemkes.go.id/berita/", "javascript:alert(1)//"]))
@example("jav&#x09;ascript:alert(1)", None)
@example("  javascript:alert(1)", "https://x.go.id/")
def test_resolve_only_yields_web_urls(href: str, base: str | None) -> None:
    out = urlmod.resolve(href, base)
    assert out is None or urlsplit(out).scheme in ("http", "https")


@given(web_urls())
def test_strip_tracking_keeps_everything_else(url: str) -> None:
    stripped = urlmod.strip_tracking(url)
    assert urlsplit(stripped).netloc == urlsplit(url).netloc
    assert urlsplit(stripped).path == urlsplit(url).path
    assert "utm_" not in urlsplit(stripped).query.lower()


# --- dates ------------------------------------------------------------------------------------------------------


@given(hostile_text, st.sampled_from(["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"]))
def test_parse_date_never_raises_and_is_aware_utc(text: str, tz: str) -> None:
    dt = dates.parse_date(text, tz)
    assert dt is None or dt.utcoffset() == timedelta(0)


@given(timestamps)
def test_rfc822_and_iso_round_trip(dt: datetime) -> None:
    dt = dt.replace(microsecond=0)
    assert dates.parse_date(format_datetime(dt)) == dt
    assert dates.parse_date(dt.isoformat()) == dt
    assert dates.parse_date(dt.astimezone(WIB).isoformat()) == dt


@given(timestamps, st.booleans(), st.sampled_from(["WIB", "", None]))
def test_indonesian_human_dates_read_in_publisher_time(
    dt: datetime, with_day: bool, zone: str | None
) -> None:
    local = dt.astimezone(WIB).replace(second=0, microsecond=0)
    day = f"{DAYS_ID[local.weekday()]}, " if with_day else ""
    suffix = "" if zone is None else f" {zone}".rstrip()
    text = f"{day}{local.day} {MONTHS_ID[local.month - 1]} {local.year} {local.hour:02d}:{local.minute:02d}{suffix}"
    assert dates.parse_date(text, "Asia/Jakarta") == local.astimezone(UTC), text


@given(timestamps, timestamps)
def test_clamp_future_never_after_the_fetch(a: datetime, now: datetime) -> None:
    out = dates.clamp_future(a, now)
    assert out is not None and out <= now and (out == a or a > now)


@given(hostile_text)
def test_date_from_url_is_a_real_day_or_none(text: str) -> None:
    dt = dates.date_from_url(text)
    assert dt is None or 2000 <= dt.astimezone(WIB).year <= 2099


# --- identity ---------------------------------------------------------------------------------------------------

fields = st.builds(
    identity.IdentityFields,
    guid=st.none() | st.sampled_from(["1", "", "same", "../../etc/passwd"]) | st.text(max_size=20),
    link=st.none() | st.sampled_from(["https://x.go.id/a", "https://x.go.id/b"]) | web_urls(),
    date=st.none() | st.sampled_from(["2026-11-16T03:00:00+00:00"]),
    title=st.text(max_size=30),
    content=st.text(max_size=60),
)


@given(st.lists(fields, max_size=40))
def test_identity_keys_are_total_deterministic_and_unique_per_distinct_entry(entries: list) -> None:
    mode = identity.choose_mode(entries)
    assert mode in identity.MODES
    keys = identity.assign_keys(entries, mode)
    assert len(keys) == len(entries) and all(keys)
    assert keys == identity.assign_keys(list(entries), mode)
    # two entries share a key only when they are the very same entry (then the repeat is dropped)
    first: dict[str, identity.IdentityFields] = {}
    for k, f in zip(keys, entries, strict=True):
        if k in first and first[k] != f:
            # same key, different fields: only possible if the content digest collides on identical content
            assert identity.key_for(first[k], "content") == identity.key_for(f, "content")
        first.setdefault(k, f)


@given(st.lists(fields, min_size=1, max_size=30, unique=True))
def test_identity_mode_never_climbs_back_from_a_stored_degraded_mode(entries: list) -> None:
    for stored in identity.MODES:
        mode = identity.choose_mode(entries, stored=stored)
        assert identity.MODES.index(mode) >= identity.MODES.index(stored)


# --- slugs and output paths -------------------------------------------------------------------------------------


@given(hostile_text)
@example("../../etc/passwd")
@example("Kementerian Kesehatan Republik Indonesia — Berita Terkini (RSS)")
@example("ـــ عربي ـــ")
def test_slug_is_a_valid_source_id_and_a_safe_path_segment(text: str) -> None:
    s = slug(text)
    assert re.match(SLUG, s), (text, s)
    assert "/" not in s and ".." not in s and s not in (".", "")


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=300)
@given(st.lists(st.sampled_from(["..", ".", "a", "/", "\\", "%2e%2e", "etc", "passwd", "", "~", "\x00b"]),
                max_size=8).map("/".join) | hostile_text)  # fmt: skip
@example("../../etc/passwd")
@example("/etc/passwd")
@example("a/../../b")
def test_writer_never_resolves_a_path_outside_the_output(tmp_path: Path, rel: str) -> None:
    staging = Staging(tmp_path / "public")
    try:
        target = staging.path(rel)
    except ValueError:
        return  # refused, as it should be for anything escaping
    finally:
        staging.abandon()
    assert target == staging.dir or staging.dir in target.parents, (rel, target)


@pytest.mark.parametrize("bad", ["../x", "../../etc/passwd", "/etc/passwd", "a/../../b"])
def test_writer_refuses_the_classic_escapes(tmp_path: Path, bad: str) -> None:
    staging = Staging(tmp_path / "public")
    try:
        with pytest.raises(ValueError, match="outside the output"):
            staging.write(bad, b"x")
    finally:
        staging.abandon()
    assert not (tmp_path / "etc").exists() and not (tmp_path / "x").exists()
