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
    """The rows to append so the log reflects ``stories``: new stories and changed ones, in first-seen order.

    A revision's ``updated`` is the story's own last change when that moved forward; when only the cluster
    changed (a merge brings in an older item) the story's dates may not move, so the time the hub noticed is
    used instead, always later than the previous revision. It is written once and read back on every build.
    """
    latest = latest_by_story(log)
    next_seq = (log[-1].seq if log else 0) + 1
    changed: list[tuple[Story, datetime, str]] = []
    for story in stories:
        fp = fingerprint(story)
        prev = latest.get(story.id)
        if prev is None:
            changed.append((story, story.updated, fp))
        elif prev.fingerprint != fp:
            # strictly later than the previous revision, or consumers comparing dates would skip it
            updated = story.updated if story.updated > prev.updated else max(now, prev.updated + _TICK)
            changed.append((story, updated, fp))
    changed.sort(key=lambda c: (c[0].first_seen, c[0].date, c[0].id))
    return [
        FeedRevision(feed_key, next_seq + i, story.id, fp, updated, now)
        for i, (story, updated, fp) in enumerate(changed)
    ]


def complete_pages(total: int, page_size: int | None = None) -> int:
    return total // (page_size or PAGE_SIZE)


def page_rows(log: Sequence[FeedRevision], page: int, page_size: int | None = None) -> list[FeedRevision]:
    """Rows of archive page ``page`` (1 = oldest); the log's seqs are 1..n without gaps."""
    size = page_size or PAGE_SIZE
    return list(log[(page - 1) * size : page * size])


def newest_first(rows: Iterable[FeedRevision]) -> list[FeedRevision]:
    """One row per story (its latest revision in ``rows``), newest revision first: what a document lists."""
    return sorted(latest_by_story(rows).values(), key=lambda r: r.seq, reverse=True)


def subscription_rows(
    log: Sequence[FeedRevision], feed_size: int, page_size: int | None = None
) -> list[FeedRevision]:
    """The rows of the subscription document: at least the latest ``feed_size``, and always every row after the
    last complete archive page, so following ``prev-archive`` from here can never skip a row."""
    size = page_size or PAGE_SIZE
    tail_start = complete_pages(len(log), size) * size
    start = min(tail_start, max(0, len(log) - feed_size))
    return list(log[start:])
