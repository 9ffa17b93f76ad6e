"""End to end: feeds over real loopback HTTP → fetch → pipeline.build → one feed entry per story, every
publisher credited, the originating ministry as canonical."""

from __future__ import annotations

import json
from email.utils import format_datetime
from pathlib import Path

from support.feedserver import FeedServer, Reply

from siman_hub import pipeline
from siman_hub.config import load_config

from .conftest import write_hub
from .stories import hard_negative, syndicated


def rss(items) -> bytes:  # type: ignore[no-untyped-def]
    body = "".join(
        f"<item><title>{it.title}</title><link>{it.url}</link><guid>{it.url}</guid>"
        f"<pubDate>{format_datetime(it.published)}</pubDate>"
        f"<description><![CDATA[{it.summary or it.content}]]></description></item>"
        for it in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{body}</channel></rss>'.encode()


def test_build_shows_one_entry_per_story_with_every_publisher(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    items = [*syndicated(), hard_negative()]
    by_source: dict[str, list] = {}
    for it in items:
        by_source.setdefault(it.source_id, []).append(it)
    sources = ""
    for sid, its in by_source.items():
        feed_server.route(f"/{sid}.xml", Reply(200, rss(its), {"Content-Type": "application/rss+xml"}))
        extra = {"bgn": "  priority: 10\n", "infopublik": "  priority: -10\n", "antara": "  priority: -10\n"}
        kind = 'kabupaten\n  region: "73.06"' if sid == "kab-gowa" else "lembaga"
        sources += f'- id: {sid}\n  name: {sid.upper()}\n  kind: {kind}\n  feeds: ["{feed_server.url(f"/{sid}.xml")}"]\n'
        sources += extra.get(sid, "")
    config = load_config(write_hub(tmp_path, sources))
    reports = pipeline.fetch(config)
    assert all(r.error is None for r in reports), [r.error for r in reports]
    pipeline.build(config)
    feed = json.loads((config.output_dir / "feeds" / "all.json").read_text(encoding="utf-8"))
    entries = feed["items"]
    assert len(entries) == 2  # the syndicated story once, the hard negative on its own
    story = next(e for e in entries if len(e["_siman_hub"]["publishers"]) > 1)
    publishers = {p["source_id"] for p in story["_siman_hub"]["publishers"]}
    assert publishers == {"bgn", "infopublik", "kab-gowa", "antara"}
    assert story["_siman_hub"]["source"]["source_id"] == "bgn"  # priority: the originating agency
    assert "mbg" in story["_siman_hub"]["programs"]
    # a rebuild keeps the story ids (re-exported feeds depend on them)
    pipeline.build(config)
    again = json.loads((config.output_dir / "feeds" / "all.json").read_text(encoding="utf-8"))
    assert [e["_siman_hub"]["story_id"] for e in again["items"]] == [
        e["_siman_hub"]["story_id"] for e in entries
    ]
