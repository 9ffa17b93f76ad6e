"""Several real ``siman-hub fetch`` processes against one PostgreSQL archive and one loopback feed farm.

Shards split the work, row-level claims stop an overlapping worker (a manual fetch during the cron run, a
duplicate shard) from fetching a source that another is fetching, and the fetch schedule stops it from
fetching again right after: every source is fetched exactly once, never twice at the same time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from collections import Counter
from pathlib import Path

from support.feedserver import FeedServer, Reply, Request

from siman_hub.archive import open_archive

N_SOURCES = 36
ITEMS_PER_SOURCE = 3


def _feed(n: int) -> bytes:
    items = "".join(
        f"<item><title>Berita desa {n} nomor {i}</title><link>https://desa{n}.desa.id/b/{i}</link>"
        f"<guid>desa{n}-{i}</guid><pubDate>Tue, 17 Nov 2026 09:0{i}:00 +0700</pubDate>"
        f"<description>Kegiatan desa {n} ke-{i}.</description></item>"
        for i in range(ITEMS_PER_SOURCE)
    )
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Desa {n}</title>'
            f"<link>https://desa{n}.desa.id/</link>{items}</channel></rss>").encode()  # fmt: skip


class Farm:
    """Counts requests per feed and the most requests one feed ever had in flight at once."""

    def __init__(self, srv: FeedServer, delay: float):
        self.srv, self.delay = srv, delay
        self.lock = threading.Lock()
        self.count: Counter[str] = Counter()
        self.in_flight: Counter[str] = Counter()
        self.max_in_flight = 0
        for n in range(N_SOURCES):
            srv.route(f"/desa-{n}.xml", self.handler(n))

    def handler(self, n: int):  # type: ignore[no-untyped-def]
        body = _feed(n)

        def reply(req: Request) -> Reply:
            path = req.path.split("?")[0]
            with self.lock:
                self.count[path] += 1
                self.in_flight[path] += 1
                self.max_in_flight = max(self.max_in_flight, self.in_flight[path])
            threading.Event().wait(self.delay)  # slow enough that workers overlap
            with self.lock:
                self.in_flight[path] -= 1
            return Reply(200, body, {"Content-Type": "application/rss+xml"})

        return reply


def _hub(tmp_path: Path, srv: FeedServer) -> Path:
    sources = "".join(
        f"""
          - id: desa-{n}
            name: Desa {n}
            kind: lainnya
            feeds: ["{srv.url(f"/desa-{n}.xml")}"]"""
        for n in range(N_SOURCES)
    )
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(
        textwrap.dedent("""\
        site:
          title: Hub Uji
          base_url: https://hub.example.org/
          allow_private_addresses: true
          archive: data/unused.sqlite3
        sources:""")
        + sources
        + "\n",
        encoding="utf-8",
    )
    return cfg


def _worker(cfg: Path, archive_url: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "SIMAN_HUB_ARCHIVE": archive_url}  # workers share feeds.yaml; the URL comes from env
    return subprocess.Popen(
        [sys.executable, "-m", "siman_hub", "--config", str(cfg), "fetch", *args],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _wait(procs: list[subprocess.Popen[str]]) -> None:
    for p in procs:
        _out, err = p.communicate(timeout=120)
        assert p.returncode == 0, f"worker {p.args[-2:]} failed: {err}"


def test_concurrent_shard_workers_fetch_every_source_exactly_once(
    tmp_path: Path, feed_server: FeedServer, pg_url: str
) -> None:
    farm = Farm(feed_server, delay=0.4)
    cfg = _hub(tmp_path, feed_server)
    procs = [_worker(cfg, pg_url, "--shard", f"{k}/3", "--worker", f"w{k}") for k in (1, 2, 3)]
    procs.append(_worker(cfg, pg_url, "--worker", "manual"))  # an unsharded fetch overlapping the cron run
    procs.append(_worker(cfg, pg_url, "--shard", "2/3", "--worker", "w2-again"))  # a duplicate shard
    _wait(procs)

    assert sorted(farm.count) == sorted(f"/desa-{n}.xml" for n in range(N_SOURCES))
    assert set(farm.count.values()) == {1}, {p: c for p, c in farm.count.items() if c != 1}
    assert farm.max_in_flight == 1
    a = open_archive(pg_url)
    try:
        assert a.count_items() == N_SOURCES * ITEMS_PER_SOURCE
        items = list(a.iter_items())
        assert len({(i.source_id, i.key) for i in items}) == len(items)
        assert a.item_counts() == {f"desa-{n}": ITEMS_PER_SOURCE for n in range(N_SOURCES)}
        assert all(len(a.fetch_logs(f"desa-{n}")) == 1 for n in range(N_SOURCES))
    finally:
        a.close()


def test_a_worker_skips_sources_another_process_holds(
    tmp_path: Path, feed_server: FeedServer, pg_url: str
) -> None:
    farm = Farm(feed_server, delay=0.0)
    cfg = _hub(tmp_path, feed_server)
    holder = open_archive(pg_url)
    held = ["desa-0", "desa-1", "desa-2"]
    assert holder.claim_sources(held, "holder") == held
    try:
        _wait([_worker(cfg, pg_url, "--worker", "other")])
        assert not any(farm.count[f"/{s}.xml"] for s in held)
        assert sum(farm.count.values()) == N_SOURCES - len(held)
        holder.release_sources()
        _wait([_worker(cfg, pg_url, "--worker", "other")])
        assert all(farm.count[f"/{s}.xml"] == 1 for s in held)  # released: now fetched
        assert sum(farm.count.values()) == N_SOURCES  # and nothing fetched twice (schedule)
        assert holder.count_items() == N_SOURCES * ITEMS_PER_SOURCE
    finally:
        holder.close()
