"""The append-only log behind every re-exported feed, and the RFC 5005 paging it implies. Pure: no I/O.

A consumer must never miss a story nor see one twice, even after a week offline. Ordering feeds by publication
date cannot promise that: a late item (published last month, first seen now) would land deep in the past where a
polling consumer never looks. So each feed keeps a log in the order the hub *saw* things: a row when a story
enters the feed and a row each time it changes. Archive page ``n`` is the fixed seq range
``[(n-1)*PAGE_SIZE+1, n*PAGE_SIZE]``; because rows are only ever appended, a page's set of entries never changes
once it is complete, which is what RFC 5005 asks of archive documents.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from ..models import FeedRevision
from .model import Story

#: Entries per archive document. Fixed forever: changing it would move entries between published archive URLs.
PAGE_SIZE = 50

#: Dates are published with one-second precision; a revision's ``updated`` moves by at least this much.
_TICK = timedelta(seconds=1)


def fingerprint(story: Story) -> str:
    """What makes a new revision: the members (and their content) and which one is canonical.

    Program tags are deliberately left out: retagging after a rule edit may touch thousands of old stories, and
    re-announcing all of them in the merged feed would flood consumers with non-news. A story that *enters* a
    program feed through retagging is still logged there as new.
    """
    h = hashlib.sha256(story.canonical.id.to_bytes(8, "big", signed=True))
    for m in sorted(story.members, key=lambda m: m.id):
        h.update(f"\x1e{m.id}\x1f{m.content_hash}".encode())
    return h.hexdigest()[:20]


def latest_by_story(revisions: Iterable[FeedRevision]) -> dict[str, FeedRevision]:
    out: dict[str, FeedRevision] = {}
    for r in revisions:
        prev = out.get(r.story_id)
        if prev is None or r.seq > prev.seq:
            out[r.story_id] = r
    return out


def plan_appends(
    feed_key: str, stories: Iterable[Story], log: Sequence[FeedRevision], now: datetime
) -> list[FeedRevision]:
    """The rows to append so the log reflects ``stories`` (see :func:`plan_appends_sorted`), from a whole log."""
    latest = sorted((r.story_id, r.seq, r.fingerprint, r.updated) for r in latest_by_story(log).values())
    return plan_appends_sorted(feed_key, stories, latest, (log[-1].seq if log else 0), now)


def plan_appends_sorted(
    feed_key: str,
    stories: Iterable[Story],
    latest: Iterable[tuple[str, int, str, datetime]],
    size: int,
    now: datetime,
) -> list[FeedRevision]:
    """The rows to append so the log reflects ``stories``: new stories and changed ones, in first-seen order.

    ``latest`` is each logged story's latest revision as (story_id, seq, fingerprint, updated), ordered by story
    id; it is merged with the stories sorted the same way, so the log is streamed, never held (a feed of a
    million stories). ``size`` is the log's highest seq.

    A revision's ``updated`` is the story's own last change when that moved forward; when only the cluster
    changed (a merge brings in an older item) the story's dates may not move, so the time the hub noticed is
    used instead, always later than the previous revision. It is written once and read back on every build.
    """
    rows = iter(latest)
    cur = next(rows, None)
    changed: list[tuple[Story, datetime, str]] = []
    for story in sorted(stories, key=lambda s: s.id):
        while cur is not None and cur[0] < story.id:
            cur = next(rows, None)
        fp = fingerprint(story)
        if cur is None or cur[0] != story.id:
            changed.append((story, story.updated, fp))
        elif cur[2] != fp:
            # strictly later than the previous revision, or consumers comparing dates would skip it
            prev_updated = cur[3]
            updated = story.updated if story.updated > prev_updated else max(now, prev_updated + _TICK)
            changed.append((story, updated, fp))
    changed.sort(key=lambda c: (c[0].first_seen, c[0].date, c[0].id))
    return [
        FeedRevision(feed_key, size + 1 + i, story.id, fp, updated, now)
        for i, (story, updated, fp) in enumerate(changed)
    ]


def complete_pages(total: int, page_size: int | None = None) -> int:
    return total // (page_size or PAGE_SIZE)


def page_rows(log: Sequence[FeedRevision], page: int, page_size: int | None = None) -> list[FeedRevision]:
    """Rows of archive page ``page`` (1 = oldest); the log's seqs are 1..n without gaps."""
    size = page_size or PAGE_SIZE
    return list(log[(page - 1) * size : page * size])


def page_seqs(page: int, page_size: int | None = None) -> tuple[int, int]:
    """First and last seq of archive page ``page`` (1 = oldest)."""
    size = page_size or PAGE_SIZE
    return (page - 1) * size + 1, page * size


def subscription_start(total: int, feed_size: int, page_size: int | None = None) -> int:
    """How many rows precede the subscription document's rows (see :func:`subscription_rows`)."""
    size = page_size or PAGE_SIZE
    return min(complete_pages(total, size) * size, max(0, total - feed_size))


def newest_first(rows: Iterable[FeedRevision]) -> list[FeedRevision]:
    """One row per story (its latest revision in ``rows``), newest revision first: what a document lists."""
    return sorted(latest_by_story(rows).values(), key=lambda r: r.seq, reverse=True)


def subscription_rows(
    log: Sequence[FeedRevision], feed_size: int, page_size: int | None = None
) -> list[FeedRevision]:
    """The rows of the subscription document: at least the latest ``feed_size``, and always every row after the
    last complete archive page, so following ``prev-archive`` from here can never skip a row."""
    return list(log[subscription_start(len(log), feed_size, page_size) :])
