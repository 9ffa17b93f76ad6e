"""The build manifest: what each published file was built from, so the next build can skip unchanged pages.

Stored inside the output directory (``.siman-hub/manifest.json`` and ``.siman-hub/pages.sqlite3``) so it is
swapped together with the site it describes: a crashed build can never leave a manifest that disagrees with the
published files.

The page keys (one per published file: 1.5 million on a million-story archive) live in a SQLite file rather than
in the JSON document: the previous build's keys are looked up one by one and the new ones written in batches, so
a build never holds two dicts of every page path in memory.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = ".siman-hub/manifest.json"
PAGE_KEYS = ".siman-hub/pages.sqlite3"
FORMAT = 3  # 3: page keys in PAGE_KEYS (2 kept them in the JSON document)
_BATCH = 5000


class PageKeys:
    """File path → input key of the pages of one build: an empty in-memory map, the previous build's file
    (read-only lookups), or this build's file (written in batches)."""

    def __init__(self, db: sqlite3.Connection | None = None) -> None:
        self._db = db
        self._mem: dict[str, str] = {}
        self._pending: list[tuple[str, str, str | None]] = []
        self._urls: list[str] = []  # HTML page URLs of an in-memory store

    @classmethod
    def open(cls, path: Path) -> PageKeys:
        """The previous build's keys; an empty map (every page re-rendered) if the file is missing or unreadable."""
        try:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            db.execute("SELECT 1 FROM pages LIMIT 1").fetchall()
        except sqlite3.Error:
            return cls()
        return cls(db)

    @classmethod
    def create(cls, path: Path) -> PageKeys:
        """A new, empty store at ``path`` (a fresh file: never one shared with the published site)."""
        path.unlink(missing_ok=True)
        db = sqlite3.connect(path, check_same_thread=False)
        db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                         "CREATE TABLE pages (path TEXT PRIMARY KEY, key TEXT NOT NULL, url TEXT) WITHOUT ROWID;")  # fmt: skip
        return cls(db)

    def get(self, path: str) -> str | None:
        if self._db is None:
            return self._mem.get(path)
        self._flush()
        row = self._db.execute("SELECT key FROM pages WHERE path=?", (path,)).fetchone()
        return row[0] if row else None

    def __setitem__(self, path: str, key: str) -> None:
        self.add(path, key)

    def add(self, path: str, key: str, url: str | None = None) -> None:
        """``path``'s key; ``url`` (the page's URL path) puts an HTML page in the sitemap (see :meth:`urls`)."""
        if self._db is None:
            self._mem[path] = key
            if url is not None:
                self._urls.append(url)
            return
        self._pending.append((path, key, url))
        if len(self._pending) >= _BATCH:
            self._flush()

    def url_count(self) -> int:
        if self._db is None:
            return len(self._urls)
        self._flush()
        return self._db.execute("SELECT count(*) FROM pages WHERE url IS NOT NULL").fetchone()[0]

    def urls(self) -> Iterator[str]:
        """The URL paths given to :meth:`add`, sorted (code point order, as ``sorted`` in Python), streamed."""
        if self._db is None:
            yield from sorted(self._urls)
            return
        self._flush()
        for (url,) in self._db.execute("SELECT url FROM pages WHERE url IS NOT NULL ORDER BY url"):
            yield url

    def __getitem__(self, path: str) -> str:
        key = self.get(path)
        if key is None:
            raise KeyError(path)
        return key

    def _flush(self) -> None:
        if self._pending and self._db is not None:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO pages (path, key, url) VALUES (?, ?, ?)", self._pending
                )
            self._pending.clear()

    def close(self) -> None:
        """Write what is pending and close the file (before the site it belongs to is swapped into place)."""
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._flush()
            self._db.close()
            self._db = None


@dataclass(slots=True)
class Manifest:
    fingerprint: str = ""
    pages: PageKeys = field(default_factory=PageKeys)  # file path → input key
    search_key: str = ""  # the primary bundle (editors' pages and posts)
    search_shards: dict[str, str] = field(default_factory=dict)  # story shard name → key of its pages
    stats: dict[str, int] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        data = {"format": FORMAT, "fingerprint": self.fingerprint, "search_key": self.search_key,
                "search_shards": self.search_shards, "stats": self.stats}  # fmt: skip
        return json.dumps(data, separators=(",", ":"), sort_keys=True).encode()


def load(out: Path) -> Manifest:
    """The manifest of the published site, or an empty one (forcing a full build) if unreadable."""
    try:
        data = json.loads((out / MANIFEST).read_bytes())
    except (OSError, ValueError):
        return Manifest()
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return Manifest()
    return Manifest(str(data.get("fingerprint", "")), PageKeys.open(out / PAGE_KEYS),
                    str(data.get("search_key", "")), dict(data.get("search_shards", {})),
                    dict(data.get("stats", {})))  # fmt: skip


def page_key(global_key: str, path: str, sig: str) -> str:
    return hashlib.blake2b(f"{global_key}\0{path}\0{sig}".encode(), digest_size=16).hexdigest()


def hash_files(files: list[Path], h: hashlib._Hash | None = None) -> str:
    """Content hash of a set of files (theme, catalogs, code): any edit re-renders every page."""
    h = h or hashlib.blake2b(digest_size=16)
    for f in files:
        h.update(str(f).encode() + b"\0")
        try:
            h.update(f.read_bytes())
        except OSError:
            h.update(b"<missing>")
    return h.hexdigest()


def tree_files(root: Path) -> list[Path]:
    return (
        sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        if root.is_dir()
        else []
    )
