"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1) writer.

Small enough to own: the format is a plain JSON object, and no maintained Python library writes 1.1 with
extensions. RFC 5005 has no JSON binding, so archive paging is expressed twice: the spec's own ``next_url``
(older entries) and the ``_siman_hub`` extension object with the RFC 5005 relation names.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from html import escape
from typing import Any

from .entrydata import EntryData, FeedDoc

VERSION = "https://jsonfeed.org/version/1.1"


def _date(dt: datetime) -> str:
    """RFC 3339, in UTC with ``Z``: what the spec requires and every parser accepts."""
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _item(e: EntryData) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": e.id,
        "url": e.url,
        "title": e.title,
        "content_html": e.content or e.summary or escape(e.title),  # titles are plain text
        "date_published": _date(e.published),
        "date_modified": _date(e.updated),
        "authors": [{"name": e.author, **({"url": e.author_uri} if e.author_uri else {})}],
    }
    if e.url != e.page_url:
        item["external_url"] = e.page_url
    if e.summary:
        item["summary"] = e.summary
    if e.categories:
        item["tags"] = [label for _, label in e.categories]
    if e.image:
        item["image"] = e.image
    if e.enclosures:
        item["attachments"] = [
            {"url": a.url, "mime_type": a.type, **({"size_in_bytes": int(a.length)} if a.length.isdigit()
                                                   and int(a.length) > 0 else {})}
            for a in e.enclosures
        ]  # fmt: skip
    item["_siman_hub"] = {
        "story_id": e.story_id,
        "programs": [term for term, _ in e.categories],
        "source": {
            "source_id": e.source.source_id,
            "feed_id": e.source.id,
            "title": e.source.title,
            "link": e.source.link,
            "updated": _date(e.source.updated),
        },
        "publishers": [
            {
                "source_id": p.source_id,
                "name": p.name,
                "url": p.url,
                "homepage": p.homepage,
                "published": _date(p.published),
                "canonical": p.canonical,
            }
            for p in e.publishers
        ],
    }
    return item


def json_feed_bytes(doc: FeedDoc) -> bytes:
    out: dict[str, Any] = {
        "version": VERSION,
        "title": doc.title,
        "home_page_url": doc.alternate_url,
        "feed_url": f"{doc.self_stem}.json",
        "language": doc.language,
    }
    if doc.subtitle:
        out["description"] = doc.subtitle
    if doc.prev_archive_stem:
        out["next_url"] = f"{doc.prev_archive_stem}.json"
    if doc.hub:
        out["hubs"] = [{"type": "WebSub", "url": doc.hub}]
    ext: dict[str, Any] = {"updated": _date(doc.updated), "archive": doc.archive}
    if doc.current_stem:
        ext["current"] = f"{doc.current_stem}.json"
    if doc.prev_archive_stem:
        ext["prev_archive"] = f"{doc.prev_archive_stem}.json"
    if doc.next_archive_stem:
        ext["next_archive"] = f"{doc.next_archive_stem}.json"
    out["_siman_hub"] = ext
    out["items"] = [_item(e) for e in doc.entries]
    return json.dumps(out, ensure_ascii=False, indent=1).encode("utf-8")
