"""The SQLite archive: migrations, transactions, and keeping every item ever seen."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from siman_hub.archive import open_archive
from siman_hub.archive.sqlite import SQLiteArchive, migrations
from siman_hub.models import Entry
from siman_hub.sources.decide import decide

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def entry(key: str, title: str = "Judul", body: str = "isi") -> Entry:
    return Entry(key=key, title=title, url=f"https://example.go.id/{key}", content=f"<p>{body}</p>",
                 published=NOW - timedelta(hours=1), content_hash=f"{title}|{body}")  # fmt: skip


def test_fresh_archive_is_migrated_to_latest(tmp_path: Path) -> None:
    a = SQLiteArchive(tmp_path / "a.sqlite3")
    assert a.schema_version() == max(n for n, _ in migrations())
    assert a.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert a.integrity_check() == []
    a.close()


def test_migrations_apply_in_order_from_an_older_schema(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    first_number, first_sql = migrations()[0]
    db = sqlite3.connect(path)
    db.executescript(first_sql)
    db.execute(f"PRAGMA user_version={first_number}")
    db.execute("INSERT INTO items (source_id, key, title, first_seen, last_seen, sort_date, changed_at, content_hash)"
               " VALUES ('s', 'k', 't', '2026-01-01', '2026-01-01', '2026-01-01', '2026-01-01', 'h')")  # fmt: skip
    db.commit()
    db.close()
    a = SQLiteArchive(path)
    assert a.schema_version() == max(n for n, _ in migrations())
    assert a.count_items() == 1  # data survives the upgrade
    assert a.migrate() == []  # idempotent
    a.close()


def test_migration_numbers_are_unique_and_start_at_one() -> None:
    """Two engineers picking the same number would make one migration silently skip on upgraded archives."""
    numbers = [n for n, _ in migrations()]
    assert numbers[0] == 1 and len(set(numbers)) == len(numbers)


def test_items_dropped_by_the_feed_stay_archived(tmp_path: Path) -> None:
    a = open_archive(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    a.apply_changes("s", decide(a.stored_hashes("s"), [entry("1"), entry("2")]), NOW)
    a.apply_changes("s", decide(a.stored_hashes("s"), [entry("2"), entry("3")]), NOW + timedelta(hours=1))
    assert a.count_items("s") == 3
    keys = {i.key for i in a.iter_items()}
    assert keys == {"1", "2", "3"}
    a.close()


def test_same_guid_in_two_sources_is_two_items(tmp_path: Path) -> None:
    a = open_archive(str(tmp_path / "x.sqlite3"))
    for src in ("kemkes", "bgn"):
        a.apply_changes(src, decide(a.stored_hashes(src), [entry("g:1")]), NOW)
    assert a.count_items() == 2
    a.close()


def test_update_changes_content_and_keeps_first_seen(tmp_path: Path) -> None:
    a = open_archive(str(tmp_path / "x.sqlite3"))
    a.apply_changes("s", decide(a.stored_hashes("s"), [entry("1")]), NOW)
    later = NOW + timedelta(hours=2)
    new, updated = a.apply_changes("s", decide(a.stored_hashes("s"), [entry("1", body="diperbarui")]), later)
    assert (new, updated) == (0, 1)
    (item,) = list(a.iter_items())
    assert "diperbarui" in item.content
    assert item.first_seen == NOW and item.changed_at == later
    a.close()


def test_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    a = open_archive(str(tmp_path / "x.sqlite3"))
    with pytest.raises(RuntimeError), a.transaction():
        a.apply_changes("s", decide({}, [entry("1")]), NOW)
        raise RuntimeError("crash mid-write")
    assert a.count_items() == 0
    a.close()
