"""sources.opml, import-opml (comments survive), the static JSON API, and the WebSub ping after a run."""

from __future__ import annotations

import difflib
import http.server
import json
import shutil
import threading
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import atoma
import pytest
from click.testing import CliRunner
from support.feedserver import FeedServer

from siman_hub import pipeline
from siman_hub.cli import main
from siman_hub.config import load_config
from siman_hub.publish import websub

from .hubkit import FakeItem, Hub

REPO = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 1, 3, tzinfo=UTC)


def _fill(hub: Hub, n: int = 3) -> None:
    hub.publishers["kemkes"].items += [
        FakeItem(f"k{i}", f"Siaran pers Kemenkes nomor {i} soal MBG di sekolah", "Isi MBG.", T0 + timedelta(hours=i),
                 f"https://kemkes.go.id/{i}")
        for i in range(n)
    ]  # fmt: skip


def test_sources_opml_groups_by_kind_and_region_and_round_trips(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    hub = Hub(tmp_path, feed_server)
    _fill(hub)
    hub.build()
    data = (hub.out / "sources.opml").read_bytes()
    doc = atoma.parse_opml_bytes(data)  # an independent OPML parser
    groups = {o.text: o for o in doc.outlines}
    assert set(groups) == {"Kementerian", "Pemerintah Kota", "Media"}
    (province,) = groups["Pemerintah Kota"].outlines
    assert province.text == "Sulawesi Selatan"
    assert [o.xml_url for o in province.outlines] == [feed_server.url("/makassar.xml")]
    # importing the hub's own OPML into the same config adds nothing: every feed URL is known
    cfg = tmp_path / "feeds.yaml"
    before = cfg.read_text(encoding="utf-8")
    (tmp_path / "own.opml").write_bytes(data)
    result = CliRunner().invoke(main, ["--config", str(cfg), "import-opml", str(tmp_path / "own.opml")])
    assert result.exit_code == 0, result.output
    assert "0 source(s) added" in result.output
    assert cfg.read_text(encoding="utf-8") == before


def test_demo_file_feeds_are_published_as_the_hubs_own_reexport(tmp_path: Path) -> None:
    from siman_hub.publish.opml import opml

    cfg = tmp_path / "feeds.yaml"
    (tmp_path / "f.xml").write_text("<rss/>")
    cfg.write_text(
        "site: {title: Demo, base_url: 'https://demo.example.org/'}\n"
        "sources:\n  - {id: demo-a, name: Demo A, kind: lainnya, feeds: ['file:f.xml']}\n",
        encoding="utf-8",
    )
    doc = atoma.parse_opml_bytes(opml(load_config(cfg)))
    (outline,) = doc.outlines[0].outlines
    assert outline.xml_url == "https://demo.example.org/feeds/agency/demo-a.atom"
    assert "file:" not in opml(load_config(cfg)).decode()


def test_import_opml_keeps_every_comment_and_line_of_the_production_config(tmp_path: Path) -> None:
    cfg = tmp_path / "feeds.yaml"
    shutil.copy(REPO / "feeds.yaml", cfg)
    original = cfg.read_text(encoding="utf-8")
    known = load_config(cfg).sources[0].feeds[0]
    (tmp_path / "in.opml").write_text(
        f"""<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>
        <outline text="Pemerintah Kabupaten"><outline text="Kabupaten Contoh Baru" region="35.19"
          xmlUrl="https://contohbaru.go.id/feed/" htmlUrl="https://contohbaru.go.id/"/></outline>
        <outline text="Blog Dinas" xmlUrl="https://blog.example.com/rss"/>
        <outline text="Duplikat" xmlUrl="{known}"/>
        </body></opml>""",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["--config", str(cfg), "import-opml", str(tmp_path / "in.opml")])
    assert result.exit_code == 0, result.output
    after = cfg.read_text(encoding="utf-8")
    removed = [ln for ln in difflib.ndiff(original.splitlines(), after.splitlines()) if ln.startswith("- ")]
    assert removed == []  # nothing the editors wrote was lost or rewritten
    config = load_config(cfg)
    new = {s.id: s for s in config.sources}
    assert new["kabupaten-contoh-baru"].kind == "kabupaten" and new["kabupaten-contoh-baru"].region == "35.19"
    assert new["blog-dinas"].kind == "lainnya" and not new["blog-dinas"].verified
    assert len(config.sources) == len(load_config(REPO / "feeds.yaml").sources) + 2


def test_import_opml_that_would_not_validate_leaves_the_file_untouched(tmp_path: Path) -> None:
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("# keep me\nsite: {title: T, base_url: 'https://t.example.org/'}\nsources: []\n")
    (tmp_path / "bad.opml").write_text(
        '<opml version="2.0"><body><outline text="Kota X" kind="kota" xmlUrl="https://x.go.id/feed"/></body></opml>'
    )  # a kota without a region is invalid
    result = CliRunner().invoke(main, ["--config", str(cfg), "import-opml", str(tmp_path / "bad.opml")])
    assert result.exit_code != 0
    assert "region" in result.output
    assert cfg.read_text() == "# keep me\nsite: {title: T, base_url: 'https://t.example.org/'}\nsources: []\n"


def test_static_api_is_paginated_and_consistent_with_the_archive(tmp_path: Path, feed_server: FeedServer,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    from siman_hub.publish import api

    monkeypatch.setattr(api, "PER_PAGE", 2)
    hub = Hub(tmp_path, feed_server)
    _fill(hub, 5)
    hub.build()
    index = json.loads((hub.out / "api/index.json").read_text())
    assert index["api_version"] == 2
    assert index["counts"]["clusters"] == 5 and index["counts"]["items"] == 5
    ids, url, pages = [], index["endpoints"]["clusters"], []
    while url:
        page = json.loads((hub.out / url.removeprefix("https://hub.example.org/")).read_text())
        pages.append(page)
        ids += [c["id"] for c in page["data"]]
        url = page["next"]
    assert len(ids) == len(set(ids)) == 5
    # the index holds the newest rows down to the newest complete chunk, then numbered pages from the oldest
    assert [p["page"] for p in pages] == [None, 1] and [len(p["data"]) for p in pages] == [3, 2]
    assert pages[0]["total"] == 5 and "total" not in pages[1]
    dates = [c["date"] for p in pages for c in p["data"]]
    assert dates == sorted(dates, reverse=True)  # walked from the newest to the oldest
    programs = json.loads((hub.out / "api/programs.json").read_text())["data"]
    assert programs[0]["id"] == "mbg" and programs[0]["clusters"] == 5
    sources = {s["id"]: s for s in json.loads((hub.out / "api/sources.json").read_text())["data"]}
    assert sources["kemkes"]["items"] == 5 and sources["kemkes"]["last_success_at"]


def test_static_api_numbered_pages_keep_their_content_and_file_when_items_arrive(
    tmp_path: Path, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from siman_hub.publish import api

    monkeypatch.setattr(api, "PER_PAGE", 2)
    hub = Hub(tmp_path, feed_server)
    _fill(hub, 7)
    hub.build()
    old = {n: (hub.out / f"api/items/{n}.json").read_bytes() for n in (1, 2)}
    inode = (hub.out / "api/items/1.json").stat().st_ino
    hub.publishers["kemkes"].items += [
        FakeItem(f"n{i}", f"Kabar baru Kemenkes nomor {i} soal MBG", "Isi MBG.", T0 + timedelta(days=1, hours=i),
                 f"https://kemkes.go.id/n{i}")
        for i in range(2)
    ]  # fmt: skip
    hub.build()
    # 9 items: chunks 1..3 numbered, page 1 and 2 unchanged; page 1 reused as the same file (not re-rendered)
    assert (hub.out / "api/items/1.json").read_bytes() == old[1]
    assert (hub.out / "api/items/1.json").stat().st_ino == inode
    page2 = json.loads((hub.out / "api/items/2.json").read_text())
    assert page2["data"] == json.loads(old[2])["data"] and page2["prev"].endswith("api/items/3.json")
    first = json.loads((hub.out / "api/items/index.json").read_text())
    assert first["total"] == 9 and len(first["data"]) == 3 and first["next"].endswith("api/items/3.json")


class _Hub(http.server.BaseHTTPRequestHandler):
    pings: list[dict[str, list[str]]]
    status = 204

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).pings.append(urllib.parse.parse_qs(body.decode()))
        self.send_response(type(self).status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def websub_hub() -> Iterator[tuple[str, type[_Hub]]]:
    handler = type("H", (_Hub,), {"pings": []})
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}/hub", handler
    finally:
        srv.shutdown()
        srv.server_close()


def test_run_pings_the_hub_with_changed_feeds_only(tmp_path: Path, feed_server: FeedServer,
                                                   websub_hub: tuple[str, type[_Hub]]) -> None:  # fmt: skip
    url, handler = websub_hub
    hub = Hub(tmp_path, feed_server, hub_url=url)
    _fill(hub, 2)
    result = pipeline.run(hub.config)
    assert result.errors == []
    topics = {p["hub.url"][0] for p in handler.pings}
    assert all(p["hub.mode"] == ["publish"] for p in handler.pings)
    assert "https://hub.example.org/feeds/all.atom" in topics
    assert "https://hub.example.org/feeds/agency/kemkes.json" in topics
    assert not any("/archive/" in t for t in topics)
    assert "https://hub.example.org/feeds/agency/antara.atom" in topics  # new (empty) feed on first publish
    handler.pings.clear()
    hub.publishers["antara"].items.append(
        FakeItem("a9", "Berita ANTARA tentang pelabuhan baru", "Isi.", T0, "https://antaranews.com/9")
    )
    pipeline.fetch(hub.config, only=["antara"])
    before = websub.before_publish(hub.config)
    pipeline.build(hub.config)
    assert websub.notify(hub.config, before) == []
    topics = {p["hub.url"][0] for p in handler.pings}
    assert "https://hub.example.org/feeds/agency/antara.atom" in topics
    assert "https://hub.example.org/feeds/agency/kemkes.atom" not in topics  # unchanged: not announced


def test_a_failed_ping_is_reported_and_never_fails_the_run(tmp_path: Path, feed_server: FeedServer,
                                                           websub_hub: tuple[str, type[_Hub]]) -> None:  # fmt: skip
    url, handler = websub_hub
    handler.status = 500
    hub = Hub(tmp_path, feed_server, hub_url=url)
    _fill(hub, 1)
    result = pipeline.run(hub.config)
    assert result.published
    assert result.errors and all("answered 500" in e for e in result.errors)
    # an unreachable hub: one error, the run still publishes
    dead = (
        Hub(tmp_path / "b", feed_server, hub_url="http://127.0.0.1:9/hub")
        if (tmp_path / "b").mkdir() is None
        else None
    )
    assert dead is not None
    result = pipeline.run(dead.config)
    assert result.published and len(result.errors) == 1 and "unreachable" in result.errors[0]
