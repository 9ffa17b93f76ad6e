"""The CLI end to end through a real loopback HTTP server: fetch, build, run, sources, and the output contract."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from click.testing import CliRunner
from support.feedserver import FeedServer, Reply

from siman_hub.archive import open_archive
from siman_hub.cli import main
from siman_hub.config import load_config

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>{title}</title><link>{link}</link>
{items}
</channel></rss>"""
ITEM = """<item><title>{title}</title><link>{link}</link><guid>{guid}</guid>
<pubDate>{date}</pubDate><description>{body}</description></item>"""


def rss(title: str, link: str, items: list[dict[str, str]]) -> bytes:
    return RSS.format(title=title, link=link, items="\n".join(ITEM.format(**i) for i in items)).encode()


KEMKES_ITEMS = [
    {"title": "Cek Kesehatan Gratis Menjangkau 50 Juta Warga", "link": "https://kemkes.go.id/ckg-50-juta",
     "guid": "ckg-1", "date": "Senin, 16 November 2026 10:00 WIB",
     "body": "Program Cek Kesehatan Gratis (CKG) telah menjangkau 50 juta warga di seluruh Indonesia."},
    {"title": "Kemenkes Perkuat Layanan Puskesmas", "link": "https://kemkes.go.id/puskesmas",
     "guid": "pkm-1", "date": "Tue, 17 Nov 2026 09:00:00 +0700", "body": "Layanan puskesmas diperkuat."},
]  # fmt: skip
MAKASSAR_ITEMS = [
    {"title": "Dapur SPPG Baru Beroperasi di Makassar", "link": "https://makassarkota.go.id/sppg",
     "guid": "1", "date": "17 Nov 2026 08.30 WITA",
     "body": "Satuan Pelayanan Pemenuhan Gizi (SPPG) baru mendukung Makan Bergizi Gratis."},
]  # fmt: skip


def make_hub(tmp_path: Path, srv: FeedServer) -> Path:
    (tmp_path / "content" / "pages").mkdir(parents=True)
    (tmp_path / "content" / "pages" / "tentang.md").write_text(
        "---\ntitle: Tentang\n---\nIsi.\n", encoding="utf-8"
    )
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(
        textwrap.dedent(f"""\
        site:
          title: Hub Uji
          base_url: https://hub.example.org/
          allow_private_addresses: true
        programs:
          - id: mbg
            name: Makan Bergizi Gratis
            phrases: [makan bergizi gratis, satuan pelayanan pemenuhan gizi]
            abbreviations: [MBG, SPPG]
          - id: ckg
            name: Cek Kesehatan Gratis
            phrases: [cek kesehatan gratis]
            abbreviations: [CKG]
        sources:
          - id: kemkes
            name: Kementerian Kesehatan
            kind: kementerian
            feeds: ["{srv.url("/kemkes.xml")}"]
          - id: kota-makassar
            name: Pemerintah Kota Makassar
            kind: kota
            region: "73.71"
            feeds: ["{srv.url("/makassar.xml")}"]
          - id: rusak
            name: Sumber Rusak
            kind: lainnya
            feeds: ["{srv.url("/rusak.xml")}"]
        """),
        encoding="utf-8",
    )
    return cfg


def serve_feeds(srv: FeedServer) -> None:
    srv.route("/kemkes.xml", Reply(200, rss("Kemenkes", "https://kemkes.go.id/", KEMKES_ITEMS),
                                   {"Content-Type": "application/rss+xml", "ETag": '"v1"'}))  # fmt: skip
    srv.route("/makassar.xml", Reply(200, rss("Makassar", "https://makassarkota.go.id/", MAKASSAR_ITEMS)))
    srv.route("/rusak.xml", Reply(500, b"Internal Server Error"))


