"""Bytes → a parsed feed, through feedparser (the robust path for every RSS/Atom/JSON dialect).

XML is first checked for DTD entity declarations: feedparser's own defenses vary by backend, and a "billion
laughs" body must be refused before any parser expands it.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from typing import Any

import feedparser

from .jsonfeed import JSONFeedError, parse_json_feed

_DOCTYPE_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
_FEED_MARKERS = re.compile(rb"<(rss|feed|rdf:RDF|channel)[\s>]", re.IGNORECASE)
_ROOT_START = re.compile(rb"<[A-Za-z_]")
MAX_UNZIPPED = 16 * 1024 * 1024


class FeedError(Exception):
    """The body is not a feed we can read; the message says why, for the source's health record."""


@dataclass(slots=True)
class ParsedFeed:
    title: str = ""
    link: str | None = None
    feed_id: str | None = None
    updated: str | None = None
    entries: list[dict[str, Any]] = field(default_factory=list)
    warning: str | None = None
    version: str = ""


def _looks_like_json(body: bytes) -> bool:
    return body.lstrip()[:1] in (b"{", b"[")


def _prolog(body: bytes) -> bytes:
    """Everything before the root element: the only place a DTD (and so an entity declaration) can be."""
    m = _ROOT_START.search(body)
    return body[: m.start()] if m else body


def maybe_gunzip(body: bytes, limit: int = MAX_UNZIPPED) -> bytes:
    """Gzip bodies sent without Content-Encoding (a real quirk) are unpacked, bounded so a bomb cannot grow."""
    if body[:2] != b"\x1f\x8b":
        return body
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = d.decompress(body, limit)
    except zlib.error as exc:
        raise FeedError(f"body looks gzip-compressed but cannot be decompressed: {exc}") from None
    if d.unconsumed_tail:
        raise FeedError(f"gzip body unpacks to more than {limit} bytes: refused")
    return out


_CHAR_REF = re.compile(rb"&#([xX][0-9a-fA-F]{1,8}|[0-9]{1,10});")


def _fix_char_refs(body: bytes) -> bytes:
    """``&#xD800;`` (a lone surrogate), ``&#0;`` or beyond U+10FFFF crash feedparser's lenient parser with a
    UnicodeEncodeError, failing the whole feed over one character: they become U+FFFD, as a browser shows them."""
    if b"&#" not in body:
        return body

    def fix(m: re.Match[bytes]) -> bytes:
        ref = m.group(1)
        code = int(ref[1:], 16) if ref[:1] in (b"x", b"X") else int(ref)
        return b"&#xFFFD;" if code == 0 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF else m.group(0)

    return _CHAR_REF.sub(fix, body)


def check_hostile(body: bytes) -> None:
    """Refuse entity declarations (billion laughs, external entities) before any parser sees the document."""
    if _DOCTYPE_ENTITY.search(_prolog(body)):
        raise FeedError("refused: document declares XML entities (possible entity-expansion attack)")


def parse_feed(body: bytes, url: str | None = None, headers: dict[str, str] | None = None) -> ParsedFeed:
    body = maybe_gunzip(body)
    if not body or not body.strip():
        raise FeedError("empty body")
    check_hostile(body)
    if _looks_like_json(body):
        try:
            meta, json_entries, json_version = parse_json_feed(body)
        except JSONFeedError as exc:
            raise FeedError(str(exc)) from None
        return ParsedFeed(title=meta["title"], link=meta["link"], feed_id=meta["id"], entries=json_entries,
                          version=json_version)  # fmt: skip
    resp_headers = dict(headers or {})
    resp_headers.setdefault("content-location", url or "")
    body = _fix_char_refs(body)
    try:
        parsed = feedparser.parse(body.lstrip(), response_headers=resp_headers, sanitize_html=False,
                                  resolve_relative_uris=True)  # fmt: skip
    except UnicodeError as exc:  # e.g. raw UTF-16 surrogates, a garbage encoding name: feedparser gives up
        raise FeedError(f"unreadable text encoding: {exc}") from None
    except ValueError as exc:  # feedparser's own failures on some malformed XML (found by fuzzing)
        raise FeedError(f"malformed feed the parser cannot read: {exc}") from None
    entries = list(parsed.get("entries") or [])
    feed = parsed.get("feed") or {}
    version = parsed.get("version") or ""
    warning = None
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        warning = f"{type(exc).__name__}: {exc}" if exc else "malformed feed"
    if not entries and not version:
        if not _FEED_MARKERS.search(body[:65536]):
            raise FeedError(
                "not a feed (no RSS/Atom/JSON Feed structure found)" + (f"; {warning}" if warning else "")
            )
        if warning:
            raise FeedError(warning)
    return ParsedFeed(
        title=str(feed.get("title") or ""),
        link=feed.get("link"),
        feed_id=feed.get("id"),
        updated=feed.get("updated"),
        entries=entries,
        warning=warning,
        version=version,
    )
