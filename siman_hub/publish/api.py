"""The static JSON API under ``api/``: plain files any web server can serve, for apps that prefer JSON to feeds.

Documented in docs/api.md. Lists are paginated like the HTML lists (``pages.paginate``): numbered pages count from
the OLDEST chunk, so ``<n>.json`` keeps its content when stories arrive, and ``index.json`` holds the newest rows
down to the newest complete chunk. An unchanged numbered page is therefore the same file build after build: its
signature (its rows' signatures and its links) lets the builder hardlink the published copy instead of reading
the summaries of its rows again. Every timestamp is RFC 3339 UTC; nothing carries the build time, so an unchanged
archive yields identical files.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from ..models import Item, SourceState
from . import paths
from .entrydata import EMPTY_FEED_UPDATED, absolute, public_feed_url
from .model import SiteModel, Story
from .pages import Signatures
from .pages import paginate as stable_pages

API_VERSION = 2  # 2: pages numbered from the oldest chunk, ``index.json`` first (1 numbered from the newest)
PER_PAGE = 100
FIRST = "index"  # ``<stem>/index.json``: the newest rows

#: ``cached(path, signature)``: True when the previous build's file for that signature was put in place.
Cached = Callable[[str, str], bool]


def _date(dt: datetime | None) -> str | None:
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z") if dt else None


def _dump(obj: Any) -> bytes:
    # compact: the C encoder (an ``indent`` falls back to the pure-Python one, several times slower)
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def item_json(it: Item) -> dict[str, Any]:
    return {
        "id": it.id,
        "source_id": it.source_id,
        "cluster_id": it.cluster_id or f"item-{it.id}",
        "title": it.title,
        "url": it.url,
        "summary": it.summary,
        "image": it.image,
        "enclosures": it.enclosures,
        "categories": it.categories,
        "published": _date(it.published),
        "sort_date": _date(it.sort_date),
        "first_seen": _date(it.first_seen),
        "updated": _date(it.changed_at),
    }


def cluster_json(model: SiteModel, story: Story) -> dict[str, Any]:
    return {
        "id": story.id,
        "url": absolute(model, paths.story(story.id)),
        "title": story.canonical.title,
        "canonical_item_id": story.canonical.id,
        "date": _date(story.date),
        "first_seen": _date(story.first_seen),
        "updated": _date(story.updated),
        "programs": story.program_ids,
        "source_ids": story.source_ids,
        "items": [item_json(m) for m in story.members],
    }


def _feeds(model: SiteModel, kind: str | None, key: str | None) -> dict[str, str]:
    return {ext: absolute(model, paths.feed(kind, key, ext)) for ext in ("atom", "rss", "json")}


def item_sig(it: Item) -> str:
    """Everything ``item_json`` shows changes one of these (a content change moves ``changed_at``)."""
    return (f"{it.id}:{it.source_id}:{it.cluster_id}:{it.changed_at.isoformat()}:{it.sort_date.isoformat()}:"
            f"{it.first_seen.isoformat()}")  # fmt: skip


def paginate(model: SiteModel, stem: str, rows: Sequence[Any], to_json: Callable[[Any], Any],
             emit: Callable[[str, bytes], None],
             with_text: Callable[[Sequence[Any]], Sequence[Any]] = lambda c: c,
             sig: Callable[[Any], str] | None = None, cached: Cached | None = None) -> None:  # fmt: skip
    """``<stem>/index.json`` (newest rows) and ``<stem>/1.json`` (oldest chunk) .. ``<stem>/<n>.json``; an empty
    list still gets its index so links never 404. ``rows`` is newest first, and so is every page.

    With ``sig`` (a row's signature) and ``cached``, a page whose signature matches the previous build is reused
    as it is: ``with_text`` (the summaries) and ``to_json`` run only for pages that are written."""

    def path_for(n: int | None) -> str:
        return f"{stem}/{FIRST if n is None else n}.json"

    for path, chunk, pager in stable_pages(list(rows), PER_PAGE, path_for):
        doc: dict[str, Any] = {"page": pager.page, "per_page": PER_PAGE}
        if pager.is_first:
            doc["total"] = len(rows)  # only here: a numbered page must not change when rows arrive
        doc["prev"] = absolute(model, pager.prev) if pager.prev else None
        doc["next"] = absolute(model, pager.next) if pager.next else None
        if sig is not None and cached is not None:
            key = f"{doc}|" + ",".join(sig(r) for r in chunk)
            if cached(path, key):
                continue
        doc["data"] = [to_json(r) for r in with_text(chunk)]
        emit(path, _dump(doc))


def _items_text(model: SiteModel, chunk: Sequence[Item]) -> Sequence[Item]:
    if model.fetch_text is None:
        return chunk
    full = {it.id: it for it in model.fetch_text([it.id for it in chunk])}
    return [full.get(it.id, it) for it in chunk]


def render_api(model: SiteModel, emit: Callable[[str, bytes], None], states: dict[str, SourceState],
               cached: Cached | None = None) -> None:  # fmt: skip
    config = model.config
    sigs = Signatures()
    updated = max((s.updated for s in model.stories), default=EMPTY_FEED_UPDATED)
    items = sorted(
        (m for s in model.stories for m in s.members), key=lambda m: (m.sort_date, m.id), reverse=True
    )
    counts: dict[str, int] = {}
    for it in items:
        counts[it.source_id] = counts.get(it.source_id, 0) + 1
    emit("api/index.json", _dump({
        "api_version": API_VERSION,
        "title": config.site.title,
        "base_url": config.site.base_url,
        "updated": _date(updated),
        "counts": {"clusters": len(model.stories), "items": len(items), "programs": len(config.programs),
                   "sources": len(config.sources)},
        "endpoints": {
            "clusters": absolute(model, f"api/clusters/{FIRST}.json"),
            "items": absolute(model, f"api/items/{FIRST}.json"),
            "programs": absolute(model, "api/programs.json"),
            "sources": absolute(model, "api/sources.json"),
        },
        "feeds": _feeds(model, None, None),
    }))  # fmt: skip

    # the model holds no text: each page reads the summaries of its own rows
    def clusters_text(chunk: Sequence[Story]) -> Sequence[Story]:
        return model.with_text(chunk, members=True)

    paginate(model, "api/clusters", model.stories, lambda s: cluster_json(model, s), emit, clusters_text,
             sigs.story, cached)  # fmt: skip
    paginate(model, "api/items", items, item_json, emit, lambda c: _items_text(model, c), item_sig, cached)
    programs = []
    for p in config.programs:
        stories = model.by_program.get(p.id, [])
        paginate(model, f"api/programs/{p.id}", stories, lambda s: cluster_json(model, s), emit, clusters_text,
                 sigs.story, cached)  # fmt: skip
        programs.append({
            "id": p.id, "name": p.name, "description": p.description, "hashtag": p.hashtag,
            "clusters": len(stories), "url": absolute(model, paths.program(p.id)),
            "clusters_url": absolute(model, f"api/programs/{p.id}/{FIRST}.json"), "feeds": _feeds(model, "program", p.id),
        })  # fmt: skip
    emit("api/programs.json", _dump({"updated": _date(updated), "data": programs}))
    sources = []
    for s in config.sources:
        st = states.get(s.id)
        sources.append({
            "id": s.id, "name": s.name, "kind": s.kind, "region": s.region, "homepage": s.homepage,
            "feed_url": public_feed_url(model, s), "enabled": s.enabled, "verified": s.verified,
            "items": counts.get(s.id, 0), "url": absolute(model, paths.agency(s.id)),
            "last_success_at": _date(st.last_success_at) if st else None,
            "last_error": st.last_error if st else None,
            "feeds": _feeds(model, "agency", s.id),
        })  # fmt: skip
    emit("api/sources.json", _dump({"updated": _date(updated), "data": sources}))
