"""``sources.opml``: every source of the hub, for feed readers and for other hubs to import.

Grouped by kind, then (for regional governments) by province. Each feed outline carries the original feed URL
as ``xmlUrl``; a ``file:`` feed (demo, tests) is readable only on the hub's machine, so its ``xmlUrl`` is the
hub's own re-export of that agency instead. Every outline also carries ``hubUrl`` (the hub's re-export) and the
``sourceId``/``kind``/``region``/``enabled`` attributes that ``siman-hub import-opml`` reads back.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime
from typing import TYPE_CHECKING

from lxml import etree

from ..config import Config, Source
from ..config import regions as regionmod
from . import paths

if TYPE_CHECKING:
    from .model import SiteModel

KIND_LABELS = {
    "kementerian": "Kementerian",
    "lembaga": "Lembaga",
    "provinsi": "Pemerintah Provinsi",
    "kabupaten": "Pemerintah Kabupaten",
    "kota": "Pemerintah Kota",
    "media": "Media",
    "lainnya": "Lainnya",
}
_REGIONAL = {"provinsi", "kabupaten", "kota"}


def _outlines(parent: etree._Element, s: Source, base_url: str) -> None:
    hub_url = base_url + paths.feed("agency", s.id, "atom")
    xml_urls = dict.fromkeys(hub_url if url.startswith("file:") else url for url in s.feeds)
    for url in xml_urls:
        attrs = {
            "type": "rss",
            "text": s.name,
            "title": s.name,
            "xmlUrl": url,
            "htmlUrl": s.homepage or base_url + paths.agency(s.id),
            "hubUrl": hub_url,
            "sourceId": s.id,
            "kind": s.kind,
            "enabled": "true" if s.enabled else "false",
        }
        if s.region:
            attrs["region"] = s.region
        etree.SubElement(parent, "outline", attrs)


def opml(config: Config, model: SiteModel | None = None) -> bytes:
    """The OPML 2.0 document. ``dateModified`` is the newest story date (never the build time)."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = config.site.title
    if model is not None and model.stories:
        newest = max(s.updated for s in model.stories).astimezone(UTC)
    else:
        newest = datetime(2000, 1, 1, tzinfo=UTC)
    etree.SubElement(head, "dateModified").text = format_datetime(newest, usegmt=True)
    body = etree.SubElement(root, "body")
    by_kind: dict[str, list[Source]] = {}
    for s in config.sources:
        by_kind.setdefault(s.kind, []).append(s)
    order = list(KIND_LABELS)
    for kind in sorted(by_kind, key=lambda k: order.index(k) if k in order else len(order)):
        group = etree.SubElement(
            body, "outline", text=KIND_LABELS.get(kind, kind), title=KIND_LABELS.get(kind, kind)
        )
        sources = by_kind[kind]
        if kind not in _REGIONAL:
            for s in sources:
                _outlines(group, s, config.site.base_url)
            continue
        by_province: dict[str, list[Source]] = {}
        for s in sources:
            by_province.setdefault((s.region or "")[:2], []).append(s)
        for code in sorted(by_province):
            region = regionmod.lookup(code) if code else None
            name = region.name if region else (code or "-")
            sub = etree.SubElement(group, "outline", text=name, title=name, region=code)
            for s in sorted(by_province[code], key=lambda s: (s.region or "", s.id)):
                _outlines(sub, s, config.site.base_url)
    return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")
