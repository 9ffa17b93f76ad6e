"""A parsed feedparser entry → an ``Entry``: plain-text title, sanitized HTML, absolute links, trusted dates, key.

Pure: given the same parse, source settings and fetch time it returns the same entries.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from ..models import Entry
from . import dates, identity, sanitize, urls
from .parse import ParsedFeed

_RAW_FIELDS = (
    "id",
    "guid",
    "link",
    "title",
    "summary",
    "published",
    "updated",
    "created",
    "author",
    "dateorigin",
)


def _raw(e: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {k: e.get(k) for k in _RAW_FIELDS if e.get(k) is not None}
    content = e.get("content") or []
    if content:
        out["content"] = [c.get("value", "") for c in content]
    tags = e.get("tags") or []
    if tags:
        out["tags"] = [t.get("term") for t in tags if t.get("term")]
    if all(type(v) is str or (type(v) is list and all(type(x) is str for x in v)) for v in out.values()):
        return out  # already plain JSON: the round trip below would return an equal copy
    return json.loads(json.dumps(out, default=str))


def _first_content(e: dict[str, Any]) -> str:
    content = e.get("content") or []
    best = ""
    for c in content:
        value = c.get("value") or ""
        if len(value) > len(best):
            best = value
    return best


def _entry_date(e: dict[str, Any], tz: str) -> tuple[datetime | None, datetime | None]:
    """Read the original strings ourselves: feedparser's *_parsed fields mistake WIB and zone-less for UTC."""
    published = None
    for key in ("dateorigin", "published", "created", "issued", "date", "pubdate"):
        if (published := dates.parse_date(e.get(key), tz)) is not None:
            break
    updated = dates.parse_date(e.get("updated"), tz)
    return published, updated


def _image(e: dict[str, Any], base: str | None) -> tuple[str | None, list[dict[str, Any]]]:
    enclosures = []
    for link in e.get("links") or []:
        if link.get("rel") == "enclosure" and (href := urls.resolve(link.get("href"), base)):
            enclosures.append(
                {"url": href, "type": link.get("type") or "", "length": str(link.get("length") or "")}
            )
    image = None
    for media in (e.get("media_content") or []) + (e.get("media_thumbnail") or []):
        if (u := urls.resolve(media.get("url"), base)) and (media.get("medium", "image") == "image"):
            image = u
            break
    if image is None:
        for enc in enclosures:
            if enc["type"].startswith("image/"):
                image = enc["url"]
                break
    if image is None and isinstance(e.get("image"), dict):
        image = urls.resolve(e["image"].get("href"), base)
    return image, enclosures


def normalize(parsed: ParsedFeed, *, feed_url: str, tz: str, now: datetime, identity_mode: str = "auto",
              stored_mode: str | None = None) -> tuple[list[Entry], str, str | None]:  # fmt: skip
    """Entries in feed order (duplicates within the feed dropped), the identity mode used and why (if degraded)."""
    base = parsed.link if parsed.link and parsed.link.startswith("http") else feed_url
    drafts: list[tuple[identity.IdentityFields, Entry]] = []
    for e in parsed.entries:
        entry_base = e.get("link") if str(e.get("link") or "").startswith("http") else base
        link = urls.resolve(e.get("link"), base if base else feed_url)
        title = sanitize.plain_text(e.get("title"), limit=500)
        summary_raw = e.get("summary") or ""
        content_raw = _first_content(e)
        if content_raw and content_raw.strip() == summary_raw.strip():
            summary_raw = ""
        content = sanitize.clean_html(content_raw, entry_base)
        summary = sanitize.clean_html(summary_raw, entry_base)
        published, updated = _entry_date(e, tz)
        if published is None:
            published = dates.date_from_url(link, tz)
        published = dates.clamp_future(published, now)
        updated = dates.clamp_future(updated, now)
        if not title:
            title = sanitize.plain_text(summary or content, limit=120) or (link or "(tanpa judul)")
        image, enclosures = _image(e, entry_base)
        guid = str(e.get("id") or e.get("guid") or "").strip() or None
        tags = [sanitize.plain_text(t.get("term"), 100) for t in e.get("tags") or [] if t.get("term")]
        author = sanitize.plain_text(e.get("author"), 200) or None
        digest = hashlib.sha256(
            "\x1f".join([title, summary, content, link or "", str(published), str(updated), *tags]).encode()
        ).hexdigest()
        fields = identity.IdentityFields(
            guid=guid,
            link=urls.strip_tracking(link) if link else None,
            date=published.isoformat() if published else None,
            title=title,
            content=content or summary,
        )
        drafts.append(
            (
                fields,
                Entry(
                    key="",
                    title=title,
                    url=link,
                    canonical_url=urls.canonical(link),
                    guid=guid,
                    summary=summary,
                    content=content,
                    author=author,
                    categories=[t for t in tags if t],
                    image=image,
                    enclosures=enclosures,
                    published=published,
                    updated=updated,
                    raw=_raw(e),
                    content_hash=digest[:32],
                ),
            )
        )
    mode, note = identity.choose_mode_noted([f for f, _ in drafts], identity_mode, stored_mode)
    keys = identity.assign_keys([f for f, _ in drafts], mode)
    out: list[Entry] = []
    seen: set[str] = set()
    for key, (_, entry) in zip(keys, drafts, strict=True):
        if key in seen:
            continue
        seen.add(key)
        entry.key = key
        out.append(entry)
    return out, mode, note
