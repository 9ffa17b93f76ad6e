"""The portal build over a real SQLite archive: every page type, i18n, meta, search index, incremental builds."""

from __future__ import annotations

import json
import os
import re
from datetime import timedelta
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from siman_hub.archive import open_archive
from siman_hub.config import Config, load_config
from siman_hub.models import Changes
from siman_hub.publish import build_site

from .hub import BASE, add_stories, assign_refine, entry, make_hub


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Config, Path]:
    root = tmp_path_factory.mktemp("hub")
    config = make_hub(root)
    archive = open_archive(config.archive_url)
    try:
        build_site(config, archive, config.output_dir)
    finally:
        archive.close()
    return config, config.output_dir


def read(out: Path, rel: str) -> str:
    return (out / rel).read_text(encoding="utf-8")


def story_dir(out: Path, title_part: str) -> str:
    for d in sorted((out / "story").iterdir()):
        if title_part in (d / "index.html").read_text(encoding="utf-8"):
            return f"story/{d.name}/"
    raise AssertionError(f"no story page mentions {title_part!r}")


def test_every_page_type_exists(built: tuple[Config, Path]) -> None:
    _, out = built
    for rel in [
        "index.html", "page/1/index.html", "page/3/index.html", "program/index.html", "program/mbg/index.html",
        "program/stunting/index.html", "agency/index.html", "agency/bgn/index.html", "region/index.html",
        "region/73/index.html", "region/73.71/index.html", "arsip/index.html", "arsip/2025/03/index.html",
        "arsip/2025/02/index.html", "sources/index.html", "search/index.html", "posts/index.html",
        "posts/sorotan-gizi/index.html", "pages/tentang/index.html", "sitemap.xml", "robots.txt",
        "feeds/all.atom", "sources.opml", "pagefind/pagefind-ui.js", "en/index.html", "en/program/mbg/index.html",
    ]:  # fmt: skip
        assert (out / rel).is_file(), rel


def test_home_has_latest_highlights_and_picks(built: tuple[Config, Path]) -> None:
    _, out = built
    home = read(out, "index.html")
    assert "Pilihan redaksi" in home and "Sorotan Gizi Pekan Ini" in home
    assert "Sorotan per program" in home and 'href="./program/stunting/"' in home
    # 45 stories, per_page 10: the 5 newest plus the newest complete chunk (numbered pages are counted from the
    # oldest, so page/1..page/3 hold the 30 oldest and the fourth chunk is shown here)
    assert home.count('class="story"') == 15
    assert 'rel="next" href="./page/3/"' in home
    assert not (out / "page/4/index.html").exists()
    oldest = read(out, "page/1/index.html")
    assert (
        oldest.count('class="story"') == 10
        and 'rel="next"' not in oldest
        and 'href="../../page/2/"' in oldest
    )
    assert "Kegiatan pemerintah daerah nomor 44" in oldest  # the oldest story of the fixture


def test_story_page_shows_publishers_zone_tags_and_meta(built: tuple[Config, Path]) -> None:
    _, out = built
    rel = story_dir(out, "Dapur MBG baru dibuka")
    html = read(out, rel + "index.html")
    assert "Juga diterbitkan oleh" in html and "InfoPublik" in html
    assert "10 Maret 2025 09.00 WIB" in html  # 02:00 UTC in the canonical publisher's zone (BGN, Jakarta)
    assert "Alasan penandaan" in html and "<mark>MBG</mark>" in html and "singkatan" in html
    assert 'href="https://bgn.example/0"' in html
    for prop in ("og:title", "og:description", "og:url", "og:type", "twitter:card", "twitter:title"):
        assert f'"{prop}"' in html, prop
    assert f'<link rel="canonical" href="https://portal.example.org/{rel}">' in html
    assert 'data-pagefind-filter="Program"' in html and 'data-pagefind-filter="Instansi"' in html


def test_dates_follow_the_publishers_time_zone(built: tuple[Config, Path]) -> None:
    _, out = built
    # the Makassar city government writes in WITA: 2025-03-09 02:00 UTC is 10.00 WITA
    html = read(out, "agency/pemkot-makassar/index.html")
    assert re.search(r"\d+ (Maret|Februari) 2025 10\.00 WITA", html)


def test_region_hierarchy(built: tuple[Config, Path]) -> None:
    _, out = built
    prov = read(out, "region/73/index.html")
    assert "Kode Kemendagri" in prov and "<code>73</code>" in prov
    assert 'href="../../region/73.71/"' in prov and "Kota Makassar" in prov
    city = read(out, "region/73.71/index.html")
    assert 'href="../../region/73/"' in city and "Sulawesi Selatan" in city
    assert "Sulawesi Selatan" in read(out, "region/index.html")


def test_program_page_has_description_and_active_agencies(built: tuple[Config, Path]) -> None:
    _, out = built
    html = read(out, "program/mbg/index.html")
    assert "Deskripsi redaksi tentang <strong>MBG</strong>" in html
    assert "Instansi paling aktif" in html and 'href="../../agency/bgn/"' in html
    assert 'type="application/atom+xml"' in html and "feeds/program/mbg.atom" in html


def test_sources_page_lists_every_source_with_status(built: tuple[Config, Path]) -> None:
    config, out = built
    html = read(out, "sources/index.html")
    for s in config.sources:
        assert f'href="../agency/{s.id}/"' in html
    assert "belum diambil" in html  # nothing was fetched in this fixture


