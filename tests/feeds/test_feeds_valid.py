"""Every produced feed document, from real pipeline builds, checked by schemas and three independent parsers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from lxml import etree
from support.feedserver import FeedServer

from siman_hub.archive import open_archive
from siman_hub.publish import feedlog

from .hubkit import FakeItem, Hub
from .validate import (
    atom_errors,
    jsonfeed_errors,
    read_atoma,
    read_fastfeedparser,
    read_feedparser,
    read_json,
)

BASE = datetime(2026, 11, 1, 3, tzinfo=UTC)
HUB = "https://websub.example.net/hub"


def _item(prefix: str, i: int, **kw: object) -> FakeItem:
    return FakeItem(
        f"{prefix}{i}",
        f"Berita {prefix} nomor {i} tentang layanan publik daerah",
        f"Isi berita {i} tentang Makan Bergizi Gratis (MBG)." if i % 2 else f"Isi berita {i}.",
        BASE + timedelta(hours=i),
        f"https://{prefix}.go.id/berita/{i}",
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture
def built(tmp_path: Path, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch) -> Hub:
    monkeypatch.setattr(feedlog, "PAGE_SIZE", 3)
    hub = Hub(tmp_path, feed_server, feed_size=4, hub_url=HUB)
    kemkes = hub.publishers["kemkes"].items
    kemkes += [
        _item("kemkes", i, image="https://kemkes.go.id/img/a.jpg" if i == 1 else None) for i in range(5)
    ]
    hub.publishers["kota-makassar"].items.append(_item("makassar", 1))
    hub.build()
    kemkes += [_item("kemkes", i) for i in range(5, 9)]
    # ANTARA republishes kemkes 2 under its own URL: the same story, another publisher
    copy = _item("kemkes", 2)
    hub.publishers["antara"].items.append(
        FakeItem("a2", copy.title, copy.body, copy.published, "https://antaranews.com/2")
    )
    hub.build()
    return hub


def _formats(hub: Hub) -> dict[str, list[Path]]:
    out: dict[str, list[Path]] = {"atom": [], "rss": [], "json": []}
    for f in hub.feed_files():
        out[f.suffix[1:]].append(f)
    return out


def test_every_atom_document_is_valid_and_three_parsers_agree(built: Hub) -> None:
    files = _formats(built)["atom"]
    assert any("archive" in f.parts for f in files), "the builds should have produced archive pages"
    for f in files:
        data = f.read_bytes()
        assert atom_errors(data) == [], f
        fp, feed = read_feedparser(data, "atom")
        assert fp == read_fastfeedparser(data, "atom") == read_atoma(data, "atom"), f
        assert len({i for i, _ in fp}) == len(fp), f"duplicate entry id in {f}"
        rels = {link["rel"]: link["href"] for link in feed["links"]}
        assert rels["hub"] == HUB
        assert rels["self"] == "https://hub.example.org/" + f.relative_to(built.out).as_posix()
        if fp:  # the feed's updated is its newest entry's, never the build time
            assert read_feedparser(data, "atom")[0] and max(u for _, u in fp) == _struct_utc(
                feed["updated_parsed"]
            )


def _struct_utc(t: object) -> datetime:
    return datetime(*t[:6], tzinfo=UTC)  # type: ignore[index]


def test_every_rss_and_json_document_is_valid_and_agrees_with_atom(built: Hub) -> None:
    by_stem: dict[str, dict[str, Path]] = {}
    for fmt, files in _formats(built).items():
        for f in files:
            by_stem.setdefault(str(f.with_suffix("")), {})[fmt] = f
    for stem, docs in by_stem.items():
        assert set(docs) == {"atom", "rss", "json"}, stem
        atom = read_feedparser(docs["atom"].read_bytes(), "atom")[0]
        rss_data = docs["rss"].read_bytes()
        rss, channel = read_feedparser(rss_data, "rss")
        assert rss == read_fastfeedparser(rss_data, "rss") == read_atoma(rss_data, "rss"), stem
        js_data = docs["json"].read_bytes()
        assert jsonfeed_errors(js_data) == [], stem
        js = read_json(js_data)
        assert (
            [i for i, _ in js]
            == [i for i, _ in read_fastfeedparser(js_data, "json")]
            == [i for i, _ in read_atoma(js_data, "json")]
        )
        # same entries, same order, same dates in all three formats
        assert [i for i, _ in atom] == [i for i, _ in rss] == [i for i, _ in js], stem
        assert [u for _, u in atom] == [u for _, u in js], stem
        doc = json.loads(js_data)
        assert doc["hubs"] == [{"type": "WebSub", "url": HUB}]
        assert {link["rel"] for link in channel["links"]} >= {"self", "hub"}


def test_ids_and_dates_round_trip_from_the_feed_log(built: Hub) -> None:
    archive = open_archive(built.config.archive_url)
    try:
        log = [r for r in archive.feed_log() if r.feed_key == "all"]
    finally:
        archive.close()
    latest = feedlog.latest_by_story(log)
    atom, _ = read_feedparser((built.out / "feeds/all.atom").read_bytes(), "atom")
    assert atom, "the merged feed lists the newest stories"
    for entry_id, updated in atom:
        story_id = entry_id.rstrip("/").rsplit("/", 1)[1]
        assert updated == latest[story_id].updated.astimezone(UTC)
    expected = [f"https://hub.example.org/story/{r.story_id}/" for r in feedlog.newest_first(log)]
    assert [i for i, _ in atom] == expected[: len(atom)]
    # archive pages hold exactly the log's seq ranges
    page1, _ = read_feedparser((built.out / "feeds/archive/all/1.atom").read_bytes(), "atom")
    assert {i for i, _ in page1} == {f"https://hub.example.org/story/{r.story_id}/" for r in log[:3]}


def test_rebuilding_without_changes_is_byte_identical(built: Hub) -> None:
    before = {f: f.read_bytes() for f in built.feed_files()}
    built.config = built.config  # same config
    from siman_hub import pipeline
    from siman_hub.publish import build_site

    archive = pipeline.archive_for(built.config)
    try:
        build_site(built.config, archive, built.out, force=True)
    finally:
        archive.close()
    after = {f: f.read_bytes() for f in built.feed_files()}
    assert after == before


def test_provenance_categories_and_enclosures(built: Hub) -> None:
    root = etree.fromstring((built.out / "feeds/agency/antara.atom").read_bytes())
    ns = {"a": "http://www.w3.org/2005/Atom", "s": "urn:siman-hub:feed:1"}
    (entry,) = root.findall("a:entry", ns)
    # the ministry (priority 10) is canonical; ANTARA's copy is credited, not a second entry
    assert entry.findtext("a:source/a:title", namespaces=ns) == "Berita Kemenkes"
    assert entry.findtext("a:source/a:id", namespaces=ns).endswith("/kemkes.xml")
    assert entry.find("a:source/a:updated", ns) is not None
    pubs = {p.get("source"): p for p in entry.findall("s:publisher", ns)}
    assert set(pubs) == {"kemkes", "antara"} and pubs["kemkes"].get("canonical") == "true"
    related = [link.get("href") for link in entry.findall("a:link[@rel='related']", ns)]
    assert related == ["https://antaranews.com/2"]
    mbg = feedparser.parse((built.out / "feeds/program/mbg.atom").read_bytes())
    assert mbg.entries and all(e.tags[0].term == "mbg" for e in mbg.entries)
    allf = feedparser.parse((built.out / "feeds/archive/all/1.atom").read_bytes())
    enclosures = [e for e in allf.entries if e.get("enclosures")]
    assert any(enc.href == "https://kemkes.go.id/img/a.jpg" for e in enclosures for enc in e.enclosures)