def test_run_publishes_the_output_contract_and_is_idempotent(tmp_path: Path, feed_server: FeedServer) -> None:
    serve_feeds(feed_server)
    cfg = make_hub(tmp_path, feed_server)
    runner = CliRunner()
    result = runner.invoke(main, ["--config", str(cfg), "run"])
    assert result.exit_code == 0, result.output
    assert "rusak" in result.output  # the failing source is reported...
    out = tmp_path / "public"
    contract = [
        "index.html", "program/mbg/index.html", "program/ckg/index.html", "agency/kemkes/index.html",
        "agency/kota-makassar/index.html", "region/73.71/index.html", "region/73/index.html",
        "feeds/all.atom", "feeds/all.rss", "feeds/all.json", "feeds/program/mbg.atom", "feeds/program/ckg.rss",
        "feeds/program/ckg.json", "feeds/agency/kemkes.atom", "feeds/region/73.71.json", "sources.opml",
        "sitemap.xml", "robots.txt",
    ]  # fmt: skip
    missing = [p for p in contract if not (out / p).is_file()]
    assert not missing, missing
    config = load_config(cfg)
    archive = open_archive(config.archive_url)
    assert archive.count_items() == 3
    archive.close()
    # the program feed holds the tagged story, with the WITA time read correctly (08:30 WITA = 00:30 UTC)
    feed = json.loads((out / "feeds/program/mbg.json").read_text(encoding="utf-8"))
    assert [i["title"] for i in feed["items"]] == ["Dapur SPPG Baru Beroperasi di Makassar"]
    assert feed["items"][0]["date_published"].startswith("2026-11-17T00:30:00")
    ids_before = [i["id"] for i in json.loads((out / "feeds/all.json").read_text())["items"]]

    # second run with unchanged feeds: no duplicates, same ids
    result = runner.invoke(main, ["--config", str(cfg), "run"])
    assert result.exit_code == 0, result.output
    archive = open_archive(config.archive_url)
    assert archive.count_items() == 3
    archive.close()
    ids_after = [i["id"] for i in json.loads((out / "feeds/all.json").read_text())["items"]]
    assert sorted(ids_after) == sorted(ids_before) and len(set(ids_after)) == len(ids_after)


def test_broken_source_loses_nothing_and_sources_shows_health(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    serve_feeds(feed_server)
    cfg = make_hub(tmp_path, feed_server)
    runner = CliRunner()
    assert runner.invoke(main, ["--config", str(cfg), "fetch"]).exit_code == 0
    # Kemenkes breaks: the archive keeps what it had
    feed_server.route("/kemkes.xml", Reply(200, b"<html><body>Maintenance</body></html>",
                                           {"Content-Type": "text/html"}))  # fmt: skip
    result = runner.invoke(main, ["--config", str(cfg), "fetch", "--source", "kemkes"])
    assert "kemkes" in result.output
    archive = open_archive(load_config(cfg).archive_url)
    assert archive.count_items("kemkes") == 2
    archive.close()
    result = runner.invoke(main, ["--config", str(cfg), "sources", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in json.loads(result.output)}
    assert rows["kemkes"]["items"] == 2 and rows["kemkes"]["last_error"]
    assert rows["rusak"]["last_error"] and rows["rusak"]["items"] == 0
    assert rows["kota-makassar"]["last_error"] is None and rows["kota-makassar"]["items"] == 1


def test_unknown_source_id_is_a_clear_error(tmp_path: Path, feed_server: FeedServer) -> None:
    cfg = make_hub(tmp_path, feed_server)
    result = CliRunner().invoke(main, ["--config", str(cfg), "fetch", "--source", "tidak-ada"])
    assert result.exit_code != 0 and "tidak-ada" in result.output


def test_broken_content_publishes_nothing(tmp_path: Path, feed_server: FeedServer) -> None:
    serve_feeds(feed_server)
    cfg = make_hub(tmp_path, feed_server)
    runner = CliRunner()
    assert runner.invoke(main, ["--config", str(cfg), "run"]).exit_code == 0
    before = (tmp_path / "public" / "index.html").read_bytes()
    bad = tmp_path / "content" / "pages" / "rusak.md"
    bad.write_text("---\ntitle: [rusak\n---\nx\n", encoding="utf-8")
    result = runner.invoke(main, ["--config", str(cfg), "run"])
    assert result.exit_code == 2
    assert "rusak.md" in result.output
    assert (tmp_path / "public" / "index.html").read_bytes() == before


def test_init_scaffolds_a_hub_that_checks(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(tmp_path / "hub")]).exit_code == 0
    assert (tmp_path / "hub" / "feeds.yaml").is_file() and (tmp_path / "hub" / "content").is_dir()
    result = runner.invoke(main, ["--config", str(tmp_path / "hub" / "feeds.yaml"), "check"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(main, ["init", str(tmp_path / "hub")]).exit_code != 0  # never overwrites


def test_python_dash_m_entry_point(tmp_path: Path) -> None:
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "siman_hub", "--help"], capture_output=True, text=True, check=True
    )
    assert "fetch" in out.stdout and "build" in out.stdout
