"""Ingest through a real loopback HTTP server: every status, header and body shape the issue lists."""

from __future__ import annotations

import gzip
import itertools
import time
from datetime import timedelta

import brotli
from ingest.helpers import NOW, archive, config, items, rss, source
from support.feedserver import Reply, Request

from siman_hub.sources.fetch import Limits
from siman_hub.sources.ingest import fetch_sources


def run(cfg, arc, now=NOW, **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("force", True)
    return fetch_sources(cfg, arc, now=now, rand=lambda: 0.5, **kw)


def test_200_then_304_refreshes_validators(tmp_path, feed_server):
    body = rss(items(3))

    def handler(req: Request) -> Reply:
        if req.headers.get("if-none-match") == '"v1"':
            return Reply(304, b"", {"ETag": '"v1"', "Last-Modified": "Tue, 17 Nov 2026 01:00:00 GMT"})
        return Reply(200, body, {"ETag": '"v1"', "Last-Modified": "Mon, 16 Nov 2026 01:00:00 GMT"})

    feed_server.route("/feed", handler)
    cfg, arc = config(tmp_path, source("kemkes", feed_server.url("/feed"))), archive(tmp_path)
    [r1] = run(cfg, arc)
    assert (r1.status, r1.new, r1.error) == (200, 3, None)
    [r2] = run(cfg, arc, now=NOW + timedelta(hours=1))
    assert (r2.status, r2.new) == (304, 0)
    st = arc.get_source_state("kemkes")
    assert st.etag == '"v1"' and st.last_modified == "Tue, 17 Nov 2026 01:00:00 GMT"
    assert st.last_success_at == NOW + timedelta(hours=1)
    assert [log.status for log in arc.fetch_logs("kemkes")] == [304, 200]


def test_etag_rotation_on_identical_body_stores_every_new_validator(tmp_path, feed_server):
    """The classic reader bug: body unchanged, so the new ETag is never stored and every fetch is a full one."""
    body = rss(items(2))
    counter = itertools.count(1)

    def handler(req: Request) -> Reply:
        n = next(counter)
        if req.headers.get("if-none-match") == f'"e{n - 1}"' and n == 3:
            return Reply(304, b"", {"ETag": f'"e{n - 1}"'})
        return Reply(200, body, {"ETag": f'"e{n}"'})

    feed_server.route("/feed", handler)
    cfg, arc = config(tmp_path, source("bps", feed_server.url("/feed"))), archive(tmp_path)
    run(cfg, arc)
    assert arc.get_source_state("bps").etag == '"e1"'
    [r2] = run(cfg, arc)  # identical body, rotated ETag
    assert r2.status == 200 and r2.new == 0 and r2.updated == 0
    assert arc.get_source_state("bps").etag == '"e2"'
    [r3] = run(cfg, arc)
    assert feed_server.requests[-1].headers["if-none-match"] == '"e2"'
    assert r3.status == 304


def test_validators_dropped_by_the_server_are_forgotten(tmp_path, feed_server):
    replies = iter([Reply(200, rss(items(1)), {"ETag": '"x"'}), Reply(200, rss(items(1)), {})])
    feed_server.route("/feed", lambda _r: next(replies))
    cfg, arc = config(tmp_path, source("s", feed_server.url("/feed"))), archive(tmp_path)
    run(cfg, arc)
    run(cfg, arc)
    assert arc.get_source_state("s").etag is None


def test_429_retry_after_is_honoured_by_the_schedule(tmp_path, feed_server):
    feed_server.route("/feed", Reply(429, b"slow down", {"Retry-After": "7200"}))
    cfg, arc = config(tmp_path, source("s", feed_server.url("/feed"))), archive(tmp_path)
    [r] = run(cfg, arc)
    assert r.error == "HTTP 429"
    st = arc.get_source_state("s")
    assert st.retry_after_until == NOW + timedelta(seconds=7200)
    assert st.next_fetch_at >= NOW + timedelta(seconds=7200) and st.failures == 1
    assert run(cfg, arc, now=NOW + timedelta(hours=1), force=False) == []  # cron tick: not yet
    assert len(run(cfg, arc, now=NOW + timedelta(hours=2, seconds=1), force=False)) == 1


def test_503_then_backoff_grows_and_is_capped(tmp_path, feed_server):
    feed_server.route("/feed", Reply(500, b"oops"))
    cfg, arc = config(tmp_path, source("s", feed_server.url("/feed"), interval=30)), archive(tmp_path)
    waits = []
    for _ in range(8):
        run(cfg, arc)
        st = arc.get_source_state("s")
        waits.append(st.next_fetch_at - NOW)
    assert waits == sorted(waits) and waits[1] > waits[0]
    assert waits[-1] <= timedelta(days=1) and st.failures == 8


def test_410_disables_with_a_visible_reason(tmp_path, feed_server):
    feed_server.route("/feed", Reply(410, b"gone"))
    cfg, arc = config(tmp_path, source("s", feed_server.url("/feed"))), archive(tmp_path)
    [r] = run(cfg, arc)
    assert "410" in r.error
    assert "410 Gone" in arc.get_source_state("s").disabled_reason
    assert run(cfg, arc, now=NOW + timedelta(days=3), force=False) == []


def test_301_updates_the_stored_url_and_302_does_not(tmp_path, feed_server):
    feed_server.route("/old", Reply(301, b"", {"Location": "/new"}))
    feed_server.route("/new", Reply(200, rss(items(2))))
    feed_server.route("/tmp", Reply(302, b"", {"Location": "/elsewhere"}))
    feed_server.route("/elsewhere", Reply(200, rss(items(2, "b"))))
    cfg = config(tmp_path, source("moved", feed_server.url("/old")), source("temp", feed_server.url("/tmp")))
    arc = archive(tmp_path)
    reports = {r.source_id: r for r in run(cfg, arc)}
    assert reports["moved"].new == 2 and "permanent redirect" in reports["moved"].warning
    moved = arc.get_source_state("moved")
    assert moved.feed_url == feed_server.url("/new") and "/old -> " in moved.permanent_redirect
    assert arc.get_source_state("temp").feed_url is None and reports["temp"].new == 2
    feed_server.requests.clear()
    run(cfg, arc)
    assert sorted(r.path for r in feed_server.requests) == ["/elsewhere", "/new", "/tmp"]


def test_redirect_loop_ends_with_a_clear_error(tmp_path, feed_server):
    feed_server.route("/a", Reply(301, b"", {"Location": "/b"}))
    feed_server.route("/b", Reply(302, b"", {"Location": "/a"}))
    cfg, arc = config(tmp_path, source("s", feed_server.url("/a"))), archive(tmp_path)
    [r] = run(cfg, arc)
    assert r.error.startswith("redirect loop") and "/a" in r.error and "/b" in r.error
    assert arc.get_source_state("s").feed_url is None


def test_timeout_and_endless_body_are_bounded(tmp_path, feed_server):
    def endless():
        yield b'<?xml version="1.0"?><rss><channel>'
        while True:
            yield b"<item><title>x</title></item>" * 1000

    feed_server.route("/slow", Reply(200, rss(items(1)), delay=3))
    feed_server.route("/endless", Reply(200, endless(), {"Content-Type": "application/rss+xml"}))
    cfg = config(
        tmp_path, source("slow", feed_server.url("/slow")), source("endless", feed_server.url("/endless"))
    )
    arc = archive(tmp_path)
    t0 = time.monotonic()
    reports = {
        r.source_id: r for r in run(cfg, arc, limits=Limits(read_timeout=0.5, deadline=5, max_body=1 << 20))
    }
    assert time.monotonic() - t0 < 3
    assert reports["slow"].error.startswith("timeout")
    assert "larger than 1048576 bytes" in reports["endless"].error


def test_html_instead_of_feed_autodiscovers_and_reports(tmp_path, feed_server):
    page = b"""<!DOCTYPE html><html><head><title>Kemenkeu</title>
    <link rel="alternate" type="application/rss+xml" title="Berita" href="/berita/rss">
    </head><body>Beranda</body></html>"""
    feed_server.route("/", Reply(200, page, {"Content-Type": "text/html; charset=utf-8"}))
    feed_server.route("/berita/rss", Reply(200, rss(items(4))))
    feed_server.route(
        "/plain", Reply(200, b"<html><body>WAF says hi</body></html>", {"Content-Type": "text/html"})
    )
    cfg = config(tmp_path, source("kemenkeu", feed_server.url("/")), source("waf", feed_server.url("/plain")))
    arc = archive(tmp_path)
    reports = {r.source_id: r for r in run(cfg, arc)}
    assert reports["kemenkeu"].new == 4 and "HTML page instead of a feed" in reports["kemenkeu"].warning
    st = arc.get_source_state("kemenkeu")
    assert st.feed_url == feed_server.url("/berita/rss") and st.discovered_from
    assert reports["waf"].error == "HTML page instead of a feed; no feed advertised"


def test_compression_gzip_brotli_and_broken_gzip(tmp_path, feed_server):
    body = rss(items(2))
    feed_server.route("/gz", Reply(200, gzip.compress(body), {"Content-Encoding": "gzip"}))
    feed_server.route("/br", Reply(200, brotli.compress(body), {"Content-Encoding": "br"}))
    feed_server.route("/unasked", Reply(200, gzip.compress(body)))  # gzip bytes, no header
    feed_server.route("/broken", Reply(200, b"\x1f\x8bnot really gzip at all", {"Content-Encoding": "gzip"}))
    names = ("gz", "br", "unasked", "broken")
    cfg, arc = config(tmp_path, *(source(n, feed_server.url(f"/{n}")) for n in names)), archive(tmp_path)
    reports = {r.source_id: r for r in run(cfg, arc)}
    assert [reports[n].new for n in names[:3]] == [2, 2, 2]
    assert reports["broken"].error.startswith("broken body: cannot decompress")


def test_403_falls_back_to_a_browser_user_agent_and_remembers(tmp_path, feed_server):
    def waf(req: Request) -> Reply:
        if req.headers.get("user-agent", "").startswith("Mozilla/"):
            return Reply(200, rss(items(1)))
        return Reply(403, b"forbidden")

    feed_server.route("/feed", waf)
    cfg, arc = config(tmp_path, source("presiden", feed_server.url("/feed"))), archive(tmp_path)
    [r] = run(cfg, arc)
    assert r.new == 1 and "browser-like" in r.warning
    assert arc.get_source_state("presiden").ua_fallback
    feed_server.requests.clear()
    run(cfg, arc)
    assert len(feed_server.requests) == 1 and feed_server.requests[0].headers["user-agent"].startswith(
        "Mozilla/"
    )


def test_cache_control_max_age_delays_the_next_fetch(tmp_path, feed_server):
    feed_server.route("/feed", Reply(200, rss(items(1)), {"Cache-Control": "public, max-age=10800"}))
    cfg, arc = config(tmp_path, source("s", feed_server.url("/feed"), interval=30)), archive(tmp_path)
    run(cfg, arc)
    assert arc.get_source_state("s").next_fetch_at == NOW + timedelta(hours=3)


def test_wrong_encoding_is_decoded_sensibly(tmp_path, feed_server):
    latin = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>Kafé Rp 5.000</title>'
    )
    latin += "<link>https://x.go.id/k</link></item></channel></rss>"
    feed_server.route(
        "/feed", Reply(200, latin.encode("latin-1"), {"Content-Type": "text/xml; charset=utf-8"})
    )
    cfg, arc = config(tmp_path, source("s", feed_server.url("/feed"))), archive(tmp_path)
    [r] = run(cfg, arc)
    assert r.new == 1
    [item] = arc.iter_items()
    assert item.title == "Kafé Rp 5.000"


