"""Scan a published site for anything a browser or feed reader could execute: script elements not shipped by the
theme, ``on*`` event attributes, ``javascript:``/``vbscript:``/``data:`` URLs in URL-bearing attributes and CSS
``url()``, and plugin/frame elements. HTML is parsed with lxml (attributes as a browser sees them, entities
decoded); feeds are parsed as XML and their escaped HTML payloads parsed again as HTML after unescaping.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lxml import etree
from lxml import html as lxml_html

URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "{http://www.w3.org/1999/xlink}href", "poster",
             "data", "background", "cite", "lowsrc", "dynsrc", "ping", "manifest", "codebase", "srcset",
             "xmlurl", "htmlurl", "url", "xml:base", "{http://www.w3.org/XML/1998/namespace}base", "content"}  # fmt: skip
FRAME_TAGS = {"iframe", "frame", "frameset", "object", "embed", "applet", "portal"}  # never, anywhere
HEAD_TAGS = {"base", "meta", "link", "style"}  # the theme's, in <head> only
FRAGMENT_TAGS = FRAME_TAGS | HEAD_TAGS | {"form", "input", "button", "svg", "math", "template", "textarea"}
URL_TEXT_TAGS = {"link", "guid", "comments", "docs", "loc", "url", "uri", "id", "icon", "logo"}
JSON_URL_KEYS = {"url", "external_url", "image", "banner_image", "icon", "favicon", "home_page_url", "feed_url",
                 "avatar", "href", "next_url", "link", "xmlUrl", "htmlUrl"}  # fmt: skip
JSON_HTML_KEYS = {"content_html", "summary_html", "html", "content", "summary", "description"}
_SPACE_CTRL = re.compile(r"[\x00-\x20\x7f-\x9f]+")
_BAD_SCHEME = re.compile(r"^(javascript|vbscript|data|livescript|mocha):", re.IGNORECASE)
_CSS_BAD = re.compile(r"(url\s*\(\s*['\"]?\s*(javascript|vbscript|data):|expression\s*\(|@import|behavior\s*:)",
                      re.IGNORECASE)  # fmt: skip


def bad_url(value: str) -> bool:
    """True for a URL a browser would run as script (after the whitespace/control characters it ignores)."""
    return bool(_BAD_SCHEME.match(_SPACE_CTRL.sub("", value)))


def scan_html(text: str | bytes, where: str, *, fragment: bool = False, theme_ok: bool = True) -> list[str]:
    """Findings in an HTML document (or a fragment from a feed, where no script or style is ever allowed)."""
    if not text.strip():
        return []
    try:
        root = (lxml_html.fragment_fromstring(text, create_parent="div") if fragment
                else lxml_html.document_fromstring(text))  # fmt: skip
    except (etree.ParserError, ValueError):
        return []
    findings = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower().rsplit("}", 1)[-1]
        if tag == "script":
            if fragment or not theme_ok or not _theme_script(el):
                findings.append(f"{where}: <script> {etree.tostring(el, encoding='unicode')[:120]!r}")
        elif (
            (fragment and tag in FRAGMENT_TAGS)
            or tag in FRAME_TAGS
            or (tag in HEAD_TAGS and not _in_head(el))
        ):
            findings.append(f"{where}: <{tag}> element")
        for name, value in el.attrib.items():
            lname = name.lower()
            local = lname.rsplit("}", 1)[-1]
            if local.startswith("on"):
                findings.append(f"{where}: event attribute {name}={value[:80]!r} on <{tag}>")
            if (lname in URL_ATTRS or local in URL_ATTRS) and local != "content" and _any_bad_url(value):
                findings.append(f"{where}: {name}={value[:80]!r} on <{tag}>")
            if (
                local == "content"
                and tag == "meta"
                and "url=" in value.lower()
                and _any_bad_url(value.lower().split("url=", 1)[1])
            ):
                findings.append(f"{where}: meta refresh to {value[:80]!r}")
            if local == "style" and _CSS_BAD.search(value):
                findings.append(f"{where}: style={value[:80]!r} on <{tag}>")
        if tag == "style" and el.text and _CSS_BAD.search(el.text):
            findings.append(f"{where}: <style> {el.text[:80]!r}")
    return findings


def _any_bad_url(value: str) -> bool:
    # srcset holds several URLs; anything else one
    return any(bad_url(part.strip().split(" ")[0]) for part in value.split(",")) or bad_url(value)


def _theme_script(el: Any) -> bool:
    """A theme script: an external file under the site's static/ or pagefind/ (relative URL), no inline code;
    or inert JSON-LD data whose text is valid JSON (so nothing broke out of it)."""
    src = el.get("src")
    if src is None:
        if (el.get("type") or "").lower() == "application/ld+json":
            try:
                json.loads(el.text or "")
                return True
            except ValueError:
                return False
        return False
    if (el.text or "").strip() or ":" in src.split("/", 1)[0] or src.startswith("//"):
        return False
    path = src.split("?", 1)[0].lstrip("./")
    while path.startswith("../"):
        path = path[3:]
    return path.startswith(("static/", "pagefind/")) or "/static/" in src or "/pagefind/" in src


def _in_head(el: Any) -> bool:
    """Feed HTML only ever lands in <body>; what sits in <head> is the theme's (its URLs are still checked)."""
    parent = el.getparent()
    while parent is not None:
        if isinstance(parent.tag, str) and parent.tag.lower() == "head":
            return True
        parent = parent.getparent()
    return False


