"""Byte fuzzing of parse → normalize → render, for a few seconds in CI (``SIMAN_HUB_FUZZ_SECONDS`` for longer;
``bench/fuzz.py`` runs a long campaign and prints figures)."""

from __future__ import annotations

import os
from pathlib import Path

from siman_hub import pipeline
from siman_hub.config import load_config

from .fuzzing import _CONTROL, fuzz
from .hubkit import Src, write_config
from .scan import scan_site

FUZZ_SECONDS = float(os.environ.get("SIMAN_HUB_FUZZ_SECONDS", "4"))


def test_fuzzed_bodies_never_crash_and_render_safely(tmp_path: Path) -> None:
    stats = fuzz(FUZZ_SECONDS)
    print(f"fuzz: {stats.examples} bodies in {FUZZ_SECONDS:g} s, {stats.parsed} parsed, {stats.refused} refused, "
          f"{stats.entries} entries, {len(stats.failures)} failures")  # fmt: skip
    assert not stats.failures, f"{len(stats.failures)} failures; first:\n{stats.failures[0]}"
    assert stats.examples >= 30 and stats.parsed >= 3, "the harness did not reach the parser"

    # render: the bodies that parsed become file: feeds of a real hub, run and published end to end
    feeds = tmp_path / "bodies"
    feeds.mkdir()
    srcs = []
    for i, body in enumerate(stats.corpus):
        (feeds / f"f{i}.xml").write_bytes(body)
        srcs.append(Src(f"fuzz-{i}", (feeds / f"f{i}.xml").as_uri()))
    config = load_config(write_config(tmp_path, srcs))
    result = pipeline.run(config)
    assert result.published and (config.output_dir / "index.html").is_file()
    findings, _ = scan_site(config.output_dir)
    assert not findings, findings[:10]
    for p in config.output_dir.rglob("*"):
        if p.is_file() and p.suffix in (".html", ".json", ".atom", ".rss", ".xml"):
            assert not (_CONTROL - {"\x00"}) & set(p.read_text(encoding="utf-8")), p