def test_indonesian_and_future_dates_and_gpr_widget(tmp_path, feed_server):
    feed_server.route("/id", Reply(200, rss([
        {"title": "A", "link": "https://x.go.id/a", "guid": "a", "pubDate": "Senin, 16 November 2026 10:00 WIB"},
        {"title": "B", "link": "https://x.go.id/b", "guid": "b", "pubDate": "17 Nov 2026 08.30 WITA"},
        {"title": "C", "link": "https://x.go.id/c", "guid": "c", "pubDate": "Mon, 01 Jan 2099 00:00:00 +0000"},
    ])))  # fmt: skip
    feed_server.route("/gpr", Reply(200, rss([
        {"title": "G", "link": "https://x.go.id/g", "pubDate": "26 Feb 2020 10:34",
         "dateOrigin": "Wed, 26 Feb 2020 10:34:42 +0700"},
    ], channel=False)))  # fmt: skip
    cfg = config(tmp_path, source("id", feed_server.url("/id")), source("gpr", feed_server.url("/gpr")))
    arc = archive(tmp_path)
    run(cfg, arc)
    got = {i.title: i.published.isoformat() for i in arc.iter_items()}
    assert got["A"] == "2026-11-16T03:00:00+00:00"
    assert got["B"] == "2026-11-17T00:30:00+00:00"
    assert got["C"] == NOW.isoformat()  # future → clamped to fetch time
    assert got["G"] == "2020-02-26T03:34:42+00:00"


