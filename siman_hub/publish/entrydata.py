"""One feed entry as plain data, built once from a story and handed to every writer (Atom, RSS, JSON Feed).

Keeping the decisions here (which URL is the id, who is credited, what the source feed was) means the three
formats cannot disagree about a story, and the writers stay thin.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape

from ..config import Source
from ..models import SourceState
from . import paths
from .model import SiteModel, Story

#: Namespace of the hub's own Atom/RSS extension elements (``siman:publisher``) and JSON Feed key ``_siman_hub``.
SIMAN_NS = "urn:siman-hub:feed:1"

#: Feed ``updated`` of a feed with no entries: a fixed date, so an empty feed is byte-identical across builds.
EMPTY_FEED_UPDATED = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class SourceFeed:
    """The original feed an entry was copied from (Atom ``<source>``)."""

    source_id: str
    id: str
    title: str
    link: str | None
    updated: datetime


@dataclass(frozen=True, slots=True)
class Publisher:
    """One agency that published the story, with the URL of its own copy."""

    source_id: str
    name: str
    url: str | None
    homepage: str | None
    published: datetime
    canonical: bool


@dataclass(frozen=True, slots=True)
class Enclosure:
    url: str
    type: str
    length: str


@dataclass(slots=True)
class EntryData:
    id: str
    story_id: str
    page_url: str
    url: str
    title: str
    summary: str
    content: str
    published: datetime
    updated: datetime
    author: str
    author_uri: str | None
    source: SourceFeed
    publishers: list[Publisher]
    categories: list[tuple[str, str]] = field(default_factory=list)
    category_scheme: str = ""
    enclosures: list[Enclosure] = field(default_factory=list)
    image: str | None = None


def absolute(model: SiteModel, path: str) -> str:
    return model.config.site.base_url + path


def public_feed_url(model: SiteModel, source: Source) -> str:
    """A source's feed URL as the public may use it: ``file:`` feeds (demo, tests) are readable only on the
    hub's own machine, so the hub's re-export of that agency stands in for them."""
    for url in source.feeds:
        if not url.startswith("file:"):
            return url
    return absolute(model, paths.feed("agency", source.id, "atom"))


def source_feed(model: SiteModel, story: Story, states: dict[str, SourceState]) -> SourceFeed:
    c = story.canonical
    src = model.sources.get(c.source_id)
    state = states.get(c.source_id)
    feed_id = state.feed_url if state and state.feed_url and not state.feed_url.startswith("file:") else None
    if feed_id is None:
        feed_id = public_feed_url(model, src) if src else absolute(model, paths.agency(c.source_id))
    title = (state.feed_title if state else None) or (src.name if src else c.source_id)
    link = (state.feed_link if state else None) or (src.homepage if src else None)
    # The source feed's state when this version of the entry was copied from it.
    return SourceFeed(c.source_id, feed_id, title, link, c.changed_at)


def _enclosures(story: Story) -> list[Enclosure]:
    c = story.canonical
    out: list[Enclosure] = []
    seen: set[str] = set()
    for e in c.enclosures:
        url = str(e.get("url") or "")
        if url and url not in seen:
            seen.add(url)
            out.append(
                Enclosure(url, str(e.get("type") or "application/octet-stream"), str(e.get("length") or "0"))
            )
    if c.image and c.image not in seen:
        guessed = mimetypes.guess_type(c.image.split("?")[0])[0]
        out.append(
            Enclosure(c.image, guessed if guessed and guessed.startswith("image/") else "image/jpeg", "0")
        )
    return out


def _credits_html(model: SiteModel, story: Story) -> str:
    others = story.others
    if not others:
        return ""
    label = "Also published by" if model.config.site.language == "en" else "Juga diterbitkan oleh"
    items = []
    for o in others:
        name = escape(model.sources[o.source_id].name if o.source_id in model.sources else o.source_id)
        items.append(f'<li><a href="{escape(o.url)}">{name}</a></li>' if o.url else f"<li>{name}</li>")
    return f"<p>{label}:</p><ul>{''.join(items)}</ul>"


def entry_data(
    model: SiteModel, story: Story, updated: datetime, states: dict[str, SourceState]
) -> EntryData:
    """``updated`` comes from the feed log (the revision being shown), never from the clock."""
    c = story.canonical
    page_url = absolute(model, paths.story(story.id))
    src = model.sources.get(c.source_id)
    names = {p.id: p.name for p in model.config.programs}
    publishers = []
    for m in [c, *story.others]:
        msrc = model.sources.get(m.source_id)
        publishers.append(
            Publisher(
                m.source_id,
                msrc.name if msrc else m.source_id,
                m.url,
                msrc.homepage if msrc else None,
                m.sort_date,
                m is c,
            )
        )
    content = c.content or c.summary
    credits = _credits_html(model, story)
    return EntryData(
        id=page_url,
        story_id=story.id,
        page_url=page_url,
        url=c.url or page_url,
        title=c.title,
        summary=c.summary,
        content=(content + credits) if (content or credits) else "",
        published=c.sort_date,
        updated=max(updated, c.sort_date),
        author=src.name if src else c.source_id,
        author_uri=src.homepage if src else None,
        source=source_feed(model, story, states),
        publishers=publishers,
        categories=[(pid, names.get(pid, pid)) for pid in story.program_ids],
        category_scheme=absolute(model, "program/"),
        enclosures=_enclosures(story),
        image=c.image,
    )


@dataclass(slots=True)
class FeedDoc:
    """One feed document in format-neutral form. ``*_stem`` are absolute URLs without the format extension, so
    the Atom document links Atom archives, the JSON document JSON archives, and so on."""

    title: str
    subtitle: str
    language: str
    self_stem: str
    alternate_url: str
    hub: str | None
    entries: list[EntryData]
    archive: bool = False
    current_stem: str | None = None
    prev_archive_stem: str | None = None
    next_archive_stem: str | None = None

    @property
    def updated(self) -> datetime:
        """The newest entry's ``updated``: never the build time, so an unchanged feed stays byte-identical."""
        return max((e.updated for e in self.entries), default=EMPTY_FEED_UPDATED)
