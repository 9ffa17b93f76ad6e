"""The archive: every item ever seen, behind one interface (``Archive``) with one module per backend."""

from __future__ import annotations

from pathlib import Path

from .base import Archive
from .sqlite import SQLiteArchive


def open_archive(url: str) -> Archive:
    """Open the archive at ``url`` (``sqlite:///path``, a bare path or ``postgresql://…``), migrated to the
    current schema."""
    if url.startswith("sqlite:///"):
        return SQLiteArchive(Path(url[len("sqlite:///") :]))
    if "://" not in url:
        return SQLiteArchive(Path(url))
    if url.startswith(("postgresql://", "postgres://")):
        from .postgresql import PostgreSQLArchive  # psycopg is only imported by hubs that use it

        return PostgreSQLArchive(url)
    scheme = url.split("://", 1)[0]
    raise ValueError(
        f"unsupported archive URL scheme {scheme!r} (supported: sqlite:///path, postgresql://user@host/db)"
    )


__all__ = ["Archive", "SQLiteArchive", "open_archive"]
