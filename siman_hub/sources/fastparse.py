"""A fast path for the common cases: well-formed, plain RSS 2.0 (what WordPress and Drupal emit) and Atom 1.0
(Blogger, many CMS exports), read with lxml.

feedparser stays the robust path. This parser is ~10× faster but deliberately narrow: it returns ``None`` — and
the caller falls back to feedparser — for anything it is not *sure* it reads exactly as feedparser would: a
parse error, a DOCTYPE, a non-UTF-8 or undeclared non-ASCII encoding, xml:base, any element outside a small
known set, an item without a link, relative URLs inside HTML (feedparser resolves those against the feed URL),
HTML feedparser's sanitizer rewrites differently from nh3 ("</br>"), RSS ``<author>`` (feedparser splits
name/e-mail), Atom xhtml or out-of-line content, enclosures and extension elements.
``tests/ingest/test_ingest_fastparse.py`` checks that normalized output is identical to the feedparser path on
every corpus file this parser accepts (RSS and Atom alike).
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
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_DECL = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_RELATIVE_REF = re.compile(
    r"""(?=[hscpabludHSCPABLUD])(?:href|src|srcset|cite|poster|action|background|longdesc|usemap|data)\s*=\s*["']?+\s*+(?!https?:|mailto:)""",
    re.I,
)
# every match starts with one of these names ("srcset" is found as "src")
_has_relative_ref = attr_search(_RELATIVE_REF, ("href", "src", "cite", "poster", "action", "background",
                                                "longdesc", "usemap", "data"))  # fmt: skip
# an end tag of a void element ("<br></br>"): feedparser's sanitizer reads it as nothing, html5ever (nh3) as
# another <br>, so the two paths would store different HTML
_VOID_END = re.compile(
    r"</(?:area|base|br|col|embed|hr|img|input|keygen|link|meta|param|source|track|wbr)\b", re.I
)


def _diverges(html: str) -> bool:
    """HTML that feedparser would rewrite before normalize sees it (relative URLs, void end tags)."""
    return _has_relative_ref(html) or _VOID_END.search(html) is not None


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
    if not m and not body.isascii():
        return None  # no declared encoding: the feedparser path guesses one (not always UTF-8)
    if body[:3] == b"\xef\xbb\xbf":
        body = body[3:]
    try:
        root = etree.fromstring(body.lstrip(), _PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if any(el.get(_XML_BASE) is not None for el in root.iter()):
        return None
    if root.tag == "rss":
        return _rss(root)
    if root.tag == _ATOM_FEED:
        return _atom(root)
    return None


def _rss(root: etree._Element) -> ParsedFeed | None:
    if root.get("version") not in ("2.0", "2.00") or len(root) != 1:
        return None
    channel = root[0]
    if channel.tag != "channel":
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
            if _diverges(value):
                return None
            e["summary"] = value
        elif tag == _CONTENT:
            if _diverges(value):
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


# -- Atom 1.0 --------------------------------------------------------------------------------------------------
# feedparser's reading of Atom, as far as normalize can see it: text constructs of type text or html are the
# element's decoded, stripped text (html stays markup, feedparser does not escape text); ``link`` is the one
# rel="alternate" href; a date missing on one side is served from the other (``updated`` falls back to
# ``published``, ``date`` is ``updated``); ``author`` is the author's name; ``tags`` carry term/scheme/label.
# Everything else — xhtml or out-of-line content, e-mail in an author, enclosures, extension elements,
# relative hrefs, several alternates — goes to feedparser.

_A = "{http://www.w3.org/2005/Atom}"
_ATOM_FEED = _A + "feed"
_FEED_SKIP = {_A + t for t in ("id", "updated", "subtitle", "generator", "icon", "logo", "rights", "category",
                               "author", "contributor")}  # fmt: skip
_TEXT_TYPES = (None, "text", "html")


def _atom_text(el: etree._Element) -> str | None:
    """A text construct's value as feedparser gives it, or None if feedparser might give something else."""
    if len(el) or set(el.attrib) - {"type"} or el.get("type") not in _TEXT_TYPES:
        return None
    value = (el.text or "").strip()
    return None if _diverges(value) else value


def _alternate(links: list[etree._Element]) -> tuple[bool, str | None]:
    """(usable, href of the single rel="alternate" link): absolute http(s) hrefs only, no enclosure."""
    alternates = []
    for link in links:
        if len(link) or set(link.attrib) - {"rel", "href", "type", "title", "hreflang", "length"}:
            return False, None
        rel = link.get("rel", "alternate")
        href = (link.get("href") or "").strip()
        if rel == "enclosure" or not href.startswith(("http://", "https://")):
            return False, None
        if rel == "alternate":
            if link.get("type") not in (None, "text/html"):
                return False, None
            alternates.append(href)
    if len(alternates) > 1:
        return False, None
    return True, alternates[0] if alternates else None


def _atom(root: etree._Element) -> ParsedFeed | None:
    if set(root.attrib):
        return None
    title, links = "", []
    entries: list[dict[str, Any]] = []
    for el in root:
        tag = el.tag
        if tag == _A + "entry":
            entry = _entry(el)
            if entry is None:
                return None
            entries.append(entry)
        elif tag == _A + "title":
            value = _atom_text(el)
            if value is None:
                return None
            title = value
        elif tag == _A + "link":
            links.append(el)
        elif tag not in _FEED_SKIP:
            return None
    ok, link = _alternate(links)
    if not ok or not entries:
        return None
    return ParsedFeed(title=title, link=link, entries=entries, version="atom10")


def _entry(entry: etree._Element) -> dict[str, Any] | None:
    e: dict[str, Any] = {}
    links: list[etree._Element] = []
    tags: list[dict[str, Any]] = []
    for el in entry:
        tag = el.tag
        if tag == _A + "link":
            links.append(el)
        elif tag in (_A + "title", _A + "summary", _A + "content"):
            value = _atom_text(el)
            if value is None:
                return None
            if tag == _A + "content":
                html = el.get("type") == "html"
                e["content"] = [{"value": value, "type": "text/html" if html else "text/plain"}]
            else:
                e[tag[len(_A) :]] = value
        elif tag in (_A + "id", _A + "published", _A + "updated"):
            if len(el) or el.attrib:
                return None
            e[tag[len(_A) :]] = (el.text or "").strip()
        elif tag == _A + "author":
            if (
                "author" in e
                or el.attrib
                or [c.tag for c in el] != [_A + "name"]
                or len(el[0])
                or el[0].attrib
            ):
                return None
            e["author"] = (el[0].text or "").strip()
        elif tag == _A + "category":
            if len(el) or set(el.attrib) - {"term", "scheme", "label"} or not el.get("term"):
                return None
            tags.append({"term": el.get("term"), "scheme": el.get("scheme"), "label": el.get("label")})
        else:
            return None
    ok, link = _alternate(links)
    if not ok:
        return None
    if link is None and "id" in e:
        return None  # feedparser may take the id as the link
    if link is not None:
        e["link"] = link
    if "id" in e:
        e["guid"] = e["id"]
    if "updated" in e:
        e["date"] = e["updated"]
    elif "published" in e:
        e["updated"] = e["published"]
    if tags:
        e["tags"] = tags
    return e