def scan_xml(data: bytes, where: str) -> list[str]:
    findings: list[str] = []
    try:
        root = etree.fromstring(
            data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        )
    except etree.XMLSyntaxError as exc:
        return [f"{where}: not well-formed XML: {exc}"]
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        local = etree.QName(el).localname.lower()
        for name, value in el.attrib.items():
            lname = etree.QName(name).localname.lower() if name.startswith("{") else name.lower()
            if lname.startswith("on"):
                findings.append(f"{where}: event attribute {name} on <{local}>")
            if (lname in URL_ATTRS or name in URL_ATTRS) and bad_url(value):
                findings.append(f"{where}: {name}={value[:80]!r} on <{local}>")
        text = el.text or ""
        if local in URL_TEXT_TAGS and bad_url(text):
            findings.append(f"{where}: <{local}>{text[:80]!r}")
        # escaped HTML (RSS description and content:encoded, Atom type="html"), already unescaped by the parser;
        # other text (an Atom type="text" title, an RSS title) is plain text, where "<script>" is just text
        if el.get("type") in ("html", "text/html") or local in ("description", "encoded"):
            findings += scan_html(text, f"{where} <{local}>", fragment=True)
        if etree.QName(el).namespace == "http://www.w3.org/1999/xhtml" and local in FRAGMENT_TAGS | {
            "script"
        }:
            findings.append(f"{where}: inline XHTML <{local}>")  # Atom type="xhtml" content
    return findings


def scan_json(data: bytes, where: str) -> list[str]:
    try:
        doc = json.loads(data)
    except ValueError as exc:
        return [f"{where}: invalid JSON: {exc}"]
    findings: list[str] = []
    for path, key, value in _walk(doc, ""):
        if key in JSON_URL_KEYS and bad_url(value):
            findings.append(f"{where}:{path}: {value[:80]!r}")
        # only HTML-bearing members are HTML; a title or category is plain text, where "<script>" is just text
        # (escaped by every template that shows it)
        if key in JSON_HTML_KEYS or key.endswith("_html"):
            findings += scan_html(value, f"{where}:{path}", fragment=True)
    return findings


def _walk(node: Any, path: str) -> Iterator[tuple[str, str, str]]:
    if isinstance(node, dict):
        for k, v in node.items():
            if isinstance(v, str):
                yield f"{path}.{k}", str(k), v
            else:
                yield from _walk(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            if isinstance(v, str):
                yield f"{path}[{i}]", "", v
            else:
                yield from _walk(v, f"{path}[{i}]")


SVG_ACTIVE = {"script", "foreignobject", "iframe", "animate", "set", "handler", "listener"}


def scan_svg(data: bytes, where: str) -> list[str]:
    """A chart the build drew: XML findings, plus any script, foreign or animation element, any reference that
    leaves the document, and CSS that could load or run anything."""
    findings = scan_xml(data, where)
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        local = etree.QName(el).localname.lower()
        if local in SVG_ACTIVE:
            findings.append(f"{where}: <{local}> in a chart")
        for name, value in el.attrib.items():
            if etree.QName(name).localname.lower() == "href" and not value.startswith("#"):
                findings.append(f"{where}: external reference {value[:80]!r} on <{local}>")
        if local == "style" and (_CSS_BAD.search(el.text or "") or "url(" in (el.text or "")):
            findings.append(f"{where}: CSS that loads something: {(el.text or '')[:80]!r}")
    return findings


def scan_site(out: Path) -> tuple[list[str], dict[str, int]]:
    """(findings, files scanned per kind) for every page, feed, API document, OPML and sitemap under ``out``."""
    findings: list[str] = []
    counts: dict[str, int] = {}
    for p in sorted(out.rglob("*")):
        if not p.is_file():
            continue
        rel = p.relative_to(out).as_posix()
        if rel.startswith(("pagefind/", "static/")):
            continue  # the theme's and the search tool's own assets
        suffix = p.suffix.lower()
        data = p.read_bytes()
        if suffix in (".html", ".htm"):
            findings += scan_html(data, rel)
        elif suffix in (".xml", ".atom", ".rss", ".opml", ".xsl"):
            findings += scan_xml(data, rel)
        elif suffix == ".json":
            findings += scan_json(data, rel)
        elif suffix == ".svg" and rel.startswith("dasbor/chart/"):
            findings += scan_svg(data, rel)  # the dashboard's charts, drawn by the build
        elif suffix == ".svg":
            findings += [f"{rel}: SVG in output outside the theme"]
        else:
            continue
        counts[suffix] = counts.get(suffix, 0) + 1
    return findings, counts
