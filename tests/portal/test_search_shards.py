"""Sharded search index: a story's shard follows its date, and a build re-indexes only shards whose pages
changed (the others are the previous build's files, hardlinked)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from siman_hub.archive import open_archive
from siman_hub.models import Changes
from siman_hub.publish import build_site, search

from .hub import BASE, assign_refine, entry, make_hub


def test_periods_are_as_coarse_as_the_limit_allows() -> None:
    start = datetime(2024, 12, 30, tzinfo=UTC)
    dates = [(f"s{i}", start + timedelta(hours=6 * i)) for i in range(60)]  # 30 Dec 2024 .. 14 Jan 2025
    names = search.shard_names(dates, "Asia/Jakarta", limit=100)
    assert set(names.values()) == {"2024", "2025"}
    names = search.shard_names(dates, "Asia/Jakarta", limit=30)
    assert names["s0"] == "2024"  # 2024 holds 7 stories (local time)
    counts = {n: list(names.values()).count(n) for n in set(names.values())}
    assert counts == {
        "2024": 7,
        "2025-01-w1": 28,
        "2025-01-w2": 25,
    }  # January's 53 split by week of the month
    names = search.shard_names(dates, "Asia/Jakarta", limit=3)
    assert names["s59"] == "2025-01-14" and list(names.values()).count("2025-01-13") == 4  # 4 a day: by day
    # local dates: 2024-12-31 17:00 UTC is already 2025 in Jakarta
    assert search.shard_names([("x", datetime(2024, 12, 31, 17, tzinfo=UTC))], "Asia/Jakarta") == {
        "x": "2025"
    }


def test_new_story_reindexes_only_its_shard(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "SHARD_LIMIT", 20)
    config = make_hub(tmp_path / "hub", stories=45)  # 25 Jan .. 10 Mar 2025
    shard_dir = config.output_dir / "pagefind/shard"
    archive = open_archive(config.archive_url)
    try:
        first = build_site(config, archive, config.output_dir)
        assert first.search_indexed
        shards = sorted(p.name for p in shard_dir.iterdir())
        assert "2025-03" in shards and "2025-01" in shards and len(shards) >= 4, shards
        inodes = {n: os.stat(shard_dir / n / "pagefind-entry.json").st_ino for n in shards}
        content_inode = os.stat(config.output_dir / "pagefind/pagefind-entry.json").st_ino

        archive.apply_changes("bgn", Changes(inserts=[entry(
            "new-1", "Banjir rendam dapur umum", "Banjir merendam dapur umum di Makassar.",
            BASE + timedelta(hours=5), "https://bgn.example/new-1")]), BASE + timedelta(days=2))  # fmt: skip
        assign_refine(archive)
        inc = build_site(config, archive, config.output_dir)
        assert inc.search_indexed
        after = {n: os.stat(shard_dir / n / "pagefind-entry.json").st_ino for n in shards}
        assert after["2025-03"] != inodes["2025-03"]  # re-indexed
        assert {n: i for n, i in after.items() if n != "2025-03"} == {
            n: i for n, i in inodes.items() if n != "2025-03"
        }  # every other shard untouched
        assert os.stat(config.output_dir / "pagefind/pagefind-entry.json").st_ino == content_inode
        entry_json = json.loads((shard_dir / "2025-03/pagefind-entry.json").read_text(encoding="utf-8"))
        assert entry_json["languages"]["id"]["page_count"] == 11  # 1..10 March + the new story
    finally:
        archive.close()
