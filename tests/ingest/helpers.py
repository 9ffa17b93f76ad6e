"""Build a hub config and archive in code, so ingest tests need no YAML and say exactly what they configure."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from siman_hub.archive import SQLiteArchive
from siman_hub.config.model import Config, SiteConfig, Source

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def source(sid: str, *feeds: str, **kw: object) -> Source:
    return Source(id=sid, name=sid.upper(), kind="lembaga", feeds=tuple(feeds), **kw)  # type: ignore[arg-type]


def config(tmp_path: Path, *sources: Source) -> Config:
    site = SiteConfig(title="Uji", base_url="https://hub.example.org/", allow_private_addresses=True)
    return Config(path=tmp_path / "feeds.yaml", site=site, sources=tuple(sources), root=tmp_path)


def archive(tmp_path: Path) -> SQLiteArchive:
    return SQLiteArchive(tmp_path / "archive.sqlite3")


def rss(items: list[dict[str, str]], *, channel: bool = True, extra: str = "") -> bytes:
    parts = []
    for it in items:
        fields = "".join(f"<{k}>{v}</{k}>" for k, v in it.items())
        parts.append(f"<item>{fields}</item>")
    inner = "".join(parts)
    if channel:
        inner = f"<channel><title>Feed</title><link>https://x.go.id/</link>{extra}{inner}</channel>"
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0">{inner}</rss>'.encode()


def items(n: int, prefix: str = "a", date: str = "Mon, 16 Nov 2026 10:00:00 +0700") -> list[dict[str, str]]:
    return [
        {"title": f"Berita {prefix}{i}", "link": f"https://x.go.id/{prefix}/{i}", "guid": f"{prefix}-{i}",
         "pubDate": date, "description": f"Isi berita {prefix}{i}."}
        for i in range(n)
    ]  # fmt: skip
