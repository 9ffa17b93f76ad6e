"""One fetched body → normalized entries. A pure, picklable function, so ingest can run it in worker processes
(parsing and sanitizing are CPU-bound; the event loop keeps fetching meanwhile).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..models import Entry
from . import discover, normalize, sanitize, urls
from .parse import FeedError, ParsedFeed, check_hostile, maybe_gunzip, parse_feed


class NotAFeed(FeedError):
    """An HTML page where a feed was expected; ``links`` are the feeds it advertises (maybe none)."""

    def __init__(self, message: str, links: list[discover.FeedLink] | None = None):
        super().__init__(message)
        self.links = links or []

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (NotAFeed, (str(self), self.links))


@dataclass(slots=True)
class Processed:
    entries: list[Entry] = field(default_factory=list)
    mode: str = "guid"
    identity_note: str | None = None
    title: str = ""
    link: str | None = None
    warning: str | None = None
    parser: str = "feedparser"


def process_body(
    body: bytes,
    url: str,
    headers: dict[str, str],
    *,
    tz: str,
    now: datetime,
    identity_mode: str = "auto",
    stored_mode: str | None = None,
) -> Processed:
    """Parse and normalize ``body``; raises ``FeedError`` (or ``NotAFeed`` for HTML) with a reason to record."""
    body = maybe_gunzip(body)
    check_hostile(body)
    if discover.looks_like_html(body, headers.get("content-type")):
        links = discover.feed_links(body, url)
        listed = ", ".join(link.url for link in links[:3])
        raise NotAFeed(
            "HTML page instead of a feed"
            + (f"; it advertises {listed}" if links else "; no feed advertised"),
            links,
        )
    from .fastparse import parse_fast  # local: keeps worker start-up light when unused

    parsed = parse_fast(body, url, headers)
    parser = "lxml"
    if parsed is None:
        parsed = parse_feed(body, url, headers)
        parser = "feedparser"
    if parser != "lxml":  # lxml rejects surrogate code points (raw or as references) as malformed XML
        _scrub_surrogates(parsed)
    entries, mode, note = normalize.normalize(
        parsed, feed_url=url, tz=tz, now=now, identity_mode=identity_mode, stored_mode=stored_mode
    )
    # The feed's own title and link are re-published (source attribution in pages and feeds): the title is plain
    # text like every entry title (a control character in it broke the XML writers, and with them the build),
    # and the link must be a web URL, never javascript: or data:.
    title = sanitize.plain_text(parsed.title, limit=300)
    link = urls.resolve(parsed.link, url)
    return Processed(entries, mode, note, title, link, parsed.warning, parser)


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return value if value.isascii() else value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    if isinstance(value, dict):
        for k, v in list(value.items()):  # feedparser's dict maps key aliases on assignment
            value[k] = _scrub(v)
    elif isinstance(value, list):
        value[:] = [_scrub(v) for v in value]
    return value


def _scrub_surrogates(parsed: ParsedFeed) -> None:
    """A lone surrogate (a JSON ``"\\udcff"`` escape, a broken char reference) is a str no encoder accepts: one
    in one field failed the whole feed. Each becomes U+FFFD, in place."""
    parsed.title = _scrub(parsed.title)
    parsed.link = _scrub(parsed.link)
    _scrub(parsed.entries)
