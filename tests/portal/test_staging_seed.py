"""The staging dir seeded with one ``cp -al`` of the live site: its files share inodes with the live ones, so a
rewrite must replace the file, never write into it, and whatever the build did not produce must disappear."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from siman_hub.publish.writer import Staging


def _site(out: Path) -> None:
    for rel, body in {
        "index.html": "old home",
        "story/a/index.html": "story a",
        "story/gone/index.html": "deleted story",
        "api/items/1.json": "page one",
        "pagefind/x.pf": "index",
    }.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(body)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    out = tmp_path / "public"
    _site(out)
    # a second name for the live home's inode: whatever happens to it shows here even after the swap
    os.link(out / "index.html", tmp_path / "home-witness")
    return out


def test_seeded_build_replaces_rewritten_files_and_drops_what_it_did_not_produce(
    site: Path, tmp_path: Path
) -> None:
    staging = Staging(site)
    assert staging.seed(skip=("pagefind",))
    assert not (staging.dir / "pagefind").exists()  # left to the indexer, which would write in place
    staging.write("index.html", "new home")
    assert (site / "index.html").read_text() == "old home"  # the live file is untouched before the swap
    assert staging.link(site / "story/a/index.html", "story/a/index.html")
    assert staging.keep("api/items/1.json")
    assert not staging.keep("story/never/index.html")  # not in the seed: the caller renders it
    staging.write("story/b/index.html", "story b")
    staging.publish()
    assert (site / "index.html").read_text() == "new home"
    assert (tmp_path / "home-witness").read_text() == "old home"  # the old inode was never written
    assert (site / "story/a/index.html").read_text() == "story a"
    assert (site / "story/b/index.html").read_text() == "story b"
    assert not (site / "story/gone").exists()  # stale file and its emptied directory are gone
    assert (site / "api/items/1.json").read_text() == "page one"


def test_an_abandoned_seeded_build_leaves_the_live_site_as_it_was(site: Path, tmp_path: Path) -> None:
    before = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    staging = Staging(site)
    assert staging.seed()
    staging.write("index.html", "half-built")
    staging.write("story/a/index.html", "half-built")
    staging.abandon()
    assert {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()} == before
    assert not staging.dir.exists()


def test_seed_without_a_published_site_falls_back_to_an_empty_staging_dir(tmp_path: Path) -> None:
    staging = Staging(tmp_path / "public")
    assert not staging.seed()
    staging.write("index.html", "first")
    staging.publish()
    assert (tmp_path / "public/index.html").read_text() == "first"
