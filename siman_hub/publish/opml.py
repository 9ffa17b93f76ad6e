"""sources.opml: every configured source, grouped by kind, for feed readers and other hubs."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from ..config import Config


def opml(config: Config) -> bytes:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<opml version="2.0">',
             f"<head><title>{escape(config.site.title)}</title></head>", "<body>"]  # fmt: skip
    by_kind: dict[str, list[Any]] = {}
    for s in config.sources:
        by_kind.setdefault(s.kind, []).append(s)
    for kind, sources in by_kind.items():
        lines.append(f'<outline text="{escape(kind)}">')
        for s in sources:
            for url in s.feeds:
                if url.startswith("file:"):
                    continue
                attrs = {
                    "type": "rss",
                    "text": s.name,
                    "title": s.name,
                    "xmlUrl": url,
                    "htmlUrl": s.homepage or "",
                }
                lines.append(
                    "<outline "
                    + " ".join(f'{k}="{escape(v, {chr(34): "&quot;"})}"' for k, v in attrs.items())
                    + "/>"
                )
        lines.append("</outline>")
    lines += ["</body>", "</opml>"]
    return "\n".join(lines).encode("utf-8")
