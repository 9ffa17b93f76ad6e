"""Build memory on a large archive: the parts of a build that are streamed hold the same memory for N and 4N
stories (bounds far below what holding them would take), and the part that still grows (the site model's
story heads) stays within a per-story budget.

Peaks are measured with tracemalloc around one call on real objects: a real SQLite archive and feed log, a real
page store file, real item heads read from the archive.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from siman_hub.archive import open_archive
from siman_hub.archive.base import ItemHead
from siman_hub.config.model import Config, SiteConfig, Source
from siman_hub.models import Entry, FeedRevision
from siman_hub.publish import feedlog, manifest
from siman_hub.publish.feeds import FeedSpec, sync_log
from siman_hub.publish.model import Story, build_model
from siman_hub.publish.sitemap import write_sorted_sitemaps
from siman_hub.sources.decide import decide

NOW = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
MB = 1 << 20


def _peak(fn: Callable[[], Any]) -> tuple[int, Any]:
    """Bytes allocated at the peak of ``fn()`` above what was live when it started."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        result = fn()
        return tracemalloc.get_traced_memory()[1] - base, result
    finally:
        tracemalloc.stop()


def _stories(n: int) -> list[Story]:
    out = []
    for i in range(n):
        when = NOW - timedelta(minutes=i)
        head = ItemHead(i + 1, "src", f"Judul {i}", f"https://x.example/{i}", None, None, when, when, when,
                        f"h{i}", when, f"c{i}")  # fmt: skip
        out.append(Story(f"c{i}", head, [head]))  # type: ignore[arg-type]
    return out


def _logged_feed(tmp_path: Path, n: int) -> tuple[Any, FeedSpec]:
    """An archive whose ``all`` feed already logs every one of ``n`` stories as it is now."""
    archive = open_archive(f"sqlite:///{tmp_path / f'log-{n}.sqlite3'}")
    stories = _stories(n)
    archive.append_feed_log(
        FeedRevision("all", i + 1, s.id, feedlog.fingerprint(s), s.updated, NOW)
        for i, s in enumerate(stories)
    )
    return archive, FeedSpec("all", None, None, "t", "", stories)


def test_feed_log_sync_does_not_hold_the_log(tmp_path: Path) -> None:
    peaks = []
    for n in (10_000, 40_000):
        archive, spec = _logged_feed(tmp_path, n)
        try:
            peak, size = _peak(lambda archive=archive, spec=spec: sync_log(archive, spec, NOW))
        finally:
            archive.close()
        assert size == n  # nothing changed: nothing appended, the log was read in full
        peaks.append(peak)
    # holding the log (a FeedRevision per row, as before) costs about 300 bytes a row: 9 MB more for 30,000 rows;
    # what is left is the list of stories sorted by id (8 bytes a story) and SQLite's bounded cache
    assert peaks[1] - peaks[0] < 1 * MB, peaks


def test_page_store_and_sitemap_do_not_hold_the_pages(tmp_path: Path) -> None:
    peaks = []
    for n in (50_000, 200_000):
        sizes: list[int] = []

        def run(n: int = n, sizes: list[int] = sizes) -> None:
            pages = manifest.PageKeys.create(tmp_path / f"pages-{n}.sqlite3")
            for i in range(n):
                pages.add(f"story/s{i}/index.html", f"{i:032x}", f"story/s{i}/")
            write_sorted_sitemaps("https://h.example/", pages.url_count(), pages.urls(),
                                  lambda rel, body: sizes.append(len(body)))  # fmt: skip
            pages.close()

        peak, _ = _peak(run)
        assert len(sizes) == (n + 44_999) // 45_000 + 1  # the index and its sitemaps
        peaks.append(peak)
    # a dict of paths and a list of URLs (as before) cost about 250 bytes a page: 37 MB more for 150,000 pages
    assert peaks[1] - peaks[0] < 2 * MB, peaks


def _head_archive(tmp_path: Path, n: int) -> Any:
    archive = open_archive(f"sqlite:///{tmp_path / f'heads-{n}.sqlite3'}")
    for start in range(0, n, 5000):
        entries = [
            Entry(key=f"k{i}", title=f"Siaran pers nomor {i} tentang program daerah", content="<p>isi</p>",
                  url=f"https://pemda{i % 50}.go.id/berita/{i}", published=NOW - timedelta(minutes=i),
                  content_hash=f"h{i}")
            for i in range(start, min(n, start + 5000))
        ]  # fmt: skip
        with archive.transaction():
            for src in range(50):
                archive.apply_changes(f"pemda-{src}", decide({}, entries[src::50]), NOW)
    return archive


def test_site_model_per_story_budget(tmp_path: Path) -> None:
    """The model still grows with the archive (one head per item, one Story per cluster): ~0.5 KB a story here,
    where full light Items grouped the same way took ~1.7 KB."""
    config = Config(
        path=tmp_path / "feeds.yaml", root=tmp_path, site=SiteConfig(title="t", base_url="https://h.example/"),
        sources=tuple(Source(id=f"pemda-{n}", name=f"Pemda {n}", kind="lainnya", feeds=("https://x/rss",))
                      for n in range(50)),
    )  # fmt: skip
    sizes = []
    for n in (5_000, 20_000):
        archive = _head_archive(tmp_path, n)
        try:
            gc.collect()
            tracemalloc.start()
            model = build_model(config, archive.iter_item_heads(), archive.tags())
            sizes.append(tracemalloc.get_traced_memory()[0])
            tracemalloc.stop()
            assert len(model.stories) == n
        finally:
            archive.close()
    per_story = (sizes[1] - sizes[0]) / 15_000
    assert per_story < 700, per_story
