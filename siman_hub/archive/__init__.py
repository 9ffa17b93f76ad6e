"""The archive: every item ever seen, behind one interface (``Archive``) with one module per backend."""

from __future__ import annotations

from pathlib import Path

from .base import Archive
from .sqlite import SQLiteArchive


def open_archive(url: str) -> Archive:
    """Open the archive at ``url`` (``sqlite:///path`` or a bare path), migrating it to the current schema."""
    if url.startswith("sqlite:///"):
        return SQLiteArchive(Path(url[len("sqlite:///") :]))
    if "://" not in url:
        return SQLiteArchive(Path(url))
    raise ValueError(f"unsupported archive URL {url!r} (supported: sqlite:///path)")


__all__ = ["Archive", "SQLiteArchive", "open_archive"]
