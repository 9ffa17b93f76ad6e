"""The public API: the pipeline stages a cron job or a Python caller runs, each opening what it needs.

fetch  = sources → archive
refine = archive → clusters + tags (stored back in the archive)
build  = archive + content/ → public/ (portal and feeds), published atomically
run    = fetch, then refine and build
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .archive import Archive, open_archive
from .config import Config
from .lock import RunLock
from .sources.ingest import SourceReport, fetch_sources
from .sources.shard import Shard

log = logging.getLogger(__name__)


@dataclass(slots=True)
class RunResult:
    reports: list[SourceReport] = field(default_factory=list)
    published: bool = False
    output: Path | None = None
    pages: int = 0
    errors: list[str] = field(default_factory=list)


def archive_for(config: Config) -> Archive:
    return open_archive(config.archive_url)


def fetch(config: Config, only: Iterable[str] | None = None,
          progress: Callable[[SourceReport], None] | None = None, *,
          shard: Shard | None = None, worker: str | None = None) -> list[SourceReport]:  # fmt: skip
    """Fetch into the archive. With ``shard`` only the sources that shard owns; in every case only the sources
    this worker can claim, so a source another worker is fetching right now is skipped (PostgreSQL row locks;
    on SQLite every source is claimable)."""
    archive = archive_for(config)
    try:
        wanted = set(only or ())
        if unknown := wanted - {s.id for s in config.sources}:
            raise KeyError(f"unknown source id(s): {', '.join(sorted(unknown))}")
        ids = [s.id for s in config.sources if s.enabled and (not wanted or s.id in wanted)]
        if shard is not None:
            ids = shard.select(ids)
        claimed = archive.claim_sources(ids, worker or f"{socket.gethostname()}:{os.getpid()}")
        if not claimed:
            return []
        try:
            return fetch_sources(config, archive, claimed, progress=progress, force=bool(wanted))
        finally:
            archive.release_sources()
    finally:
        archive.close()


def refine(config: Config, archive: Archive) -> None:
    from .refine import refine_archive

    refine_archive(config, archive)


def build(config: Config, out: Path | None = None) -> RunResult:
    from .publish import build_site

    archive = archive_for(config)
    try:
        refine(config, archive)
        stats = build_site(config, archive, out or config.output_dir)
    finally:
        archive.close()
    return RunResult(published=True, output=out or config.output_dir, pages=stats.pages)


def run(config: Config, progress: Callable[[SourceReport], None] | None = None) -> RunResult:
    with RunLock(config.archive_lock_path):
        reports = fetch(config, progress=progress)
        from .publish import websub

        before = websub.before_publish(config)
        result = build(config)
        result.reports = reports
        result.errors.extend(websub.notify(config, before))  # reported, never fatal
        return result
