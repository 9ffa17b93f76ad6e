"""``siman-hub migrate-archive``: SQLite → PostgreSQL → SQLite keeps every row, id and byte."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from siman_hub.archive import Archive, open_archive
from siman_hub.archive.copy import CopyError, copy_archive
from siman_hub.cli import main
from siman_hub.models import Entry, FeedRevision, FetchLog, SourceState, Tag
from siman_hub.sources.decide import decide

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def _fill(a: Archive) -> None:
    """A bit of everything, including what the protocol never reads back (raw) and awkward text."""
    for src, n in (("kemkes", 30), ("kota-makassar", 7)):
        entries = [Entry(key=f"g:{i}", title=f"Berita “{src}” {i} — ✓", url=f"https://x.go.id/{i}",
                         content=f"<p>isi {i}</p>", content_hash=f"h{i}", published=NOW - timedelta(hours=i),
                         categories=["Kesehatan", "Gizi"], raw={"guid": i, "tags": ["ä", "😀"]})
                   for i in range(n)]  # fmt: skip
        a.apply_changes(src, decide(a.stored_hashes(src), entries), NOW)
        a.put_source_state(
            SourceState(src, feed_url="https://x.go.id/rss", last_fetch_at=NOW, ua_fallback=True)
        )
        a.record_fetch(FetchLog(src, NOW, 120, 200, 5000, n, 0, None, "https://x.go.id/rss"))
    ids = [i.id for i in a.iter_items()]
    a.put_clusters({i: f"c{i % 5}" for i in ids})
    a.replace_tags(ids[:10], [Tag(i, "mbg", "phrase", ["makan bergizi gratis"], "v1") for i in ids[:10]])
    a.append_feed_log([FeedRevision("semua", 1, "c1", "fp", NOW, NOW)])
    a.freeze_feed_page("semua", 1, "atom", b"\x00\xffbytes", NOW)


def _snapshot(url: str) -> tuple[object, ...]:
    a = open_archive(url)
    try:
        return (list(a.iter_items()), a.source_states(), a.tags(), a.fetch_logs("kemkes"), list(a.feed_log()),
                list(a.frozen_feed_pages()), a.item_counts())  # fmt: skip
    finally:
        a.close()


def test_round_trip_sqlite_postgresql_sqlite_is_lossless(tmp_path: Path, pg_url: str) -> None:
    first = f"sqlite:///{tmp_path / 'first.sqlite3'}"
    a = open_archive(first)
    _fill(a)
    a.close()
    report = copy_archive(first, pg_url)
    assert report.ok and {t.table for t in report.tables} >= {"items", "sources", "tags", "fetch_log"}
    assert next(t for t in report.tables if t.table == "items").target_rows == 37
    back = f"sqlite:///{tmp_path / 'back.sqlite3'}"
    assert copy_archive(pg_url, back).ok
    assert _snapshot(first) == _snapshot(pg_url) == _snapshot(back)
    with sqlite3.connect(tmp_path / "first.sqlite3") as x, sqlite3.connect(tmp_path / "back.sqlite3") as y:
        q = "SELECT id, raw FROM items ORDER BY id"
        assert x.execute(q).fetchall() == y.execute(q).fetchall()  # raw JSON, byte for byte
    # a copied PostgreSQL archive keeps working: new ids continue after the copied ones
    pg = open_archive(pg_url)
    pg.apply_changes(
        "kemkes", decide(pg.stored_hashes("kemkes"), [Entry(key="new", title="t", content_hash="n")]), NOW
    )
    assert max(i.id for i in pg.iter_items()) == 38
    pg.close()


def test_refuses_a_non_empty_target_and_writes_nothing(tmp_path: Path) -> None:
    src, dst = f"sqlite:///{tmp_path / 's.sqlite3'}", f"sqlite:///{tmp_path / 'd.sqlite3'}"
    for url in (src, dst):
        a = open_archive(url)
        _fill(a)
        a.close()
    with pytest.raises(CopyError, match="not empty"):
        copy_archive(src, dst)


def test_cli_reports_counts_and_checksums(tmp_path: Path, pg_url: str) -> None:
    src = tmp_path / "s.sqlite3"
    a = open_archive(str(src))
    _fill(a)
    a.close()
    result = CliRunner().invoke(main, ["migrate-archive", str(src), pg_url])
    assert result.exit_code == 0, result.output
    assert "counts and checksums match" in result.output
    assert "items" in result.output and "37" in result.output
    again = CliRunner().invoke(main, ["migrate-archive", str(src), pg_url])
    assert again.exit_code == 2 and "not empty" in again.output
    bad = CliRunner().invoke(main, ["migrate-archive", str(src), "mysql://x/y"])
    assert bad.exit_code == 2 and "unsupported archive URL scheme" in bad.output
