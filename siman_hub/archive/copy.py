"""Copy a whole archive between backends (SQLite ⇄ PostgreSQL) without loss, and prove it.

The copy works on tables, not on the ``Archive`` protocol: the protocol has no reason to expose ``raw``, row
ids or the full fetch log, but a move must keep all of them (ids because tags, clusters and feed logs refer to
them). Tables and columns are read from the live databases, so a table added by a later migration is copied
without touching this file; a column present on one side only is an error, never a silent drop.

Proof: for every table, the row count and an order-independent checksum (the sum of SHA-256 digests of each
row's canonical form, mod 2**256) are computed while reading the source and again by re-reading the target.
Order independence matters: SQLite sorts text bytewise and PostgreSQL by collation, so a sorted digest would
differ for identical data.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from . import open_archive
from .postgresql import PostgreSQLArchive
from .sqlite import SQLiteArchive

_BOOKKEEPING = {"schema_migrations", "source_claims"}  # per-database state, not archive content
_BATCH = 5000


class CopyError(Exception):
    pass


@dataclass(slots=True)
class TableReport:
    table: str
    source_rows: int
    target_rows: int
    source_checksum: str
    target_checksum: str

    @property
    def ok(self) -> bool:
        return self.source_rows == self.target_rows and self.source_checksum == self.target_checksum


@dataclass(slots=True)
class CopyReport:
    tables: list[TableReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(t.ok for t in self.tables)


class _Digest:
    """Order-independent multiset digest of rows."""

    def __init__(self) -> None:
        self.count, self.total = 0, 0

    def add(self, row: tuple[Any, ...]) -> None:
        self.count += 1
        self.total = (self.total + int.from_bytes(hashlib.sha256(_canonical(row)).digest(), "big")) % (
            1 << 256
        )

    @property
    def hex(self) -> str:
        return f"{self.total:064x}"


def _canonical(row: tuple[Any, ...]) -> bytes:
    """repr of plain values: str, int, float, bytes and None print the same whichever driver produced them."""
    return repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)).encode(
        "utf-8", "surrogatepass"
    )


# -- backend adapters: introspection, streaming reads, bulk writes -------------------------------------------
def _tables(a: Any) -> list[str]:
    if isinstance(a, SQLiteArchive):
        rows = a.db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
    else:
        rows = a.conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema=current_schema()"
            " AND table_type='BASE TABLE'"
        ).fetchall()
    return sorted(r[0] for r in rows if r[0] not in _BOOKKEEPING)


def _columns(a: Any, table: str) -> list[str]:
    if isinstance(a, SQLiteArchive):
        return [r[1] for r in a.db.execute(f'PRAGMA table_info("{table}")')]
    rows = a.conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema=current_schema()"
        " AND table_name=%s ORDER BY ordinal_position",
        (table,),
    ).fetchall()
    return [r[0] for r in rows]


def _read(a: Any, table: str, cols: list[str]) -> Iterator[tuple[Any, ...]]:
    sql = f'SELECT {", ".join(cols)} FROM "{table}"'
    if isinstance(a, SQLiteArchive):
        yield from a.db.execute(sql)
        return
    with a.conn.transaction(), a.conn.cursor(name=f"copy_{table}") as cur:  # server-side: bounded memory
        cur.itersize = _BATCH
        cur.execute(sql)
        yield from cur


def _write(a: Any, table: str, cols: list[str], rows: Iterable[tuple[Any, ...]]) -> None:
    if isinstance(a, SQLiteArchive):
        sql = f'INSERT INTO "{table}" ({", ".join(cols)}) VALUES ({", ".join("?" for _ in cols)})'
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= _BATCH:
                a.db.executemany(sql, batch)
                batch.clear()
        if batch:
            a.db.executemany(sql, batch)
        return
    with a.conn.cursor() as cur, cur.copy(f'COPY "{table}" ({", ".join(cols)}) FROM STDIN') as cp:
        for row in rows:
            cp.write_row(row)


def _row_count(a: Any, table: str) -> int:
    if isinstance(a, SQLiteArchive):
        return a.db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    return a.conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]


def _reset_identities(a: Any) -> None:
    """Explicit ids were copied in; move PostgreSQL's identity sequences past them."""
    if not isinstance(a, PostgreSQLArchive):
        return
    rows = a.conn.execute(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema=current_schema() AND is_identity='YES'"
    ).fetchall()
    for table, col in rows:
        a.conn.execute(
            f'SELECT setval(pg_get_serial_sequence(%s, %s), coalesce((SELECT max({col}) FROM "{table}"), 0) + 1,'
            " false)",
            (table, col),
        )


# -- the copy ---------------------------------------------------------------------------------------------
def copy_archive(
    source_url: str, target_url: str, progress: Callable[[str, int], None] | None = None
) -> CopyReport:
    """Copy every table of ``source_url`` into the empty archive at ``target_url`` in one target transaction,
    then verify counts and checksums table by table. Raises CopyError before writing anything if the target
    is not empty or the two schemas differ."""
    src, dst = open_archive(source_url), open_archive(target_url)
    try:
        if src.schema_version() != dst.schema_version():
            raise CopyError(
                f"schema versions differ: source {src.schema_version()}, target {dst.schema_version()}"
            )
        tables, target_tables = _tables(src), _tables(dst)
        if tables != target_tables:
            raise CopyError(f"tables differ: source {tables}, target {target_tables}")
        plan = []
        for table in tables:
            cols, target_cols = _columns(src, table), _columns(dst, table)
            if set(cols) != set(target_cols):
                raise CopyError(f"columns of {table} differ: source {cols}, target {target_cols}")
            if _row_count(dst, table):
                raise CopyError(
                    f"target table {table} is not empty: refusing to merge into an existing archive"
                )
            plan.append((table, cols))
        digests: dict[str, _Digest] = {}
        with dst.transaction():
            for table, cols in plan:
                digest = digests[table] = _Digest()

                def rows(table: str = table, cols: list[str] = cols, digest: _Digest = digest):  # type: ignore[no-untyped-def]
                    for row in _read(src, table, cols):
                        digest.add(row)
                        if progress and digest.count % 50_000 == 0:
                            progress(table, digest.count)
                        yield row

                _write(dst, table, cols, rows())
            _reset_identities(dst)
        report = CopyReport()
        for table, cols in plan:
            check = _Digest()
            for row in _read(dst, table, cols):
                check.add(row)
            d = digests[table]
            report.tables.append(TableReport(table, d.count, check.count, d.hex, check.hex))
        return report
    finally:
        src.close()
        dst.close()
