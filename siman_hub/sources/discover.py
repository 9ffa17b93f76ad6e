"""Feed autodiscovery: a site's homepage (or an HTML page served where a feed should be) names its feeds with
``<link rel="alternate" type="application/rss+xml" href="…">``. Pure: bytes and the page URL in, links out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import html as lxml_html

from . import urls

FEED_TYPES = {
    "application/rss+xml": "rss",
    "application/atom+xml": "atom",
    "application/feed+json": "json",
    "application/json": "json",
    "application/rdf+xml": "rdf",
    "text/xml": "xml",
    "application/xml": "xml",
}
_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html|<head|<body|<meta|<title)", re.I | re.S
)


@dataclass(frozen=True, slots=True)
class FeedLink:
    url: str
    kind: str
    title: str = ""


def looks_like_html(body: bytes, content_type: str | None = None) -> bool:
    """An HTML page where a feed was expected (homepage, WAF page, error page served with 200)."""
    ctype = (content_type or "").split(";")[0].strip().lower()
    if ctype in ("text/html", "application/xhtml+xml") and not re.search(
        rb"<(rss|feed|rdf:RDF)[\s>]", body[:4096]
    ):
        return True
    return bool(_HTML_START.match(body[:2048]))


def feed_links(body: bytes, page_url: str) -> list[FeedLink]:
    """Feeds a page advertises, in page order, resolved against ``<base href>`` and the page URL."""
    if not body.strip():
        return []
    try:
        doc = lxml_html.document_fromstring(body)
    except (ValueError, lxml_html.etree.ParserError):
        return []
    base = page_url
    for b in doc.iter("base"):
        if b.get("href"):
            base = urls.resolve(b.get("href"), page_url) or page_url
            break
    out: list[FeedLink] = []
    seen: set[str] = set()
    for link in doc.iter("link"):
        rel = {r.lower() for r in (link.get("rel") or "").split()}
        kind = FEED_TYPES.get((link.get("type") or "").split(";")[0].strip().lower())
        if "alternate" not in rel or kind is None:
            continue
        url = urls.resolve(link.get("href"), base)
        if url and url not in seen:
            seen.add(url)
            out.append(FeedLink(url, kind, " ".join((link.get("title") or "").split())))
    # feeds over comment feeds: WordPress lists "Comments Feed" second, keep the order but demote them
    out.sort(key=lambda f: "comment" in f.title.lower() or "/comments/" in f.url)
    return out
