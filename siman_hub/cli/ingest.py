"""``siman-hub discover URL``: which feeds a site offers, so editors can fill ``feeds:`` in feeds.yaml."""

from __future__ import annotations

import asyncio
import sys

import click

from ..sources import discover as disc
from ..sources.fetch import Fetcher, Limits, Request
from ..sources.parse import FeedError, parse_feed

# CMS defaults worth probing when a page advertises nothing (DOMAIN.md: WordPress, Drupal, Joomla, Blogger)
_GUESSES = ("/feed/", "/rss.xml", "/rss", "/index.php?format=feed&type=rss", "/feeds/posts/default?alt=rss")


async def _discover(url: str, probe: bool) -> list[tuple[str, str, str]]:
    async with Fetcher(Limits(deadline=30)) as f:
        resp = await f.fetch(Request(url))
        if resp.error or resp.status is None or not 200 <= resp.status < 300:
            raise click.ClickException(f"{url}: {resp.error or f'HTTP {resp.status}'}")
        if not disc.looks_like_html(resp.body, resp.headers.get("content-type")):
            try:
                parsed = parse_feed(resp.body, resp.url, resp.headers)
                return [(resp.url, parsed.version or "feed", parsed.title)]
            except FeedError:
                pass
        found = [(link.url, link.kind, link.title) for link in disc.feed_links(resp.body, resp.url)]
        if found or not probe:
            return found
        base = resp.url.split("?")[0].rstrip("/")
        root = base.split("/", 3)
        site = "/".join(root[:3])
        candidates = [site + g for g in _GUESSES]
        replies = await asyncio.gather(*(f.fetch(Request(c)) for c in candidates))
        for cand, r in zip(candidates, replies, strict=True):
            if r.status and 200 <= r.status < 300 and not disc.looks_like_html(r.body):
                try:
                    parsed = parse_feed(r.body, r.url, r.headers)
                except FeedError:
                    continue
                found.append(
                    (r.url if r.url else cand, f"{parsed.version or 'feed'} (guessed)", parsed.title)
                )
        return found


@click.command()
@click.argument("url")
@click.option("--probe/--no-probe", default=True, show_default=True,
              help="When the page advertises no feed, try the usual CMS feed paths.")  # fmt: skip
def discover(url: str, probe: bool) -> None:
    """Print the feeds the site at URL offers (<link rel="alternate">, or the page itself if it is a feed)."""
    feeds = asyncio.run(_discover(url, probe))
    if not feeds:
        click.echo(f"no feed found at {url}", err=True)
        sys.exit(1)
    for feed_url, kind, title in feeds:
        click.echo(f"{feed_url}\t{kind}\t{title}")


COMMANDS = [discover]
