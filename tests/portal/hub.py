"""A small hub for portal tests: real feeds.yaml, real SQLite archive filled through ``apply_changes``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from siman_hub.archive import open_archive
from siman_hub.config import Config, load_config
from siman_hub.models import Changes, Entry, Tag

FEEDS_YAML = """\
site:
  title: Portal Uji
  description: Portal uji siman-hub.
  base_url: https://portal.example.org/
  language: id
  timezone: Asia/Jakarta
  output: public
  archive: data/archive.sqlite3
  per_page: {per_page}
programs:
  - id: mbg
    name: Makan Bergizi Gratis
    description: Program makan bergizi gratis.
    phrases: [makan bergizi gratis, badan gizi nasional]
    abbreviations: [MBG, BGN]
  - id: stunting
    name: Percepatan Penurunan Stunting
    description: Menurunkan prevalensi stunting.
    phrases: [stunting, posyandu]
sources:
  - id: bgn
    name: Badan Gizi Nasional
    kind: lembaga
    feeds: [http://127.0.0.1:9/bgn.xml]
    priority: 10
  - id: infopublik
    name: InfoPublik
    kind: media
    feeds: [http://127.0.0.1:9/ip.xml]
  - id: pemprov-sulsel
    name: Pemerintah Provinsi Sulawesi Selatan
    kind: provinsi
    region: "73"
    timezone: Asia/Makassar
    feeds: [http://127.0.0.1:9/sulsel.xml]
  - id: pemkot-makassar
    name: Pemerintah Kota Makassar
    kind: kota
    region: "73.71"
    timezone: Asia/Makassar
    feeds: [http://127.0.0.1:9/mks.xml]
"""

BASE = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)


def entry(key: str, title: str, body: str, when: datetime, url: str) -> Entry:
    return Entry(key=key, title=title, url=url, canonical_url=url, guid=key, summary=body[:120],
                 content=f"<p>{body}</p>", published=when, content_hash=f"h-{key}-{len(body)}-{title}")  # fmt: skip


def make_hub(root: Path, *, stories: int = 45, per_page: int = 10, content: bool = True) -> Config:
    """A hub with ``stories`` items spread over sources and two months; one story is republished."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "feeds.yaml").write_text(FEEDS_YAML.format(per_page=per_page), encoding="utf-8")
    if content:
        (root / "content" / "programs").mkdir(parents=True)
        (root / "content" / "posts").mkdir(parents=True)
        (root / "content" / "pages").mkdir(parents=True)
        (root / "content" / "programs" / "mbg.md").write_text(
            "---\ntitle: Makan Bergizi Gratis\n---\nDeskripsi redaksi tentang **MBG**.\n", encoding="utf-8"
        )
        (root / "content" / "posts" / "sorotan-gizi.md").write_text(
            "---\ntitle: Sorotan Gizi Pekan Ini\ndate: 2025-03-12\nprograms: [mbg]\nsummary: Ringkasan redaksi.\n"
            "pinned: true\n---\nTulisan redaksi tentang gizi anak sekolah.\n",
            encoding="utf-8",
        )
        (root / "content" / "pages" / "tentang.md").write_text(
            "---\ntitle: Tentang Portal\n---\nPortal berita pemerintah terpadu.\n", encoding="utf-8"
        )
    config = load_config(root / "feeds.yaml")
    archive = open_archive(config.archive_url)
    try:
        add_stories(archive, 0, stories)
        # the same press release republished by InfoPublik: clustered into one story by refine
        archive.apply_changes("infopublik", Changes(inserts=[entry(
            "ip-0", "Dapur MBG baru dibuka di Makassar", "Badan Gizi Nasional membuka dapur MBG baru di Makassar.",
            BASE + timedelta(hours=1), "https://infopublik.example/ip-0")]), BASE + timedelta(hours=1))  # fmt: skip
        assign_refine(archive)
    finally:
        archive.close()
    return config


def assign_refine(archive) -> None:  # type: ignore[no-untyped-def]
    """Store what refine would: the republished release joins the original's cluster, keyword tags with words.

    Written by hand so the portal tests do not depend on the clustering/tagging heuristics of the day.
    """
    items = list(archive.iter_items())
    by_key = {it.key: it for it in items}
    clusters = {it.id: f"c{it.id}" for it in items}
    if "ip-0" in by_key and "bgn-0" in by_key:
        clusters[by_key["ip-0"].id] = clusters[by_key["bgn-0"].id]
    archive.put_clusters(clusters)
    tags = []
    for it in items:
        text = f"{it.title} {it.summary}"
        if "MBG" in text:
            tags.append(Tag(it.id, "mbg", "abbreviation", ["MBG"], "t1"))
        if "stunting" in text:
            tags.append(Tag(it.id, "stunting", "phrase", ["posyandu", "stunting"], "t1"))
    archive.replace_tags([it.id for it in items], tags)


def add_stories(archive, start: int, n: int) -> None:  # type: ignore[no-untyped-def]
    srcs = ["bgn", "pemprov-sulsel", "pemkot-makassar"]
    per_source: dict[str, list[Entry]] = {}
    for i in range(start, start + n):
        sid = srcs[i % 3]
        when = BASE - timedelta(days=i)
        if i == 0:
            title, body = (
                "Dapur MBG baru dibuka di Makassar",
                "Badan Gizi Nasional membuka dapur MBG baru di Makassar.",
            )
        elif i % 5 == 1:
            title, body = (
                f"Posyandu keliling ke-{i} turunkan stunting",
                "Kader posyandu memeriksa balita untuk cegah stunting.",
            )
        else:
            title, body = (
                f"Kegiatan pemerintah daerah nomor {i}",
                "Rapat koordinasi pembangunan jalan dan jembatan desa.",
            )
        per_source.setdefault(sid, []).append(
            entry(f"{sid}-{i}", title, body, when, f"https://{sid}.example/{i}")
        )
    for sid, entries in per_source.items():
        archive.apply_changes(sid, Changes(inserts=entries), BASE + timedelta(days=1))
