"""A temp hub fed by scripted publishers on the loopback feed server, built with the real pipeline.

Each publisher serves an RSS feed whose items the test edits between builds (add, change, add a late one), so
the re-exported feeds can be checked exactly as an agency polling the hub would see them.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from support.feedserver import FeedServer, Reply

from siman_hub import pipeline
from siman_hub.config import Config, load_config


@dataclass
class FakeItem:
    guid: str
    title: str
    body: str
    published: object  # datetime
    link: str
    image: str | None = None


@dataclass
class Publisher:
    """One agency's feed: ``items`` is served as it is at request time."""

    path: str
    title: str
    items: list[FakeItem] = field(default_factory=list)

    def rss(self) -> bytes:
        parts = []
        for it in self.items:
            enc = f'<enclosure url="{escape(it.image)}" type="image/jpeg" length="1234"/>' if it.image else ""
            parts.append(
                f"<item><title>{escape(it.title)}</title><link>{escape(it.link)}</link>"
                f'<guid isPermaLink="false">{escape(it.guid)}</guid>'
                f"<pubDate>{format_datetime(it.published)}</pubDate>"  # type: ignore[arg-type]
                f"<description>{escape(it.body)}</description>{enc}</item>"
            )
        return (
            f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{escape(self.title)}'
            f"</title><link>https://{self.path.strip('/').split('.')[0]}.go.id/</link>{''.join(parts)}</channel></rss>"
        ).encode()


class Hub:
    def __init__(self, root: Path, srv: FeedServer, *, feed_size: int = 5, hub_url: str | None = None):
        self.root = root
        self.srv = srv
        self.publishers = {
            "kemkes": Publisher("/kemkes.xml", "Berita Kemenkes"),
            "kota-makassar": Publisher("/makassar.xml", "Berita Kota Makassar"),
            "antara": Publisher("/antara.xml", "ANTARA"),
        }
        for pub in self.publishers.values():
            srv.route(
                pub.path, lambda req, pub=pub: Reply(200, pub.rss(), {"Content-Type": "application/rss+xml"})
            )
        (root / "feeds.yaml").write_text(
            textwrap.dedent(f"""\
            site:
              title: Hub Uji
              description: Hub untuk pengujian feed keluar.
              base_url: https://hub.example.org/
              feed_size: {feed_size}
              allow_private_addresses: true
              websub_hub: {hub_url or "null"}
            programs:
              - id: mbg
                name: Makan Bergizi Gratis
                phrases: [makan bergizi gratis]
                abbreviations: [MBG, SPPG]
            sources:
              - id: kemkes
                name: Kementerian Kesehatan
                kind: kementerian
                homepage: https://kemkes.go.id/
                priority: 10
                feeds: ["{srv.url("/kemkes.xml")}"]
              - id: kota-makassar
                name: Pemerintah Kota Makassar
                kind: kota
                region: "73.71"
                feeds: ["{srv.url("/makassar.xml")}"]
              - id: antara
                name: ANTARA
                kind: media
                priority: -10
                feeds: ["{srv.url("/antara.xml")}"]
            """),
            encoding="utf-8",
        )
        self.config: Config = load_config(root / "feeds.yaml")

    @property
    def out(self) -> Path:
        return self.config.output_dir

    def build(self) -> pipeline.RunResult:
        """One cron tick: fetch every source now (a forced fetch ignores the polling schedule), then build."""
        pipeline.fetch(self.config, only=[s.id for s in self.config.sources])
        return pipeline.build(self.config)

    def feed_files(self) -> list[Path]:
        return sorted(p for p in (self.out / "feeds").rglob("*") if p.is_file())
