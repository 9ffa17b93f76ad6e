"""The feed log's decisions, on hand-built stories: what gets a row, in what order, with which date."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from siman_hub.models import FeedRevision, Item
from siman_hub.publish import feedlog
from siman_hub.publish.model import Story

T = datetime(2026, 11, 1, tzinfo=UTC)


def _item(i: int, *, seen: int, published: int, changed: int | None = None, h: str = "h") -> Item:
    return Item(
        id=i, source_id="s", key=str(i), title=f"t{i}", url=None, canonical_url=None, guid=None, summary="",
        content="", author=None, categories=[], image=None, enclosures=[],
        published=T + timedelta(hours=published), updated=None, first_seen=T + timedelta(hours=seen),
        last_seen=T + timedelta(hours=seen), sort_date=T + timedelta(hours=published), content_hash=h,
        changed_at=T + timedelta(hours=changed if changed is not None else seen),
    )  # fmt: skip


def _story(*items: Item) -> Story:
    return Story(f"c{items[0].id}", items[0], list(items))


def test_new_stories_are_logged_in_first_seen_order_not_publication_order() -> None:
    late = _story(_item(1, seen=10, published=-700))  # published a month ago, first seen last
    early = _story(_item(2, seen=1, published=1))
    rows = feedlog.plan_appends("all", [late, early], [], T)
    assert [r.story_id for r in rows] == ["c2", "c1"]
    assert [r.seq for r in rows] == [1, 2]
    assert feedlog.plan_appends("all", [late, early], rows, T + timedelta(hours=20)) == []  # idempotent


def test_a_change_or_a_merge_appends_a_strictly_later_revision() -> None:
    a = _story(_item(1, seen=1, published=1))
    log = feedlog.plan_appends("all", [a], [], T + timedelta(hours=1))
    edited = _story(_item(1, seen=1, published=1, changed=5, h="h2"))
    (row,) = feedlog.plan_appends("all", [edited], log, T + timedelta(hours=5))
    assert (row.seq, row.updated) == (2, T + timedelta(hours=5))
    # a merge brings in an older item: the story's own dates do not move, the revision's still does
    merged = _story(edited.canonical, _item(7, seen=0, published=0))
    now = T + timedelta(hours=9)
    (row2,) = feedlog.plan_appends("all", [merged], [*log, row], now)
    assert row2.updated == now > row.updated
    # the same second twice: still strictly later
    (row3,) = feedlog.plan_appends("all", [_story(merged.canonical)], [*log, row, row2], now)
    assert row3.updated > row2.updated


def _rows(n: int) -> list[FeedRevision]:
    return [FeedRevision("all", i, f"c{i % 7}", "f", T, T) for i in range(1, n + 1)]


@given(n=st.integers(0, 60), feed_size=st.integers(1, 12), page=st.integers(1, 9))
def test_subscription_plus_archive_pages_cover_every_row_exactly(n: int, feed_size: int, page: int) -> None:
    log = _rows(n)
    complete = feedlog.complete_pages(n, page)
    archived = [r for p in range(1, complete + 1) for r in feedlog.page_rows(log, p, page)]
    sub = feedlog.subscription_rows(log, feed_size, page)
    assert archived == log[: complete * page]  # pages are consecutive, fixed seq ranges
    assert {r.seq for r in archived} | {r.seq for r in sub} == {r.seq for r in log}  # no gap
    assert len(sub) >= min(n, feed_size)


def test_documents_list_each_story_once_at_its_latest_revision() -> None:
    log = _rows(10)
    newest = feedlog.newest_first(log)
    assert [r.story_id for r in newest] == ["c3", "c2", "c1", "c0", "c6", "c5", "c4"]
    assert newest[0] == replace(log[-1])