def test_english_mirror_and_language_links(built: tuple[Config, Path]) -> None:
    _, out = built
    en = read(out, "en/index.html")
    assert '<html lang="en">' in en and "Latest stories" in en and "Editors' picks" in en
    assert 'href="../" hreflang="id"' in en
    idx = read(out, "index.html")
    assert 'href="./en/" hreflang="en"' in idx
    assert '<link rel="alternate" hreflang="en" href="https://portal.example.org/en/">' in idx


def test_csp_forbids_inline_script_everywhere(built: tuple[Config, Path]) -> None:
    _, out = built
    for f in out.rglob("*.html"):
        if "pagefind" in f.parts:
            continue
        html = f.read_text(encoding="utf-8")
        assert "script-src 'self'" in html and "'unsafe-inline'" not in html, f
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), f


def test_sitemap_and_robots(built: tuple[Config, Path]) -> None:
    _, out = built
    tree = ET.parse(out / "sitemap.xml")
    locs = {e.text for e in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    assert "https://portal.example.org/" in locs and "https://portal.example.org/program/mbg/" in locs
    # every page but the short links (redirects to story pages, which are listed) and the search bundle's files
    not_listed = [*(out / "pagefind").rglob("index.html"), *(out / "s").rglob("index.html")]
    assert len(locs) == len(list(out.rglob("index.html"))) - len(not_listed)
    assert not any("/s/" in loc for loc in locs)
    assert "Sitemap: https://portal.example.org/sitemap.xml" in read(out, "robots.txt")


def test_search_index_is_indonesian_with_filters(built: tuple[Config, Path]) -> None:
    _, out = built
    bundles = [out / "pagefind", *sorted((out / "pagefind/shard").iterdir())]
    pages = 0
    for bundle in bundles:
        entry_json = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
        assert list(entry_json["languages"]) == ["id"], bundle
        pages += entry_json["languages"]["id"]["page_count"]
    assert pages == len(list((out / "story").iterdir())) + 2  # stories (in shards) + 1 post + 1 page
    assert list((out / "pagefind/shard").glob("*/filter/*.pf_filter"))
    # the search page merges every story shard into the primary bundle
    shards = re.search(r'data-shards="([^"]*)"', read(out, "search/index.html"))
    assert shards and shards.group(1).split() == [b.name for b in bundles[1:]] == ["2025"]


def _tree(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and "pagefind" not in p.parts and ".siman-hub" not in p.parts
    }


def test_incremental_build_renders_only_changed_pages(tmp_path: Path) -> None:
    config = make_hub(tmp_path / "hub", stories=45)
    archive = open_archive(config.archive_url)
    try:
        first = build_site(config, archive, config.output_dir)
        assert first.rendered == first.pages and not first.skipped
        again = build_site(config, archive, config.output_dir)
        assert again.skipped and again.rendered == 0

        stable = ["page/1/index.html", "page/3/index.html", "program/mbg/index.html"]
        inodes = {rel: os.stat(config.output_dir / rel).st_ino for rel in stable}
        archive.apply_changes("pemkot-makassar", Changes(inserts=[entry(
            "new-1", "Posyandu baru turunkan stunting", "Kader posyandu baru.", BASE + timedelta(hours=5),
            "https://pemkot-makassar.example/new-1")]), BASE + timedelta(days=2))  # fmt: skip
        assign_refine(archive)
        inc = build_site(config, archive, config.output_dir)
        assert not inc.skipped and 0 < inc.rendered < inc.pages / 2, inc
        # a new story re-renders the lists' first pages, never their numbered pages (counted from the oldest):
        # those are the very same files (hardlinked), as is an untouched list
        assert {rel: os.stat(config.output_dir / rel).st_ino for rel in stable} == inodes
        incremental = _tree(config.output_dir)
        full = build_site(config, archive, config.output_dir, force=True)
        assert full.rendered == full.pages
        assert _tree(config.output_dir) == incremental  # incremental output equals a full rebuild
    finally:
        archive.close()


def test_failed_build_leaves_previous_site_intact(tmp_path: Path) -> None:
    config = make_hub(tmp_path / "hub", stories=12)
    archive = open_archive(config.archive_url)
    try:
        build_site(config, archive, config.output_dir)
        before = _tree(config.output_dir)
        add_stories(archive, 100, 3)
        assign_refine(archive)
        (config.theme_dir / "templates").mkdir(parents=True)
        (config.theme_dir / "templates" / "story.html").write_text(
            "{{ no_such_variable.boom }}", encoding="utf-8"
        )
        with pytest.raises(Exception, match="no_such_variable"):
            build_site(config, archive, config.output_dir)
        assert _tree(config.output_dir) == before
        assert not [p for p in config.output_dir.parent.iterdir() if ".staging" in p.name]
    finally:
        archive.close()


def test_hub_theme_overrides_default_template_and_static(tmp_path: Path) -> None:
    config = make_hub(tmp_path / "hub", stories=5)
    (config.theme_dir / "templates").mkdir(parents=True)
    (config.theme_dir / "static").mkdir(parents=True)
    (config.theme_dir / "templates" / "page.html").write_text(
        '{% extends "base.html" %}{% block main %}<p class="custom">{{ doc.title }}</p>{% endblock %}',
        encoding="utf-8",
    )
    (config.theme_dir / "static" / "style.css").write_text("body{color:red}", encoding="utf-8")
    config = load_config(config.path)
    archive = open_archive(config.archive_url)
    try:
        build_site(config, archive, config.output_dir)
    finally:
        archive.close()
    assert '<p class="custom">Tentang Portal</p>' in read(config.output_dir, "pages/tentang/index.html")
    assert read(config.output_dir, "static/style.css") == "body{color:red}"
    assert (config.output_dir / "static/search.js").is_file()  # default assets still there
