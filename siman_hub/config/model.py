"""Typed, validated configuration objects. Everything downstream of ``load_config`` reads these, never YAML."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path


@dataclass(frozen=True, slots=True)
class SiteConfig:
    title: str
    base_url: str
    description: str = ""
    language: str = "id"
    timezone: str = "Asia/Jakarta"
    output: Path = Path("public")
    archive: str = "data/archive.sqlite3"
    content: Path = Path("content")
    theme: Path = Path("theme")
    per_page: int = 20
    feed_size: int = 50
    websub_hub: str | None = None
    stale_days: int = 14
    allow_private_addresses: bool = False


@dataclass(frozen=True, slots=True)
class Program:
    id: str
    name: str
    description: str = ""
    hashtag: str = ""
    phrases: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()
    cooccur: tuple[tuple[str, ...], ...] = ()
    exclude: tuple[str, ...] = ()
    valid_from: date | None = None
    valid_until: date | None = None


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    name: str
    kind: str
    feeds: tuple[str, ...]
    region: str | None = None
    homepage: str | None = None
    enabled: bool = True
    verified: bool = False
    note: str = ""
    programs: tuple[str, ...] = ()
    priority: int = 0
    timezone: str = "Asia/Jakarta"
    identity: str = "auto"
    interval: int = 30
    user_agent: str | None = None
    logo: Path | None = None  # absolute path of the agency's logo file (share images)
    colour: str | None = None  # "#rrggbb": the agency's colour on share images
    line: int = 0


@dataclass(frozen=True, slots=True)
class Config:
    path: Path
    site: SiteConfig
    programs: tuple[Program, ...] = ()
    sources: tuple[Source, ...] = ()
    root: Path = field(default=Path("."))

    def source(self, source_id: str) -> Source:
        for s in self.sources:
            if s.id == source_id:
                return s
        raise KeyError(source_id)

    def program(self, program_id: str) -> Program:
        for p in self.programs:
            if p.id == program_id:
                return p
        raise KeyError(program_id)

    @property
    def output_dir(self) -> Path:
        return self.root / self.site.output

    @property
    def content_dir(self) -> Path:
        return self.root / self.site.content

    @property
    def theme_dir(self) -> Path:
        return self.root / self.site.theme

    @property
    def archive_lock_path(self) -> Path:
        """Lock file beside a SQLite archive (or in the output's parent for server archives)."""
        url = self.archive_url
        if url.startswith("sqlite:///"):
            return Path(url[len("sqlite:///") :] + ".lock")
        return self.root / ".siman-hub.lock"

    @property
    def archive_url(self) -> str:
        """The archive location as a URL; a bare path is a SQLite file relative to the config.

        ``SIMAN_HUB_ARCHIVE`` overrides ``site.archive`` so that workers can share one feeds.yaml while the
        database URL (and its password) comes from the deployment's environment, not from git."""
        a = os.environ.get("SIMAN_HUB_ARCHIVE") or self.site.archive
        if "://" in a:
            return a
        p = Path(a)
        if not p.is_absolute():
            p = self.root / p
        return f"sqlite:///{p}"
