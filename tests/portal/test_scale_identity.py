"""The bounded-memory build (compact item heads, feed logs streamed per feed, page keys and sitemap in a SQLite
store, seeded files as hashes) writes the same bytes as the straightforward path that holds every item whole.

The reference is the same archive seen without ``iter_item_heads``: the site model is then built from full
Items (``iter_items``), the path the builder takes for a backend without light rows. Both builds run on copies
of one archive, a full build and then an incremental one after new items, a merge into an old story and a retag,
so reused pages, appended feed logs and frozen archive pages are compared too.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from siman_hub.archive import open_archive
from siman_hub.config import Config, load_config
from siman_hub.models import Item, Tag
from siman_hub.publish import build_site
from siman_hub.publish.sitemap import CHUNK, write_sitemaps, write_sorted_sitemaps

from .hub import add_stories, assign_refine, make_hub


class FullItems:
    """The archive without light rows: everything but ``iter_item_heads`` is the real archive's."""

    def __init__(self, archive: Any) -> None:
        self._archive = archive

    def __getattr__(self, name: str) -> Any:
        if name == "iter_item_heads":
            raise AttributeError(name)
        return getattr(self._archive, name)

    def iter_items(self, *args: Any, **kwargs: Any) -> Iterator[Item]:
        return self._archive.iter_items(*args, **kwargs)


def _tree(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and ".siman-hub" not in p.parts and "pagefind" not in p.parts
    }


def _build(config: Config, out: Path, *, full_items: bool) -> None:
    archive = open_archive(config.archive_url)
    try:
        build_site(config, FullItems(archive) if full_items else archive, out)  # type: ignore[arg-type]
    finally:
        archive.close()


def _change(config: Config) -> None:
    """New stories, an old story joined by a new member, one retagged story."""
    archive = open_archive(config.archive_url)
    try:
        add_stories(archive, 200, 30)
        assign_refine(archive)
        items = sorted(archive.iter_items(), key=lambda it: it.id)
        archive.put_clusters({items[-1].id: items[3].cluster_id or f"item-{items[3].id}"})
        archive.replace_tags([items[7].id], [Tag(items[7].id, "stunting", "phrase", ["stunting"], "t2")])
    finally:
        archive.close()


@pytest.fixture(scope="module")
def hubs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Config, Config]:
    root = tmp_path_factory.mktemp("identity")
    make_hub(root / "a", stories=140, per_page=10)
    shutil.copytree(root / "a", root / "b")
    return load_config(root / "a" / "feeds.yaml"), load_config(root / "b" / "feeds.yaml")


def test_light_build_equals_full_item_build_full_then_incremental(
    hubs: tuple[Config, Config], monkeypatch: pytest.MonkeyPatch
) -> None:
    light, full = hubs
    monkeypatch.setattr("siman_hub.publish.search.Indexer.start", lambda self: self)  # search is not compared
    monkeypatch.setattr("siman_hub.publish.search.Indexer.finish", lambda self: None)
    # one clock for both: a merge is logged at the time the hub noticed it (feedlog.plan_appends_sorted)
    monkeypatch.setattr("siman_hub.publish.feeds.utcnow", lambda: datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
    _build(light, light.output_dir, full_items=False)
    _build(full, full.output_dir, full_items=True)
    first = _tree(light.output_dir)
    assert len(first) > 300 and first == _tree(full.output_dir)
    for config in (light, full):
        _change(config)
    _build(light, light.output_dir, full_items=False)
    _build(full, full.output_dir, full_items=True)
    second = _tree(light.output_dir)
    assert second != first
    assert second == _tree(full.output_dir)
    assert any(k.startswith("feeds/archive/") for k in second)  # frozen RFC 5005 pages are in the comparison


def test_streamed_sitemap_equals_the_sorted_list(tmp_path: Path) -> None:
    paths = [f"story/s{n}/" for n in range(CHUNK + 7)] + ["", "agency/x/", "en/"]
    ref: dict[str, bytes] = {}
    write_sitemaps("https://h.example/", list(reversed(paths)), ref.__setitem__)
    got: dict[str, bytes] = {}
    ordered = sorted(paths)
    write_sorted_sitemaps("https://h.example/", len(ordered), iter(ordered), got.__setitem__)
    assert got == ref and "sitemaps/sitemap-2.xml" in got
