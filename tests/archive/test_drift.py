"""Catch the PostgreSQL backend falling behind: a SQLite migration without a twin, a protocol method without
an implementation, or a table/column that exists on one backend only."""

from __future__ import annotations

import inspect
from pathlib import Path

from siman_hub.archive import Archive, open_archive
from siman_hub.archive.base import Archive as ArchiveProtocol
from siman_hub.archive.copy import _columns, _tables
from siman_hub.archive.postgresql import PostgreSQLArchive
from siman_hub.archive.sqlite import SQLiteArchive

MIGRATIONS = Path(__file__).resolve().parents[2] / "siman_hub" / "archive" / "migrations"


def _protocol_methods() -> list[str]:
    return sorted(n for n, v in vars(ArchiveProtocol).items() if callable(v) and not n.startswith("_"))


def test_every_sqlite_migration_has_a_postgresql_twin() -> None:
    sqlite = sorted(p.name for p in (MIGRATIONS / "sqlite").glob("*.sql"))
    postgresql = sorted(p.name for p in (MIGRATIONS / "postgresql").glob("*.sql"))
    missing = sorted(set(sqlite) - set(postgresql))
    assert not missing, f"add migrations/postgresql/ twins (same number and name) for: {missing}"
    assert sorted(set(postgresql) - set(sqlite)) == [], "a PostgreSQL migration has no SQLite counterpart"


def test_every_protocol_method_is_implemented_by_both_backends() -> None:
    assert "apply_changes" in _protocol_methods()  # the introspection itself works
    for cls in (SQLiteArchive, PostgreSQLArchive):
        for name in _protocol_methods():
            assert callable(getattr(cls, name, None)), f"{cls.__name__} lacks Archive.{name}"
            want = list(inspect.signature(getattr(ArchiveProtocol, name)).parameters)
            got = list(inspect.signature(getattr(cls, name)).parameters)
            assert got == want, f"{cls.__name__}.{name}{got} differs from the protocol {want}"


def test_both_backends_migrate_to_the_same_tables_and_columns(tmp_path: Path, pg_url: str) -> None:
    lite: Archive = open_archive(str(tmp_path / "a.sqlite3"))
    pg: Archive = open_archive(pg_url)
    try:
        assert lite.schema_version() == pg.schema_version()
        assert _tables(lite) == _tables(pg)
        for table in _tables(lite):
            assert _columns(lite, table) == _columns(pg, table), table
    finally:
        lite.close()
        pg.close()
