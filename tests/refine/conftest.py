from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from siman_hub.config import Config, load_config

PROGRAMS = """\
programs:
  - id: mbg
    name: Makan Bergizi Gratis
    phrases: [makan bergizi gratis, badan gizi nasional, satuan pelayanan pemenuhan gizi]
    abbreviations: [MBG, BGN, SPPG]
    cooccur:
      - [makan gratis, gizi]
    exclude: [bank garansi negara]
    valid_from: 2024-10-20
  - id: tiga-juta-rumah
    name: Program 3 Juta Rumah
    phrases: [3 juta rumah, tiga juta rumah, rumah subsidi, bedah rumah]
    abbreviations: [FLPP]
    cooccur:
      - [rumah, masyarakat berpenghasilan rendah]
  - id: ckg
    name: Cek Kesehatan Gratis
    phrases: [cek kesehatan gratis]
    abbreviations: [CKG, PKG]
    exclude: [penilaian kinerja guru]
"""


def write_hub(root: Path, sources: str, site_extra: str = "") -> Path:
    (root / "content").mkdir(parents=True, exist_ok=True)
    cfg = root / "feeds.yaml"
    cfg.write_text(
        "site:\n  title: Hub Uji\n  base_url: https://hub.example.org/\n  allow_private_addresses: true\n"
        + site_extra
        + PROGRAMS
        + "sources:\n"
        + textwrap.indent(textwrap.dedent(sources), "  "),
        encoding="utf-8",
    )
    return cfg


SOURCES = """\
- id: bgn
  name: Badan Gizi Nasional
  kind: lembaga
  feeds: [https://bgn.go.id/feed/]
  programs: [mbg]
  priority: 10
- id: infopublik
  name: InfoPublik
  kind: media
  feeds: [https://infopublik.id/feed/]
  priority: -10
- id: kab-gowa
  name: Pemerintah Kabupaten Gowa
  kind: kabupaten
  region: "73.06"
  feeds: [https://gowakab.go.id/feed/]
- id: antara
  name: ANTARA
  kind: media
  feeds: [https://antaranews.com/rss/terkini.xml]
  priority: -10
"""


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return load_config(write_hub(tmp_path, SOURCES))
