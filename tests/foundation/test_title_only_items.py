"""An item with only a title (no summary or content) whose plain-text title looks like markup stays text in
every output: fuzzing once found ``<svg onload=…>`` in JSON Feed ``content_html`` from such a title."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from siman_hub import pipeline
from siman_hub.config import load_config

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Uji</title><link>https://contoh.go.id/</link>
<item><title>&amp;lt;svg onload=alert(1)&amp;gt; Judul</title><link>https://contoh.go.id/a</link>
<guid>a</guid><pubDate>Mon, 16 Nov 2026 10:00:00 +0700</pubDate></item>
</channel></rss>"""


def test_markup_like_title_is_escaped_everywhere(tmp_path: Path) -> None:
    (tmp_path / "f.xml").write_text(FEED, encoding="utf-8")
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(textwrap.dedent("""\
        site: {title: Uji, base_url: "https://hub.example.org/", allow_private_addresses: true}
        sources:
          - {id: contoh, name: Contoh, kind: lainnya, feeds: ["file:f.xml"]}
        """), encoding="utf-8")  # fmt: skip
    config = load_config(cfg)
    assert pipeline.run(config).published
    out = config.output_dir
    item = json.loads((out / "feeds/all.json").read_text(encoding="utf-8"))["items"][0]
    assert item["title"] == "<svg onload=alert(1)> Judul"  # plain text, as the publisher wrote it
    assert "<svg" not in item["content_html"] and "&lt;svg" in item["content_html"]
    for path in out.rglob("*"):
        if path.suffix in {".html", ".atom", ".rss", ".xml"}:
            assert "<svg onload" not in path.read_text(encoding="utf-8"), path
