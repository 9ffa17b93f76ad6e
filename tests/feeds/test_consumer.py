"""An agency polling the hub across real builds: new, updated, merged and late items; never a gap, never a double.

The consumer follows RFC 5005 as a generic client would: read the subscription document, follow ``prev-archive``
until an archive it has already read, apply entries oldest document first, keep the newest ``updated`` per id.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from support.feedserver import FeedServer

from siman_hub.archive import open_archive
from siman_hub.publish import feedlog

from .hubkit import FakeItem, Hub

BASE_URL = "https://hub.example.org/"
T0 = datetime(2026, 11, 1, 3, tzinfo=UTC)


def _item(prefix: str, i: int, *, published: datetime | None = None, body: str | None = None) -> FakeItem:
    return FakeItem(
        f"{prefix}-{i}",
        f"Siaran pers {prefix} nomor {i} tentang pelayanan publik",
        body or f"Isi siaran pers {i}.",
        published or T0 + timedelta(hours=i),
        f"https://{prefix}.go.id/siaran/{i}",
    )


@dataclass
class Consumer:
    """Reads the hub's public files as an HTTP client would read its URLs."""

    out: Path
    fmt: str
    seen_archives: set[str] = field(default_factory=set)
    state: dict[str, datetime] = field(default_factory=dict)
    deliveries: list[tuple[str, datetime]] = field(default_factory=list)

    def _load(self, url: str) -> tuple[list[tuple[str, datetime]], str | None]:
        data = (self.out / url.removeprefix(BASE_URL)).read_bytes()
        if self.fmt == "json":
            doc = json.loads(data)
            entries = [(i["id"], datetime.fromisoformat(i["date_modified"])) for i in doc["items"]]
            return entries, doc.get("_siman_hub", {}).get("prev_archive")
        d = feedparser.parse(data)
        assert not d.bozo, url
        entries = [(e.id, datetime(*e.updated_parsed[:6], tzinfo=UTC)) for e in d.entries]
        prev = next((link.href for link in d.feed.links if link.rel == "prev-archive"), None)
        return entries, prev

    def poll(self) -> None:
        docs = []
        url: str | None = f"{BASE_URL}feeds/all.{self.fmt}"
        first = True
        while url and url not in self.seen_archives:
            entries, prev = self._load(url)
            docs.append(entries)
            if not first:
                self.seen_archives.add(url)
            first = False
            url = prev
        for entries in reversed(docs):  # oldest document first
            for entry_id, updated in reversed(entries):  # oldest entry first
                if entry_id not in self.state or updated > self.state[entry_id]:
                    self.state[entry_id] = updated
                    self.deliveries.append((entry_id, updated))


def _hub_truth(hub: Hub) -> dict[str, datetime]:
    """Every story the hub has, with the latest revision's updated, straight from the archive."""
    archive = open_archive(hub.config.archive_url)
    try:
        log = [r for r in archive.feed_log() if r.feed_key == "all"]
        stories = {it.cluster_id or f"item-{it.id}" for it in archive.iter_items()}
    finally:
        archive.close()
    latest = feedlog.latest_by_story(log)
    assert set(latest) == stories, "every story of the archive is in the merged feed's log"
    return {f"{BASE_URL}story/{sid}/": r.updated.astimezone(UTC) for sid, r in latest.items()}


@pytest.mark.parametrize("fmt", ["atom", "json"])
def test_polling_agency_misses_nothing_and_sees_nothing_twice(
    tmp_path: Path, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    monkeypatch.setattr(feedlog, "PAGE_SIZE", 3)
    hub = Hub(tmp_path, feed_server, feed_size=2)
    kemkes = hub.publishers["kemkes"].items
    antara = hub.publishers["antara"].items
    makassar = hub.publishers["kota-makassar"].items
    every_build = Consumer(hub.out, fmt)
    weekly = Consumer(hub.out, fmt)

    kemkes += [_item("kemkes", i) for i in range(4)]
    hub.build()
    every_build.poll()
    weekly.poll()
    assert len(weekly.state) == 4

    # build 2: new items, and ANTARA republishes kemkes-0 (a merge: no new story, an update of the old one)
    kemkes += [_item("kemkes", i) for i in range(4, 6)]
    makassar.append(_item("makassar", 1))
    k0 = kemkes[0]
    antara.append(FakeItem("antara-0", k0.title, k0.body, k0.published, "https://antaranews.com/0"))
    hub.build()
    every_build.poll()

    # build 3: an edit of kemkes-2, and a late item published a month ago but seen only now
    kemkes[2] = _item("kemkes", 2, body="Isi siaran pers 2, diperbarui dengan data terbaru.")
    kemkes.append(_item("kemkes", 99, published=T0 - timedelta(days=30)))
    hub.build()
    every_build.poll()

    # builds 4-5: enough new stories to push everything above into archive pages
    for b in range(2):
        makassar.extend(_item("makassar", 10 + b * 10 + i) for i in range(4))
        hub.build()
        every_build.poll()
    weekly.poll()  # back after a week offline

    truth = _hub_truth(hub)
    late = next(k for k in truth if any(k.endswith(f"/{s}/") for s in _story_ids(hub, "kemkes-99")))
    for consumer in (every_build, weekly):
        assert consumer.state == truth  # nothing lost, every story at its latest revision
        assert len(consumer.deliveries) == len(set(consumer.deliveries))  # no revision delivered twice
        assert late in consumer.state
    # the merge produced no second story for ANTARA's copy
    assert len([i for i in truth if any(i.endswith(f"/{s}/") for s in _story_ids(hub, "antara-0"))]) == 1
    assert _story_ids(hub, "antara-0") == _story_ids(hub, "kemkes-0")
    # the continuous poller saw kemkes-2 twice (new, then edited), each revision once
    k2 = next(iter(_story_ids(hub, "kemkes-2")))
    assert [u for i, u in every_build.deliveries if i.endswith(f"/{k2}/")] == sorted(
        u for i, u in every_build.deliveries if i.endswith(f"/{k2}/")
    )
    assert len([1 for i, _ in every_build.deliveries if i.endswith(f"/{k2}/")]) == 2
    assert len(weekly.seen_archives) >= 3  # it really had to walk archive pages


def _story_ids(hub: Hub, key: str) -> set[str]:
    archive = open_archive(hub.config.archive_url)
    try:
        return {it.cluster_id or f"item-{it.id}" for it in archive.iter_items() if it.key.endswith(key)}
    finally:
        archive.close()
