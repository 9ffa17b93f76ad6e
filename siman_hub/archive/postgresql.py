"""PostgreSQL archive: the shared store when several fetch workers on several machines feed one hub.

It is a port of ``sqlite.py`` on psycopg 3 with raw SQL rather than an ORM or SQLAlchemy Core, because the
SQLite backend is raw SQL too: the two files read side by side, a query added to one is ported to the other by
swapping ``?`` for ``%s``, and there is no second query language to learn or to drift. The schema keeps
SQLite's column types (UTC ISO-8601 text timestamps, JSON text), so rows are byte-identical across backends,
``migrate-archive`` is lossless and both backends share the row codecs imported from ``sqlite.py``.

What PostgreSQL adds is concurrency between processes on different machines: every worker writes through its
own connection, migrations are serialised by an advisory lock, and :meth:`claim_sources` row-locks sources so
that two workers never fetch the same source at once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

import psycopg

from ..models import Changes, FeedRevision, FetchLog, Item, SourceState, Tag
from .base import ItemHead, RefineRow
from .nesting import NestedTransactions
from .sqlite import (
    _DT_SOURCE_FIELDS,
    _HEAD_COLS,
    _ITEM_COLS,
    _SOURCE_FIELDS,
    _entry_values,
    _item,
    _sort_date,
    _statements,
    head_reader,
    migrations,
    parse_ts,
    ts,
)

log = logging.getLogger(__name__)

_PAGE = 2000  # rows per keyset page when streaming items: bounded memory on a 1M-item archive
_CHUNK = 5000  # ids per ANY(%s) array


def redact(url: str) -> str:
    """The URL without its password, for error messages and logs."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "postgresql://…"
    if "password" in info:
        info["password"] = "***"
    return psycopg.conninfo.make_conninfo(**info)  # type: ignore[arg-type]


def _nul(value: Any) -> Any:
    """PostgreSQL text cannot hold NUL (SQLite can); a stray NUL from a hostile feed becomes U+FFFD instead of
    failing the whole source."""
    if isinstance(value, str) and "\x00" in value:
        return value.replace("\x00", "\ufffd")
    return value


