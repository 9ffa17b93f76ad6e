"""The archive contract, run against every backend: SQLite and PostgreSQL must behave identically.

Cases from tests/foundation/test_archive.py are repeated here parametrized over both backends, plus the rest
of the protocol (source state, fetch log, tags, clusters, streaming, feed log) so that a method that behaves
differently on one backend fails here.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from siman_hub.archive import Archive, open_archive
from siman_hub.archive.sqlite import _statements, migrations
from siman_hub.models import Entry, FeedRevision, FetchLog, SourceState, Tag
from siman_hub.sources.decide import decide

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def entry(key: str, title: str = "Judul", body: str = "isi") -> Entry:
    return Entry(key=key, title=title, url=f"https://example.go.id/{key}", content=f"<p>{body}</p>",
                 published=NOW - timedelta(hours=1), content_hash=f"{title}|{body}",
                 categories=["Kesehatan"], raw={"guid": key})  # fmt: skip


def ingest(a: Archive, source: str, entries: list[Entry], now: datetime = NOW) -> tuple[int, int]:
    return a.apply_changes(source, decide(a.stored_hashes(source), entries), now)


# -- migrations -------------------------------------------------------------------------------------------
def test_fresh_archive_is_migrated_to_latest(archive: Archive, backend: str) -> None:
    assert archive.schema_version() == max(n for n, _ in migrations(backend))
    assert archive.integrity_check() == []


def test_migrations_apply_in_order_from_an_older_schema(archive_url: str, backend: str) -> None:
    first_number, first_sql = migrations(backend)[0]
    row = ("INSERT INTO items (source_id, key, title, first_seen, last_seen, sort_date, changed_at, content_hash)"
           " VALUES ('s', 'k', 't', '2026-01-01', '2026-01-01', '2026-01-01', '2026-01-01', 'h')")  # fmt: skip
    if backend == "sqlite":
        db = sqlite3.connect(archive_url[len("sqlite:///") :])
        db.executescript(first_sql)
        db.execute(f"PRAGMA user_version={first_number}")
        db.execute(row)
        db.commit()
        db.close()
    else:
        with psycopg.connect(archive_url, autocommit=True) as c:
            for statement in _statements(first_sql):
                c.execute(statement)  # type: ignore[arg-type]
            c.execute(
                "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
            c.execute("INSERT INTO schema_migrations VALUES (%s, 'then')", (first_number,))
            c.execute(row)  # type: ignore[arg-type]
    a = open_archive(archive_url)
    assert a.schema_version() == max(n for n, _ in migrations(backend))
    assert a.count_items() == 1  # data survives the upgrade
    assert a.migrate() == []  # type: ignore[attr-defined]  # idempotent
    a.close()


def test_two_processes_opening_a_fresh_archive_migrate_once(archive_url: str) -> None:
    a, b = open_archive(archive_url), open_archive(archive_url)
    assert a.schema_version() == b.schema_version()
    assert b.migrate() == []  # type: ignore[attr-defined]
    a.close()
    b.close()


# -- items --------------------------------------------------------------------------------------------------
def test_items_dropped_by_the_feed_stay_archived(archive: Archive) -> None:
    ingest(archive, "s", [entry("1"), entry("2")])
    ingest(archive, "s", [entry("2"), entry("3")], NOW + timedelta(hours=1))
    assert archive.count_items("s") == 3
    assert {i.key for i in archive.iter_items()} == {"1", "2", "3"}


def test_same_guid_in_two_sources_is_two_items(archive: Archive) -> None:
    for src in ("kemkes", "bgn"):
        ingest(archive, src, [entry("g:1")])
    assert archive.count_items() == 2
    assert archive.item_counts() == {"kemkes": 1, "bgn": 1}


def test_update_changes_content_and_keeps_first_seen(archive: Archive) -> None:
    ingest(archive, "s", [entry("1")])
    later = NOW + timedelta(hours=2)
    assert ingest(archive, "s", [entry("1", body="diperbarui")], later) == (0, 1)
    (item,) = list(archive.iter_items())
    assert "diperbarui" in item.content
    assert item.first_seen == NOW and item.changed_at == later and item.last_seen == later
    assert item.categories == ["Kesehatan"] and item.sort_date == NOW - timedelta(hours=1)


def test_identity_change_rekeys_in_place(archive: Archive) -> None:
    from siman_hub.sources.identity import rekey_map

    ingest(archive, "s", [entry("g:1"), entry("g:2", title="Lain")])
    rows = archive.identity_rows("s")
    assert [(r[1], r[2], r[4]) for r in rows] == [(None, "https://example.go.id/g:1", "Judul"),
                                                  (None, "https://example.go.id/g:2", "Lain")]  # fmt: skip
    assert rows[0][3] == NOW - timedelta(hours=1) and rows[0][5] == "<p>isi</p>"
    renamed = rekey_map(rows, "link")
    fresh = [entry("l:https://example.go.id/g:1"), entry("l:https://example.go.id/g:2", title="Lain")]
    for e, old in zip(fresh, ("g:1", "g:2"), strict=True):
        e.url = f"https://example.go.id/{old}"
    changes = decide(archive.stored_hashes("s"), fresh, renamed)
    assert archive.apply_changes("s", changes, NOW + timedelta(hours=1)) == (0, 0)
    assert set(archive.stored_hashes("s")) == {"l:https://example.go.id/g:1", "l:https://example.go.id/g:2"}
    assert archive.count_items("s") == 2


def test_seen_again_only_touches_last_seen(archive: Archive) -> None:
    ingest(archive, "s", [entry("1")])
    later = NOW + timedelta(hours=3)
    assert ingest(archive, "s", [entry("1")], later) == (0, 0)
    (item,) = list(archive.iter_items())
    assert item.last_seen == later and item.changed_at == NOW


def test_failed_transaction_leaves_nothing(archive: Archive) -> None:
    with pytest.raises(RuntimeError), archive.transaction():
        ingest(archive, "s", [entry("1")])
        raise RuntimeError("crash mid-write")
    assert archive.count_items() == 0


def test_iter_items_filters_and_streams_past_one_page(archive: Archive) -> None:
    n = 4321  # more than one PostgreSQL keyset page (2000)
    ingest(archive, "s", [entry(str(i)) for i in range(n)])
    ingest(archive, "t", [entry("late")], NOW + timedelta(days=1))
    ids = [i.id for i in archive.iter_items()]
    assert len(ids) == n + 1 and ids == sorted(ids) and len(set(ids)) == n + 1
    assert [i.key for i in archive.iter_items(since_changed=NOW + timedelta(hours=1))] == ["late"]
    picked = {i.key for i in archive.iter_items(ids=ids[:3] + ids[-1:])}
    assert picked == {"0", "1", "2", "late"}


def test_nul_in_feed_text_does_not_fail_the_source(archive: Archive) -> None:
    """PostgreSQL text cannot store NUL; the item must still be archived (NUL becomes U+FFFD there)."""
    ingest(archive, "s", [entry("1", title="Judul\x00rusak")])
    (item,) = list(archive.iter_items())
    assert item.title in {"Judul\x00rusak", "Judul\ufffdrusak"}


# -- sources and fetch log ----------------------------------------------------------------------------------
def test_source_state_round_trips(archive: Archive) -> None:
    st = SourceState("kemkes", feed_url="https://kemkes.go.id/rss", etag='W/"1"', last_status=200,
                     last_fetch_at=NOW, next_fetch_at=NOW + timedelta(minutes=30), failures=2,
                     cache_until=NOW + timedelta(minutes=5), ua_fallback=True, identity_note="guid: 40% empty")  # fmt: skip
    archive.put_source_state(st)
    assert archive.get_source_state("kemkes") == st
    st.failures, st.ua_fallback = 0, False
    archive.put_source_state(st)  # upsert
    assert archive.source_states() == {"kemkes": st}
    assert archive.get_source_state("nope") is None


def test_fetch_logs_newest_first_with_limit(archive: Archive) -> None:
    for i in range(5):
        archive.record_fetch(FetchLog("s", NOW + timedelta(minutes=i), 10 * i, 200, 100, i, 0, None, "u"))
    archive.record_fetch(FetchLog("other", NOW, 1, None, 0, 0, 0, "timeout", "u"))
    logs = archive.fetch_logs("s", limit=3)
    assert [log.items_new for log in logs] == [4, 3, 2]
    assert logs[0].started_at == NOW + timedelta(minutes=4)
    assert archive.fetch_logs("other")[0].error == "timeout"


# -- refine results -----------------------------------------------------------------------------------------
def test_clusters_and_tags(archive: Archive) -> None:
    ingest(archive, "s", [entry("1"), entry("2"), entry("3")])
    ids = [i.id for i in archive.iter_items()]
    archive.put_clusters({ids[0]: "c1", ids[1]: "c1", ids[2]: "c2"})
    assert {i.id: i.cluster_id for i in archive.iter_items()} == {ids[0]: "c1", ids[1]: "c1", ids[2]: "c2"}
    archive.replace_tags(ids[:2], [Tag(ids[0], "mbg", "phrase", ["makan bergizi gratis"], "v1"),
                                   Tag(ids[1], "mbg", "phrase", ["MBG"], "v1")])  # fmt: skip
    archive.replace_tags([ids[0]], [Tag(ids[0], "ckg", "phrase", ["cek kesehatan"], "v2")])
    tags = archive.tags()
    assert {k: [(t.program_id, t.matched) for t in v] for k, v in tags.items()} == {
        ids[0]: [("ckg", ["cek kesehatan"])], ids[1]: [("mbg", ["MBG"])]}  # fmt: skip
    assert list(archive.tags([ids[1]])) == [ids[1]]


# -- publish / feeds out --------------------------------------------------------------------------------------
def test_build_fingerprint_changes_with_items_clusters_and_tags(archive: Archive) -> None:
    seen = {archive.build_fingerprint()}
    ingest(archive, "s", [entry("1")])
    seen.add(archive.build_fingerprint())
    (item,) = list(archive.iter_items())
    archive.put_clusters({item.id: "c9"})
    seen.add(archive.build_fingerprint())
    archive.replace_tags([item.id], [Tag(item.id, "mbg", "phrase", ["x"], "v1")])
    seen.add(archive.build_fingerprint())
    assert len(seen) == 4
    assert archive.build_fingerprint() in seen  # stable when nothing changed


def test_feed_log_is_append_only_and_pages_freeze_once(archive: Archive) -> None:
    rev = [FeedRevision("semua", 1, "c1", "fp1", NOW, NOW), FeedRevision("semua", 2, "c2", "fp2", NOW, NOW)]
    archive.append_feed_log(rev)
    assert list(archive.feed_log()) == rev
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        archive.append_feed_log([FeedRevision("semua", 2, "c3", "fp3", NOW, NOW)])
    assert list(archive.feed_log()) == rev  # the failed append left nothing
    archive.freeze_feed_page("semua", 1, "atom", b"<feed>1</feed>", NOW)
    archive.freeze_feed_page("semua", 1, "atom", b"<feed>changed</feed>", NOW)
    assert list(archive.frozen_feed_pages()) == [("semua", 1, "atom", b"<feed>1</feed>")]


def test_feed_log_read_per_feed_latest_revision_by_story_id(archive: Archive) -> None:
    """What a build streams: one feed's size, each story's latest revision in code point order of the ids (the
    order Python sorts them in, whatever the database's locale), and a seq range of rows."""
    later = NOW + timedelta(hours=1)
    ids = ["c10", "c2", "C3", "c\u00e9", "c_1", "c-1", "cZ"]  # case, digits, punctuation, non-ASCII
    rows = [FeedRevision("all", n + 1, sid, f"fp{n}", NOW, NOW) for n, sid in enumerate(ids)]
    rows.append(FeedRevision("all", len(ids) + 1, "c2", "fp-new", later, later))  # c2 changed since
    rows.append(FeedRevision("agency/x", 1, "c2", "other", NOW, NOW))
    archive.append_feed_log(rows)
    assert archive.feed_log_size("all") == len(ids) + 1
    assert archive.feed_log_size("agency/x") == 1
    assert archive.feed_log_size("none") == 0
    latest = list(archive.feed_log_latest("all"))
    assert [sid for sid, *_ in latest] == sorted(ids)
    assert dict((sid, (seq, fp, upd)) for sid, seq, fp, upd in latest)["c2"] == (
        len(ids) + 1,
        "fp-new",
        later,
    )
    assert archive.feed_log_rows("all", 2, 3) == rows[1:3]
    assert archive.feed_log_rows("all", len(ids), 99) == rows[len(ids) - 1 : len(ids) + 1]
    assert archive.feed_log_rows("none", 1, 50) == []


def test_item_heads_read_like_items_without_text(archive: Archive) -> None:
    ingest(archive, "kemkes", [entry("a"), entry("b", title="Lain")])
    items = {it.id: it for it in archive.iter_items()}
    heads = list(archive.iter_item_heads())
    assert [h.id for h in heads] == sorted(items)
    for h in heads:
        it = items[h.id]
        for name in ("source_id", "title", "url", "canonical_url", "image", "published", "first_seen",
                     "sort_date", "content_hash", "changed_at", "cluster_id"):  # fmt: skip
            assert getattr(h, name) == getattr(it, name), name
        assert (h.summary, h.content, h.categories, h.enclosures) == ("", "", (), ())


# -- claims -------------------------------------------------------------------------------------------------
def test_claims_are_exclusive_until_released(archive_url: str, backend: str) -> None:
    a, b = open_archive(archive_url), open_archive(archive_url)
    assert a.claim_sources(["kemkes", "bgn", "bnpb"], "a") == ["bgn", "bnpb", "kemkes"]
    won_by_b = b.claim_sources(["bnpb", "polri"], "b")
    if backend == "postgresql":
        assert won_by_b == ["polri"]  # bnpb is a's until a releases it
        a.release_sources()
        b.release_sources()
        assert b.claim_sources(["bnpb"], "b") == ["bnpb"]
    else:
        assert won_by_b == ["bnpb", "polri"]  # one machine: the run lock serialises, claims are a no-op
    a.close()
    b.close()


def test_a_dead_worker_frees_its_claims(archive_url: str, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite claims are a no-op")
    a, b = open_archive(archive_url), open_archive(archive_url)
    assert a.claim_sources(["kemkes"], "a") == ["kemkes"]
    assert b.claim_sources(["kemkes"], "b") == []
    a._lock_conn.close()  # type: ignore[attr-defined]  # what the server sees when a worker's process dies
    assert b.claim_sources(["kemkes"], "b") == ["kemkes"]
    a.close()
    b.close()


# -- refine state (migration 0003) ----------------------------------------------------------------------------
def test_refine_state_round_trips(archive: Archive) -> None:
    ingest(archive, "s", [entry("1"), entry("2"), entry("3")])
    a, b, c = (i.id for i in archive.iter_items())
    assert archive.refine_pending() == [a, b, c]
    big = 2**62 + 7  # MinHash band keys use the whole signed 64-bit range
    archive.put_refine_results(
        [(a, "Judul|isi", "c-a", 100, None, "new"), (b, "Judul|isi", "c-a", 100, a, "same url")],
        [(big, a, 100), (5, a, 100), (5, b, 100)],
    )
    assert archive.refine_pending() == [c]
    found = archive.refine_lookup_keys([5, big, 999])
    assert sorted(found) == sorted([(big, a, 100), (5, a, 100), (5, b, 100)])
    assert found == [(5, a, 100), (big, a, 100), (5, b, 100)]  # in item id order, then key order
    # newest per key, leaving out this run's items: what an incremental clustering run may scan
    assert archive.refine_lookup_keys([5, big], 1) == [(big, a, 100), (5, b, 100)]
    assert archive.refine_lookup_keys([5, big], 1, [b]) == [(5, a, 100), (big, a, 100)]
    assert archive.refine_lookup_keys([5, big, 999], 64, [c]) == found
    assert archive.refine_auto_clusters() == {a: "c-a", b: "c-a"}
    assert archive.refine_auto_clusters([b]) == {b: "c-a"}
    assert archive.refine_cluster_taken("c-a", [a]) and not archive.refine_cluster_taken("c-a", [a, b])
    archive.put_refine_results([(a, "Judul|isi", "c-z", 200, None, "moved")], [(7, a, 200)])  # upsert
    assert archive.refine_auto_clusters([a]) == {a: "c-z"}
    assert [k for k, _, _ in archive.refine_lookup_keys([5, 7, big])].count(7) == 1
    assert {r.id for r in archive.refine_rows()} == {a, b, c}
    assert [r.title for r in archive.refine_rows([c])] == ["Judul"]
    archive.put_refine_state({"rules": "v1", "clusters": "v2"})
    archive.put_refine_state({"rules": "v3"})
    assert archive.refine_state() == {"rules": "v3", "clusters": "v2"}
    archive.put_cluster_aliases({"old": "new"})
    archive.put_cluster_aliases({"old": "newer"})
    assert archive.cluster_aliases() == {"old": "newer"}
    assert archive.item_ids_by_url(["https://example.go.id/2", "https://nowhere"]) == {
        "https://example.go.id/2": [b], "https://nowhere": []}  # fmt: skip
    assert set(archive.current_clusters()) == {a, b, c}
    archive.refine_reset()
    assert archive.refine_pending() == [a, b, c] and archive.refine_lookup_keys([5, 7]) == []
