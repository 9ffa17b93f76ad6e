"""Re-exported feeds: every feed of the output contract in Atom 1.0, RSS 2.0 and JSON Feed 1.1, paged and archived
per RFC 5005, plus ``sources.opml`` and the static JSON API.

One entry per story (cluster). Entry ids are the story's permanent URL, so they are stable across rebuilds and
independent of output order. What a document lists comes from each feed's append-only log (``feedlog``), kept in
the archive when the page builder passes one; without an archive (a pure render in tests) the log starts empty
every time, which still yields valid, self-consistent documents.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ..config import regions as regionmod
from ..models import FeedRevision, SourceState, utcnow
from . import feedlog, paths
from .api import render_api
from .atomrss import atom_bytes, rss_bytes
from .entrydata import FeedDoc, absolute, entry_data
from .jsonfeed import json_feed_bytes
from .model import SiteModel, Story
from .opml import opml

FORMATS = ("atom", "rss", "json")
_WRITERS: dict[str, Callable[[FeedDoc], bytes]] = {
    "atom": atom_bytes,
    "rss": rss_bytes,
    "json": json_feed_bytes,
}

Emit = Callable[[str, bytes], None]


@dataclass(slots=True)
class FeedSpec:
    """One re-exported feed: its log key (``all``, ``program/mbg``...), where it lives and what it lists now."""

    key: str
    kind: str | None
    ident: str | None
    title: str
    alt_path: str
    stories: list[Story]

    def path(self, ext: str) -> str:
        return paths.feed(self.kind, self.ident, ext)

    @property
    def stem(self) -> str:
        return self.path("atom").removesuffix(".atom")

    def archive_stem(self, page: int) -> str:
        """``feeds/archive/all/3`` or ``feeds/archive/<kind>/<key>/3`` (+ ``.atom``...); page 1 is the oldest."""
        return f"feeds/archive/{self.key}/{page}"

    def archive_path(self, page: int, ext: str) -> str:
        return f"{self.archive_stem(page)}.{ext}"


def feed_specs(model: SiteModel) -> list[FeedSpec]:
    config = model.config
    site = config.site.title
    specs = [FeedSpec("all", None, None, site, paths.index(), model.stories)]
    for p in config.programs:
        specs.append(FeedSpec(f"program/{p.id}", "program", p.id, f"{p.name} — {site}", paths.program(p.id),
                              model.by_program.get(p.id, [])))  # fmt: skip
    for s in config.sources:
        specs.append(FeedSpec(f"agency/{s.id}", "agency", s.id, f"{s.name} — {site}", paths.agency(s.id),
                              model.by_agency.get(s.id, [])))  # fmt: skip
    for code, stories in sorted(model.by_region.items()):
        region = regionmod.lookup(code)
        specs.append(FeedSpec(f"region/{code}", "region", code, f"{region.name if region else code} — {site}",
                              paths.region(code), stories))  # fmt: skip
    return specs


class LogStore(Protocol):
    """Where feed logs and frozen archive documents live between builds."""

    def feed_log(self) -> Iterator[FeedRevision]: ...

    def feed_log_size(self, feed_key: str) -> int: ...

    def feed_log_latest(self, feed_key: str) -> Iterable[tuple[str, int, str, datetime]]: ...

    def feed_log_rows(self, feed_key: str, first: int, last: int) -> list[FeedRevision]: ...

    def append_feed_log(self, revisions: Iterable[FeedRevision]) -> None: ...

    def frozen_feed_pages(self) -> Iterator[tuple[str, int, str, bytes]]: ...

    def freeze_feed_page(self, feed_key: str, page: int, fmt: str, body: bytes, now: datetime) -> None: ...


class MemoryLogStore:
    """A log that lives for one render: for pure renders and tests without an archive."""

    def __init__(self) -> None:
        self.rows: list[FeedRevision] = []
        self.pages: dict[tuple[str, int, str], bytes] = {}

    def feed_log(self) -> Iterator[FeedRevision]:
        return iter(sorted(self.rows, key=lambda r: (r.feed_key, r.seq)))

    def feed_log_size(self, feed_key: str) -> int:
        return max((r.seq for r in self.rows if r.feed_key == feed_key), default=0)

    def feed_log_latest(self, feed_key: str) -> list[tuple[str, int, str, datetime]]:
        latest = feedlog.latest_by_story(r for r in self.rows if r.feed_key == feed_key)
        return sorted((r.story_id, r.seq, r.fingerprint, r.updated) for r in latest.values())

    def feed_log_rows(self, feed_key: str, first: int, last: int) -> list[FeedRevision]:
        return sorted((r for r in self.rows if r.feed_key == feed_key and first <= r.seq <= last),
                      key=lambda r: r.seq)  # fmt: skip

    def append_feed_log(self, revisions: Iterable[FeedRevision]) -> None:
        self.rows.extend(revisions)

    def frozen_feed_pages(self) -> Iterator[tuple[str, int, str, bytes]]:
        return iter([(k, p, f, b) for (k, p, f), b in sorted(self.pages.items())])

    def freeze_feed_page(self, feed_key: str, page: int, fmt: str, body: bytes, now: datetime) -> None:
        self.pages.setdefault((feed_key, page, fmt), body)

    def frozen_feed_page_keys(self) -> list[tuple[str, int, str]]:
        return sorted(self.pages)

    def frozen_feed_page(self, feed_key: str, page: int, fmt: str) -> bytes | None:
        return self.pages.get((feed_key, page, fmt))


def sync_log(store: LogStore, spec: FeedSpec, now: datetime) -> int:
    """Append this build's new and changed stories to one feed's log (compared with the log's latest revision of
    each story, streamed); returns the log's size."""
    size = store.feed_log_size(spec.key)
    new = feedlog.plan_appends_sorted(spec.key, spec.stories, store.feed_log_latest(spec.key), size, now)
    if new:
        store.append_feed_log(new)
    return size + len(new)