def _row(values: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(_nul(v) for v in values)


class PostgreSQLArchive(NestedTransactions):
    def __init__(self, url: str):
        self.url = url
        try:
            self.conn = psycopg.connect(url, autocommit=True, application_name="siman-hub")
        except psycopg.OperationalError as exc:
            raise ConnectionError(
                f"cannot connect to PostgreSQL archive {redact(url)}: {exc}".strip()
            ) from exc
        # The durability SQLite's WAL + synchronous=NORMAL gives: a crash may lose the last fraction of a second
        # of commits (the next run refetches them), never consistency. Without it every source's commit waits
        # for an fsync and a worker spends most of its time there.
        self._x("SET synchronous_commit = off")
        self._depth = 0
        self._lock_conn: psycopg.Connection[Any] | None = None
        self.migrate()

    # -- plumbing -------------------------------------------------------------------------------------------
    def close(self) -> None:
        self.release_sources()
        if self._lock_conn is not None:
            self._lock_conn.close()
            self._lock_conn = None
        self.conn.close()

    def _outermost_transaction(self) -> AbstractContextManager[Any]:
        return self.conn.transaction()

    def _x(self, sql: str, args: Any = None) -> psycopg.Cursor[Any]:
        return self.conn.execute(sql, args)  # type: ignore[arg-type]

    def schema_version(self) -> int:
        exists = self._x("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()[0]
        if not exists:
            return 0
        return self._x("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]

    def migrate(self) -> list[int]:
        """Apply pending migrations, each in one transaction with its version row.

        PostgreSQL DDL is transactional, so a failed migration leaves the previous schema intact; an advisory
        lock per schema makes workers that start together wait for one of them to migrate.
        """
        applied = []
        with self.conn.transaction():
            self._x("SELECT pg_advisory_xact_lock(hashtext('siman_hub.migrate.' || current_schema()))")
            self._x(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
            # Coordination only, never archive data: which sources a live worker holds (see claim_sources).
            # UNLOGGED and outside the numbered migrations because it is empty whenever no worker runs.
            self._x("CREATE UNLOGGED TABLE IF NOT EXISTS source_claims (source_id TEXT PRIMARY KEY)")
            current = self.schema_version()
            for number, sql in migrations("postgresql"):
                if number <= current:
                    continue
                with self.conn.transaction():  # savepoint: the error names the migration that failed
                    for statement in _statements(sql):
                        try:
                            self._x(statement)
                        except psycopg.Error as exc:
                            raise RuntimeError(f"PostgreSQL migration {number:04d} failed: {exc}") from exc
                    self._x("INSERT INTO schema_migrations VALUES (%s, now()::text)", (number,))
                applied.append(number)
        return applied

    def integrity_check(self) -> list[str]:
        """PostgreSQL guards its own pages; what can still go wrong is logical, so check that."""
        problems = []
        latest = max(n for n, _ in migrations("postgresql"))
        if self.schema_version() != latest:
            problems.append(f"schema version {self.schema_version()} != {latest}")
        orphans = self._x(
            "SELECT count(*) FROM tags t WHERE NOT EXISTS (SELECT 1 FROM items i WHERE i.id=t.item_id)"
        )
        n = orphans.fetchone()[0]
        if n:
            problems.append(f"{n} tag(s) reference missing items")
        return problems

    # -- sources ------------------------------------------------------------------------------------------
    def _state(self, row: tuple[Any, ...]) -> SourceState:
        values = dict(zip(["source_id", *_SOURCE_FIELDS], row, strict=True))
        for k in _DT_SOURCE_FIELDS:
            values[k] = parse_ts(values[k])
        values["ua_fallback"] = bool(values["ua_fallback"])
        return SourceState(**values)

    def get_source_state(self, source_id: str) -> SourceState | None:
        row = self._x(
            f"SELECT source_id, {', '.join(_SOURCE_FIELDS)} FROM sources WHERE source_id=%s", (source_id,)
        ).fetchone()
        return self._state(row) if row else None

    def source_states(self) -> dict[str, SourceState]:
        rows = self._x(f"SELECT source_id, {', '.join(_SOURCE_FIELDS)} FROM sources").fetchall()
        return {r[0]: self._state(r) for r in rows}

    def put_source_state(self, state: SourceState) -> None:
        values = [getattr(state, f) for f in _SOURCE_FIELDS]
        values = [ts(v) if f in _DT_SOURCE_FIELDS else v for f, v in zip(_SOURCE_FIELDS, values, strict=True)]
        values = [int(v) if isinstance(v, bool) else v for v in values]
        cols = ", ".join(_SOURCE_FIELDS)
        marks = ", ".join("%s" for _ in _SOURCE_FIELDS)
        updates = ", ".join(f"{f}=excluded.{f}" for f in _SOURCE_FIELDS)
        self._x(
            f"INSERT INTO sources (source_id, {cols}) VALUES (%s, {marks}) "
            f"ON CONFLICT (source_id) DO UPDATE SET {updates}",
            _row([state.source_id, *values]),
        )

    def record_fetch(self, log: FetchLog) -> None:
        self._x(
            "INSERT INTO fetch_log (source_id, started_at, duration_ms, status, bytes, items_new, items_updated,"
            " error, url) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s)",
            _row((log.source_id, ts(log.started_at), log.duration_ms, log.status, log.bytes, log.items_new,
                  log.items_updated, log.error, log.url)),
        )  # fmt: skip

    def fetch_logs(self, source_id: str, limit: int = 20) -> list[FetchLog]:
        rows = self._x(
            "SELECT source_id, started_at, duration_ms, status, bytes, items_new, items_updated, error, url "
            "FROM fetch_log WHERE source_id=%s ORDER BY started_at DESC, id DESC LIMIT %s",
            (source_id, limit),
        ).fetchall()
        return [FetchLog(r[0], parse_ts(r[1]), *r[2:]) for r in rows]  # type: ignore[arg-type]

    # -- items --------------------------------------------------------------------------------------------
    def stored_hashes(self, source_id: str) -> dict[str, tuple[int, str]]:
        rows = self._x("SELECT key, id, content_hash FROM items WHERE source_id=%s", (source_id,))
        return {k: (i, h) for k, i, h in rows}

    def identity_rows(
        self, source_id: str
    ) -> list[tuple[int, str | None, str | None, datetime | None, str, str]]:
        rows = self._x(
            "SELECT id, guid, url, published, title, CASE WHEN content <> '' THEN content ELSE summary END"
            " FROM items WHERE source_id=%s ORDER BY id",
            (source_id,),
        )
        return [(i, g, u, parse_ts(p), t, c) for i, g, u, p, t, c in rows]

    def apply_changes(self, source_id: str, changes: Changes, now: datetime) -> tuple[int, int]:
        n = ts(now)
        with self.transaction(), self.conn.cursor() as cur:
            if changes.rekeys:
                cur.executemany("UPDATE items SET key=%s WHERE id=%s", [(k, i) for i, k in changes.rekeys])
            if changes.inserts:
                cur.executemany(
                    "INSERT INTO items (source_id, key, guid, url, canonical_url, title, summary, content, author,"
                    " categories, image, enclosures, published, updated, first_seen, last_seen, sort_date,"
                    " changed_at, content_hash, raw)"
                    " VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                    [_row((source_id, e.key, *_entry_values(e), n, n, ts(_sort_date(e, now)), n, e.content_hash,
                           json.dumps(e.raw, ensure_ascii=False, default=str)))
                     for e in changes.inserts],
                )  # fmt: skip
            if changes.updates:
                cur.executemany(
                    "UPDATE items SET guid=%s, url=%s, canonical_url=%s, title=%s, summary=%s, content=%s,"
                    " author=%s, categories=%s, image=%s, enclosures=%s, published=%s, updated=%s, last_seen=%s,"
                    " changed_at=%s, content_hash=%s, raw=%s WHERE id=%s",
                    [_row((*_entry_values(e), n, n, e.content_hash,
                           json.dumps(e.raw, ensure_ascii=False, default=str), item_id))
                     for item_id, e in changes.updates],
                )  # fmt: skip
            if changes.seen:
                cur.execute(
                    "UPDATE items SET last_seen=%s WHERE id = ANY(%s)", (n, [int(i) for i in changes.seen])
                )
        return len(changes.inserts), len(changes.updates)

    def iter_items(
        self, *, since_changed: datetime | None = None, ids: Iterable[int] | None = None
    ) -> Iterator[Item]:
        """Streams in id order, one keyset page at a time: memory stays bounded and no cursor or transaction
        stays open between pages, so the caller may write to the archive while iterating."""
        if ids is not None:
            id_list = [int(i) for i in ids]
            for i in range(0, len(id_list), _CHUNK):
                chunk = id_list[i : i + _CHUNK]
                rows = self._x(f"SELECT {_ITEM_COLS} FROM items WHERE id = ANY(%s)", (chunk,)).fetchall()
                yield from (_item(r) for r in rows)
            return
        where, args = "", []
        if since_changed is not None:
            where, args = " AND changed_at >= %s", [ts(since_changed)]
        last = -1
        while True:
            rows = self._x(
                f"SELECT {_ITEM_COLS} FROM items WHERE id > %s{where} ORDER BY id LIMIT {_PAGE}",
                [last, *args],
            ).fetchall()
            yield from (_item(r) for r in rows)
            if len(rows) < _PAGE:
                return
            last = rows[-1][0]

    def count_items(self, source_id: str | None = None) -> int:
        if source_id is None:
            return self._x("SELECT count(*) FROM items").fetchone()[0]
        return self._x("SELECT count(*) FROM items WHERE source_id=%s", (source_id,)).fetchone()[0]

    def item_counts(self) -> dict[str, int]:
        return dict(self._x("SELECT source_id, count(*) FROM items GROUP BY source_id").fetchall())

    # -- refine -------------------------------------------------------------------------------------------
    def put_clusters(self, assignments: Mapping[int, str]) -> None:
        pairs = list(assignments.items())
        with self.transaction():
            for i in range(0, len(pairs), _CHUNK):
                chunk = pairs[i : i + _CHUNK]
                self._x(
                    "UPDATE items SET cluster_id=a.c FROM unnest(%s::bigint[], %s::text[]) AS a(i, c)"
                    " WHERE items.id=a.i AND items.cluster_id IS DISTINCT FROM a.c",
                    ([int(p[0]) for p in chunk], [_nul(p[1]) for p in chunk]),
                )

    def replace_tags(self, item_ids: Iterable[int], tags: Iterable[Tag]) -> None:
        with self.transaction(), self.conn.cursor() as cur:
            ids = [int(i) for i in item_ids]
            for i in range(0, len(ids), _CHUNK):
                cur.execute("DELETE FROM tags WHERE item_id = ANY(%s)", (ids[i : i + _CHUNK],))
            rows = [_row((t.item_id, t.program_id, t.rule, json.dumps(t.matched, ensure_ascii=False),
                          t.rule_version)) for t in tags]  # fmt: skip
            if rows:
                cur.executemany(
                    "INSERT INTO tags (item_id, program_id, rule, matched, rule_version) VALUES (%s,%s,%s,%s,%s)"
                    " ON CONFLICT (item_id, program_id) DO UPDATE SET rule=excluded.rule,"
                    " matched=excluded.matched, rule_version=excluded.rule_version",
                    rows,
                )

    def tags(self, item_ids: Iterable[int] | None = None) -> dict[int, list[Tag]]:
        out: dict[int, list[Tag]] = {}
        sql = "SELECT item_id, program_id, rule, matched, rule_version FROM tags"
        if item_ids is None:
            rows: list[tuple[Any, ...]] = self._x(sql).fetchall()
        else:
            ids = [int(i) for i in item_ids]
            rows = []
            for i in range(0, len(ids), _CHUNK):
                rows.extend(self._x(sql + " WHERE item_id = ANY(%s)", (ids[i : i + _CHUNK],)).fetchall())
        for item_id, pid, rule, matched, version in rows:
            out.setdefault(item_id, []).append(Tag(item_id, pid, rule, json.loads(matched), version))
        return out

    # -- publish (portal engineer): cheap change detection for incremental builds ------------------------
    def build_fingerprint(self) -> str:
        """Same inputs as the SQLite version (counts, max id/changed_at, cluster and tag digests); the value
        itself is backend-specific and only ever compared with earlier values of the same archive."""
        a = self._x(
            "SELECT count(*), max(id), max(changed_at), coalesce(sum(length(cluster_id)), 0),"
            " coalesce(sum(id * (ascii(right(coalesce(cluster_id, ''), 1)) + coalesce(length(cluster_id), 0))), 0)"
            " FROM items"
        ).fetchone()
        b = self._x(
            "SELECT count(*), coalesce(sum(item_id * (length(program_id) + length(rule) + length(matched)"
            " + length(rule_version))), 0) FROM tags"
        ).fetchone()
        return repr((tuple(str(v) for v in a), tuple(str(v) for v in b)))

    def iter_item_heads(self) -> Iterator[ItemHead]:
        """Same rows as the SQLite version, streamed by keyset pages like :meth:`iter_items`."""
        head = head_reader()
        last = -1
        while True:
            rows = self._x(
                f"SELECT {_HEAD_COLS} FROM items WHERE id > %s ORDER BY id LIMIT {_PAGE}", [last]
            ).fetchall()
            yield from map(head, rows)
            if len(rows) < _PAGE:
                return
            last = rows[-1][0]

    def frozen_feed_page_keys(self) -> list[tuple[str, int, str]]:
        rows = self._x("SELECT feed_key, page, format FROM feed_pages ORDER BY feed_key, page").fetchall()
        return [(k, p, f) for k, p, f in rows]

    def frozen_feed_page(self, feed_key: str, page: int, fmt: str) -> bytes | None:
        row = self._x(
            "SELECT body FROM feed_pages WHERE feed_key=%s AND page=%s AND format=%s", (feed_key, page, fmt)
        ).fetchone()
        return bytes(row[0]) if row else None

    # -- feeds out (RFC 5005 feed log; publish/feedlog.py) --------------------------------------------------
    def feed_log(self) -> Iterator[FeedRevision]:
        rows = self._x(
            "SELECT feed_key, seq, story_id, fingerprint, updated, logged_at FROM feed_log ORDER BY feed_key, seq"
        ).fetchall()
        for key, seq, sid, fp, updated, logged in rows:
            yield FeedRevision(key, seq, sid, fp, parse_ts(updated), parse_ts(logged))  # type: ignore[arg-type]

    def feed_log_size(self, feed_key: str) -> int:
        return self._x(
            "SELECT coalesce(max(seq), 0) FROM feed_log WHERE feed_key=%s", (feed_key,)
        ).fetchone()[0]

    def feed_log_latest(self, feed_key: str) -> Iterator[tuple[str, int, str, datetime]]:
        """As in SQLite, in code point order (``COLLATE "C"``, not the database's locale), by keyset pages."""
        last = ""
        while True:
            rows = self._x(
                'SELECT DISTINCT ON (story_id COLLATE "C") story_id, seq, fingerprint, updated FROM feed_log'
                f' WHERE feed_key=%s AND story_id COLLATE "C" > %s ORDER BY story_id COLLATE "C", seq DESC'
                f" LIMIT {_PAGE}",
                (feed_key, last),
            ).fetchall()
            for sid, seq, fp, updated in rows:
                yield sid, seq, fp, parse_ts(updated)  # type: ignore[misc]
            if len(rows) < _PAGE:
                return
            last = rows[-1][0]

    def feed_log_rows(self, feed_key: str, first: int, last: int) -> list[FeedRevision]:
        rows = self._x(
            "SELECT feed_key, seq, story_id, fingerprint, updated, logged_at FROM feed_log"
            " WHERE feed_key=%s AND seq BETWEEN %s AND %s ORDER BY seq",
            (feed_key, first, last),
        ).fetchall()
        return [FeedRevision(k, q, sid, fp, parse_ts(u), parse_ts(lg)) for k, q, sid, fp, u, lg in rows]  # type: ignore[arg-type]

    def append_feed_log(self, revisions: Iterable[FeedRevision]) -> None:
        rows = [_row((r.feed_key, r.seq, r.story_id, r.fingerprint, ts(r.updated), ts(r.logged_at)))
                for r in revisions]  # fmt: skip
        with self.transaction(), self.conn.cursor() as cur:
            if rows:
                cur.executemany(
                    "INSERT INTO feed_log (feed_key, seq, story_id, fingerprint, updated, logged_at)"
                    " VALUES (%s,%s,%s,%s,%s,%s)",
                    rows,
                )

    def frozen_feed_pages(self) -> Iterator[tuple[str, int, str, bytes]]:
        rows = self._x(
            "SELECT feed_key, page, format, body FROM feed_pages ORDER BY feed_key, page"
        ).fetchall()
        for key, page, fmt, body in rows:
            yield key, page, fmt, bytes(body)

    def freeze_feed_page(self, feed_key: str, page: int, fmt: str, body: bytes, now: datetime) -> None:
        self._x(
            "INSERT INTO feed_pages (feed_key, page, format, body, frozen_at) VALUES (%s,%s,%s,%s,%s)"
            " ON CONFLICT DO NOTHING",
            (feed_key, page, fmt, body, ts(now)),
        )

    # -- refine state (issue 4: incremental clustering and tagging; refine/) -------------------------------------
    def refine_pending(self) -> list[int]:
        rows = self._x(
            "SELECT i.id FROM items i LEFT JOIN refine_items r ON r.item_id = i.id"
            " WHERE r.item_id IS NULL OR r.content_hash != i.content_hash ORDER BY i.id"
        ).fetchall()
        return [r[0] for r in rows]

    def refine_rows(self, ids: Iterable[int] | None = None) -> Iterator[RefineRow]:
        cols = (
            "id, source_id, url, canonical_url, title, summary, content, published, sort_date, first_seen,"
            " content_hash"
        )
        if ids is not None:
            id_list = sorted({int(i) for i in ids})
            for i in range(0, len(id_list), _CHUNK):
                q = f"SELECT {cols} FROM items WHERE id = ANY(%s) ORDER BY id"
                yield from (_refine_row(r) for r in self._x(q, (id_list[i : i + _CHUNK],)).fetchall())
            return
        last = -1
        while True:  # keyset pages, as in iter_items: bounded memory on a large archive
            rows = self._x(
                f"SELECT {cols} FROM items WHERE id > %s ORDER BY id LIMIT {_PAGE}", (last,)
            ).fetchall()
            yield from (_refine_row(r) for r in rows)
            if len(rows) < _PAGE:
                return
            last = rows[-1][0]

    def refine_reader(self) -> PostgreSQLArchive:
        return PostgreSQLArchive(self.url)

    def refine_lookup_keys(
        self, keys: Iterable[int], newest: int | None = None, excluding: Collection[int] = ()
    ) -> list[tuple[int, int, int]]:
        key_list = sorted({int(k) for k in keys})
        out: list[tuple[int, int, int]] = []
        if newest is not None:  # the newest rows per key along the (key, item_id) primary key
            skip = sorted({int(i) for i in excluding})
            for i in range(0, len(key_list), _CHUNK):
                out.extend(
                    self._x(
                        "SELECT k.key, r.item_id, r.at FROM unnest(%s::bigint[]) AS k(key) CROSS JOIN LATERAL"
                        " (SELECT item_id, at FROM refine_keys WHERE key = k.key AND item_id <> ALL(%s::bigint[])"
                        "  ORDER BY item_id DESC LIMIT %s) AS r",
                        (key_list[i : i + _CHUNK], skip, newest),
                    ).fetchall()
                )
            out.sort(key=lambda r: (r[1], r[0]))  # item id order; one item's keys in key order
            return out
        for i in range(0, len(key_list), _CHUNK):
            out.extend(
                self._x(
                    "SELECT key, item_id, at FROM refine_keys WHERE key = ANY(%s)",
                    (key_list[i : i + _CHUNK],),
                ).fetchall()
            )
        out.sort(key=lambda r: (r[1], r[0]))  # item id order; one item's keys in key order
        return out

    def refine_auto_clusters(self, ids: Iterable[int] | None = None) -> dict[int, str]:
        if ids is None:
            return dict(self._x("SELECT item_id, auto_cluster FROM refine_items").fetchall())
        id_list = sorted({int(i) for i in ids})
        out: dict[int, str] = {}
        for i in range(0, len(id_list), _CHUNK):
            out.update(
                self._x(
                    "SELECT item_id, auto_cluster FROM refine_items WHERE item_id = ANY(%s)",
                    (id_list[i : i + _CHUNK],),
                ).fetchall()
            )
        return out

    def refine_cluster_taken(self, cluster_id: str, excluding: Iterable[int]) -> bool:
        skip = set(excluding)
        rows = self._x("SELECT item_id FROM refine_items WHERE auto_cluster=%s", (cluster_id,)).fetchall()
        return any(r[0] not in skip for r in rows)

    def put_refine_results(
        self, rows: Iterable[tuple[int, str, str, int, int | None, str]], keys: Iterable[tuple[int, int, int]]
    ) -> None:
        rows = [_row(r) for r in rows]
        keys = list(keys)
        with self.transaction(), self.conn.cursor() as cur:
            ids = [int(r[0]) for r in rows]
            for i in range(0, len(ids), _CHUNK):
                cur.execute("DELETE FROM refine_keys WHERE item_id = ANY(%s)", (ids[i : i + _CHUNK],))
            if rows:
                cur.executemany(
                    "INSERT INTO refine_items (item_id, content_hash, auto_cluster, at, matched, reason)"
                    " VALUES (%s,%s,%s,%s,%s,%s) ON CONFLICT (item_id) DO UPDATE SET"
                    " content_hash=excluded.content_hash, auto_cluster=excluded.auto_cluster, at=excluded.at,"
                    " matched=excluded.matched, reason=excluded.reason",
                    rows,
                )
            if keys:
                # the primary key is (key, item_id): an item listing one key twice keeps one row (COPY has no
                # ON CONFLICT)
                unique = {(k[0], k[1]): k for k in keys}
                with cur.copy("COPY refine_keys (key, item_id, at) FROM STDIN") as cp:
                    for k in unique.values():
                        cp.write_row(k)

    def refine_reset(self) -> None:
        with self.transaction():
            self._x("DELETE FROM refine_keys")
            self._x("DELETE FROM refine_items")

    def refine_state(self) -> dict[str, str]:
        return dict(self._x("SELECT name, value FROM refine_state").fetchall())

    def put_refine_state(self, values: Mapping[str, str]) -> None:
        rows = [_row(kv) for kv in values.items()]
        with self.transaction(), self.conn.cursor() as cur:
            if rows:
                cur.executemany(
                    "INSERT INTO refine_state (name, value) VALUES (%s,%s)"
                    " ON CONFLICT (name) DO UPDATE SET value=excluded.value",
                    rows,
                )

    def item_ids_by_url(self, urls: Iterable[str]) -> dict[str, list[int]]:
        wanted = sorted(set(urls))
        out: dict[str, list[int]] = {u: [] for u in wanted}
        for i in range(0, len(wanted), _CHUNK):
            chunk = [_nul(u) for u in wanted[i : i + _CHUNK]]
            rows = self._x(
                "SELECT id, url, canonical_url FROM items WHERE canonical_url = ANY(%s) OR url = ANY(%s) ORDER BY id",
                (chunk, chunk),
            ).fetchall()
            for item_id, url, canonical in rows:
                for u in {url, canonical}:
                    if u in out:
                        out[u].append(item_id)
        return out

    def current_clusters(self) -> dict[int, str | None]:
        return dict(self._x("SELECT id, cluster_id FROM items").fetchall())

    def put_cluster_aliases(self, aliases: Mapping[str, str]) -> None:
        rows = [_row(kv) for kv in aliases.items()]
        with self.transaction(), self.conn.cursor() as cur:
            if rows:
                cur.executemany(
                    "INSERT INTO cluster_aliases (old_id, new_id) VALUES (%s,%s)"
                    " ON CONFLICT (old_id) DO UPDATE SET new_id=excluded.new_id",
                    rows,
                )

    def cluster_aliases(self) -> dict[str, str]:
        return dict(self._x("SELECT old_id, new_id FROM cluster_aliases").fetchall())

    # -- scale-out (issue 9): sharded fetch workers ---------------------------------------------------------
    def claim_sources(self, source_ids: Iterable[str], worker: str) -> list[str]:
        """Row-lock ``source_ids`` in ``source_claims`` with ``FOR UPDATE SKIP LOCKED``; return those won.

        The locks live in a transaction held open on a second connection until :meth:`release_sources`, so a
        worker that crashes or loses its network frees its sources the moment the server notices the dead
        session: no lease to tune and nothing to clean up. A source another worker holds is skipped, never
        waited for. Row locks are stored in the rows themselves, so 20,000 claims cost no shared lock memory
        (unlike advisory locks, which are capped by ``max_locks_per_transaction``).
        """
        ids = sorted({_nul(s) for s in source_ids})
        if not ids:
            return []
        # Rows must exist before they can be locked; insert them committed, so no worker ever waits on
        # another's uncommitted insert.
        self._x(
            "INSERT INTO source_claims (source_id) SELECT unnest(%s::text[]) ON CONFLICT DO NOTHING", (ids,)
        )
        if self._lock_conn is None:
            self._lock_conn = psycopg.connect(
                self.url, autocommit=False, application_name=f"siman-hub {worker}"[:63]
            )
        won = self._lock_conn.execute(
            "SELECT source_id FROM source_claims WHERE source_id = ANY(%s) ORDER BY source_id FOR UPDATE SKIP LOCKED",
            (ids,),
        ).fetchall()
        claimed = [r[0] for r in won]
        if len(claimed) < len(ids):
            log.info("worker %s: %d of %d source(s) held by another worker, skipped", worker,
                     len(ids) - len(claimed), len(ids))  # fmt: skip
        return claimed

    def release_sources(self) -> None:
        """Release every source this archive claimed (ends the lock transaction)."""
        if self._lock_conn is not None and not self._lock_conn.closed:
            self._lock_conn.rollback()


def _refine_row(r: tuple[Any, ...]) -> RefineRow:
    return RefineRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], parse_ts(r[7]), parse_ts(r[8]),  # type: ignore[arg-type]
                     parse_ts(r[9]), r[10])  # type: ignore[arg-type]  # fmt: skip