def test_duplicate_guids_degrade_identity_and_sources_do_not_collide(tmp_path, feed_server):
    same = [dict(it, guid="1") for it in items(5)]
    feed_server.route("/a", Reply(200, rss(same)))
    feed_server.route("/b", Reply(200, rss([dict(it, guid="1") for it in items(1, "z")])))
    cfg, arc = (
        config(tmp_path, source("a", feed_server.url("/a")), source("b", feed_server.url("/b"))),
        archive(tmp_path),
    )
    reports = {r.source_id: r for r in run(cfg, arc)}
    assert reports["a"].new == 5 and reports["b"].new == 1
    st = arc.get_source_state("a")
    assert st.identity_mode == "link" and "guid: 80% of 5 ids empty or repeated" in st.identity_note
    assert arc.get_source_state("b").identity_mode == "guid"
    [again] = run(cfg, arc, only=["a"])  # the same body again: nothing new, nothing duplicated
    assert again.new == 0 and again.error is None
    assert arc.count_items("a") == 5


def test_identity_override_from_feeds_yaml_wins(tmp_path, feed_server):
    feed_server.route("/a", Reply(200, rss(items(3))))
    cfg, arc = config(tmp_path, source("a", feed_server.url("/a"), identity="content")), archive(tmp_path)
    run(cfg, arc)
    assert arc.get_source_state("a").identity_mode == "content"
    assert all(i.key.startswith("c:") for i in arc.iter_items())


