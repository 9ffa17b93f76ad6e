"""Atom 1.0 and RSS 2.0 documents through feedgen, with the parts feedgen has no API for added by its extension
mechanism: RFC 5005 archive links and ``fh:archive``, WebSub links in RSS, a full Atom ``<source>``, and the
list of every publisher (``siman:publisher``).
"""

from __future__ import annotations

from typing import Any

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from .entrydata import SIMAN_NS, EntryData, FeedDoc

ATOM_NS = "http://www.w3.org/2005/Atom"
FH_NS = "http://purl.org/syndication/history/1.0"
DC_NS = "http://purl.org/dc/elements/1.1/"


def _links(doc: FeedDoc, ext: str) -> list[tuple[str, str]]:
    """(rel, href) pairs feedgen does not write itself."""
    out = []
    if doc.hub:
        out.append(("hub", doc.hub))
    if doc.current_stem:
        out.append(("current", f"{doc.current_stem}.{ext}"))
    if doc.prev_archive_stem:
        out.append(("prev-archive", f"{doc.prev_archive_stem}.{ext}"))
    if doc.next_archive_stem:
        out.append(("next-archive", f"{doc.next_archive_stem}.{ext}"))
    return out


class _FeedExt(BaseExtension):  # type: ignore[misc]
    """Feed level: ``fh:archive`` and links, in both formats (in RSS as ``atom:link``, per RFC 5005 §3)."""

    def __init__(self) -> None:
        self.doc: FeedDoc | None = None

    def extend_ns(self) -> dict[str, str]:
        ns = {"siman": SIMAN_NS}
        if self.doc is not None and self.doc.archive:
            ns["fh"] = FH_NS
        return ns

    def extend_atom(self, feed: Any) -> Any:
        assert self.doc is not None
        if self.doc.archive:
            etree.SubElement(feed, f"{{{FH_NS}}}archive")
        for rel, href in _links(self.doc, "atom"):
            etree.SubElement(feed, "link", rel=rel, href=href)  # feedgen writes Atom unqualified under xmlns
        return feed

    def extend_rss(self, feed: Any) -> Any:
        assert self.doc is not None
        channel = feed.find("channel")
        if self.doc.archive:
            etree.SubElement(channel, f"{{{FH_NS}}}archive")
        for rel, href in _links(self.doc, "rss"):
            etree.SubElement(channel, f"{{{ATOM_NS}}}link", rel=rel, href=href)
        return feed


class _EntryExt(BaseEntryExtension):  # type: ignore[misc]
    """Entry level: provenance. Atom gets a full ``<source>`` (id, title, link, updated of the original feed);
    RSS gets ``<source url>`` and ``dc:creator``; both get one ``siman:publisher`` per agency that published."""

    def __init__(self) -> None:
        self.data: EntryData | None = None

    def extend_ns(self) -> dict[str, str]:
        return {"siman": SIMAN_NS, "dc": DC_NS}

    def _publishers(self, parent: Any) -> None:
        assert self.data is not None
        for p in self.data.publishers:
            attrs = {"source": p.source_id, "name": p.name, "published": p.published.isoformat()}
            if p.url:
                attrs["href"] = p.url
            if p.homepage:
                attrs["homepage"] = p.homepage
            if p.canonical:
                attrs["canonical"] = "true"
            etree.SubElement(parent, f"{{{SIMAN_NS}}}publisher", attrs)

    def extend_atom(self, entry: Any) -> Any:
        assert self.data is not None
        s = self.data.source
        source = etree.SubElement(entry, "source")  # unqualified, like feedgen's own Atom elements
        etree.SubElement(source, "id").text = s.id
        etree.SubElement(source, "title").text = s.title
        if s.link:
            etree.SubElement(source, "link", rel="alternate", href=s.link)
        etree.SubElement(source, "link", rel="self", href=s.id)
        etree.SubElement(source, "updated").text = s.updated.isoformat()
        # feedgen 1.0 drops every attribute but href from entry links, so links other than the alternate are
        # written here: the other publishers' copies and the enclosures.
        for p in self.data.publishers:
            if not p.canonical and p.url:
                etree.SubElement(entry, "link", rel="related", type="text/html", href=p.url, title=p.name)
        for enc in self.data.enclosures:
            etree.SubElement(entry, "link", rel="enclosure", type=enc.type, length=enc.length, href=enc.url)
        self._publishers(entry)
        return entry

    def extend_rss(self, entry: Any) -> Any:
        assert self.data is not None
        etree.SubElement(entry, "source", url=self.data.source.id).text = self.data.source.title
        etree.SubElement(entry, f"{{{DC_NS}}}creator").text = self.data.author
        if self.data.enclosures:  # RSS 2.0 allows one enclosure per item
            enc = self.data.enclosures[0]
            etree.SubElement(entry, "enclosure", url=enc.url, length=enc.length, type=enc.type)
        self._publishers(entry)
        return entry


def _generator(doc: FeedDoc, ext: str) -> FeedGenerator:
    fg = FeedGenerator()
    fg.register_extension("siman", _FeedExt, _EntryExt)
    fg.siman.doc = doc
    fg.id(f"{doc.current_stem or doc.self_stem}.atom")
    fg.title(doc.title)
    fg.subtitle(doc.subtitle or doc.title)
    fg.link(href=doc.alternate_url, rel="alternate", type="text/html")
    fg.link(href=f"{doc.self_stem}.{ext}", rel="self")
    fg.language(doc.language)
    fg.updated(doc.updated)
    fg.lastBuildDate(doc.updated)
    fg.generator("siman-hub")
    for e in reversed(doc.entries):  # feedgen prepends
        fe = fg.add_entry()
        fe.siman.data = e
        fe.id(e.id)
        fe.guid(e.id, permalink=True)
        fe.title(e.title)
        fe.link(href=e.url)  # the alternate; other links are written by _EntryExt
        fe.published(e.published)
        fe.updated(e.updated)
        fe.author(name=e.author, uri=e.author_uri) if e.author_uri else fe.author(name=e.author)
        if e.summary:
            fe.summary(e.summary, type="html")
        if e.content:
            fe.content(e.content, type="html")
        for term, label in e.categories:
            fe.category(term=term, label=label, scheme=e.category_scheme)
    return fg


def atom_bytes(doc: FeedDoc) -> bytes:
    return _generator(doc, "atom").atom_str(pretty=True)


def rss_bytes(doc: FeedDoc) -> bytes:
    return _generator(doc, "rss").rss_str(pretty=True)
