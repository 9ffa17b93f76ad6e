"""The records that flow through the pipeline: sources → archive → refine → publish.

Plain dataclasses with no I/O, so every stage can be tested by building them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass(slots=True)
class Entry:
    """One feed entry after parsing and normalization, before the archive has seen it.

    ``key`` identifies the entry *within its source* (two sources may both emit guid "1"). ``summary`` and
    ``content`` are already sanitized HTML; ``raw`` keeps what the feed said so re-normalization never needs a
    refetch.
    """

    key: str
    title: str
    url: str | None = None
    canonical_url: str | None = None
    guid: str | None = None
    summary: str = ""
    content: str = ""
    author: str | None = None
    categories: list[str] = field(default_factory=list)
    image: str | None = None
    enclosures: list[dict[str, Any]] = field(default_factory=list)
    published: datetime | None = None
    updated: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    content_hash: str = ""
    sort_date: datetime | None = None  # set by ingest (late items, backlogs); None = archive default


@dataclass(slots=True)
class Item:
    """An archived entry: an Entry plus what the archive knows about it."""

    id: int
    source_id: str
    key: str
    title: str
    url: str | None
    canonical_url: str | None
    guid: str | None
    summary: str
    content: str
    author: str | None
    categories: list[str]
    image: str | None
    enclosures: list[dict[str, Any]]
    published: datetime | None
    updated: datetime | None
    first_seen: datetime
    last_seen: datetime
    sort_date: datetime
    content_hash: str
    changed_at: datetime
    cluster_id: str | None = None


@dataclass(slots=True)
class SourceState:
    """What the archive remembers about fetching one source between runs."""

    source_id: str
    feed_url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    last_status: int | None = None
    last_fetch_at: datetime | None = None
    last_success_at: datetime | None = None
    last_new_item_at: datetime | None = None
    next_fetch_at: datetime | None = None
    failures: int = 0
    last_error: str | None = None
    disabled_reason: str | None = None
    identity_mode: str | None = None
    feed_title: str | None = None
    feed_link: str | None = None
    # -- ingest (migration 0002) --
    configured_url: str | None = None
    cache_until: datetime | None = None
    retry_after_until: datetime | None = None
    permanent_redirect: str | None = None
    discovered_from: str | None = None
    identity_note: str | None = None
    ua_fallback: bool = False


@dataclass(slots=True)
class FetchLog:
    """One attempt to fetch one source: kept so health pages can say who is down and why."""

    source_id: str
    started_at: datetime
    duration_ms: int
    status: int | None
    bytes: int
    items_new: int
    items_updated: int
    error: str | None = None
    url: str | None = None


@dataclass(slots=True)
class Tag:
    """A program tag on an item, with the reason, so every tag can be explained to an editor."""

    item_id: int
    program_id: str
    rule: str
    matched: list[str]
    rule_version: str


@dataclass(slots=True)
class Changes:
    """The decision for one source's fresh parse: what to insert, what to update, what was merely seen again."""

    inserts: list[Entry] = field(default_factory=list)
    updates: list[tuple[int, Entry]] = field(default_factory=list)
    seen: list[int] = field(default_factory=list)
    rekeys: list[tuple[int, str]] = field(default_factory=list)  # (item id, new key) after an identity change


# -- feeds out --------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class FeedRevision:
    """One row of a re-exported feed's append-only log: a story entering the feed, or changing, at ``seq``.

    ``updated`` is the entry's Atom ``updated`` for this revision, fixed when the row is written so that every
    later build renders the same date.
    """

    feed_key: str
    seq: int
    story_id: str
    fingerprint: str
    updated: datetime
    logged_at: datetime