def test_entity_bomb_is_refused_fast(tmp_path, feed_server):
    bomb = b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
    bomb += b"".join(b'<!ENTITY a%d "&a%d;&a%d;&a%d;&a%d;&a%d;">' % (i + 1, i, i, i, i, i) for i in range(30))
    bomb += b']><rss version="2.0"><channel><title>&a30;</title></channel></rss>'
    xxe = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss><channel>'
    xxe += b"<item><title>&x;</title></item></channel></rss>"
    feed_server.route("/bomb", Reply(200, bomb))
    feed_server.route("/xxe", Reply(200, xxe))
    cfg = config(tmp_path, source("bomb", feed_server.url("/bomb")), source("xxe", feed_server.url("/xxe")))
    arc = archive(tmp_path)
    t0 = time.monotonic()
    reports = run(cfg, arc)
    assert time.monotonic() - t0 < 2
    assert all("entity" in r.error for r in reports)
    assert arc.count_items() == 0


def test_schedule_skips_until_due_and_file_urls_fetch_on_first_run(tmp_path):
    (tmp_path / "f.xml").write_bytes(rss(items(2)))
    cfg, arc = config(tmp_path, source("demo", (tmp_path / "f.xml").as_uri(), interval=30)), archive(tmp_path)
    [r] = fetch_sources(cfg, arc, now=NOW, rand=lambda: 0.5)  # cron, first run: due
    assert r.new == 2
    assert fetch_sources(cfg, arc, now=NOW + timedelta(minutes=10)) == []  # cron tick: not due
    assert len(fetch_sources(cfg, arc, ["demo"], now=NOW + timedelta(minutes=10), rand=lambda: 0.5)) == 1
    assert fetch_sources(cfg, arc, now=NOW + timedelta(minutes=38)) == []  # due 30 min after the forced fetch
    assert len(fetch_sources(cfg, arc, now=NOW + timedelta(minutes=41))) == 1
