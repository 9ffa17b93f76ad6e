"""A fast path for the common case: well-formed, plain RSS 2.0 (what WordPress and Drupal emit), read with lxml.

feedparser stays the robust path. This parser is ~10× faster but deliberately narrow: it returns ``None`` — and
the caller falls back to feedparser — for anything it is not *sure* it reads exactly as feedparser would: a
parse error, a DOCTYPE, a non-UTF-8 encoding, xml:base, any element outside a small known set, an item without
``<link>``, relative URLs inside HTML (feedparser resolves those against the feed URL), RSS ``<author>``
(feedparser splits name/e-mail). ``tests/ingest/test_ingest_fastparse.py`` checks that normalized output is
identical to the feedparser path on every corpus file this parser accepts.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from .attrscan import attr_search
from .parse import ParsedFeed

_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
_DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
_ITEM_TAGS = {
    "title",
    "link",
    "guid",
    "pubDate",
    "description",
    "category",
    "comments",
    _CONTENT,
    _DC_CREATOR,
}
_CHANNEL_SKIP = {"description", "language", "lastBuildDate", "pubDate", "generator", "copyright", "ttl",
                 "managingEditor", "webMaster", "docs", "category", "image"}  # fmt: skip
_DECL = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_RELATIVE_REF = re.compile(
    r"""(?=[hscpabludHSCPABLUD])(?:href|src|srcset|cite|poster|action|background|longdesc|usemap|data)\s*=\s*["']?+\s*+(?!https?:|mailto:)""",
    re.I,
)
# every match starts with one of these names ("srcset" is found as "src")
_has_relative_ref = attr_search(_RELATIVE_REF, ("href", "src", "cite", "poster", "action", "background",
                                                "longdesc", "usemap", "data"))  # fmt: skip
# C1 controls, raw or as character references: feedparser maps them to cp1252 characters ("demoronize")
_C1 = re.compile(rb"\xc2[\x80-\x9f]|&#(?:1[2-5][0-9]|x[89][0-9a-f]);", re.I)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False,
                          remove_comments=True, remove_pis=True, load_dtd=False)  # fmt: skip


def _text(el: etree._Element) -> str:
    return "".join(el.itertext()) if len(el) else (el.text or "")


def parse_fast(body: bytes, url: str, headers: dict[str, str] | None = None) -> ParsedFeed | None:
    ctype = (headers or {}).get("content-type", "").lower()
    if "charset=" in ctype and ctype.split("charset=", 1)[1].strip(" \"'") not in ("utf-8", "utf8"):
        return None
    head = body[:512]
    m = _DECL.match(head)
    if (m and m[1].lower() not in (b"utf-8", b"utf8")) or b"<!DOCTYPE" in body[:4096].upper():
        return None
    if _C1.search(body):
        return None
    if body[:3] == b"\xef\xbb\xbf":
        body = body[3:]
    try:
        root = etree.fromstring(body.lstrip(), _PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root.tag != "rss" or root.get("version") not in ("2.0", "2.00") or len(root) != 1:
        return None
    channel = root[0]
    if channel.tag != "channel":
        return None
    if any(el.get("{http://www.w3.org/XML/1998/namespace}base") is not None for el in root.iter()):
        return None
    title, link = "", None
    entries: list[dict[str, Any]] = []
    for el in channel:
        tag = el.tag
        if tag == "item":
            entry = _item(el)
            if entry is None:
                return None
            entries.append(entry)
        elif tag == "title":
            title = _text(el).strip()
        elif tag == "link":
            link = _text(el).strip() or None
        elif tag not in _CHANNEL_SKIP:
            return None
    if not entries:
        return None
    return ParsedFeed(title=title, link=link, entries=entries, version="rss20")


def _item(item: etree._Element) -> dict[str, Any] | None:
    e: dict[str, Any] = {}
    tags: list[dict[str, Any]] = []
    for el in item:
        tag = el.tag
        if tag not in _ITEM_TAGS or len(el) or (el.attrib and tag not in ("guid", "category")):
            return None
        value = (el.text or "").strip()
        if tag == "title":
            e["title"] = value
        elif tag == "link":
            e["link"] = value
        elif tag == "guid":
            if set(el.attrib) - {"isPermaLink"}:
                return None
            if el.get("isPermaLink", "true") != "false" and not value.startswith(("http://", "https://")):
                return None  # feedparser resolves a "permalink" guid against the feed URL
            e["id"] = e["guid"] = value
        elif tag == "pubDate":
            e["published"] = e["updated"] = value  # feedparser fills "updated" from the only date there is
        elif tag == "description":
            if _has_relative_ref(value):
                return None
            e["summary"] = value
        elif tag == _CONTENT:
            if _has_relative_ref(value):
                return None
            e["content"] = [{"value": value, "type": "text/html"}]
        elif tag == "category":
            if set(el.attrib) - {"domain"}:
                return None
            tags.append({"term": value, "scheme": el.get("domain"), "label": None})
        elif tag == _DC_CREATOR:
            e["author"] = value
    if "link" not in e and "guid" in e and item.find("guid").get("isPermaLink", "true") != "false":
        return None  # feedparser takes a permalink guid as the link
    if tags:
        e["tags"] = tags
    return e
