"""JSON Feed 1.0/1.1 reader. feedparser 6.0 (the current PyPI release) cannot read JSON Feed at all, so JSON
bodies are mapped here onto the same entry shape feedparser produces, and ``normalize`` treats them alike.
"""

from __future__ import annotations

import json
from typing import Any


class JSONFeedError(ValueError):
    pass


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _author(item: dict[str, Any], feed: dict[str, Any]) -> str | None:
    authors = item.get("authors") or ([item["author"]] if isinstance(item.get("author"), dict) else None)
    authors = (
        authors or feed.get("authors") or ([feed["author"]] if isinstance(feed.get("author"), dict) else [])
    )
    names = [a.get("name") for a in authors if isinstance(a, dict) and _text(a.get("name"))]
    return ", ".join(names) or None


def _entry(item: dict[str, Any], feed: dict[str, Any]) -> dict[str, Any]:
    e: dict[str, Any] = {}
    if (v := item.get("id")) is not None and str(v).strip():
        e["id"] = str(v)
    link = _text(item.get("url")) or _text(item.get("external_url"))
    if link:
        e["link"] = link
    if title := _text(item.get("title")):
        e["title"] = title
    content = _text(item.get("content_html"))
    if content is None and (plain := _text(item.get("content_text"))):
        from html import escape

        content = "".join(f"<p>{escape(p)}</p>" for p in plain.split("\n\n"))
    if content:
        e["content"] = [{"value": content, "type": "text/html"}]
    if summary := _text(item.get("summary")):
        e["summary"] = summary
    for src, dst in (("date_published", "published"), ("date_modified", "updated")):
        if v := _text(item.get(src)):
            e[dst] = v
    if author := _author(item, feed):
        e["author"] = author
    tags = [t for t in item.get("tags") or [] if isinstance(t, str) and t.strip()]
    if tags:
        e["tags"] = [{"term": t} for t in tags]
    links = []
    for att in item.get("attachments") or []:
        if isinstance(att, dict) and _text(att.get("url")):
            links.append({"rel": "enclosure", "href": att["url"], "type": att.get("mime_type") or "",
                          "length": str(att.get("size_in_bytes") or "")})  # fmt: skip
    if links:
        e["links"] = links
    image = _text(item.get("image")) or _text(item.get("banner_image"))
    if image:
        e["media_content"] = [{"url": image, "medium": "image"}]
    return e


def parse_json_feed(body: bytes) -> tuple[dict[str, Any], list[dict[str, Any]], str]:
    """(feed metadata, entries, version) for a JSON Feed document; raises JSONFeedError when it is not one."""
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise JSONFeedError(f"invalid JSON: {exc}") from None
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith(
        "https://jsonfeed.org/version/"
    ):
        raise JSONFeedError("JSON document is not a JSON Feed (no https://jsonfeed.org/version/ marker)")
    items = doc.get("items")
    if not isinstance(items, list):
        raise JSONFeedError("JSON Feed has no items array")
    version = "json" + str(doc["version"]).rsplit("/", 1)[-1].replace(".", "")
    meta = {"title": _text(doc.get("title")) or "", "link": _text(doc.get("home_page_url")),
            "id": _text(doc.get("feed_url"))}  # fmt: skip
    return meta, [_entry(i, doc) for i in items if isinstance(i, dict)], version
