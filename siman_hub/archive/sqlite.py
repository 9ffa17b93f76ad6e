"""SQLite archive: one file, WAL journal, numbered migrations, every write in a transaction.

SQLite is the embedded default because a cron-built hub then needs no server at all; WAL lets a build read
while a fetch writes.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from ..models import Changes, Entry, FeedRevision, FetchLog, Item, SourceState, Tag
from .base import ItemHead, RefineRow
from .nesting import NestedTransactions

_SOURCE_FIELDS = [
    "feed_url", "etag", "last_modified", "body_hash", "last_status", "last_fetch_at", "last_success_at",
    "last_new_item_at", "next_fetch_at", "failures", "last_error", "disabled_reason", "identity_mode",
    "feed_title", "feed_link",
    # ingest (0002)
    "configured_url", "cache_until", "retry_after_until", "permanent_redirect", "discovered_from",
    "identity_note", "ua_fallback",
]  # fmt: skip
_DT_SOURCE_FIELDS = {"last_fetch_at", "last_success_at", "last_new_item_at", "next_fetch_at", "cache_until",
                     "retry_after_until"}  # fmt: skip
_ITEM_COLS = (
    "id, source_id, key, title, url, canonical_url, guid, summary, content, author, categories, image, "
    "enclosures, published, updated, first_seen, last_seen, sort_date, content_hash, changed_at, cluster_id"
)


def ts(dt: datetime | None) -> str | None:
    """UTC ISO text: sorts lexicographically in the same order as time."""
    if dt is None:
        return None
    return dt.astimezone(UTC).isoformat(timespec="seconds")


def parse_ts(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def migrations(dialect: str = "sqlite") -> list[tuple[int, str]]:
    """(number, SQL) for every migration file of ``dialect``, in order."""
    folder = resources.files("siman_hub.archive") / "migrations" / dialect
    out = []
    for f in folder.iterdir():
        if f.name.endswith(".sql"):
            out.append((int(f.name.split("_", 1)[0]), f.read_text(encoding="utf-8")))
    return sorted(out)


class SQLiteArchive(NestedTransactions):
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, isolation_level=None, timeout=60, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self._depth = 0
        self.migrate()

    # -- plumbing -------------------------------------------------------------------------------------------
    def close(self) -> None:
        self.db.close()

    @contextmanager
    def _outermost_transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            try:
                self.db.execute("COMMIT")
            except BaseException:  # a failed COMMIT (busy, I/O error) leaves the transaction open: end it
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise

    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self) -> list[int]:
        """Apply pending migrations, each in its own transaction with the version bump."""
        applied = []
        current = self.schema_version()
        for number, sql in migrations("sqlite"):
            if number <= current:
                continue
            self.db.execute("BEGIN IMMEDIATE")
            try:
                if self.schema_version() >= number:  # another process migrated meanwhile
                    self.db.execute("ROLLBACK")
                    continue
                for statement in _statements(sql):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version={number}")
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            applied.append(number)
        return applied

    def integrity_check(self) -> list[str]:
        rows = [r[0] for r in self.db.execute("PRAGMA integrity_check")]
        return [] if rows == ["ok"] else rows

    # -- sources ------------------------------------------------------------------------------------------
    def _state(self, row: sqlite3.Row | tuple[Any, ...]) -> SourceState:
        values = dict(zip(["source_id", *_SOURCE_FIELDS], row, strict=True))
        for k in _DT_SOURCE_FIELDS:
            values[k] = parse_ts(values[k])
        values["ua_fallback"] = bool(values["ua_fallback"])
        return SourceState(**values)

    def get_source_state(self, source_id: str) -> SourceState | None:
        row = self.db.execute(
            f"SELECT source_id, {', '.join(_SOURCE_FIELDS)} FROM sources WHERE source_id=?", (source_id,)
        ).fetchone()
        return self._state(row) if row else None

    def source_states(self) -> dict[str, SourceState]:
        rows = self.db.execute(f"SELECT source_id, {', '.join(_SOURCE_FIELDS)} FROM sources")
        return {r[0]: self._state(r) for r in rows}

    def put_source_state(self, state: SourceState) -> None:
        values = [getattr(state, f) for f in _SOURCE_FIELDS]
        values = [ts(v) if f in _DT_SOURCE_FIELDS else v for f, v in zip(_SOURCE_FIELDS, values, strict=True)]
        cols = ", ".join(_SOURCE_FIELDS)
        marks = ", ".join("?" for _ in _SOURCE_FIELDS)
        updates = ", ".join(f"{f}=excluded.{f}" for f in _SOURCE_FIELDS)
        self.db.execute(
            f"INSERT INTO sources (source_id, {cols}) VALUES (?, {marks}) "
            f"ON CONFLICT(source_id) DO UPDATE SET {updates}",
            [state.source_id, *values],
        )

    def record_fetch(self, log: FetchLog) -> None:
        self.db.execute(
            "INSERT INTO fetch_log (source_id, started_at, duration_ms, status, bytes, items_new, items_updated,"
            " error, url) VALUES (?,?,?,?,?,?,?,?,?)",
            (log.source_id, ts(log.started_at), log.duration_ms, log.status, log.bytes, log.items_new,
             log.items_updated, log.error, log.url),
        )  # fmt: skip

    def fetch_logs(self, source_id: str, limit: int = 20) -> list[FetchLog]:
        rows = self.db.execute(
            "SELECT source_id, started_at, duration_ms, status, bytes, items_new, items_updated, error, url "
            "FROM fetch_log WHERE source_id=? ORDER BY started_at DESC, id DESC LIMIT ?",
            (source_id, limit),
        )
        return [FetchLog(r[0], parse_ts(r[1]), *r[2:]) for r in rows]  # type: ignore[arg-type]

    # -- items --------------------------------------------------------------------------------------------
    def stored_hashes(self, source_id: str) -> dict[str, tuple[int, str]]:
        rows = self.db.execute("SELECT key, id, content_hash FROM items WHERE source_id=?", (source_id,))
        return {k: (i, h) for k, i, h in rows}

    def identity_rows(
        self, source_id: str
    ) -> list[tuple[int, str | None, str | None, datetime | None, str, str]]:
        rows = self.db.execute(
            "SELECT id, guid, url, published, title, CASE WHEN content != '' THEN content ELSE summary END"
            " FROM items WHERE source_id=? ORDER BY id",
            (source_id,),
        )
        return [(i, g, u, parse_ts(p), t, c) for i, g, u, p, t, c in rows]

    def apply_changes(self, source_id: str, changes: Changes, now: datetime) -> tuple[int, int]:
        n = ts(now)
        with self.transaction():
            if changes.rekeys:
                self.db.executemany("UPDATE items SET key=? WHERE id=?", [(k, i) for i, k in changes.rekeys])
            if changes.inserts:
                self.db.executemany(
                    "INSERT INTO items (source_id, key, guid, url, canonical_url, title, summary, content, author,"
                    " categories, image, enclosures, published, updated, first_seen, last_seen, sort_date,"
                    " changed_at, content_hash, raw) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    [(source_id, e.key, *_entry_values(e), n, n, ts(_sort_date(e, now)), n, e.content_hash,
                      _raw_json(e.raw)) for e in changes.inserts],
                )  # fmt: skip
            if changes.updates:
                self.db.executemany(
                    "UPDATE items SET guid=?, url=?, canonical_url=?, title=?, summary=?, content=?, author=?,"
                    " categories=?, image=?, enclosures=?, published=?, updated=?, last_seen=?, changed_at=?,"
                    " content_hash=?, raw=? WHERE id=?",
                    [(*_entry_values(e), n, n, e.content_hash, _raw_json(e.raw), item_id)
                     for item_id, e in changes.updates],
                )  # fmt: skip
            if changes.seen:
                self.db.executemany("UPDATE items SET last_seen=? WHERE id=?", [(n, i) for i in changes.seen])
        return len(changes.inserts), len(changes.updates)

    def iter_items(
        self, *, since_changed: datetime | None = None, ids: Iterable[int] | None = None
    ) -> Iterator[Item]:
        sql, args = f"SELECT {_ITEM_COLS} FROM items", []
        if since_changed is not None:
            sql += " WHERE changed_at >= ?"
            args.append(ts(since_changed))
        if ids is not None:
            id_list = list(ids)
            for i in range(0, len(id_list), 500):
                chunk = id_list[i : i + 500]
                q = f"SELECT {_ITEM_COLS} FROM items WHERE id IN ({','.join('?' * len(chunk))})"
                yield from (_item(r) for r in self.db.execute(q, chunk))
            return
        yield from (_item(r) for r in self.db.execute(sql + " ORDER BY id", args))

    def count_items(self, source_id: str | None = None) -> int:
        if source_id is None:
            return self.db.execute("SELECT count(*) FROM items").fetchone()[0]
        return self.db.execute("SELECT count(*) FROM items WHERE source_id=?", (source_id,)).fetchone()[0]

    def item_counts(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT source_id, count(*) FROM items GROUP BY source_id"))

    # -- refine -------------------------------------------------------------------------------------------
    def put_clusters(self, assignments: Mapping[int, str]) -> None:
        with self.transaction():
            self.db.executemany(
                "UPDATE items SET cluster_id=? WHERE id=? AND cluster_id IS NOT ?",
                [(c, i, c) for i, c in assignments.items()],
            )

    def replace_tags(self, item_ids: Iterable[int], tags: Iterable[Tag]) -> None:
        with self.transaction():
            ids = list(item_ids)
            everything = self.db.execute("SELECT count(*) FROM items").fetchone()[0]
            if len(ids) > 10_000 and len(set(ids)) == everything:
                # a whole-archive retag: one statement, not one per 500 ids
                self.db.execute("DELETE FROM tags")
            else:
                for i in range(0, len(ids), 500):
                    chunk = ids[i : i + 500]
                    where = f"item_id IN ({','.join('?' * len(chunk))})"
                    self.db.execute(f"DELETE FROM tags WHERE {where}", chunk)
            # in primary-key order, so the inserts append to the table's b-tree instead of splitting pages
            rows = sorted(
                (t.item_id, t.program_id, t.rule, _matched_json(t.matched), t.rule_version) for t in tags
            )
            self.db.executemany(
                "INSERT OR REPLACE INTO tags (item_id, program_id, rule, matched, rule_version) VALUES (?,?,?,?,?)",
                rows,
            )

    def tags(self, item_ids: Iterable[int] | None = None) -> dict[int, list[Tag]]:
        out: dict[int, list[Tag]] = {}
        if item_ids is None:
            rows: Iterable[tuple[Any, ...]] = self.db.execute(
                "SELECT item_id, program_id, rule, matched, rule_version FROM tags"
            )
        else:
            ids = list(item_ids)
            rows = []
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                rows.extend(
                    self.db.execute(
                        "SELECT item_id, program_id, rule, matched, rule_version FROM tags"
                        f" WHERE item_id IN ({','.join('?' * len(chunk))})",
                        chunk,
                    )
                )
        for item_id, pid, rule, matched, version in rows:
            out.setdefault(item_id, []).append(Tag(item_id, pid, rule, json.loads(matched), version))
        return out

    # -- publish (portal engineer): cheap change detection for incremental builds ------------------------
    def build_fingerprint(self) -> str:
        """Changes whenever items, clusters or tags change, without reading item bodies (a few ms at 100k)."""
        a = self.db.execute(
            "SELECT count(*), max(id), max(changed_at), total(length(cluster_id)),"
            " total(id * (unicode(substr(coalesce(cluster_id, ''), -1)) + length(cluster_id))) FROM items"
        ).fetchone()
        b = self.db.execute(
            "SELECT count(*), total(item_id * (length(program_id) + length(rule) + length(matched)"
            " + length(rule_version))) FROM tags"
        ).fetchone()
        return repr((tuple(a), tuple(b)))

    def iter_item_heads(self) -> Iterator[ItemHead]:
        """Every item without its text (an :class:`ItemHead`; see ``_HEAD_COLS``):
        what the site model needs to group and order stories. Bodies are read per rendered page."""
        yield from map(head_reader(), self.db.execute(f"SELECT {_HEAD_COLS} FROM items ORDER BY id"))

    def frozen_feed_page_keys(self) -> list[tuple[str, int, str]]:
        """(feed_key, page, format) of every frozen archive document, without the bodies (the build hardlinks
        the published copies instead of rewriting hundreds of MB every run)."""
        return list(self.db.execute("SELECT feed_key, page, format FROM feed_pages ORDER BY feed_key, page"))

    def frozen_feed_page(self, feed_key: str, page: int, fmt: str) -> bytes | None:
        row = self.db.execute(
            "SELECT body FROM feed_pages WHERE feed_key=? AND page=? AND format=?", (feed_key, page, fmt)
        ).fetchone()
        return bytes(row[0]) if row else None

    # -- feeds out (RFC 5005 feed log; publish/feedlog.py) --------------------------------------------------
    def feed_log(self) -> Iterator[FeedRevision]:
        rows = self.db.execute(
            "SELECT feed_key, seq, story_id, fingerprint, updated, logged_at FROM feed_log ORDER BY feed_key, seq"
        )
        for key, seq, sid, fp, updated, logged in rows:
            yield FeedRevision(key, seq, sid, fp, parse_ts(updated), parse_ts(logged))  # type: ignore[arg-type]

    def feed_log_size(self, feed_key: str) -> int:
        return self.db.execute(
            "SELECT coalesce(max(seq), 0) FROM feed_log WHERE feed_key=?", (feed_key,)
        ).fetchone()[0]

    def feed_log_latest(self, feed_key: str) -> Iterator[tuple[str, int, str, datetime]]:
        """(story_id, seq, fingerprint, updated) of each story's latest revision in one feed, by story id (code
        point order): streamed, so a feed of a million stories is compared without holding its log."""
        rows = self.db.execute(
            "SELECT story_id, max(seq), fingerprint, updated FROM feed_log WHERE feed_key=?"
            " GROUP BY story_id ORDER BY story_id",
            (feed_key,),
        )
        for sid, seq, fp, updated in rows:
            yield sid, seq, fp, parse_ts(updated)  # type: ignore[misc]

    def feed_log_rows(self, feed_key: str, first: int, last: int) -> list[FeedRevision]:
        """The revisions ``first`` ≤ seq ≤ ``last`` of one feed, in seq order (an archive page, the tail)."""
        rows = self.db.execute(
            "SELECT feed_key, seq, story_id, fingerprint, updated, logged_at FROM feed_log"
            " WHERE feed_key=? AND seq BETWEEN ? AND ? ORDER BY seq",
            (feed_key, first, last),
        )
        return [FeedRevision(k, q, sid, fp, parse_ts(u), parse_ts(lg)) for k, q, sid, fp, u, lg in rows]  # type: ignore[arg-type]

    def append_feed_log(self, revisions: Iterable[FeedRevision]) -> None:
        with self.transaction():
            self.db.executemany(
                "INSERT INTO feed_log (feed_key, seq, story_id, fingerprint, updated, logged_at)"
                " VALUES (?,?,?,?,?,?)",
                [
                    (r.feed_key, r.seq, r.story_id, r.fingerprint, ts(r.updated), ts(r.logged_at))
                    for r in revisions
                ],
            )

    def frozen_feed_pages(self) -> Iterator[tuple[str, int, str, bytes]]:
        rows = self.db.execute("SELECT feed_key, page, format, body FROM feed_pages ORDER BY feed_key, page")
        for key, page, fmt, body in rows:
            yield key, page, fmt, bytes(body)

    def freeze_feed_page(self, feed_key: str, page: int, fmt: str, body: bytes, now: datetime) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO feed_pages (feed_key, page, format, body, frozen_at) VALUES (?,?,?,?,?)",
            (feed_key, page, fmt, body, ts(now)),
        )

    # -- scale-out (issue 9): one SQLite file is one machine, where the run lock already serialises runs, so
    # every source is this worker's. Row-level claims live in archive/postgresql.py.
    def claim_sources(self, source_ids: Iterable[str], worker: str) -> list[str]:
        return sorted(set(source_ids))

    def release_sources(self) -> None:
        return None

    # -- refine state (issue 4: incremental clustering and tagging; refine/) -------------------------------------
    def refine_pending(self) -> list[int]:
        rows = self.db.execute(
            "SELECT i.id FROM items i LEFT JOIN refine_items r ON r.item_id = i.id"
            " WHERE r.item_id IS NULL OR r.content_hash != i.content_hash ORDER BY i.id"
        )
        return [r[0] for r in rows]

    def refine_rows(self, ids: Iterable[int] | None = None) -> Iterator[RefineRow]:
        cols = (
            "id, source_id, url, canonical_url, title, summary, content, published, sort_date, first_seen,"
            " content_hash"
        )
        if ids is None:
            cursor: Iterable[tuple[Any, ...]] = self.db.execute(f"SELECT {cols} FROM items ORDER BY id")
            yield from (_refine_row(r) for r in cursor)
            return
        id_list = sorted(set(ids))
        for i in range(0, len(id_list), 500):
            chunk = id_list[i : i + 500]
            q = f"SELECT {cols} FROM items WHERE id IN ({','.join('?' * len(chunk))}) ORDER BY id"
            yield from (_refine_row(r) for r in self.db.execute(q, chunk))

    def refine_reader(self) -> SQLiteArchive:
        return SQLiteArchive(self.path)

    def refine_lookup_keys(
        self, keys: Iterable[int], newest: int | None = None, excluding: Collection[int] = ()
    ) -> list[tuple[int, int, int]]:
        key_list = sorted(set(keys))
        out: list[tuple[int, int, int]] = []
        if newest is not None:  # newest first along the (key, item_id) primary key, stopping after ``newest``
            skip = set(excluding)
            for k in key_list:
                taken = 0
                for row in self.db.execute(
                    "SELECT key, item_id, at FROM refine_keys WHERE key = ? ORDER BY item_id DESC", (k,)
                ):
                    if row[1] in skip:
                        continue
                    out.append(row)
                    taken += 1
                    if taken >= newest:
                        break
            out.sort(key=lambda r: (r[1], r[0]))  # item id order; one item's keys in key order
            return out
        for i in range(0, len(key_list), 500):
            chunk = key_list[i : i + 500]
            out.extend(
                self.db.execute(
                    f"SELECT key, item_id, at FROM refine_keys WHERE key IN ({','.join('?' * len(chunk))})",
                    chunk,
                )
            )
        out.sort(key=lambda r: (r[1], r[0]))  # item id order; one item's keys in key order
        return out

    def refine_auto_clusters(self, ids: Iterable[int] | None = None) -> dict[int, str]:
        if ids is None:
            return dict(self.db.execute("SELECT item_id, auto_cluster FROM refine_items"))
        id_list = sorted(set(ids))
        out: dict[int, str] = {}
        for i in range(0, len(id_list), 500):
            chunk = id_list[i : i + 500]
            out.update(
                self.db.execute(
                    "SELECT item_id, auto_cluster FROM refine_items"
                    f" WHERE item_id IN ({','.join('?' * len(chunk))})",
                    chunk,
                )
            )
        return out

    def refine_cluster_taken(self, cluster_id: str, excluding: Iterable[int]) -> bool:
        skip = set(excluding)
        rows = self.db.execute("SELECT item_id FROM refine_items WHERE auto_cluster=?", (cluster_id,))
        return any(r[0] not in skip for r in rows)

    def put_refine_results(
        self, rows: Iterable[tuple[int, str, str, int, int | None, str]], keys: Iterable[tuple[int, int, int]]
    ) -> None:
        rows = list(rows)
        with self.transaction():
            empty = self.db.execute("SELECT 1 FROM refine_keys LIMIT 1").fetchone() is None
            bulk = len(rows) > 10_000 and empty
            if bulk:  # a from-scratch run: building indexes once after loading is several times faster
                self.db.execute("DROP INDEX refine_keys_item")
                self.db.execute("DROP INDEX refine_items_cluster")
                rows.sort()  # item id order: the inserts append to the table's b-tree
            else:
                ids = [r[0] for r in rows]
                for i in range(0, len(ids), 500):
                    chunk = ids[i : i + 500]
                    self.db.execute(
                        f"DELETE FROM refine_keys WHERE item_id IN ({','.join('?' * len(chunk))})", chunk
                    )
            self.db.executemany(
                "INSERT OR REPLACE INTO refine_items (item_id, content_hash, auto_cluster, at, matched, reason)"
                " VALUES (?,?,?,?,?,?)",
                rows,
            )
            # keys arrive sorted from a full run (the table is clustered by key: inserts then append pages);
            # OR IGNORE: an item listing one key twice keeps one row, as the primary key requires
            self.db.executemany("INSERT OR IGNORE INTO refine_keys (key, item_id, at) VALUES (?,?,?)", keys)
            if bulk:
                self.db.execute("CREATE INDEX refine_keys_item ON refine_keys (item_id)")
                self.db.execute("CREATE INDEX refine_items_cluster ON refine_items (auto_cluster)")

    def refine_reset(self) -> None:
        with self.transaction():
            self.db.execute("DELETE FROM refine_keys")
            self.db.execute("DELETE FROM refine_items")

    def refine_state(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT name, value FROM refine_state"))

    def put_refine_state(self, values: Mapping[str, str]) -> None:
        with self.transaction():
            self.db.executemany(
                "INSERT INTO refine_state (name, value) VALUES (?,?)"
                " ON CONFLICT(name) DO UPDATE SET value=excluded.value",
                list(values.items()),
            )

    def item_ids_by_url(self, urls: Iterable[str]) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for u in set(urls):
            rows = self.db.execute("SELECT id FROM items WHERE canonical_url=? OR url=? ORDER BY id", (u, u))
            out[u] = [r[0] for r in rows]
        return out

    def current_clusters(self) -> dict[int, str | None]:
        return dict(self.db.execute("SELECT id, cluster_id FROM items"))

    def put_cluster_aliases(self, aliases: Mapping[str, str]) -> None:
        with self.transaction():
            self.db.executemany(
                "INSERT INTO cluster_aliases (old_id, new_id) VALUES (?,?)"
                " ON CONFLICT(old_id) DO UPDATE SET new_id=excluded.new_id",
                list(aliases.items()),
            )

    def cluster_aliases(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT old_id, new_id FROM cluster_aliases"))


def _matched_json(words: list[str]) -> str:
    """``json.dumps(words, ensure_ascii=False)``; plain words (the usual case) without the encoder's overhead,
    which a whole-archive retag pays 10^5 times."""
    if all(w.isprintable() and '"' not in w and "\\" not in w for w in words):
        return '["' + '", "'.join(words) + '"]' if words else "[]"
    return json.dumps(words, ensure_ascii=False)


def _refine_row(r: tuple[Any, ...]) -> RefineRow:
    return RefineRow(
        r[0], r[1], r[2], r[3], r[4], r[5], r[6], parse_ts(r[7]), parse_ts(r[8]), parse_ts(r[9]), r[10]  # type: ignore[arg-type]
    )  # fmt: skip


def _sort_date(e: Entry, now: datetime) -> datetime:
    """When an item belongs in time-ordered lists: its publication date, but never after we first saw it."""
    if e.sort_date is not None:  # ingest decided (late item / new source's backlog)
        return min(e.sort_date, now)
    if e.published is None:
        return now
    return min(e.published, now)


# built once: json.dumps with options constructs a new encoder on every call (20,000 calls in a large run)
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode
_ENCODE_RAW = json.JSONEncoder(ensure_ascii=False, default=str).encode


def _list_json(value: list[Any]) -> str:
    """Most entries have no categories or enclosures: those skip the JSON encoder."""
    return _ENCODE(value) if value else "[]"


def _raw_json(raw: dict[str, Any]) -> str:
    return _ENCODE_RAW(raw)


def _entry_values(e: Entry) -> tuple[Any, ...]:
    return (
        e.guid, e.url, e.canonical_url, e.title, e.summary, e.content, e.author,
        _list_json(e.categories), e.image, _list_json(e.enclosures), ts(e.published), ts(e.updated),
    )  # fmt: skip


def _item(r: tuple[Any, ...]) -> Item:
    return Item(
        id=r[0], source_id=r[1], key=r[2], title=r[3], url=r[4], canonical_url=r[5], guid=r[6], summary=r[7],
        content=r[8], author=r[9], categories=json.loads(r[10]), image=r[11], enclosures=json.loads(r[12]),
        published=parse_ts(r[13]), updated=parse_ts(r[14]), first_seen=parse_ts(r[15]),  # type: ignore[arg-type]
        last_seen=parse_ts(r[16]), sort_date=parse_ts(r[17]), content_hash=r[18],  # type: ignore[arg-type]
        changed_at=parse_ts(r[19]), cluster_id=r[20],  # type: ignore[arg-type]
    )  # fmt: skip


# -- publish (portal engineer): light item rows for the site model -----------------------------------------------
_HEAD_COLS = (
    "id, source_id, title, url, canonical_url, image, published, first_seen, sort_date, content_hash,"
    " changed_at, cluster_id"
)


def head_reader() -> Callable[[tuple[Any, ...]], ItemHead]:
    """Row → :class:`ItemHead` for one pass over the items in id order. Neighbouring items were mostly stored by
    the same fetch run, so their first-seen and changed-at stamps repeat: the last parsed value of each column is
    reused (one datetime object shared, not one per item), and source ids are interned; memory stays bounded."""
    last: list[tuple[str | None, datetime | None]] = [(None, None)] * 4

    def when(col: int, value: str | None) -> datetime | None:
        prev, parsed = last[col]
        if value != prev:
            parsed = parse_ts(value)
            last[col] = (value, parsed)
        return parsed

    def head(r: tuple[Any, ...]) -> ItemHead:
        published = when(0, r[6])
        sort_date = published if r[8] == r[6] else when(1, r[8])
        return ItemHead(r[0], sys.intern(r[1]), r[2], r[3], r[4], r[5], published, when(2, r[7]),  # type: ignore[arg-type]
                        sort_date, r[9], when(3, r[10]), r[11])  # type: ignore[arg-type]  # fmt: skip

    return head


def _statements(sql: str) -> list[str]:
    """Split a migration file into statements (migrations hold no semicolons inside literals)."""
    lines = [ln for ln in sql.splitlines() if not ln.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