def _story_id(story: Story) -> str:
    return story.id


class _Renderer:
    def __init__(self, model: SiteModel, states: dict[str, SourceState]):
        self.model = model
        self.states = states
        # by id for the few rows a document shows: a sorted list (8 bytes a story), not a dict of a million
        self.by_id = sorted(model.stories, key=_story_id)

    def story(self, story_id: str) -> Story | None:
        i = bisect_left(self.by_id, story_id, key=_story_id)
        return self.by_id[i] if i < len(self.by_id) and self.by_id[i].id == story_id else None

    def doc(self, spec: FeedSpec, rows: list[FeedRevision], **links: str | bool | None) -> FeedDoc:
        site = self.model.config.site
        found = [(r, self.story(r.story_id)) for r in feedlog.newest_first(rows)]
        shown = [(r, st) for r, st in found if st is not None]  # merged away: only the surviving id is shown
        # the text of only the entries this document shows, read in one batch (the model holds none)
        stories = self.model.with_text([st for _, st in shown])
        entries = [
            entry_data(self.model, story, r.updated, self.states)
            for (r, _), story in zip(shown, stories, strict=True)
        ]
        return FeedDoc(
            title=spec.title,
            subtitle=site.description or spec.title,
            language=site.language,
            self_stem=absolute(self.model, spec.stem),
            alternate_url=absolute(self.model, spec.alt_path),
            hub=site.websub_hub,
            entries=entries,
            **links,  # type: ignore[arg-type]
        )

    def archive_stem(self, spec: FeedSpec, page: int) -> str:
        return absolute(self.model, spec.archive_stem(page))


def render_feed(
    r: _Renderer, spec: FeedSpec, size: int, frozen: set[tuple[str, int, str]], store: LogStore, emit: Emit,
    now: datetime,
) -> None:  # fmt: skip
    """The subscription document and every archive page of one feed whose log holds ``size`` rows; only the rows
    of the documents being written are read."""
    feed_size = r.model.config.site.feed_size
    complete = feedlog.complete_pages(size)
    first = feedlog.subscription_start(size, feed_size) + 1
    rows = store.feed_log_rows(spec.key, first, size)
    if spec.key != "all":  # every story is in the merged feed; another feed shows only its current stories
        current = {s.id for s in spec.stories}
        rows = [row for row in rows if row.story_id in current]
    sub = r.doc(spec, rows, prev_archive_stem=r.archive_stem(spec, complete) if complete else None)
    for fmt in FORMATS:
        emit(spec.path(fmt), _WRITERS[fmt](sub))
    for page in range(1, complete + 1):
        missing = [fmt for fmt in FORMATS if (spec.key, page, fmt) not in frozen]
        if not missing:
            continue
        doc = r.doc(
            spec,
            store.feed_log_rows(spec.key, *feedlog.page_seqs(page)),
            archive=True,
            current_stem=absolute(r.model, spec.stem),
            prev_archive_stem=r.archive_stem(spec, page - 1) if page > 1 else None,
            next_archive_stem=r.archive_stem(spec, page + 1) if page < complete else None,
        )
        doc.self_stem = r.archive_stem(spec, page)
        for fmt in missing:
            body = _WRITERS[fmt](doc)
            emit(spec.archive_path(page, fmt), body)
            if page < complete:
                # Frozen once a newer archive page exists, so it can carry its next-archive link; the newest
                # archive page is re-rendered each build (its set of entries is already fixed by the log).
                store.freeze_feed_page(spec.key, page, fmt, body, now)


def render_feeds(model: SiteModel, emit: Emit, archive: LogStore | None = None, *,
                 states: dict[str, SourceState] | None = None, now: datetime | None = None,
                 reuse: Callable[[str], bool] | None = None,
                 cached: Callable[[str, str], bool] | None = None) -> None:  # fmt: skip
    """Every feed document of the output contract, plus ``sources.opml`` and ``api/``, handed to ``emit``.

    ``archive`` (the build's open Archive) makes the feed logs and frozen archive pages persistent. ``reuse(path)``
    puts the previous build's copy of a frozen document in place (True) so its body need not be read again.
    ``cached(path, signature)`` does the same for an API page whose signature is unchanged (see ``render_api``).
    """
    now = now or utcnow()
    store: LogStore = archive if archive is not None else MemoryLogStore()
    if states is None:
        source_states = getattr(archive, "source_states", None)
        states = source_states() if source_states else {}
    specs = feed_specs(model)
    frozen: set[tuple[str, int, str]] = set()
    by_key = {s.key: s for s in specs}
    keys = getattr(store, "frozen_feed_page_keys", None)
    if keys is None:  # a log store without the key listing: bodies come with the rows
        for key, page, fmt, body in store.frozen_feed_pages():
            if key in by_key:
                emit(by_key[key].archive_path(page, fmt), body)
                frozen.add((key, page, fmt))
    else:
        for key, page, fmt in keys():
            if key not in by_key:
                continue
            rel = by_key[key].archive_path(page, fmt)
            # a frozen document never changes: the published copy is reused, its body read only when missing
            if reuse is None or not reuse(rel):
                body = store.frozen_feed_page(key, page, fmt)  # type: ignore[attr-defined]
                if body is None:
                    continue
                emit(rel, body)
            frozen.add((key, page, fmt))
    renderer = _Renderer(model, states)
    for spec in specs:  # one feed's log at a time
        render_feed(renderer, spec, sync_log(store, spec, now), frozen, store, emit, now)
    emit("sources.opml", opml(model.config, model))
    render_api(model, emit, states, cached)
