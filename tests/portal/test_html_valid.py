"""Every page of a small portal is valid HTML per the Nu HTML Checker (the jar bench/quality.sh installs).

Skips when Java or the vnu jar is missing: run bench/quality.sh once (or set VNU_JAR) to enable it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from siman_hub.archive import open_archive
from siman_hub.models import Changes
from siman_hub.publish import build_site
from siman_hub.publish.render import body_html

from .hub import BASE, assign_refine, entry, make_hub

REPO = Path(__file__).resolve().parents[2]
JAR = Path(os.environ.get("VNU_JAR", REPO / "bench/.work/npm/node_modules/vnu-jar/build/dist/vnu.jar"))


def test_hrefless_anchor_from_sanitizer_becomes_text() -> None:
    assert str(body_html('<p><a rel="nofollow">di sini</a> <a href="https://x.example/">ok</a></p>')) == (
        '<p>di sini <a href="https://x.example/">ok</a></p>'
    )


@pytest.mark.skipif(shutil.which("java") is None, reason="java not installed")
@pytest.mark.skipif(
    not JAR.is_file(), reason=f"vnu.jar not found at {JAR}; run bench/quality.sh once or set VNU_JAR"
)
def test_every_page_is_valid_html(tmp_path: Path) -> None:
    config = make_hub(tmp_path / "hub", stories=25)
    archive = open_archive(config.archive_url)
    try:
        bad = entry("odd", "Tautan tanpa alamat", "lihat", BASE, "https://bgn.example/odd")
        bad.content = '<p>Unduh <a rel="noopener noreferrer nofollow">di sini</a>.</p>'
        archive.apply_changes("bgn", Changes(inserts=[bad]), BASE)
        assign_refine(archive)
        build_site(config, archive, config.output_dir)
    finally:
        archive.close()
    pages = sorted(str(p) for p in config.output_dir.rglob("*.html") if "pagefind" not in p.parts)
    for rel in (
        "dasbor/index.html",
        "dasbor/7/index.html",
        "en/dasbor/90/index.html",
        "agency/bgn/index.html",
    ):
        assert str(config.output_dir / rel) in pages  # the dashboard and an agency page with its figures
    proc = subprocess.run(["java", "-jar", str(JAR), "--errors-only", "--format", "gnu", *pages],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
